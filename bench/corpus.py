"""The bundled corpus: build time, query latency through HTTP versus pyoxigraph in-process, point look-up
throughput with concurrent clients, and server memory while streaming the largest dump.

Run:  .venv/bin/python bench/corpus.py [--data-dir DIR] [--repeat N]
Prints a table; not collected by pytest. Loopback only, bounded loops.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.config import Config  # noqa: E402
from kg.formats import by_name  # noqa: E402
from kg.queries import catalogue  # noqa: E402
from kg.sparql import execute  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from engines import free_port  # noqa: E402

POINT = "SELECT ?p ?o WHERE { <https://w3id.org/soviets/id/trotsky> ?p ?o }"


def rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (the query workers), in KiB."""
    total = 0
    for p in [pid] + children(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def children(pid: int) -> list[int]:
    try:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    except OSError:
        return []
    return [int(x) for x in out.split()]


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
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="kg-bench-")

    from kg.build import build
    config = Config(data_dir=data_dir)
    t = time.perf_counter()
    result = build(config)
    print(f"kg build (whole corpus): {time.perf_counter() - t:.2f} s wall; "
          + ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items()))
    print(f"  {result.manifest['triples']} triples, {result.manifest['quads']} quads, "
          f"{len(result.manifest['named_graphs'])} named graphs")

    import pyoxigraph as ox
    store = ox.Store.read_only(str(Path(data_dir) / "current" / "store"))
    port = free_port()
    env = dict(os.environ, KG_DATA_DIR=data_dir, KG_THREADS="16")
    server = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                requests.get(url + "/-/version", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        session = requests.Session()
        json_fmt = by_name("results", "json")
        rows = []
        queries = {"point-lookup": POINT} | {k: v.text for k, v in catalogue(config.queries_dir).items()}
        for name, text in queries.items():
            direct = median_ms(lambda: execute(store, text, json_fmt), args.repeat)
            http = median_ms(lambda: session.post(url + "/sparql", data={"query": text},
                                                  headers={"Accept": json_fmt.media_type}).content, args.repeat)
            rows.append((name, direct, http))
        print(f"\n{'query':45} {'in-process ms':>14} {'HTTP ms':>9} {'ratio':>6} {'added ms':>9}")
        for name, direct, http in rows:
            print(f"{name:45} {direct:14.2f} {http:9.2f} {http / direct:6.2f} {http - direct:9.2f}")

        def lookup(_):
            with requests.Session() as s:
                n = 0
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline:
                    s.get(url + "/sparql", params={"query": POINT}, headers={"Accept": json_fmt.media_type})
                    n += 1
                return n
        with ThreadPoolExecutor(16) as pool:
            total = sum(pool.map(lookup, range(16)))
        print(f"\npoint look-up, 16 concurrent clients for 5 s: {total / 5:.0f} requests/s")

        largest = max((p for p in (Path(data_dir) / "current" / "dumps").iterdir()), key=lambda p: p.stat().st_size)
        peak = [rss_kb(server.pid)]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                peak.append(rss_kb(server.pid))
                time.sleep(0.02)
        sampler = threading.Thread(target=sample)
        sampler.start()
        before = rss_kb(server.pid)
        t = time.perf_counter()
        with requests.get(url + f"/dumps/{largest.name}", stream=True) as r:
            size = sum(len(c) for c in r.iter_content(65536))
        elapsed = time.perf_counter() - t
        stop.set()
        sampler.join()
        print(f"streaming {largest.name} ({size / 1e6:.1f} MB) in {elapsed:.2f} s: server RSS "
              f"{before / 1024:.0f} MiB before, peak {max(peak) / 1024:.0f} MiB (workers included)")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
