"""Speed and scale, side by side: our endpoint, raw pyoxigraph, rdflib and Virtuoso, from 10^4 to 10^7 triples.

Run:  .venv/bin/python bench/bench.py --sizes 1e4,1e5,1e6,1e7 [--repeat 20] [--out bench/out]
      (quick: --sizes 1e4,1e5)

For each size: a synthetic corpus (bench/synthetic.py) is built by `kg.build.build` in its own
process (bench/build_size.py; pySHACL on the whole graph too, up to --full-shacl-max, compared
with the build's results); then every named query of queries/ and a fixed mix run through the
four paths (bench/engines.py): median and p90 (p99 from 100 runs), and a digest of each answer
(bench/answers.py), with differing answers flagged and left out of comparisons (our endpoint and
raw pyoxigraph take turns query by query, run by run, so drift on a shared machine falls on both
alike); requests/s with 1, 4 and 16 clients over loopback; 4 clients downloading the dump.
Prints tables, writes OUT/results.json (with commit, versions, settings, machine), OUT/report.md
and OUT/bench.png. Not collected by pytest. Traffic goes to 127.0.0.1 only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import answers  # noqa: E402
from engines import Endpoint, PyOxigraph, Rdflib, SparqlClient, Unavailable, Virtuoso, tree_rss_mib  # noqa: E402

from kg.config import Config  # noqa: E402
from kg.namespaces import sparql_prefixes  # noqa: E402
from kg.queries import catalogue  # noqa: E402

P = sparql_prefixes(Config().base_iri)
MIX = {
    "point look-up": P + "SELECT ?p ?o WHERE { kgr:trotsky ?p ?o }",
    "2-hop join": P + """SELECT ?person ?soviet WHERE { ?party rdfs:label "Party of Labour No. 1"@en .
        ?person kg:memberOf ?party ; kg:holdsPost ?soviet }""",
    "aggregate": P + "SELECT ?p (COUNT(*) AS ?n) WHERE { ?st rdf:predicate ?p } GROUP BY ?p ORDER BY DESC(?n)",
    "date-range filter": P + """SELECT ?e ?d WHERE { ?e kg:startDate ?d
        FILTER (?d >= "1905-10-01"^^xsd:date && ?d <= "1905-10-31"^^xsd:date) }""",
    "OPTIONAL+ORDER BY LIMIT": P + """SELECT ?s ?name ?born WHERE { ?s a kg:Person ; rdfs:label ?name .
        OPTIONAL { ?s kg:born ?born } } ORDER BY ?name ?s LIMIT 20""",
    "property path": P + "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a/rdfs:subClassOf* kg:Soviet }",
}
# "endpoint" runs every query (each request says Cache-Control: no-cache: cold); "endpoint warm"
# asks the same server plainly, so a query asked before comes from its result cache (kg.result_cache)
PATHS = ("endpoint", "endpoint warm", "pyoxigraph", "rdflib", "virtuoso")
CLIENTS = (1, 4, 16)



def load_test(path: str, sparql_url: str, seconds: float) -> dict:
    """Requests/s and p99 for the point look-up and the 2-hop join at each client count."""
    out = {}
    for qname in ("point look-up", "2-hop join"):
        out[qname] = {c: throughput(sparql_url, MIX[qname], c, seconds) for c in CLIENTS}
        print(f"  {path} throughput {qname}: {out[qname]}", flush=True)
    return out

def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (p90 of 10 runs is the slowest but one)."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q / 100 * len(s) + 0.5)) - 1))]


def tail(values: list[float]) -> dict:
    """p99 from at least 100 samples, else p90 (a p99 of fewer is just the slowest run)."""
    return {"p99_ms": round(pct(values, 99), 3)} if len(values) >= 100 else {"p90_ms": round(pct(values, 90), 3)}


def tail_text(cell: dict) -> str:
    return f"p99 {cell['p99_ms']:.2f}" if "p99_ms" in cell else f"p90 {cell['p90_ms']:.2f}"


ANSWERS: dict = {}      # (query, path) → normalised rows of the last size, for saying why answers differ


def time_queries(runs: dict, query: str, repeat: int, budget_s: float, spec: dict | None = None) -> dict:
    """Median and p90/p99 in ms and the answer's digest for each path, over up to `repeat` rounds
    after one warm-up each, at most ~budget_s of runs per path. The paths take turns within each
    round, so that drift on a shared machine (caches, other tenants) falls on all of them alike."""
    out, times, live = {}, {name: [] for name in runs}, {}
    slowest = 0.0
    for name, run in runs.items():
        try:
            t = time.perf_counter()
            body = run(query)
            slowest = max(slowest, time.perf_counter() - t)
            got = answers.rows(body)
            ANSWERS[(query, name)] = answers.canonical(got, {"order": [], "sampled": (spec or {}).get("sampled", [])})
            out[name] = {"rows": len(got), "digest": answers.digest(answers.canonical(got, spec)),
                         "multiset_digest": answers.digest(ANSWERS[(query, name)])}
            live[name] = run
        except Exception as exc:  # noqa: BLE001 - one failed query is a table cell, not a failed run
            out[name] = _failure(run, exc)
    spent = {name: 0.0 for name in live}
    rounds = 0
    while live and rounds < repeat and (rounds < 3 or max(spent.values()) < budget_s):
        if slowest > budget_s and rounds >= 1:
            break
        for name, run in list(live.items()):
            try:
                t = time.perf_counter()
                run(query)
                dt = time.perf_counter() - t
            except Exception as exc:  # noqa: BLE001
                out[name] = _failure(run, exc)
                del live[name]
                continue
            spent[name] += dt
            times[name].append(dt * 1000)
        rounds += 1
    for name in live:
        v = times[name]
        out[name].update(median_ms=round(statistics.median(v), 3), runs=len(v), **tail(v))
    return out


def _failure(run, exc) -> dict:
    if isinstance(exc, TimeoutError):      # the path's own time limit: the latency is at least that
        limit = getattr(getattr(run, "__self__", None), "timeout", None)
        return {"error": f"TimeoutError: {exc}"} | ({"at_least_ms": limit * 1000} if limit else {})
    return {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}


def _client_loop(args) -> tuple[list[float], int]:
    """One load-generator client (its own process): back-to-back requests in a fixed window."""
    url, query, start_at, seconds = args
    c = SparqlClient(url, timeout=120, fresh=True)   # cold: our endpoint runs each query
    c.post(query)                                   # connect before the window opens
    latencies, errors = [], 0
    while time.time() < start_at:
        time.sleep(0.001)
    while time.time() < start_at + seconds:
        t = time.perf_counter()
        status, _ = c.post(query)
        latencies.append((time.perf_counter() - t) * 1000)
        errors += status != 200
    c.close()
    return latencies, errors


def throughput(url: str, query: str, clients: int, seconds: float) -> dict:
    """Closed-loop load: `clients` processes (not threads: one Python process could not keep 16
    connections busy) each send the query back to back during the same window."""
    import multiprocessing as mp
    start_at = time.time() + 1.0 + 0.05 * clients
    with mp.get_context("fork").Pool(clients) as pool:
        parts = pool.map(_client_loop, [(url, query, start_at, seconds)] * clients)
    latencies = [ms for lat, _ in parts for ms in lat]
    errors = sum(e for _, e in parts)
    return {"rps": round(len(latencies) / seconds, 1), **tail(latencies),
            "median_ms": round(statistics.median(latencies), 2), "requests": len(latencies), "errors": errors}


def dump_download(url: str, pid: int, clients: int = 4, max_bytes: int = 600_000_000) -> dict:
    """`clients` parallel downloads of the N-Quads dump (each cut at max_bytes); MB/s and server memory."""
    peak = [tree_rss_mib(pid)]
    before = peak[0]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak.append(tree_rss_mib(pid))
            time.sleep(0.05)

    def fetch(_):
        n = 0
        with requests.get(url, stream=True, headers={"Accept-Encoding": "identity"}, timeout=600) as r:
            for chunk in r.iter_content(1 << 20):
                n += len(chunk)
                if n >= max_bytes:
                    break
        return n
    sampler = threading.Thread(target=sample)
    sampler.start()
    t = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        total = sum(pool.map(fetch, range(clients)))
    elapsed = time.perf_counter() - t
    stop.set()
    sampler.join()
    return {"clients": clients, "bytes": total, "seconds": round(elapsed, 2), "MB_per_s": round(total / 1e6 / elapsed, 1),
            "rss_before_mib": round(before), "rss_peak_mib": round(max(peak))}


def run_build(cmd: list[str]) -> tuple[str, float]:
    """Run bench/build_size.py, sampling the resident memory of it and its SHACL workers together."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peak = [0.0]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], tree_rss_mib(proc.pid))
            time.sleep(0.1)
    sampler = threading.Thread(target=sample)
    sampler.start()
    out, err = proc.communicate()
    stop.set()
    sampler.join()
    sys.stderr.write(err)
    if proc.returncode:
        raise SystemExit(f"build failed: {' '.join(cmd)}")
    return out, peak[0]


def compare_answers(res: dict, queries: dict) -> None:
    """Mark each query whose answers differ between paths (pyoxigraph is the reference), and say how."""
    res["mismatches"] = {}
    for name, text in queries.items():
        cells = {p: res["latency"][p][name] for p in PATHS if "digest" in res["latency"][p].get(name, {})}
        if len({c["digest"] for c in cells.values()}) <= 1:
            continue
        ref = ANSWERS.get((text, "pyoxigraph"), [])
        same_rows = len({c["multiset_digest"] for c in cells.values()}) == 1
        res["mismatches"][name] = {
            "kind": "order" if same_rows else "rows",
            "rows": {p: c["rows"] for p, c in cells.items()},
            "digests": {p: c["digest"] for p, c in cells.items()},
            "differences": {p: answers.difference(ANSWERS.get((text, p), []), ref) for p in cells
                            if p != "pyoxigraph" and cells[p]["digest"] != cells.get("pyoxigraph", {}).get("digest")}}


def bench_size(size: int, args, queries: dict, forms: dict) -> dict:
    out_dir = Path(args.out) / f"size-{size}"
    res: dict = {"size": size, "latency": {p: {} for p in PATHS}, "throughput": {}, "skipped": {}}
    previous = out_dir / "build.json"
    if args.reuse and previous.exists() and (out_dir / "data" / "current").exists():
        print(f"\n=== {size:,} triples: reusing the build in {out_dir} ===", flush=True)
        res["build"] = build = json.loads(previous.read_text())
    else:
        print(f"\n=== {size:,} triples: building (bench/build_size.py) ===", flush=True)
        cmd = [sys.executable, str(Path(__file__).parent / "build_size.py"), str(size), str(out_dir)]
        if size <= args.full_shacl_max:
            cmd.append("--full-shacl")
        stdout, peak = run_build(cmd)
        res["build"] = build = json.loads(stdout.strip().splitlines()[-1])
        build["peak_rss_tree_mib"] = round(peak)
        (out_dir / "build.json").write_text(json.dumps(build))
    if size > args.full_shacl_max:
        res["skipped"]["pySHACL whole graph"] = (f"above {args.full_shacl_max:,.0f} triples (it grows faster "
                                                 "than linearly: over 24 minutes at 10^6)")
    data_dir = out_dir / "data"
    dump = Path(build["dump"])

    def measure(engines: dict, repeat):
        for name, q in queries.items():
            runs = {p: e.run for p, e in engines.items()}
            if "endpoint" in engines:
                runs["endpoint warm"] = engines["endpoint"].run_warm
            cells = time_queries(runs, q, repeat, args.budget, forms[name])
            for path_name, r in cells.items():
                res["latency"][path_name][name] = r
            print(f"  {name:50} " + "  ".join(
                f"{p} {r['median_ms']:.2f} ms" if "median_ms" in r else f"{p} {r['error'][:50]}"
                for p, r in cells.items()), flush=True)

    endpoint = Endpoint(data_dir, ROOT)
    ox_path = PyOxigraph(data_dir)
    try:
        res["endpoint_rss_idle_mib"] = round(tree_rss_mib(endpoint.pid))
        measure({"pyoxigraph": ox_path, "endpoint": endpoint}, args.repeat)
        res["throughput"]["endpoint"] = load_test("endpoint", endpoint.sparql_url, args.load_seconds)
        res["dumps"] = dump_download(endpoint.url + "/dumps/kg.nq", endpoint.pid)
        print(f"  dumps: {res['dumps']}", flush=True)
    finally:
        endpoint.close()
        ox_path.close()

    if size > args.rdflib_max:
        res["skipped"]["rdflib"] = f"above {args.rdflib_max:,} triples (load alone takes minutes and ~1.5 KB a triple)"
    else:
        try:
            engine = Rdflib(dump, args.rdflib_timeout)
            res["rdflib_load_s"] = round(engine.load_s, 1)
            measure({"rdflib": engine}, min(args.repeat, 5))
            engine.close()
        except Unavailable as exc:
            res["skipped"]["rdflib"] = str(exc)

    if args.no_virtuoso:
        res["skipped"]["virtuoso"] = "--no-virtuoso"
    else:
        try:
            v = Virtuoso(dump, Path(args.virtuoso_dir) / f"size-{size}")
        except Unavailable as exc:
            res["skipped"]["virtuoso"] = str(exc)
            print(f"  virtuoso skipped: {exc}", flush=True)
        else:
            try:
                res["virtuoso_load_s"] = round(v.load_s, 1)
                res["virtuoso_rss_mib"] = round(tree_rss_mib(v.pid))
                measure({"virtuoso": v}, args.repeat)
                res["throughput"]["virtuoso"] = load_test("virtuoso", v.sparql_url, args.load_seconds)
            finally:
                v.close()
    compare_answers(res, queries)
    ANSWERS.clear()
    return res


def mix_median(res: dict, path: str) -> float | None:
    """Median latency of the mix over the queries whose answers agree on every path; a query past
    the path's time limit counts as the limit (so for that path the figure is a lower bound)."""
    cells = [res["latency"][path].get(q, {}) for q in MIX if q not in res.get("mismatches", {})]
    vals = [c.get("median_ms", c.get("at_least_ms")) for c in cells]
    return statistics.median(vals) if vals and all(v is not None for v in vals) else None


def report(results: list[dict]) -> str:
    lines = []
    for res in results:
        b = res["build"]
        n = b["store_quads"]
        tm = b["timings"]
        mism = res.get("mismatches", {})
        lines.append(f"\n## {n:,} quads ({b['chapters']:,} sources, {b['entities']:,} entities, "
                     f"{b['statements']:,} statements)")
        lines.append("`kg build` (kg.build.build, wall): " + "; ".join(f"{k} {v:.1f} s" for k, v in tm.items())
                     + f"; CPU {b.get('cpu_s', 0):.1f} s (build and SHACL workers); peak RSS of the build and its "
                     f"SHACL workers together {b.get('peak_rss_tree_mib', 0):,} MiB (build process alone "
                     f"{b['peak_rss_mib']:,.0f}, largest worker {b['peak_rss_children_mib']:,.0f}); load average "
                     f"{b.get('loadavg_before', '?')} before, {b.get('loadavg_after', '?')} after")
        sh = b.get("shacl", {})
        lines.append(f"SHACL (targeted, in the build): conforms {sh.get('conforms')}, {sh.get('results')} results, "
                     f"{sh.get('source_batches')} batches of source graphs + {sh.get('shared_batches')} of the "
                     f"shared graphs, {sh.get('sparql_constraints')} SPARQL constraints on Oxigraph")
        if "shacl_full" in b:
            f = b["shacl_full"]
            lines.append(f"pySHACL on the whole graph (reference): {f['seconds']:.1f} s, conforms {f['conforms']}, "
                         f"{f['results']} results; same results as the build: {f['same_as_build']}")
        for k, why in res["skipped"].items():
            lines.append(f"skipped {k}: {why}")
        lines.append("")
        lines.append("Each cell: median / p90 ms (p99 where a path ran ≥100 times) · rows. "
                     "≠ marks a query whose answers differ between paths (see below); it is left out of comparisons.")
        lines.append("")
        lines.append(f"| query | {' | '.join(PATHS)} |")
        lines.append("|---|" + "---:|" * len(PATHS))
        for q in res["latency"]["pyoxigraph"]:
            cells = []
            for p in PATHS:
                r = res["latency"][p].get(q)
                if r is None:
                    cells.append("—")
                elif "median_ms" in r:
                    t = r.get("p99_ms", r.get("p90_ms"))
                    cells.append(f"{r['median_ms']:.2f} / {t:.2f} · {r['rows']}")
                else:
                    cells.append("timeout" if "Timeout" in r["error"] else "error")
            lines.append(f"| {'≠ ' if q in mism else ''}{q} | {' | '.join(cells)} |")
        mm = {p: mix_median(res, p) for p in PATHS}
        lines.append(f"| **median of the mix** | {' | '.join('—' if v is None else f'{v:.2f}' for v in mm.values())} |")
        if res["throughput"]:
            lines.append("")
            lines.append("| requests/s (p99 ms) | " + " | ".join(f"{c} client{'s' * (c > 1)}" for c in CLIENTS) + " |")
            lines.append("|---|" + "---:|" * len(CLIENTS))
            for p, per_q in res["throughput"].items():
                for q, per_c in per_q.items():
                    cs = [per_c.get(c, per_c.get(str(c))) for c in CLIENTS]
                    lines.append(f"| {p}, {q} | " + " | ".join(
                        f"{c['rps']:.0f} ({c.get('p99_ms', c.get('p90_ms')):.1f})" for c in cs) + " |")
        if "dumps" in res:
            d = res["dumps"]
            lines.append(f"\ndumps: {d['clients']} clients × kg.nq, {d['MB_per_s']:.0f} MB/s total; server RSS "
                         f"{d['rss_before_mib']} → peak {d['rss_peak_mib']} MiB")
        if mism:
            lines.append("\nAnswers that differ (reference: pyoxigraph; rows only on one side, first 3):")
            for q, m in mism.items():
                lines.append(f"- **{q}** ({'same rows, other order' if m['kind'] == 'order' else 'other rows'}): "
                             + ", ".join(f"{p} {r}" for p, r in m["rows"].items()))
                for p, d in m["differences"].items():
                    if d["count_only_here"] or d["count_only_in_reference"]:
                        lines.append(f"  - {p}: {d['count_only_here']} rows only here, e.g. {d['only_here'][:2]}; "
                                     f"{d['count_only_in_reference']} only in pyoxigraph, e.g. "
                                     f"{d['only_in_reference'][:2]}")
    return "\n".join(lines)


def targets(results: list[dict]) -> list[str]:
    """The targets, each met or missed with the measured figure; queries with differing answers left out."""
    out = []
    for res in results:
        n = res["build"]["store_quads"]
        mism = res.get("mismatches", {})
        e, o, v = res["latency"]["endpoint"], res["latency"]["pyoxigraph"], res["latency"]["virtuoso"]
        total = res["build"]["timings"]["total"]
        if n > 5e5:
            limit = 60 if n < 5e6 else 600
            out.append(f"{n:,}: {'met' if total < limit else 'MISSED'} `kg build` under {limit} s: {total:.0f} s "
                       f"wall ({total / limit:.2f}× the limit; CPU {res['build'].get('cpu_s', 0):.0f} s)")
        if "shacl_full" in res["build"]:
            same = res["build"]["shacl_full"]["same_as_build"]
            out.append(f"{n:,}: {'met' if same else 'MISSED'} build's SHACL results identical to pySHACL's")
        for q in o:
            if q in mism:
                continue
            if "median_ms" in o[q] and "median_ms" in e.get(q, {}):
                if o[q]["median_ms"] > 10 and e[q]["median_ms"] > 1.2 * o[q]["median_ms"]:
                    out.append(f"{n:,}: MISSED endpoint ≤1.2× pyoxigraph on {q}: "
                               f"{e[q]['median_ms'] / o[q]['median_ms']:.2f}×")
        pl = "point look-up"
        if "median_ms" in e.get(pl, {}) and "median_ms" in o.get(pl, {}):
            added = e[pl]["median_ms"] - o[pl]["median_ms"]
            out.append(f"{n:,}: {'met' if added < 2 else 'MISSED'} point look-up adds < 2 ms at p50: +{added:.2f} ms")
        named = [q for q in o if q.startswith("queries/") and q not in mism
                 and "median_ms" in e.get(q, {}) and "median_ms" in v.get(q, {})]
        if named:
            slow = {q: e[q]["median_ms"] / v[q]["median_ms"] for q in named if e[q]["median_ms"] > 2 * v[q]["median_ms"]}
            out.append(f"{n:,}: {'met' if not slow else 'MISSED'} every named query within 2× of Virtuoso: "
                       f"{len(named) - len(slow)} of {len(named)} with equal answers"
                       + (f"; beyond: " + ", ".join(f"{q[8:]} {r:.1f}×" for q, r in sorted(slow.items(), key=lambda x: -x[1]))
                          if slow else ""))
        me, mv, mr = mix_median(res, "endpoint"), mix_median(res, "virtuoso"), mix_median(res, "rdflib")
        w = res["latency"].get("endpoint warm", {})
        warm_named = [q for q in named if "median_ms" in w.get(q, {})]
        mw = mix_median(res, "endpoint warm")
        if mw and mv:
            out.append(f"{n:,}: (not a target: answers from the result cache) endpoint warm, mix median {mw:.2f} vs "
                       f"{mv:.2f} ms; named queries within 2× of Virtuoso: "
                       f"{sum(w[q]['median_ms'] <= 2 * v[q]['median_ms'] for q in warm_named)} of {len(warm_named)}")
        if me and mv:
            out.append(f"{n:,}: {'met' if me <= mv else 'MISSED'} endpoint ≤ Virtuoso on the mix median: "
                       f"{me:.2f} vs {mv:.2f} ms ({mv / me:.2f}× Virtuoso/endpoint)")
        if me and mr:
            bound = "≥" if any("at_least_ms" in res["latency"]["rdflib"].get(q, {}) for q in MIX) else ""
            out.append(f"{n:,}: {'met' if mr >= 20 * me else 'MISSED'} endpoint 20× faster than rdflib on the mix "
                       f"median: {bound}{mr / me:.1f}×")
        zero = [q for q in o if o[q].get("rows") == 0]
        out.append(f"{n:,}: {'met' if not zero else 'MISSED'} every timed query returns rows"
                   + (f" (none: {', '.join(zero)})" if zero else ""))
    return out


def write_report(results: list[dict], command: str, out: Path, meta: dict | None = None) -> None:
    """Print the tables and the targets, and keep them in OUT/report.md."""
    head = f"# Benchmark\n\n`{command}`\n"
    if meta:
        head += ("\n" + f"commit {meta['commit']}; machine: {meta['machine']['cpu']} × {meta['machine']['cores']} "
                 f"cores, {meta['machine']['memory_gib']} GiB, {meta['machine']['platform']}; "
                 + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()) + "\n")
    text = head + report(results) + "\n\n## Targets\n\n" + "\n".join(f"- {line}" for line in targets(results)) + "\n"
    print(text)
    (out / "report.md").write_text(text)


def metadata(args) -> dict:
    """Commit, package versions, settings and machine, recorded beside the figures."""
    import importlib.metadata as im
    import os
    import platform
    git = lambda *a: subprocess.run(["git", *a], capture_output=True, text=True, cwd=ROOT).stdout.strip()  # noqa: E731
    versions = {"python": platform.python_version()}
    for pkg in ("soviets-kg", "pyoxigraph", "rdflib", "pyshacl", "granian", "flask"):
        try:
            versions[pkg] = im.version(pkg)
        except im.PackageNotFoundError:
            versions[pkg] = None
    virtuoso = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "virtuoso-opensource-7"], capture_output=True,
                              text=True)
    versions["virtuoso-opensource"] = virtuoso.stdout.strip() or None
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    return {"commit": git("rev-parse", "HEAD") + ("-dirty" if git("status", "--porcelain", "--", "kg", "bench") else ""),
            "versions": versions, "settings": vars(args) | {"endpoint": "kg serve with its default settings"},
            "machine": {"platform": platform.platform(), "cpu": cpu, "cores": os.cpu_count(),
                        "memory_gib": round(mem / 2**20, 1), "loadavg_at_start": os.getloadavg()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1e4,1e5,1e6,1e7", help="triple counts, comma-separated")
    ap.add_argument("--repeat", type=int, default=20, help="timed runs per query and path (after a warm-up)")
    ap.add_argument("--budget", type=float, default=20.0, help="seconds of timed runs per query before stopping early")
    ap.add_argument("--load-seconds", type=float, default=4.0, help="seconds per throughput measurement")
    ap.add_argument("--rdflib-max", type=float, default=1e6)
    ap.add_argument("--rdflib-timeout", type=float, default=60.0)
    ap.add_argument("--full-shacl-max", type=float, default=1e5,
                    help="largest size for pySHACL on the whole graph in rdflib memory")
    ap.add_argument("--no-virtuoso", action="store_true")
    ap.add_argument("--reuse", action="store_true",
                    help="reuse a size's earlier build (OUT/size-N/build.json) instead of building it again")
    ap.add_argument("--out", default=str(ROOT / "bench" / "out"))
    ap.add_argument("--virtuoso-dir", default="/tmp/kg-bench-virtuoso")
    ap.add_argument("--plot-only", action="store_true", help="redraw the plot from OUT/results.json")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.plot_only:
        from plot import plot
        saved = json.loads((out / "results.json").read_text())
        write_report(saved["results"], saved["command"], out, saved.get("meta"))
        plot(saved["results"], out / "bench.png")
        return
    # the competency questions (cq-…) ask about the five texts; the synthetic corpus answers the others
    queries = dict(MIX) | {f"queries/{k}": v.text for k, v in catalogue(Config().queries_dir).items()
                           if not k.startswith("cq-")}
    forms = {name: answers.form(text) for name, text in queries.items()}
    meta = metadata(args)
    meta["answer_forms"] = forms
    results = []
    for size in (int(float(s)) for s in args.sizes.split(",")):
        results.append(bench_size(size, args, queries, forms))
        meta["machine"]["loadavg_at_end"] = __import__("os").getloadavg()
        (out / "results.json").write_text(json.dumps({"command": " ".join(sys.argv), "meta": meta,
                                                      "results": results}, indent=1))
    write_report(results, " ".join(sys.argv), out, meta)
    from plot import plot
    plot(results, out / "bench.png")
    print(f"\nwrote {out / 'results.json'} and {out / 'bench.png'}")


if __name__ == "__main__":
    main()
