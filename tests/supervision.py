"""Test equipment for the isolation and chaos tests: a real `kg serve` with its process tree,
and HTTP clients bound to a chosen loopback source address."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from urllib.parse import urlencode

import psutil

from tests.conftest import free_port, wait_until_responds

def _enough_descriptors(wanted: int = 16_384) -> None:
    """Thousands of silent connections need as many descriptors, here and in the server we start."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard) if hard != resource.RLIM_INFINITY else wanted, hard))


_enough_descriptors()

POINT = "SELECT ?l WHERE { <https://w3id.org/soviets/id/trotsky> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@contextmanager
def served(data_dir, **settings):
    """`kg serve` on a free port: yields (url, psutil.Process of `kg serve`); if the server
    ended by itself, its log's last lines are printed."""
    import tempfile
    port = free_port()
    env = dict(os.environ, KG_DATA_DIR=str(data_dir), **{f"KG_{k.upper()}": str(v) for k, v in settings.items()})
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_responds(url + "/-/version")
        assert proc.poll() is None, "another server answers on the port we picked"
        main = psutil.Process(proc.pid)
        wait_for_executors(main, settings.get("query_processes", 4) * settings.get("http_workers", 2))
        yield url, main
    finally:
        if proc.poll() is not None and proc.returncode != -9:
            log.seek(0)
            print("kg serve ended by itself; its log ends:\n" + log.read().decode(errors="replace")[-3000:])
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def workers(main: psutil.Process) -> list[psutil.Process]:
    """The HTTP workers that live (not those killed and not yet reaped)."""
    out = []
    for p in main.children():
        try:
            if p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def executors(main: psutil.Process) -> list[psutil.Process]:
    """The executors that live, of the HTTP workers that live."""
    out = []
    for w in workers(main):
        try:
            children = w.children()
        except psutil.NoSuchProcess:
            continue
        for p in children:
            try:
                if p.status() != psutil.STATUS_ZOMBIE and "kg.executor" in " ".join(p.cmdline()):
                    out.append(p)
            except psutil.NoSuchProcess:
                pass
    return out


def wait_for_executors(main: psutil.Process, n: int, timeout: float = 20.0, without=()) -> list[psutil.Process]:
    """Until `n` executors live, none of them with a pid in `without`; returns them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = executors(main)
        if len(found) >= n and not {p.pid for p in found} & set(without):
            return found
        time.sleep(0.02)
    raise AssertionError(f"{len(executors(main))} executors, wanted {n} without {list(without)}")


class Client:
    """One kept-alive HTTP/1.1 connection from `source` (a loopback address) to the server."""

    def __init__(self, url: str, source: str = "127.0.0.1", timeout: float = 30.0):
        host, port = url.removeprefix("http://").split(":")
        self.args = (host, int(port))
        self.source, self.timeout = source, timeout
        self.conn = None
        self.headers: dict[str, str] = {}

    def query(self, text: str) -> tuple[int, bytes]:
        """(status, body) of GET /sparql?query=text; reconnects when the server closed the connection."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection(*self.args, timeout=self.timeout,
                                                   source_address=(self.source, 0))
        try:
            self.conn.request("GET", "/sparql?" + urlencode({"query": text}),
                              headers={"Accept": "application/sparql-results+json"})
            r = self.conn.getresponse()
            body = r.read()
            self.headers = {k.lower(): v for k, v in r.getheaders()}
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if r.getheader("Connection", "").lower() == "close":
            self.close()
        return r.status, body

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def tree_rss(main: psutil.Process) -> int:
    total = 0
    for p in [main] + main.children(recursive=True):
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def ask(url: str, text: str, source: str = "127.0.0.1") -> tuple[int, bytes, dict]:
    """One query on a connection of its own: (status, body, headers)."""
    client = Client(url, source)
    try:
        status, body = client.query(text)
        return status, body, client.headers
    finally:
        client.close()


def attack(url: str, source: str, threads: int, half_open: int) -> None:
    """Until its stdin closes: `half_open` connections that never send a byte, and `threads`
    clients sending slow queries back to back, retrying at once when refused (a hostile client).
    Prints "attacking" once the first silent connections are open, then one status a query."""
    import threading
    host, port = url.removeprefix("http://").split(":")

    lock = threading.Lock()

    def say(line: str) -> None:
        try:
            with lock:
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
        except OSError:
            os._exit(0)

    def open_silent() -> list[socket.socket]:
        out = []
        for _ in range(half_open):
            try:
                out.append(socket.create_connection((host, int(port)), timeout=5, source_address=(source, 0)))
            except OSError as exc:
                say(f"silent connection failed: {type(exc).__name__}")
        return out

    def hold_open(old: list[socket.socket]) -> None:
        # the server drops a silent connection after its header timeout: open the next
        # batch before letting the last go, so there are always `half_open` of them
        while True:
            time.sleep(3)
            new = open_silent()
            for s in old:
                s.close()
            old = new

    def flood() -> None:
        client = Client(url, source, timeout=60)
        while True:
            try:
                status, _ = client.query(SLOW)
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
            say(str(status))

    first = open_silent()
    say("attacking")
    threading.Thread(target=hold_open, args=(first,), daemon=True).start()
    for _ in range(threads):
        threading.Thread(target=flood, daemon=True).start()
    sys.stdin.read()           # until the test closes our stdin, or ends
    os._exit(0)


if __name__ == "__main__":
    attack(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
