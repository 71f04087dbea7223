"""One `kg build` of a synthetic corpus, run in its own process so that its peak memory is its own.

    python bench/build_size.py TRIPLES OUT_DIR [--full-shacl] [--seed N]

The corpus comes from bench/synthetic.py; everything after it is the product's own build
(kg.build.build: triples → Oxigraph store → targeted SHACL validation → dumps, VoID, manifest,
swapped in as OUT_DIR/data/current, which `kg serve` serves). With --full-shacl, pySHACL on the
whole graph (the reference) runs too, after the build, and its results are compared with the
build's. Prints one JSON object of timings and memory on its last line, and writes it to
OUT_DIR/build.json. Peak memory counts this process and, separately, its largest child (the
SHACL batch workers).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import chapters_for, synthetic_corpus  # noqa: E402

from kg.build import build, quads_with_ontology, rebaser  # noqa: E402
from kg.config import Config  # noqa: E402
from kg.store import current_dir  # noqa: E402
from kg.validation import load_shapes, validate  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("triples", type=float)
    ap.add_argument("out", type=Path)
    ap.add_argument("--full-shacl", action="store_true", help="also run pySHACL on the whole graph and compare")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    config = Config(data_dir=str(args.out / "data"))
    res: dict = {"target_triples": int(args.triples), "loadavg_before": [round(x, 1) for x in os.getloadavg()]}

    t = time.perf_counter()
    corpus = synthetic_corpus(chapters_for(args.triples), args.seed)
    res["generate corpus s"] = round(time.perf_counter() - t, 3)
    res.update(chapters=len(corpus.sources), entities=len(corpus.registry),
               statements=len(corpus.annotations.statements), mentions=len(corpus.annotations.mentions))
    print(f"  corpus generated: {res['generate corpus s']:.1f} s", file=sys.stderr, flush=True)

    result = build(config, corpus, progress=True)
    res["timings"] = {k: round(v, 3) for k, v in result.timings.items()}
    res["shacl"] = {"conforms": result.report.conforms, "results": len(result.report.results),
                    **result.report.stats}
    res["store_quads"] = result.manifest["quads"]
    dump = current_dir(config.data_dir) / "dumps" / "kg.nq"
    res["dump"] = str(dump.resolve())
    res["dump_bytes"] = dump.stat().st_size
    res["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    res["peak_rss_children_mib"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    # CPU seconds of the build and its SHACL workers: on a shared machine wall time also counts the neighbours
    res["cpu_s"] = round(sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
                             for f in ("ru_utime", "ru_stime")), 1)
    res["loadavg_after"] = [round(x, 1) for x in os.getloadavg()]
    print("  kg build: " + ", ".join(f"{k} {v:.1f} s" for k, v in res["timings"].items()), file=sys.stderr, flush=True)

    if args.full_shacl:
        quads, onto = quads_with_ontology(corpus, config)
        from rdflib import Graph
        t = time.perf_counter()
        data = Graph()
        for s, p, o, _ in quads.quads:
            data.add((s, p, o))
        reference = validate(data, load_shapes(config.shapes_dir, rebaser(config.base_iri)), quads.origin)
        key = lambda rep: sorted((r.focus, r.path, r.severity, r.message) for r in rep.results)  # noqa: E731
        res["shacl_full"] = {"seconds": round(time.perf_counter() - t, 3), "conforms": reference.conforms,
                             "results": len(reference.results),
                             "same_as_build": key(reference) == key(result.report)
                             and reference.conforms == result.report.conforms}
        print(f"  pySHACL whole graph: {res['shacl_full']}", file=sys.stderr, flush=True)
    (args.out / "build.json").write_text(json.dumps(res))   # bench.py --reuse picks this up
    print(json.dumps(res))


if __name__ == "__main__":
    main()
