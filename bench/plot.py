"""The benchmark's plot: latency and throughput against size, one line per path (matplotlib)."""

from __future__ import annotations

import statistics

PATHS = ("endpoint", "pyoxigraph", "rdflib", "virtuoso")
COLORS = {"endpoint": "C0", "pyoxigraph": "C1", "rdflib": "C2", "virtuoso": "C3"}   # the same in every panel
MIX = ("point look-up", "2-hop join", "aggregate", "date-range filter", "OPTIONAL+ORDER BY LIMIT", "property path")


def plot(results: list[dict], path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(16, 5))
    sizes = [r["build"]["store_quads"] for r in results]
    for p in PATHS:
        xs, ys, pts = [], [], []
        for n, r in zip(sizes, results):
            lat = r["latency"].get(p, {})
            vals = [lat.get(q, {}).get("median_ms") for q in MIX]
            if vals and all(v is not None for v in vals):
                xs.append(n)
                ys.append(statistics.median(vals))
                pts.append(lat["point look-up"]["median_ms"])
        if xs:
            axes[0].plot(xs, ys, marker="o", label=p, color=COLORS[p])
            axes[1].plot(xs, pts, marker="o", label=p, color=COLORS[p])
    for p in ("endpoint", "virtuoso"):
        for q, style in (("point look-up", "-"), ("2-hop join", "--")):
            xs, ys = [], []
            for n, r in zip(sizes, results):
                t = r["throughput"].get(p, {}).get(q)
                if t:
                    xs.append(n)
                    ys.append(t.get("16", t.get(16))["rps"])
            if xs:
                axes[2].plot(xs, ys, style, marker="o", label=f"{p}, {q}", color=COLORS[p])
    titles = ("median latency of the query mix (ms)", "point look-up, median latency (ms)",
              "throughput, 16 clients (requests/s)")
    for ax, title in zip(axes, titles):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("triples")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
