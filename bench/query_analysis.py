"""What the query gate costs: kg.query_analysis.analyse on the benchmark's point look-up, on every
named query, and on hostile input (best of 5 runs, to see through a busy machine). A query seen
before costs about 1 µs (short queries are cached); these figures are for new ones.

    .venv/bin/python bench/query_analysis.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.config import Config  # noqa: E402
from kg.errors import KgError  # noqa: E402
from kg.namespaces import sparql_prefixes  # noqa: E402
from kg.query_analysis import analyse  # noqa: E402


def best_us(query: str, repeat: int) -> float:
    """Best of 5 runs of `repeat` analyses, in µs per analysis (refusals count as done). Each
    analysis gets a query not seen before (a different trailing comment), so none is cached."""
    runs = []
    for run in range(5):
        queries = [f"{query}\n#{run} {i}" for i in range(repeat)]
        start = time.perf_counter()
        for text in queries:
            try:
                analyse(text, max_bytes=2_000_000)
            except KgError:
                pass
        runs.append((time.perf_counter() - start) / repeat * 1e6)
    return min(runs)


def main() -> None:
    typical = {"point look-up": sparql_prefixes(Config().base_iri) + "SELECT ?p ?o WHERE { kgr:trotsky ?p ?o }"}
    for path in sorted((ROOT / "queries").glob("**/*.rq")):
        typical[str(path.relative_to(ROOT / "queries"))] = path.read_text(encoding="utf-8")
    hostile = {
        "1 MB of spaces": " " * 1_000_000,
        "100k '{'": "{" * 100_000,
        "10k '!'": "SELECT * { FILTER(" + "!" * 10_000 + "true) }",
        "issue: 40 spaces and '{'": " " * 40 + "{",
        "1 MB of triple patterns": "SELECT * { " + "?s <http://e/p> 'x' . " * 45_000 + "}",
    }
    print(f"{'query':52} {'bytes':>8} {'depth':>5} {'µs':>10}")
    for name, query in typical.items():
        a = analyse(query)
        print(f"{name:52} {a.size:8} {a.depth:5} {best_us(query, 200):10.1f}")
    for name, query in hostile.items():
        print(f"{name:52} {len(query):8} {'-':>5} {best_us(query, 3):10.1f}")


if __name__ == "__main__":
    main()
