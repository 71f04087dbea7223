"""The bundled corpus: build time, query latency through HTTP versus pyoxigraph in-process, point look-up
throughput with concurrent clients, and server memory while clients stream the largest dump.

Run:  .venv/bin/python bench/corpus.py [--data-dir DIR] [--repeat N]
Prints a table; not collected by pytest. Loopback only, bounded loops. Uses the same client,
load generator and dump test as bench/bench.py.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench import dump_download, throughput  # noqa: E402
from engines import Endpoint, PyOxigraph  # noqa: E402

from kg.config import Config  # noqa: E402
from kg.queries import catalogue  # noqa: E402

POINT = "SELECT ?p ?o WHERE { <https://w3id.org/soviets/id/trotsky> ?p ?o }"


def median_ms(fn, repeat: int) -> float:
    fn()   # warm
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="kg-bench-"))

    from kg.build import build
    config = Config(data_dir=str(data_dir))
    t = time.perf_counter()
    result = build(config)
    print(f"kg build (whole corpus): {time.perf_counter() - t:.2f} s wall; "
          + ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items()))
    print(f"  {result.manifest['triples']} triples, {result.manifest['quads']} quads, "
          f"{len(result.manifest['named_graphs'])} named graphs")

    direct, endpoint = PyOxigraph(data_dir), Endpoint(data_dir, ROOT)
    try:
        rows = []
        queries = {"point-lookup": POINT} | {k: v.text for k, v in catalogue(config.queries_dir).items()}
        for name, text in queries.items():
            rows.append((name, median_ms(lambda: direct.run(text), args.repeat),
                         median_ms(lambda: endpoint.run(text), args.repeat)))
        print(f"\n{'query':45} {'in-process ms':>14} {'HTTP ms':>9} {'ratio':>6} {'added ms':>9}")
        for name, d, h in rows:
            print(f"{name:45} {d:14.2f} {h:9.2f} {h / d:6.2f} {h - d:9.2f}")
        for clients in (1, 4, 16):
            r = throughput(endpoint.sparql_url, POINT, clients, 4.0)
            print(f"point look-up, {clients:2} clients: {r['rps']:.0f} requests/s, p99 {r['p99_ms']:.1f} ms")
        largest = max((p for p in (data_dir / "current" / "dumps").iterdir()), key=lambda p: p.stat().st_size)
        d = dump_download(f"{endpoint.url}/dumps/{largest.name}", endpoint.pid)
        print(f"4 clients streaming {largest.name}: {d['MB_per_s']:.0f} MB/s in all; server RSS "
              f"{d['rss_before_mib']} MiB before, peak {d['rss_peak_mib']} MiB")
    finally:
        endpoint.close()
        direct.close()


if __name__ == "__main__":
    main()
