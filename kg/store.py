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
        raise StoreUnavailable(f"no built store at {path}: run `kg build` first")
    try:
        return ox.Store.read_only(str(path))
    except OSError as exc:
        raise StoreUnavailable(f"cannot open the store at {path}: {exc}") from exc


def new_build_dir(data_dir, build_id: str) -> Path:
    path = Path(data_dir) / "builds" / build_id
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def write_store(build_dir: Path, quads: list[ox.Quad]) -> ox.Store:
    store = ox.Store(str(build_dir / "store"))
    store.bulk_extend(quads)
    store.flush()
    return store


def write_dumps(build_dir: Path, store: ox.Store, prefixes: dict[str, str], extra: dict[str, bytes]) -> dict:
    """Write every dump file (plain and gzip) and return {file: {bytes, sha256, triples}}."""
    dumps = build_dir / "dumps"
    dumps.mkdir()
    # Readable Turtle: subjects sorted, rdf:type first, so each subject is one block.
    triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in store},
                     key=lambda t: (t.subject.value, t.predicate.value != RDF_TYPE, t.predicate.value, str(t.object)))
    # Prefixes whose local names would need escaping (statement/…#evidence) stay full IRIs.
    readable = {k: v for k, v in prefixes.items() if k not in ("kgst", "kgs")}
    files = {
        "kg.ttl": ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=readable),
        "kg.nq": store.dump(format=ox.RdfFormat.N_QUADS),
        "kg.trig": store.dump(format=ox.RdfFormat.TRIG, prefixes=readable),
    }
    counts = {"kg.ttl": len(triples), "kg.nq": len(store), "kg.trig": len(store)}
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
    """Point data/current at the new build in one atomic rename; prune old builds."""
    link = current_dir(data_dir)
    tmp = link.with_name(f".current-{os.getpid()}")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(build_dir, link.parent), tmp)
    os.replace(tmp, link)
    builds = sorted((p for p in (Path(data_dir) / "builds").iterdir() if p.is_dir()),
                    key=lambda p: p.stat().st_mtime)
    for old in builds[:-KEEP_BUILDS]:
        if old.resolve() != build_dir.resolve():
            shutil.rmtree(old, ignore_errors=True)


def read_manifest(data_dir) -> dict:
    path = current_dir(data_dir) / "manifest.json"
    if not path.is_file():
        raise StoreUnavailable(f"no build at {current_dir(data_dir)}: run `kg build` first")
    return json.loads(path.read_text())
