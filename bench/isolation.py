"""What isolating each query in an executor process costs: a point look-up run directly on
pyoxigraph, on a thread of this process (kg.runner, the design before), through the executor
pool (kg.pool, what `kg serve` does), and end to end over HTTP through `kg serve`.

Run:  .venv/bin/python bench/isolation.py [--data-dir DIR] [--repeat N]
Without --data-dir the bundled corpus is built into a temporary folder first. The paths take
turns, run by run, so drift on a shared machine falls on all of them, and their answers are
compared before any is timed. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from answers import canonical, rows  # noqa: E402
from engines import Endpoint  # noqa: E402

from kg.backend import IsolatedBackend, LocalBackend  # noqa: E402
from kg.config import Config  # noqa: E402
from kg.formats import by_name  # noqa: E402
from kg.sparql import execute  # noqa: E402
from kg.store import open_store  # noqa: E402

POINT = "SELECT ?p ?o WHERE { <https://w3id.org/soviets/id/trotsky> ?p ?o }"


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", help="a data folder `kg build` wrote (default: build the corpus afresh)")
    ap.add_argument("--repeat", type=int, default=2000)
    args = ap.parse_args()
    data_dir = args.data_dir
    if data_dir is None:
        from kg.build import build
        data_dir = tempfile.mkdtemp(prefix="kg-isolation-")
        build(Config(data_dir=data_dir))
    config = Config(data_dir=data_dir)
    store = open_store(data_dir)
    fmt = by_name("results", "json")
    threads, pool = LocalBackend(config), IsolatedBackend(config)
    endpoint = Endpoint(Path(data_dir), ROOT)
    paths = {
        "pyoxigraph in-process": lambda: execute(store, POINT, fmt),
        "thread in-process (kg.runner)": lambda: threads.query(POINT, "results", "json"),
        "executor process (kg.pool)": lambda: pool.query(POINT, "results", "json"),
        "HTTP, kg serve (executor pool)": lambda: endpoint.run(POINT),
    }
    try:
        # the same rows from every path (a 503 or 429 raises in Endpoint.run), and some rows
        answers = {name: canonical(rows(fn())) for name, fn in paths.items()}
        reference = answers["pyoxigraph in-process"]
        differ = [name for name, got in answers.items() if got != reference]
        if not reference or differ:
            sys.exit(f"answers differ from pyoxigraph's ({len(reference)} rows): {', '.join(differ) or 'none'}")
        print(f"answers agree: {len(reference)} rows on every path")
        for fn in paths.values():            # warm: store caches, executors, the connection
            for _ in range(50):
                fn()
        times: dict[str, list[float]] = {name: [] for name in paths}
        for _ in range(args.repeat):
            for name, fn in paths.items():
                times[name].append(timed(fn))
    finally:
        endpoint.close()
        pool.close()
        threads.close()
    base = statistics.median(times["pyoxigraph in-process"])
    print(f"point look-up, {args.repeat} runs each, {os.cpu_count()} cores")
    print(f"{'path':<34}{'median ms':>10}{'p99 ms':>9}{'+ over pyoxigraph':>19}")
    for name, ts in times.items():
        ts.sort()
        med = statistics.median(ts)
        print(f"{name:<34}{med:>10.3f}{ts[int(len(ts) * 0.99)]:>9.3f}{med - base:>+19.3f}")
    pool_cost = statistics.median(times["executor process (kg.pool)"]) - statistics.median(
        times["thread in-process (kg.runner)"])
    print(f"isolation cost (executor process over thread): {pool_cost:+.3f} ms a query")


if __name__ == "__main__":
    main()
