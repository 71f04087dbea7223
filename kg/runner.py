"""Queries run in this process, on threads, with a time limit the caller can rely on: for
programs and tests that embed the app (`kg serve` runs each query in a process, kg.pool).

pyoxigraph releases the GIL while it evaluates and serialises, so a query on one thread does
not stop the others; but it cannot cancel a query. A query past the time limit is therefore
answered with 503 at once and its thread is left to finish on its own.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from typing import Callable

from kg.errors import QueryTimeout


class _Call:
    __slots__ = ("fn", "done", "result", "error")

    def __init__(self, fn):
        self.fn, self.done, self.result, self.error = fn, threading.Event(), None, None

    def run(self) -> None:
        try:
            self.result = self.fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
            # pyoxigraph's result objects must be dropped on the thread that made them, and the
            # frames of a traceback may hold one: clear them here, before the hand-over
            seen = exc
            while seen is not None:
                traceback.clear_frames(seen.__traceback__)
                seen = seen.__cause__ or seen.__context__
            self.error = exc
        finally:
            self.done.set()


class QueryRunner:
    """A fixed set of daemon threads (daemon: a runaway query must never hold up the exit)."""

    def __init__(self, threads: int, timeout_s: float):
        self.timeout_s = timeout_s
        self.jobs: queue.Queue[_Call | None] = queue.Queue()
        self.idle = threading.Semaphore(threads)
        self.threads = [threading.Thread(target=self._loop, name=f"kg-query-{i}", daemon=True)
                        for i in range(threads)]
        for t in self.threads:
            t.start()

    def _loop(self) -> None:
        while (call := self.jobs.get()) is not None:
            call.run()
            self.idle.release()

    def run(self, fn: Callable[[], bytes], timeout_s: float | None = None) -> bytes:
        limit = self.timeout_s if timeout_s is None else timeout_s
        deadline = time.monotonic() + limit
        if not self.idle.acquire(timeout=limit):
            raise QueryTimeout(f"all query threads stayed busy for {limit:g} s; try again later")
        call = _Call(fn)
        self.jobs.put(call)
        if not call.done.wait(max(0.0, deadline - time.monotonic())):
            raise QueryTimeout(f"the query ran past the time limit of {limit:g} s and was abandoned")
        if call.error is not None:
            raise call.error
        return call.result

    def close(self) -> None:
        for _ in self.threads:
            self.jobs.put(None)
