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
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from kg.errors import StoreUnavailable

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
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
    cache: dict = {}

    def conv(t):
        out = cache.get(t)
        if out is None:
            out = cache[t] = to_ox(t)
        return out
    return [ox.Quad(conv(s), conv(p), conv(o), conv(g)) for s, p, o, g in quads]


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


def fill(store: ox.Store, quads: list[ox.Quad]) -> ox.Store:
    """The named graphs as given, and the default graph holding each of their triples once."""
    store.bulk_extend(quads)
    default = ox.DefaultGraph()
    # a quad is stored once however often it is given, so no Python set of triples is needed
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, default) for q in quads)
    return store


def write_store(build_dir: Path, quads: list[ox.Quad]) -> ox.Store:
    """The named graphs as given, and the default graph holding each of their triples once.

    The default graph is written, not computed per query (`use_default_graph_as_union`): a
    union view counts a triple once per graph that states it, so a fact two sources state would
    come back twice from `?s ?p ?o`. Per-source views stay in the named graphs."""
    store = fill(ox.Store(str(build_dir / "store")), quads)
    store.flush()
    return store


def write_dumps(build_dir: Path, store: ox.Store, prefixes: dict[str, str], extra: dict[str, bytes]) -> dict:
    """Write every dump file (plain and gzip) and return {file: {bytes, sha256, triples}}."""
    dumps = build_dir / "dumps"
    dumps.mkdir()
    # Readable Turtle of the default graph: subjects sorted, rdf:type first, so each subject is
    # one block. N-Quads and TriG hold the named graphs, each source's view; the default graph
    # is their distinct union, so it is not written twice (kg.ttl is it).
    triples = sorted((ox.Triple(q.subject, q.predicate, q.object)
                      for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())),
                     key=lambda t: (t.subject.value, t.predicate.value != RDF_TYPE, t.predicate.value, str(t.object)))
    named = [q for q in store if not isinstance(q.graph_name, ox.DefaultGraph)]
    # Prefixes whose local names would need escaping (statement/…#evidence) stay full IRIs.
    readable = {k: v for k, v in prefixes.items() if k not in ("kgst", "kgs")}
    files = {
        "kg.ttl": ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=readable),
        "kg.nq": ox.serialize(named, format=ox.RdfFormat.N_QUADS),
        "kg.trig": ox.serialize(named, format=ox.RdfFormat.TRIG, prefixes=readable),
    }
    counts = {"kg.ttl": len(triples), "kg.nq": len(named), "kg.trig": len(named)}
    files.update(extra)
    manifest = {}
    for name, data in files.items():
        variants = [(name, data)]
        if name.startswith("kg."):
            variants.append((name + ".gz", gzip.compress(data, mtime=0)))
        for fname, content in variants:
            (dumps / fname).write_bytes(content)
            manifest[fname] = {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest(),
                               "triples": counts.get(name)}
    return manifest


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
