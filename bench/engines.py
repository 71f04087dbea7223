"""The four query paths the benchmark compares, each `run(query) -> bytes` (SPARQL JSON results):

- `endpoint`  our server, `python -m kg serve` on a free loopback port over the build;
- `pyoxigraph` the same store, queried in-process (no HTTP, no worker process, no checks);
- `rdflib`    rdflib's in-memory engine over the N-Quads dump, in a worker process so that a
              query past its time limit can be killed;
- `virtuoso`  Debian's virtuoso-opensource loaded with the dump, on 127.0.0.1, stopped after.

Every path asks for the union of the named graphs as the default graph, as our endpoint does.
"""

from __future__ import annotations

import gzip
import http.client
import io
import multiprocessing as mp
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import psutil
import pyoxigraph as ox
import requests

JSON = "application/sparql-results+json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (our query workers), in MiB."""
    try:
        p = psutil.Process(pid)
        return sum(q.memory_info().rss for q in [p] + p.children(recursive=True)) / 2**20
    except psutil.Error:
        return 0.0


def wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


class SparqlClient:
    """A lean SPARQL client on one kept-alive connection (http.client).

    `requests` spends about 1.3 ms of client CPU per call on this machine, more than a point
    look-up costs the server; measured as latency, it would hide the servers' differences.
    `fresh`: each request says `Cache-Control: no-cache`, so that our endpoint runs the query
    rather than answer from its result cache (kg.result_cache): a cold run, every time.
    """

    def __init__(self, url: str, timeout: float = 600, fresh: bool = False):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port, self.path, self.timeout = parts.hostname, parts.port, parts.path, timeout
        self.conn: http.client.HTTPConnection | None = None
        self.extra = {"Cache-Control": "no-cache"} if fresh else {}

    def post(self, query: str) -> tuple[int, bytes]:
        body = urllib.parse.urlencode({"query": query})
        # gzip accepted, as a user's client (requests, browsers) does; the server decides when to use it
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": JSON, "Accept-Encoding": "gzip",
                   **self.extra}
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request("POST", self.path, body, headers)
                r = self.conn.getresponse()
                body = r.read()
                return r.status, gzip.decompress(body) if r.getheader("Content-Encoding") == "gzip" else body
            except (http.client.HTTPException, ConnectionError):
                self.close()       # the server closed a kept-alive connection: one retry on a new one
                if attempt:
                    raise

    def run(self, query: str) -> bytes:
        status, body = self.post(query)
        if status == 503 and b"time" in body.lower():
            raise TimeoutError(body[:200].decode(errors="replace"))
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {body[:200]!r}")
        return body

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Unavailable(Exception):
    """A path that cannot run here; the message says why, and the column is skipped."""


class PyOxigraph:
    name = "pyoxigraph"

    def __init__(self, data_dir: Path):
        self.store = ox.Store.read_only(str(data_dir / "current" / "store"))

    def run(self, query: str) -> bytes:
        out = io.BytesIO()
        self.store.query(query).serialize(out, ox.QueryResultsFormat.JSON)
        return out.getvalue()

    def close(self):
        del self.store


class Endpoint:
    name = "endpoint"

    def __init__(self, data_dir: Path, root: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # the default settings, as a user runs it (time limit, result size, threads, workers, gzip)
        env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")} | {"KG_DATA_DIR": str(data_dir)}
        from kg.config import Config
        self.timeout = Config().query_timeout_s
        self.proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", str(self.port)], env=env,
                                     cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(self.url + "/-/version", 120)
        self.pid = self.proc.pid
        self.sparql_url = self.url + "/sparql"
        self.client = SparqlClient(self.sparql_url, fresh=True)     # cold: the query is run each time
        self.warm = SparqlClient(self.sparql_url)                   # the answer may come from the result cache

    def run(self, query: str) -> bytes:
        return self.client.run(query)

    def run_warm(self, query: str) -> bytes:
        return self.warm.run(query)

    def close(self):
        self.client.close()
        self.warm.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _rdflib_worker(dump: str, conn) -> None:
    """Loads the dump once; each query runs on a thread that is interrupted at its time limit
    (rdflib's engine is pure Python, so an asynchronous exception stops it between bytecodes),
    so a slow query does not cost a reload of the whole graph."""
    import ctypes
    import threading

    from rdflib import Dataset
    ds = Dataset(default_union=True)
    ds.parse(dump, format="nquads")
    conn.send(("ready", len(ds)))
    while True:
        job = conn.recv()
        if job is None:
            return
        query, timeout = job
        box: dict = {}

        def run():
            try:
                box["ok"] = ds.query(query).serialize(format="json")
            except BaseException as exc:  # noqa: BLE001 - reported as the path's error for this query
                box["error"] = f"{type(exc).__name__}: {exc}"
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(timeout)
        if thread.is_alive():
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(TimeoutError))
            thread.join(120)
            conn.send(("timeout", None) if not thread.is_alive() else ("stuck", None))
        elif "ok" in box:
            conn.send(("ok", box["ok"]))
        else:
            conn.send(("error", box["error"]))


class Rdflib:
    name = "rdflib"

    def __init__(self, dump: Path, timeout_s: float):
        self.dump, self.timeout = str(dump), timeout_s
        self.load_s = 0.0
        self._start()

    def _start(self):
        t = time.perf_counter()
        self.conn, child = mp.get_context("fork").Pipe()
        self.proc = mp.get_context("fork").Process(target=_rdflib_worker, args=(self.dump, child), daemon=True)
        self.proc.start()
        if not self.conn.poll(3600):
            raise Unavailable("rdflib did not load the dump within an hour")
        self.conn.recv()
        self.load_s = time.perf_counter() - t

    def run(self, query: str) -> bytes:
        self.conn.send((query, self.timeout))
        status, payload = self.conn.recv() if self.conn.poll(self.timeout + 150) else ("stuck", None)
        if status == "stuck":                 # not even interruptible: a fresh engine for the next query
            self.proc.kill()
            self.proc.join()
            self._start()
        if status in ("timeout", "stuck"):
            raise TimeoutError(f"over {self.timeout:.0f} s")
        if status != "ok":
            raise RuntimeError(payload)
        return payload

    def close(self):
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()


VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
MaxClientConnections = 32
CheckpointInterval = 0
CaseMode = 2
DirsAllowed = ., {dumps}
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 10
MaxQueryMem = 2G
; about 5 GB of page buffers (8 KiB each), Virtuoso's guidance for a machine of this size
NumberOfBuffers = 680000
MaxDirtyBuffers = 500000
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 32
ServerThreads = 32
MaxKeepAlives = 32
KeepAliveTimeout = 10
EnabledGzipContent = 1
[SPARQL]
ResultSetMaxRows = 100000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 600
"""


def install_virtuoso() -> str:
    """Path of virtuoso-t, installing Debian's package when missing; raise Unavailable with why."""
    exe = shutil.which("virtuoso-t")
    if exe:
        return exe
    r = subprocess.run(["apt-get", "install", "-y", "virtuoso-opensource"], capture_output=True, text=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    exe = shutil.which("virtuoso-t")
    if not exe:
        raise Unavailable(f"virtuoso-opensource could not be installed: {r.stderr.strip()[-300:]}")
    return exe


class Virtuoso:
    name = "virtuoso"

    def __init__(self, dump: Path, work: Path):
        exe = install_virtuoso()
        isql = shutil.which("isql-vt") or shutil.which("isql")
        if not isql:
            raise Unavailable("isql-vt (the loader's client) is missing")
        if work.exists():
            shutil.rmtree(work)
        work.mkdir(parents=True)
        self.sql, self.http = free_port(), free_port()
        (work / "virtuoso.ini").write_text(VIRTUOSO_INI.format(d=work, sql=self.sql, http=self.http,
                                                               dumps=dump.parent))
        self.proc = subprocess.Popen([exe, "+foreground", "+configfile", str(work / "virtuoso.ini")], cwd=work,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        self.pid = self.proc.pid
        self.url = f"http://127.0.0.1:{self.http}"
        self.sparql_url = self.url + "/sparql"
        try:
            wait_http(self.url + "/sparql?query=ASK%7B%7D", 180)
        except RuntimeError as exc:
            self.close()
            raise Unavailable(f"Virtuoso did not start: {exc}; see {work}/virtuoso.log") from None
        t = time.perf_counter()
        script = (f"ld_dir('{dump.parent}', '{dump.name}', 'urn:bench:default');\n"
                  "rdf_loader_run();\ncheckpoint;\n")
        r = subprocess.run([isql, f"127.0.0.1:{self.sql}", "dba", "dba"], input=script, capture_output=True,
                           text=True, timeout=7200)
        self.load_s = time.perf_counter() - t
        if "Error" in r.stdout or r.returncode:
            self.close()
            raise Unavailable(f"Virtuoso could not load the dump: {r.stdout[-300:]} {r.stderr[-300:]}")
        self.client = SparqlClient(self.sparql_url)

    def run(self, query: str) -> bytes:
        return self.client.run(query)

    def close(self):
        if hasattr(self, "client"):
            self.client.close()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
