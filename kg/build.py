"""The pipeline: sources → annotations → triples → validation → store and dumps.

The only module that imports every stage. Nothing is published unless every stage passes:
the new store is written into a fresh build folder and swapped in at the very end.
"""

from __future__ import annotations

import fcntl
import gc
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.compare import to_canonical_graph

from kg import __version__
from kg.config import Config, rebaser
from kg.corpus import Corpus, load_corpus
from kg.errors import KgError, NotConformant
from kg.iris import Iris
from kg.namespaces import prefixes
from kg.search import INDEX_FILE, write_index
from kg.shacl_targeted import check_quads, check_store, validate_targeted
from kg.store import (DEFAULT_NT, finish_dump, load_default, load_named, memory_store, new_build_dir, prepare,
                      swap_in, write_default_ntriples, write_dumps, write_files, write_nquads)
from kg.triples import Quads, make_quads
from kg.validation import Report, load_shapes
from kg import summary
from kg.void import partition_counts, partitions, void_turtle


EXAMPLES = ("petersburg-soviet-1905", "petrograd-soviet-1917", "trotsky", "khrustalev-nosar")


@dataclass
class BuildResult:
    build_id: str
    manifest: dict
    report: Report
    timings: dict = field(default_factory=dict)


def ontology_files(config: Config) -> list[Path]:
    root = Path(config.ontology_dir)
    return sorted(root.glob("*.ttl")) + sorted(root.glob("alignments/*.ttl"))


def ontology_graph(config: Config) -> Graph:
    """The ontology's files in one graph, its blank nodes labelled canonically (rdflib.compare), so the
    same files give the same N-Quads lines, and the build's digest and dumps are the same, at every build."""
    rebase = rebaser(config.base_iri)
    texts = tuple((path, rebase(path.read_text(encoding="utf-8"))) for path in ontology_files(config))
    g = Graph()
    for triple in _canonical_triples(texts):
        g.add(triple)
    return g


@lru_cache(maxsize=4)
def _canonical_triples(texts: tuple[tuple[Path, str], ...]) -> tuple:
    """Canonical labelling takes about half a second; the tests build the same ontology many times."""
    g = Graph()
    for path, text in texts:
        try:
            g.parse(data=text, format="turtle", publicID=path.as_uri())
        except Exception as exc:
            raise KgError(f"{path}: the ontology does not parse: {exc}") from exc
    return tuple(to_canonical_graph(g))


@dataclass
class Graphs:
    """Everything `kg validate` and `kg build` need, made once."""

    corpus: Corpus
    quads: Quads
    ontology: Graph

    @cached_property
    def data(self) -> Graph:
        """The union of all named graphs, ontology included, in rdflib memory (for pySHACL, the reference)."""
        data = Graph()
        for s, p, o, _ in self.quads.quads:
            data.add((s, p, o))
        return data


def quads_with_ontology(corpus: Corpus, config: Config) -> tuple[Quads, Graph]:
    """The corpus's quads plus the ontology in its own named graph (the graph users query)."""
    quads = make_quads(corpus, config.base_iri)
    onto = ontology_graph(config)
    g_onto = Iris(config.base_iri).graph("ontology")
    for s, p, o in onto:
        quads.add(s, p, o, g_onto)
    return quads, onto


def make_graphs(config: Config, timings: dict | None = None, corpus: Corpus | None = None) -> Graphs:
    """The corpus (read from config.sources_dir unless given) and its quads, ontology included."""
    timings = {} if timings is None else timings
    t = time.perf_counter()
    corpus = corpus or load_corpus(config.sources_dir)
    timings["load and check annotations"] = time.perf_counter() - t
    t = time.perf_counter()
    quads, onto = quads_with_ontology(corpus, config)
    timings["make triples"] = time.perf_counter() - t
    return Graphs(corpus, quads, onto)


def run_validation(config: Config, graphs: Graphs, timings: dict | None = None,
                   store: ox.Store | Callable[[], ox.Store] | None = None, progress: bool = False) -> Report:
    """Targeted SHACL validation of the quads (kg.shacl_targeted); `store` holds them (or gives them once
    loaded), or one is made in memory."""
    t = time.perf_counter()
    shapes = load_shapes(config.shapes_dir, rebaser(config.base_iri))
    if store is None:          # in memory, loaded by kg.store.load_named and load_default as on disk
        store = memory_store(graphs.quads.quads)
    report = validate_targeted(graphs.quads.quads, store, graphs.ontology, shapes, Iris(config.base_iri).graph,
                               graphs.quads.origin, graphs.quads.triple_origin, config.base_iri, progress=progress)
    if timings is not None:
        timings["SHACL validation"] = time.perf_counter() - t
    return report


@contextmanager
def build_lock(data_dir: Path):
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / ".build.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise KgError(f"another `kg build` is running on {data_dir}") from None
        yield


@contextmanager
def gc_paused():
    """Python's cycle collector off for the build: the graph's millions of tuples and terms hold no
    cycles, but each full collection walks them all again (at 10^6 triples, making the triples and
    the Oxigraph terms took 11.7 s of CPU with it, 7.1 s without)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build(config: Config, corpus: Corpus | None = None, progress: bool = False) -> BuildResult:
    """Build, validate and publish; raise (publishing nothing) on bad input or violations.

    `corpus` replaces reading config.sources_dir (the benchmark's generated corpora)."""
    timings: dict = {}
    started = time.perf_counter()
    data_dir = Path(config.data_dir)
    with build_lock(data_dir), gc_paused():
        graphs = make_graphs(config, timings, corpus)
        t = time.perf_counter()
        prepared = prepare(graphs.quads.quads)
        quads_count, triples_count = len(prepared.named), len(prepared.triples)
        timings["Oxigraph terms"] = time.perf_counter() - t
        # The build works in a staging folder until its digest, which names it, is known: kg.nq
        # is written first, and the digest made from its lines as they go by.
        build_dir = new_build_dir(data_dir, STAGING)
        # The store loads, and then the search index is written from it, in a second thread: both
        # run in Oxigraph's own code, which lets go of the GIL, while this thread validates the
        # core constraints (pure Python) and writes the other dumps, each compressed in a third.
        # Only the SPARQL constraints and what follows wait for the store; a build that does not
        # conform deletes everything written.
        loader, packer = ThreadPoolExecutor(1), ThreadPoolExecutor(1)
        try:
            t = time.perf_counter()
            (build_dir / "dumps").mkdir()
            digest = write_nquads(build_dir / "dumps" / "kg.nq", prepared.named)
            now = datetime.now(timezone.utc)
            build_id = now.strftime("%Y%m%dT%H%M%S%fZ") + "-" + digest[:12]
            staging, build_dir = build_dir, new_build_dir(data_dir, build_id)
            os.replace(staging, build_dir)
            timings["kg.nq and digest"] = time.perf_counter() - t
            packing = [packer.submit(finish_dump, build_dir / "dumps" / "kg.nq", quads_count)]
            t_store = time.perf_counter()
            loading = loader.submit(_load, build_dir, prepared.blank, timings, t_store)
            t = time.perf_counter()
            write_default_ntriples(build_dir / DEFAULT_NT, prepared.triples)
            timings["default graph's N-Triples"] = time.perf_counter() - t
            loading = loader.submit(_load_default, loading, build_dir, prepared.blank, timings, t_store)
            indexing = loader.submit(_index, loading, build_dir, config.base_iri, timings)
            t = time.perf_counter()
            shapes = load_shapes(config.shapes_dir, rebaser(config.base_iri))
            # The rdflib quads are let go of as soon as validation has indexed them: the dumps are
            # written from the Oxigraph terms, and the report traces its results through the origin
            # maps alone.
            checked = check_quads(graphs.quads.quads, graphs.ontology, shapes, Iris(config.base_iri).graph,
                                  progress=progress, release=True)
            timings["core SHACL (beside the store)"] = time.perf_counter() - t
            t = time.perf_counter()
            packing += write_dumps(build_dir, prepared, prefixes(config.base_iri), packer)
            del prepared
            timings["write dumps (beside the store)"] = time.perf_counter() - t
            t = time.perf_counter()
            report = check_store(checked, loading.result, shapes, graphs.quads.origin, graphs.quads.triple_origin,
                                 config.base_iri)
            report.stats["core_s"] = checked.stats["core_s"]
            timings["SPARQL constraints (after the store)"] = time.perf_counter() - t
            report_ttl = report.graph.serialize(format="turtle").encode()
            (data_dir / "reports").mkdir(exist_ok=True)
            (data_dir / "reports" / "last-validation.ttl").write_bytes(report_ttl)
            if not report.conforms:
                raise NotConformant(report)
            t = time.perf_counter()
            files: dict = {}
            for done in packing:
                files.update(done.result())
            timings["waiting for the archives"] = time.perf_counter() - t
            files.update(write_files(build_dir, {
                "ontology.ttl": _concat(ontology_files(config), config),
                "shapes.ttl": _concat(sorted(Path(config.shapes_dir).glob("*.ttl")), config),
                "validation-report.ttl": report_ttl}))
            store = loading.result()
            t = time.perf_counter()
            named_graphs = sorted(str(g.value) for g in store.named_graphs())
            counts = partition_counts(store)
            parts = partitions(store, config.base_iri, counts)
            t_summary = time.perf_counter()
            # the counts that answer group-counts (kg.summary), made while the search index is written
            summary.write(build_dir, summary.compute(store, *counts))
            timings["summary"] = time.perf_counter() - t_summary
            t_wait = time.perf_counter()
            search_counts = indexing.result()
            timings["waiting for the search index"] = time.perf_counter() - t_wait
            manifest = {
                "build_id": build_id, "version": __version__, "base_iri": config.base_iri,
                "created": now.isoformat(timespec="seconds"), "digest": digest,
                "quads": quads_count, "triples": triples_count,
                "named_graphs": named_graphs,
                "entities": len(graphs.corpus.registry),
                "statements": len(graphs.corpus.annotations.statements),
                "mentions": len(graphs.corpus.annotations.mentions),
                "sources": sorted(graphs.corpus.sources), "files": files,
                "source_rights": {sid: src.rights for sid, src in sorted(graphs.corpus.sources.items())},
                "partitions": parts, "search": search_counts,
                "examples": [e for e in EXAMPLES if e in graphs.corpus.registry] or sorted(graphs.corpus.registry)[:3],
            }
            iris = Iris(config.base_iri)
            void = void_turtle(manifest, parts, iris.dumps(), iris.sparql()).encode()
            (build_dir / "dumps" / "void.ttl").write_bytes(void)
            files["void.ttl"] = {"bytes": len(void), "sha256": hashlib.sha256(void).hexdigest(), "triples": None}
            timings["VoID and manifest"] = time.perf_counter() - t
            del store, loading, indexing      # the store closes before the build is swapped in
            (build_dir / "manifest.json").write_text(json.dumps(manifest, indent=2))
            swap_in(data_dir, build_dir)
        except BaseException:
            loader.shutdown(wait=True, cancel_futures=True)     # the store is closed before its folder goes
            packer.shutdown(wait=True, cancel_futures=True)
            shutil.rmtree(build_dir, ignore_errors=True)
            raise
        loader.shutdown()
        packer.shutdown()
    timings["total"] = time.perf_counter() - started
    return BuildResult(build_id, manifest, report, timings)


STAGING = ".staging"          # a build's folder until its id is known (a killed build's is removed by the next)


def _load(build_dir: Path, blank: list, timings: dict, started: float) -> ox.Store:
    store = load_named(ox.Store(str(build_dir / "store")), build_dir / "dumps" / "kg.nq", blank)
    timings["load named graphs (beside validation)"] = time.perf_counter() - started
    return store


def _load_default(loading, build_dir: Path, blank: list, timings: dict, started: float) -> ox.Store:
    store = load_default(loading.result(), build_dir / DEFAULT_NT, blank)
    timings["load store (beside validation)"] = time.perf_counter() - started
    return store


def _index(loading, build_dir: Path, base_iri: str, timings: dict) -> dict:
    t = time.perf_counter()
    counts = write_index(loading.result(), build_dir / INDEX_FILE, base_iri)
    timings["search index (beside validation)"] = time.perf_counter() - t
    return counts


def _concat(paths, config: Config) -> bytes:
    rebase = rebaser(config.base_iri)
    return "\n".join(f"# ---- {p.name} ----\n" + rebase(p.read_text(encoding="utf-8")) for p in paths).encode()
