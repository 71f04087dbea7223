"""One build of a synthetic corpus, run in its own process so that its peak memory is its own.

    python bench/build_size.py TRIPLES OUT_DIR [--full-shacl] [--seed N]

Corpus → quads (kg.triples.make_quads) → SHACL (targeted; pySHACL on the whole graph too with
--full-shacl, in rdflib memory, and with --shacl-on-oxigraph, on an Oxigraph-backed rdflib graph) → Oxigraph store → N-Quads dump → a data folder `kg serve` can serve
(OUT_DIR/data/current). Prints one JSON object of timings and memory on its last line, and
writes it to OUT_DIR/build.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psutil  # noqa: E402

from kg.build import quads_with_ontology, rebaser  # noqa: E402
from kg.config import Config  # noqa: E402
from kg.store import new_build_dir, swap_in, to_ox_quads, write_store  # noqa: E402
from kg.synthetic import chapters_for, synthetic_corpus  # noqa: E402
from kg.validation import load_shapes, validate  # noqa: E402
from kg.void import partitions  # noqa: E402
from targeted import validate_targeted  # noqa: E402


def rss_mib() -> float:
    return psutil.Process().memory_info().rss / 2**20


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("triples", type=float)
    ap.add_argument("out", type=Path)
    ap.add_argument("--full-shacl", action="store_true", help="also run pySHACL on the whole graph")
    ap.add_argument("--shacl-on-oxigraph", action="store_true",
                    help="also run pySHACL on an rdflib graph backed by an Oxigraph store (oxrdflib)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    config = Config(data_dir=str(args.out / "data"))
    res: dict = {"target_triples": int(args.triples), "timings": {}, "rss_mib": {}}
    tm, mem = res["timings"], res["rss_mib"]

    def stage(name, t0):
        tm[name] = round(time.perf_counter() - t0, 3)
        mem[name] = round(rss_mib(), 1)
        print(f"  {name}: {tm[name]:.2f} s, RSS {mem[name]:.0f} MiB", file=sys.stderr, flush=True)

    t = time.perf_counter()
    corpus = synthetic_corpus(chapters_for(args.triples), args.seed)
    stage("annotations (generate records)", t)
    t = time.perf_counter()
    quads, onto = quads_with_ontology(corpus, config)
    stage("triples (make_quads)", t)
    res["quads"] = len(quads.quads)
    res.update(chapters=len(corpus.sources), entities=len(corpus.registry),
               statements=len(corpus.annotations.statements), mentions=len(corpus.annotations.mentions))
    del corpus

    t = time.perf_counter()
    data_dir = Path(config.data_dir)
    build_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ") + "-synthetic"
    build_dir = new_build_dir(data_dir, build_id)
    store = write_store(build_dir, to_ox_quads(quads.quads))
    stage("store load (bulk)", t)

    shapes = load_shapes(config.shapes_dir, rebaser(config.base_iri))
    t = time.perf_counter()
    out = validate_targeted(quads.quads, store, onto, shapes, f"{config.base_iri}graph/", progress=True)
    stage("SHACL targeted", t)
    res["shacl_targeted"] = {"batches": out["batches"], "violations": len(out["violations"]),
                             "examples": out["violations"][:5]}
    if args.full_shacl:
        from rdflib import Graph
        t = time.perf_counter()
        data = Graph()
        for s, p, o, _ in quads.quads:
            data.add((s, p, o))
        report = validate(data, shapes, quads.origin)
        stage("SHACL pySHACL whole graph", t)
        res["shacl_full"] = {"conforms": report.conforms, "results": len(report.results)}
        del data, report

    if args.shacl_on_oxigraph:
        import pyoxigraph as ox
        from oxrdflib import OxigraphStore
        from rdflib import Graph
        from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
        t = time.perf_counter()
        union = ox.Store()       # the union of the graphs, as the default graph pySHACL validates
        union.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in to_ox_quads(quads.quads))
        data = Graph(store=OxigraphStore(store=union), identifier=DATASET_DEFAULT_GRAPH_ID)
        assert len(data) == len(union), "the rdflib view must see the store's default graph"
        report = validate(data, shapes, quads.origin)
        stage("SHACL pySHACL on the Oxigraph store", t)
        res["shacl_oxigraph"] = {"conforms": report.conforms, "results": len(report.results)}
        del union, data, report

    t = time.perf_counter()
    dumps = build_dir / "dumps"
    dumps.mkdir()
    with open(dumps / "kg.nq", "wb") as fh:
        store.dump(fh, format=__import__("pyoxigraph").RdfFormat.N_QUADS)
    stage("dump N-Quads", t)
    nq = dumps / "kg.nq"
    parts = partitions(store, config.base_iri)
    manifest = {
        "build_id": build_id, "version": "synthetic", "base_iri": config.base_iri,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"), "digest": build_id,
        "quads": len(store), "triples": len(store), "named_graphs": [],
        "entities": res["entities"], "statements": res["statements"], "mentions": res["mentions"],
        "sources": [], "partitions": parts, "examples": ["petersburg-soviet-1905", "trotsky"],
        "files": {"kg.nq": {"bytes": nq.stat().st_size, "sha256": "", "triples": len(store)}},
    }
    (build_dir / "manifest.json").write_text(json.dumps(manifest))
    del store
    swap_in(data_dir, build_dir)
    res["store_quads"] = manifest["quads"]
    res["dump_bytes"] = nq.stat().st_size
    res["dump"] = str(nq)
    res["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    res["peak_rss_children_mib"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    (args.out / "build.json").write_text(json.dumps(res))   # bench.py --reuse picks this up
    print(json.dumps(res))


if __name__ == "__main__":
    main()
