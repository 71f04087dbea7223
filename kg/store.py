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
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from kg.errors import StoreUnavailable

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
KEEP_BUILDS = 3   # older builds are removed; a server may still hold the previous one open
DEFAULT_NT = "default.nt"     # the default graph's triples without blank nodes, read by the store, then deleted
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


def to_ox_terms(quads) -> list[tuple]:
    """rdflib quads → (s, p, o, g) tuples of Oxigraph terms, one object per distinct term, each typed
    literal in the form the store gives back.

    Tuples of shared terms, not `ox.Quad`s: a Quad holds its own copy of every string (about 540
    bytes a quad against 80 for a tuple), and the quads of 10^7 triples must fit in memory."""
    cache: dict = {}
    typed: list = []

    def conv(t):
        out = cache.get(t)
        if out is None:
            out = cache[t] = to_ox(t)
            if isinstance(t, Literal) and t.datatype is not None and t.datatype != XSD_STRING:
                typed.append(out)
        return out
    out = [(conv(s), conv(p), conv(o), conv(g)) for s, p, o, g in quads]
    changed = {a: b for a, b in zip(typed, canonical(typed)) if a != b}
    if changed:
        out = [(s, p, changed.get(o, o), g) for s, p, o, g in out]
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
    """The graph as Oxigraph terms, made once for the store, the digest and the dumps, in the
    order the dumps write them."""

    named: list[tuple]            # the distinct quads (s, p, o, g) of the named graphs, graph by graph, subject by subject
    triples: list[tuple]          # their distinct triples (s, p, o): the default graph, subject by subject
    blank: list[tuple]            # the quads of `named` with a blank node (the ontology's)


def prepare(quads) -> Prepared:
    """rdflib quads → distinct quads and triples of Oxigraph terms, sorted as the dumps write them."""
    named = list(dict.fromkeys(to_ox_terms(quads)))
    triples = list(dict.fromkeys((s, p, o) for s, p, o, _ in named))
    # Readable Turtle of the default graph: subjects sorted, rdf:type first, so each subject is
    # one block; N-Quads and TriG graph by graph and subject by subject, as a store gives them,
    # so that TriG writes each once. The keys are the ranks of the terms' strings packed in one
    # integer: a tuple of strings per quad would hold about 400 bytes each while sorting.
    rank = _ranks({t for s, p, _, g in named for t in (s, p, g)}, lambda t: t.value)
    rank_o = _ranks({o for _, _, o, _ in named}, str)
    n, m, rdf_type = len(rank) + 1, len(rank_o) + 1, ox.NamedNode(RDF_TYPE)
    named.sort(key=lambda q: ((rank[q[3]] * n + rank[q[0]]) * 2 + (q[1] != rdf_type)) * n + rank[q[1]])
    triples.sort(key=lambda t: ((rank[t[0]] * 2 + (t[1] != rdf_type)) * n + rank[t[1]]) * m + rank_o[t[2]])
    blank = ox.BlankNode
    return Prepared(named, triples, [q for q in named if isinstance(q[0], blank) or isinstance(q[2], blank)])


def _ranks(terms, key) -> dict:
    """Each term's rank among `terms` ordered by `key`; terms with equal keys share a rank."""
    out, last, i = {}, None, -1
    for t in sorted(terms, key=key):
        k = key(t)
        if k != last:
            i, last = i + 1, k
        out[t] = i
    return out


CHUNK = 100_000     # quads serialised at a time: bytes of a few tens of MB, never the whole dump


def nquads_chunks(named: list[tuple]):
    """The N-Quads of `named`, a chunk of lines at a time."""
    for i in range(0, len(named), CHUNK):
        yield ox.serialize([ox.Quad(*q) for q in named[i:i + CHUNK]], format=ox.RdfFormat.N_QUADS)


def content_digest(chunks) -> str:
    """A digest of a graph's distinct N-Quads lines, independent of their order: the sum, modulo
    2^256, of each line's SHA-256. Streamed a chunk at a time, so no copy of the whole dump is
    sorted or held."""
    total = 0
    for chunk in chunks:
        for line in chunk.splitlines():
            total += int.from_bytes(hashlib.sha256(line).digest(), "big")
    return (total % (1 << 256)).to_bytes(32, "big").hex()


def write_nquads(path: Path, named: list[tuple]) -> str:
    """kg.nq, streamed a chunk at a time; returns the content digest of its lines."""
    def written():
        with open(path, "wb") as fh:
            for chunk in nquads_chunks(named):
                fh.write(chunk)
                yield chunk
    return content_digest(written())


def write_default_ntriples(path: Path, triples: list[tuple]) -> None:
    """The default graph's triples without blank nodes as N-Triples, for `load_default` to parse in
    Oxigraph's threads."""
    blank = ox.BlankNode
    ox.serialize((ox.Triple(s, p, o) for s, p, o in triples if not (isinstance(s, blank) or isinstance(o, blank))),
                 output=path, format=ox.RdfFormat.N_TRIPLES)


def load_named(store: ox.Store, nquads: Path, blank: list[tuple]) -> ox.Store:
    """The named graphs into `store`, loaded from kg.nq by Oxigraph alone, but for the quads with a
    blank node (`blank`), which are handed over as terms (`load_default` follows).

    Parsing gives each blank node of a file a new id: the few quads with one (the ontology's) are
    replaced by the terms themselves, so that the store holds the nodes the dumps name."""
    store.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)
    for g in sorted({q[3] for q in blank}, key=str):
        store.update(f"DELETE {{ GRAPH {g} {{ ?s ?p ?o }} }} "
                     f"WHERE {{ GRAPH {g} {{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }} }}")
    store.bulk_extend(ox.Quad(*q) for q in blank)
    return store


def load_default(store: ox.Store, default: Path, blank: list[tuple]) -> ox.Store:
    """The default graph, holding each triple of the named graphs once: those without blank nodes
    from `default` (`write_default_ntriples`, deleted once read), those with one (`blank`, the
    named graphs' quads with one) as terms.

    The default graph is written, not computed per query (`use_default_graph_as_union`): a
    union view counts a triple once per graph that states it, so a fact two sources state would
    come back twice from `?s ?p ?o`. Per-source views stay in the named graphs."""
    store.bulk_load(path=default, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    default.unlink()
    graph = ox.DefaultGraph()
    store.bulk_extend(ox.Quad(s, p, o, graph) for s, p, o in dict.fromkeys(q[:3] for q in blank))
    store.flush()
    return store


def load_quads(store: ox.Store, quads, folder: Path) -> ox.Store:
    """rdflib quads into `store` by the steps `kg build` takes, one after another: kg.nq and the
    default graph's N-Triples written into `folder`, then `load_named` and `load_default`."""
    prepared = prepare(quads)
    nquads, default = folder / "kg.nq", folder / DEFAULT_NT
    write_nquads(nquads, prepared.named)
    write_default_ntriples(default, prepared.triples)
    return load_default(load_named(store, nquads, prepared.blank), default, prepared.blank)


def memory_store(quads) -> ox.Store:
    """A store in memory holding rdflib quads as `kg build` writes them (`kg validate`'s)."""
    with tempfile.TemporaryDirectory(prefix="kg-store-") as folder:
        return load_quads(ox.Store(), quads, Path(folder))


def write_dumps(build_dir: Path, prepared: Prepared, prefixes: dict[str, str], pool: ThreadPoolExecutor) -> list:
    """Write kg.ttl and kg.trig (kg.nq is `write_nquads`'s) straight into their files, each then
    compressed in `pool` while the next is written; returns the futures of their manifest entries
    (`finish_dump`).

    Written from the terms in memory, not read back from the store: iterating a store of a
    million quads from Python took longer than everything else the dumps need."""
    dumps = build_dir / "dumps"
    dumps.mkdir(exist_ok=True)
    # N-Quads and TriG hold the named graphs, each source's view; the default graph is their
    # distinct union, so it is not written twice (kg.ttl is it).
    # Prefixes whose local names would need escaping (statement/…#evidence) stay full IRIs.
    readable = {k: v for k, v in prefixes.items() if k not in ("kgst", "kgs")}
    pending = []
    ox.serialize((ox.Triple(*t) for t in prepared.triples), output=dumps / "kg.ttl", format=ox.RdfFormat.TURTLE,
                 prefixes=readable)
    pending.append(pool.submit(finish_dump, dumps / "kg.ttl", len(prepared.triples)))
    ox.serialize((ox.Quad(*q) for q in prepared.named), output=dumps / "kg.trig", format=ox.RdfFormat.TRIG,
                 prefixes=readable)
    pending.append(pool.submit(finish_dump, dumps / "kg.trig", len(prepared.named)))
    return pending


def finish_dump(path: Path, count: int | None) -> dict:
    """A dump file's .gz beside it, both read and written a chunk at a time; their manifest entries."""
    gz = path.with_name(path.name + ".gz")
    plain = hashlib.sha256()
    # zlib's default level: half the CPU time of -9 for an archive about a tenth larger
    with open(path, "rb") as src, open(gz, "wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as out:
        while block := src.read(1 << 22):
            plain.update(block)
            out.write(block)
    packed = hashlib.sha256()
    with open(gz, "rb") as fh:
        while block := fh.read(1 << 22):
            packed.update(block)
    return {path.name: {"bytes": path.stat().st_size, "sha256": plain.hexdigest(), "triples": count},
            gz.name: {"bytes": gz.stat().st_size, "sha256": packed.hexdigest(), "triples": count}}


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
