"""Queries written the way Oxigraph plans well: each slow query beside a rewrite with the same answer.

    python bench/levers.py OUT/size-N [--repeat 5]

For each pair, runs the shipped query (queries/*.rq or the benchmark's mix) and its rewrite on
pyoxigraph over one benchmark build, checks that the answers are equal (bench/answers.py
digests) and prints median milliseconds. The rewrites are the user guidance of README
"Performance": what Oxigraph 0.5 evaluates well, not a change to what the queries ask.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import answers  # noqa: E402
from bench import MIX, P  # noqa: E402
from engines import PyOxigraph  # noqa: E402

from kg.config import Config  # noqa: E402
from kg.queries import catalogue  # noqa: E402

QUOTE_PATH = "prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote"
QUOTE_TRIPLES = "prov:wasDerivedFrom ?ev_ . ?ev_ oa:hasSelector ?sel_ . ?sel_ oa:exact ?quote"


def rewrites() -> dict[str, tuple[str, str, str]]:
    """name → (lesson, shipped query, rewrite)."""
    cat = {k: v.text for k, v in catalogue(Config().queries_dir).items()}
    out = {}
    for name in ("petersburg-soviet-presidents", "quoted-claims"):
        text = cat[name]
        if QUOTE_PATH in text:
            # the path's last step ends the subject's pattern list: close it there, then the triples
            head, tail = text.split(QUOTE_PATH, 1)
            out[name] = ("a sequence path written as triple patterns", text,
                         head + QUOTE_TRIPLES + tail)
    shipped = cat["petersburg-soviet-presidents"]
    head, tail = shipped.split("WHERE {", 1)
    out["petersburg-soviet-presidents (subquery)"] = (
        "the selective patterns (bound object, predicate, role) in a subquery, the rest joined to it", shipped,
        head + "WHERE {\n  { SELECT ?st WHERE { ?st rdf:object kgr:petersburg-soviet-1905 ; rdf:predicate kg:holdsPost ;"
        " kg:role kg:President } }\n" + tail.replace("rdf:predicate kg:holdsPost ;\n      rdf:object "
                                                     "kgr:petersburg-soviet-1905 ; kg:role kg:President ; ", ""))
    out["OPTIONAL+ORDER BY LIMIT"] = (
        "top-k of the required part in a subquery, the OPTIONAL after it", MIX["OPTIONAL+ORDER BY LIMIT"],
        P + """SELECT ?s ?name ?born WHERE {
            { SELECT ?s ?name WHERE { ?s a kg:Person ; rdfs:label ?name } ORDER BY ?name ?s LIMIT 20 }
            OPTIONAL { ?s kg:born ?born } } ORDER BY ?name ?s""")
    return out


def timed(run, query: str, repeat: int) -> tuple[float, str]:
    body = run(query)
    d = answers.digest(answers.canonical(answers.rows(body), answers.form(query)))
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        run(query)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), d


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("size_dir", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    ox = PyOxigraph(args.size_dir / "data")
    print("| query | lesson | shipped ms | rewritten ms | speed-up | same answer |\n|---|---|---:|---:|---:|---|")
    for name, (lesson, shipped, rewritten) in rewrites().items():
        a, da = timed(ox.run, shipped, args.repeat)
        b, db = timed(ox.run, rewritten, args.repeat)
        print(f"| {name} | {lesson} | {a:.1f} | {b:.1f} | {a / b:.1f}× | {da == db} |", flush=True)
    ox.close()


if __name__ == "__main__":
    main()
