"""The on-disk Oxigraph store and the dump files: written into a fresh build folder, then
swapped in atomically, so a failed build leaves the last good store and dumps serving.

    data/builds/<build-id>/store/   the Oxigraph store (RocksDB)
    data/builds/<build-id>/dumps/   kg.ttl, kg.nq, kg.trig (each also .gz), ontology, shapes, report
    data/current -> builds/<build-id>   a symlink, replaced in one rename
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from kg.errors import StoreUnavailable

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
KEEP_BUILDS = 3   # older builds are removed; a server may still hold the previous one open
MANIFEST_KEYS = ("build_id", "created", "base_iri", "triples", "files", "partitions", "named_graphs")


def to_ox(term):
    """rdflib term → pyoxigraph term, without a round trip through a serialisation."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_ox_quads(quads) -> list[ox.Quad]:
    """rdflib quads → Oxigraph quads, each typed literal in the form the store gives back."""
    cache: dict = {}
    typed: list = []

    def conv(t):
        out = cache.get(t)
        if out is None:
            out = cache[t] = to_ox(t)
            if isinstance(t, Literal) and t.datatype is not None and t.datatype != XSD_STRING:
                typed.append(out)
        return out
    out = [ox.Quad(conv(s), conv(p), conv(o), conv(g)) for s, p, o, g in quads]
    changed = {a: b for a, b in zip(typed, canonical(typed)) if a != b}
    if changed:
        out = [ox.Quad(q.subject, q.predicate, changed[q.object], q.graph_name) if q.object in changed else q
               for q in out]
    return out


def canonical(literals: list[ox.Literal]) -> list[ox.Literal]:
    """Each literal as a store returns it: Oxigraph keeps numbers, dates and booleans as values and
    writes them back canonically ("1.00"^^xsd:decimal comes back as "1"), so the dumps, written from
    the terms in memory, hold what a dump read from the store would."""
    store, p = ox.Store(), ox.NamedNode("urn:value")
    store.bulk_extend(ox.Quad(ox.NamedNode(f"urn:{i}"), p, lit) for i, lit in enumerate(literals))
    out = list(literals)
    for q in store.quads_for_pattern(None, p, None):
        out[int(q.subject.value[4:])] = q.object
    return out


def current_dir(data_dir) -> Path:
    return Path(data_dir) / "current"


def open_store(data_dir) -> ox.Store:
    """A read-only handle on the current build's store."""
    path = current_dir(data_dir) / "store"
    if not path.is_dir():
        raise StoreUnavailable("no built store to open: run `kg build` first")
    try:
        return ox.Store.read_only(str(path))
    except (OSError, RuntimeError, ValueError) as exc:
        raise StoreUnavailable(f"the current build's store cannot be opened ({' '.join(str(exc).split())[:200]}): "
                               "rebuild with `kg build`") from None


def new_build_dir(data_dir, build_id: str) -> Path:
    path = Path(data_dir) / "builds" / build_id
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


@dataclass
class Prepared:
    """The graph as Oxigraph terms, made once for the store, the digest and the dumps."""

    named: list[ox.Quad]          # the distinct quads of the named graphs, in the order they were made
    triples: list[ox.Triple]      # their distinct triples: the default graph
    digest: str                   # of their content, independent of order: the build's ETag


def prepare(quads) -> Prepared:
    """rdflib quads → distinct Oxigraph quads, their distinct triples and their digest."""
    named = list(dict.fromkeys(to_ox_quads(quads)))
    triples = list(dict.fromkeys(q.triple for q in named))
    return Prepared(named, triples, content_digest(ox.serialize(named, format=ox.RdfFormat.N_QUADS)))


def content_digest(nquads: bytes) -> str:
    """A digest of a graph's N-Quads, independent of their order."""
    lines = sorted(nquads.splitlines())
    return hashlib.sha256(b"\n".join(lines) + b"\n" if lines else b"").hexdigest()


def fill(store: ox.Store, quads: list[ox.Quad], triples: list[ox.Triple] | None = None) -> ox.Store:
    """The named graphs as given, and the default graph holding each of their triples once."""
    store.bulk_extend(quads)
    if triples is None:
        triples = list(dict.fromkeys(q.triple for q in quads))
    # As N-Triples, parsed in Oxigraph's threads: making a Quad object per triple in Python would
    # hold the GIL for seconds at 10^6 while validation wants it. Parsing gives a blank node a new
    # id, so the few triples with one (the ontology's) are handed over as terms, keeping the nodes
    # of the default graph those of the named graphs.
    default, blank = ox.DefaultGraph(), ox.BlankNode
    plain = [t for t in triples if not (isinstance(t.subject, blank) or isinstance(t.object, blank))]
    store.bulk_load(ox.serialize(plain, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.N_TRIPLES,
                    to_graph=default)
    if len(plain) < len(triples):
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, default) for t in triples
                          if isinstance(t.subject, blank) or isinstance(t.object, blank))
    return store


def write_store(build_dir: Path, quads: list[ox.Quad], triples: list[ox.Triple] | None = None) -> ox.Store:
    """The named graphs as given, and the default graph holding each of their triples once.

    The default graph is written, not computed per query (`use_default_graph_as_union`): a
    union view counts a triple once per graph that states it, so a fact two sources state would
    come back twice from `?s ?p ?o`. Per-source views stay in the named graphs."""
    store = fill(ox.Store(str(build_dir / "store")), quads, triples)
    store.flush()
    return store


def write_dumps(build_dir: Path, prepared: Prepared, prefixes: dict[str, str]) -> dict:
    """Write the graph's dump files (plain and gzip) and return {file: {bytes, sha256, triples}}.

    Written from the terms in memory, not read back from the store: iterating a store of a
    million quads from Python took longer than everything else the dumps need."""
    dumps = build_dir / "dumps"
    dumps.mkdir(exist_ok=True)
    # Readable Turtle of the default graph: subjects sorted, rdf:type first, so each subject is
    # one block. N-Quads and TriG hold the named graphs, each source's view; the default graph
    # is their distinct union, so it is not written twice (kg.ttl is it).
    triples = sorted(prepared.triples, key=lambda t: (t.subject.value, t.predicate.value != RDF_TYPE,
                                                      t.predicate.value, str(t.object)))
    # graph by graph and subject by subject, as a store gives them, so that TriG writes each once
    named = sorted(prepared.named, key=lambda q: (q.graph_name.value, q.subject.value,
                                                  q.predicate.value != RDF_TYPE, q.predicate.value))
    # Prefixes whose local names would need escaping (statement/…#evidence) stay full IRIs.
    readable = {k: v for k, v in prefixes.items() if k not in ("kgst", "kgs")}
    makers = {
        "kg.ttl": (lambda: ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=readable), len(triples)),
        "kg.nq": (lambda: ox.serialize(named, format=ox.RdfFormat.N_QUADS), len(named)),
        "kg.trig": (lambda: ox.serialize(named, format=ox.RdfFormat.TRIG, prefixes=readable), len(named)),
    }
    # zlib lets go of the GIL: each file is compressed while the next one is serialised
    with ThreadPoolExecutor(len(makers)) as pool:
        pending = [pool.submit(_write_pair, dumps, name, make(), count) for name, (make, count) in makers.items()]
    manifest: dict = {}
    for done in pending:
        manifest.update(done.result())
    return manifest


def _write_pair(dumps: Path, name: str, data: bytes, count: int | None) -> dict:
    """One dump file and its .gz beside it."""
    out = {}
    # zlib's default level: half the CPU time of -9 for an archive about a tenth larger
    for fname, content in ((name, data), (name + ".gz", gzip.compress(data, compresslevel=6, mtime=0))):
        (dumps / fname).write_bytes(content)
        out[fname] = {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest(), "triples": count}
    return out


def write_files(build_dir: Path, files: dict[str, bytes]) -> dict:
    """Dump files written as they are (ontology, shapes, report); {file: {bytes, sha256, triples: None}}."""
    dumps = build_dir / "dumps"
    dumps.mkdir(exist_ok=True)
    for name, content in files.items():
        (dumps / name).write_bytes(content)
    return {name: {"bytes": len(c), "sha256": hashlib.sha256(c).hexdigest(), "triples": None}
            for name, c in files.items()}


def swap_in(data_dir, build_dir: Path) -> None:
    """Point data/current at the new build in one atomic rename; prune old builds.

    Called under the build lock, so a folder without a manifest is what a killed build left
    behind: it is removed and never counts among the KEEP_BUILDS completed builds kept."""
    link = current_dir(data_dir)
    tmp = link.with_name(f".current-{os.getpid()}")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(build_dir, link.parent), tmp)
    os.replace(tmp, link)
    prune_builds(data_dir, keep=build_dir)


def prune_builds(data_dir, keep: Path) -> None:
    """Keep the KEEP_BUILDS newest completed builds (`keep` always); remove partial ones."""
    serving = {keep.resolve(), current_dir(data_dir).resolve()}
    complete, partial = [], []
    for path in (Path(data_dir) / "builds").iterdir():
        if path.is_dir() and path.resolve() not in serving:
            (complete if (path / "manifest.json").is_file() else partial).append(path)
    complete.sort(key=lambda p: (p.stat().st_mtime, p.name))
    for old in partial + complete[:max(0, len(complete) - (KEEP_BUILDS - 1))]:
        shutil.rmtree(old, ignore_errors=True)


def read_manifest(data_dir) -> dict:
    path = current_dir(data_dir) / "manifest.json"
    if not path.is_file():
        raise StoreUnavailable("no build to serve: run `kg build` first")
    return load_manifest(path)


def load_manifest(path: Path) -> dict:
    """A build's manifest.json; a file that is not a JSON object with the keys every reader
    uses makes the build unavailable (503, exit 3), never a traceback."""
    try:
        manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise StoreUnavailable(f"the current build's manifest.json cannot be read ({type(exc).__name__}): "
                               "rebuild with `kg build`") from None
    missing = [k for k in MANIFEST_KEYS if not isinstance(manifest, dict) or k not in manifest]
    if missing:
        raise StoreUnavailable(f"the current build's manifest.json lacks {', '.join(missing)}: "
                               "rebuild with `kg build`")
    return manifest
