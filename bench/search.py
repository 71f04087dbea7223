"""Search, autocomplete and browse facets at a given size: builds a synthetic corpus, its store and
its search index, then times look-ups through the product's own functions (kg.search, and the
facet counts of kg.web.browse through the web app). Prints figures; not collected by pytest.

    .venv/bin/python bench/search.py [--triples 1e6] [--repeat 200]
    .venv/bin/python bench/search.py --index data/current/search.sqlite     # the bundled corpus
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kg.build import quads_with_ontology  # noqa: E402
from kg.config import Config  # noqa: E402
from kg.search import SearchIndex, write_index  # noqa: E402
from kg.store import load_quads  # noqa: E402
from synthetic import chapters_for, synthetic_corpus  # noqa: E402


def percentiles(times: list[float]) -> str:
    times = sorted(times)
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1000   # noqa: E731
    return f"p50 {p(.5):.2f} ms, p90 {p(.9):.2f} ms (n={len(times)})"


def timed(fn, repeat: int) -> tuple[list[float], object]:
    out = fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return times, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--triples", type=float, default=1e6)
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--keep", type=Path, help="also copy the index here, to look into it")
    ap.add_argument("--index", type=Path, help="time an index already built (kg build writes data/current/search.sqlite)")
    args = ap.parse_args()
    if args.index:
        ix = SearchIndex(args.index)
        real = {"entity, exact name (Leon Trotsky)": lambda: ix.entities("Leon Trotsky", 20),
                "entity, variant (Trotzky)": lambda: ix.entities("Trotzky", 20),
                "entity, misspelt (Khrustalyov)": lambda: ix.entities("Khrustalyov", 20),
                "entity, Russian (Петроград)": lambda: ix.entities("Петроград", 20),
                "autocomplete (Pet)": lambda: ix.by_prefix("Pet", 10),
                "passages (general strike)": lambda: ix.passages("general strike", 20)}
        for name, fn in real.items():
            times, out = timed(fn, args.repeat)
            assert out, f"{name} found nothing: a timed look-up must return rows"
            print(f"{name:36s} {percentiles(times)}, {len(out)} results")
        return
    config = Config()
    t = time.perf_counter()
    corpus = synthetic_corpus(chapters_for(args.triples), 0)
    quads, _ = quads_with_ontology(corpus, config)
    with tempfile.TemporaryDirectory() as tmp:
        store = load_quads(ox.Store(str(Path(tmp) / "store")), quads.quads, Path(tmp))      # as kg build writes it
        print(f"corpus: {len(store):,} quads in {time.perf_counter() - t:.1f} s")
        path = Path(tmp) / "search.sqlite"
        t = time.perf_counter()
        counts = write_index(store, path, config.base_iri)
        print(f"index: {counts} in {time.perf_counter() - t:.1f} s, {path.stat().st_size / 2**20:.1f} MiB")
        if args.keep:
            import shutil
            shutil.copy(path, args.keep)
        ix = SearchIndex(path)
        names = [r[0] for r in ix.db.execute("SELECT label FROM entities ORDER BY id LIMIT 50")]
        checks = {
            "entity, exact name": lambda i=[0]: ix.entities(names[(i.__setitem__(0, i[0] + 1) or i[0]) % len(names)], 20),
            "entity, misspelt (Kusnetsof)": lambda: ix.entities("Kusnetsof", 20),
            "entity, one word (Soviet)": lambda: ix.entities("Soviet", 20),
            "autocomplete (Pet)": lambda: ix.by_prefix("Pet", 10),
            "passages (served as president)": lambda: ix.passages("served as president", 20),
        }
        for name, fn in checks.items():
            times, out = timed(fn, args.repeat)
            assert out, f"{name} found nothing: a timed look-up must return rows"
            print(f"{name:32s} {percentiles(times)}, {len(out)} results")
        from kg.web.browse import facet_counts, rows
        for name, choices, years in (("browse, no choice", {}, (None, None)),
                                     ("browse, class + years", {"class": [config.base_iri + "ontology#CitySoviet"]},
                                      (1905, 1906))):
            times, out = timed(lambda: (facet_counts(ix.db, choices, years), rows(ix.db, choices, years, 50)),
                               max(10, args.repeat // 10))
            assert out[1], f"{name} found nothing"
            print(f"{name:32s} {percentiles(times)}, {len(out[1])} rows")
        ix.close()


if __name__ == "__main__":
    main()
