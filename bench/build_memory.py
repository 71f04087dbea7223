"""Where `kg build`'s memory goes: bench/build_size.py run with its resident memory sampled by stage.

    python bench/build_memory.py TRIPLES OUT_DIR

Runs bench/build_size.py in this process, with a thread reading /proc/self/statm every 50 ms
(Oxigraph's and RocksDB's memory count too, which tracemalloc would miss) and the build's stages
(kg.build, kg.store, kg.shacl_targeted functions) wrapped to note when each starts and ends. After
build_size.py's own output, prints each start and end with the resident memory then and the
highest sampled since the line before, and the overall peak, on stderr.
"""

from __future__ import annotations

import atexit
import functools
import os
import runpy
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kg.build  # noqa: E402
import kg.shacl_targeted  # noqa: E402
import kg.store  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
STAGES = {kg.build: ("make_graphs", "prepare", "write_nquads", "write_default_ntriples", "check_quads", "write_dumps",
                     "check_store", "partitions", "_load", "_load_default", "_index", "finish_dump"),
          kg.store: ("to_ox_terms",),
          kg.shacl_targeted: ("Data", "validate_core", "run_sparql_shapes", "_report")}
START = time.perf_counter()
samples: list[tuple[float, float]] = []
events: list[tuple[float, str, float]] = []


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * PAGE / 2**20


def sample() -> None:
    while True:
        samples.append((time.perf_counter() - START, rss_mib()))
        time.sleep(0.05)


def noted(module, name: str) -> None:
    """Replace module.name with a wrapper noting its start and end (the build looks names up at call time)."""
    fn = getattr(module, name)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        events.append((time.perf_counter() - START, "start " + name, rss_mib()))
        try:
            return fn(*args, **kwargs)
        finally:
            events.append((time.perf_counter() - START, "end   " + name, rss_mib()))
    setattr(module, name, wrapper)


def report() -> None:
    previous = 0.0
    print("\n   time  stage                          RSS MiB  highest since the line before", file=sys.stderr)
    for t, what, rss in sorted(events):
        peak = max([m for ts, m in samples if previous <= ts <= t] or [rss])
        print(f"{t:7.1f}  {what:30s} {rss:8.0f}  {peak:8.0f}", file=sys.stderr)
        previous = t
    print(f"peak {max(m for _, m in samples):.0f} MiB", file=sys.stderr)


def main() -> None:
    for module, names in STAGES.items():
        for name in names:
            noted(module, name)
    threading.Thread(target=sample, daemon=True).start()
    atexit.register(report)
    sys.argv = [str(ROOT / "bench" / "build_size.py")] + sys.argv[1:]
    runpy.run_path(sys.argv[0], run_name="__main__")


if __name__ == "__main__":
    main()
