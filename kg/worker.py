"""Queries run in worker processes that can be killed: pyoxigraph cannot cancel a running query,
so a query over the time limit is stopped by ending its process, and a fresh worker takes its place.

Each worker opens the current build's store read-only and reopens it when a new build is swapped in.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading
import time
from dataclasses import dataclass

from kg.errors import KgError, QueryTimeout, StoreUnavailable

_CONTEXT = mp.get_context("spawn")   # no fork of a threaded server process


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


def _worker_main(conn) -> None:
    """Worker loop: run jobs until the pipe closes. Errors travel back as (class name, message)."""
    from kg import errors as errors_module
    from kg.formats import by_name
    from kg.sparql import Dataset, execute
    import pyoxigraph as ox

    store, opened = None, None
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if job.store_path != opened:
                store = None
                store = ox.Store.read_only(job.store_path)
                opened = job.store_path
            body = execute(store, job.query, by_name(job.format_kind, job.format_name),
                           Dataset(job.default_graphs, job.named_graphs), job.max_bytes, job.base_iri)
            conn.send(("ok", body))
        except errors_module.KgError as exc:
            conn.send(("error", type(exc).__name__, exc.message))
        except OSError as exc:
            conn.send(("error", "StoreUnavailable", f"cannot read the store: {exc}"))
        except Exception as exc:   # a bug: reported as such, the worker lives on
            conn.send(("error", "KgError", f"internal error: {type(exc).__name__}: {exc}"))


class _Worker:
    def __init__(self):
        parent, child = _CONTEXT.Pipe()
        self.conn = parent
        self.process = _CONTEXT.Process(target=_worker_main, args=(child,), daemon=True)
        self.process.start()
        child.close()

    def kill(self):
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class WorkerPool:
    """A fixed number of query workers; a request waits (within its time limit) for a free one."""

    def __init__(self, size: int, timeout_s: float):
        self.size = size
        self.timeout_s = timeout_s
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self.lock = threading.Lock()
        self.closed = False
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
            worker.conn.send(job)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                worker.kill()
                worker = _Worker()
                raise QueryTimeout(f"the query ran past the time limit of {limit:g} s and was stopped")
            reply = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            worker.kill()
            worker = _Worker()
            raise StoreUnavailable("the query worker died; the query was not answered") from None
        finally:
            if not self.closed:
                self.idle.put(worker)
            else:
                worker.kill()
        if reply[0] == "ok":
            return reply[1]
        raise _error(reply[1], reply[2])

    def close(self):
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


