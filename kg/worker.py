"""Queries run in worker processes that can be killed: pyoxigraph cannot cancel a running query,
so a query over the time limit is stopped by ending its process, and a fresh worker takes its place.

Workers are plain subprocesses (`python -m kg.worker`) speaking length-prefixed pickles over
their stdin/stdout, so they never re-import the server's main module. Each opens the current
build's store read-only and reopens it when a new build is swapped in.
"""

from __future__ import annotations

import os
import pickle
import queue
import select
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from kg.errors import KgError, QueryTimeout, StoreUnavailable

_HEADER = struct.Struct("!Q")


@dataclass(frozen=True)
class Job:
    store_path: str
    query: str
    format_kind: str
    format_name: str
    default_graphs: tuple = ()
    named_graphs: tuple = ()
    max_bytes: int = 64_000_000
    base_iri: str | None = None
    services: tuple = ()


def _write(stream, obj) -> None:
    """One message on an unbuffered pipe: raw writes, looping over partial ones."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[stream.write(view):]


def _read_exact(stream, n: int) -> bytes:
    chunks, remaining = [], n
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            raise EOFError("worker pipe closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read(stream):
    (size,) = _HEADER.unpack(_read_exact(stream, _HEADER.size))
    return pickle.loads(_read_exact(stream, size))


def worker_main() -> None:
    """Worker loop: run jobs until stdin closes. Errors travel back as (class name, message)."""
    import pyoxigraph as ox

    from kg import errors as errors_module
    from kg.formats import by_name
    from kg.sparql import Dataset, execute

    inp, out = os.fdopen(0, "rb", buffering=0), os.fdopen(1, "wb", buffering=0)
    store, opened = None, None
    while True:
        try:
            job = _read(inp)
        except EOFError:
            return
        try:
            if job.store_path != opened:
                store = None
                store = ox.Store.read_only(job.store_path)
                opened = job.store_path
            body = execute(store, job.query, by_name(job.format_kind, job.format_name),
                           Dataset(job.default_graphs, job.named_graphs), job.max_bytes, job.base_iri,
                           job.services)
            reply = ("ok", body)
        except errors_module.KgError as exc:
            reply = ("error", type(exc).__name__, exc.message)
        except OSError as exc:
            reply = ("error", "StoreUnavailable", f"cannot read the store: {exc}")
        except Exception as exc:   # a bug: reported as such, the worker lives on
            reply = ("error", "KgError", f"internal error: {type(exc).__name__}: {exc}")
        _write(out, reply)


class _Worker:
    def __init__(self):
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen([sys.executable, "-m", "kg.worker"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, env=env, bufsize=0)

    def send(self, job: Job) -> None:
        _write(self.process.stdin, job)

    def wait(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.process.stdout], [], [], max(0.0, timeout))
        return bool(ready)

    def receive(self):
        return _read(self.process.stdout)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=5)
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass


class WorkerPool:
    """A fixed number of query workers; a request waits (within its time limit) for a free one."""

    def __init__(self, size: int, timeout_s: float):
        self.size = size
        self.timeout_s = timeout_s
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self.closed = False
        self.lock = threading.Lock()
        for _ in range(size):
            self.idle.put(_Worker())

    def run(self, job: Job, timeout_s: float | None = None) -> bytes:
        limit = self.timeout_s if timeout_s is None else timeout_s
        deadline = time.monotonic() + limit
        try:
            worker = self.idle.get(timeout=limit)
        except queue.Empty:
            raise QueryTimeout(f"all query workers stayed busy for {limit:g} s; try again later") from None
        try:
            worker.send(job)
            if not worker.wait(deadline - time.monotonic()):
                worker.kill()
                worker = _Worker()
                raise QueryTimeout(f"the query ran past the time limit of {limit:g} s and was stopped")
            reply = worker.receive()
        except (EOFError, OSError, pickle.UnpicklingError):
            worker.kill()
            worker = _Worker()
            raise StoreUnavailable("the query worker died; the query was not answered") from None
        finally:
            if self.closed:
                worker.kill()
            else:
                self.idle.put(worker)
        if reply[0] == "ok":
            return reply[1]
        raise _error(reply[1], reply[2])

    def warm(self, job: Job) -> None:
        """Run `job` once on every worker, so each opens the store before the first real request."""
        workers = [self.idle.get() for _ in range(self.size)]
        try:
            for w in workers:
                w.send(job)
            for w in workers:
                if w.wait(self.timeout_s):
                    w.receive()
        finally:
            for w in workers:
                self.idle.put(w)

    def close(self) -> None:
        self.closed = True
        while True:
            try:
                self.idle.get_nowait().kill()
            except queue.Empty:
                return


def _error(name: str, message: str) -> KgError:
    from kg import errors, sparql
    cls = getattr(errors, name, None) or getattr(sparql, name, None) or KgError
    return cls(message)


if __name__ == "__main__":
    worker_main()
