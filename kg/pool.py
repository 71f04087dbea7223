"""The executor processes of one HTTP worker, and the rules that keep one client's queries from
harming another's: a cap per client, a bounded wait, and a process per query in flight.

A job goes to an idle executor (kg.executor) and the request thread waits for its answer up to
the time limit. Past the limit the executor is killed (pyoxigraph cannot cancel a query; a
process can be killed) and the query answered 503; if the executor dies under a query (a stack
overflow or a fault in the engine), that query is answered 500. Either way one replacement is
started, by the one spawner thread: executors ask the kernel to kill them when the thread that
started them ends, so that thread must live as long as the pool.

When every executor is busy, waiting queries are served least-used client first (query time used
in the last minutes), and a query that has run `share_s` or longer may be stopped (503) to make
room for a waiting client that has used less: so many clients' runaways, each from its own
address, cost their own time slices, not everyone's answers (least attained service first).
"""

from __future__ import annotations

import contextvars
import itertools
import logging
import math
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from multiprocessing.connection import Connection

from kg.errors import KgError, QueryTimeout

log = logging.getLogger("kg.pool")

# The address of the client a request thread is serving; kg.server sets it for each request.
client_address: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_address", default=None)

READY_S = 30.0        # a fresh interpreter imports pyoxigraph in ~0.1 s; far more means trouble
RESPAWN_PAUSE_S = 0.5  # between failed spawns, so a broken install does not spin
SWEEP_S = 0.5          # how often idle executors are checked for having died
USAGE_TAU_S = 60.0     # a client's query time used fades with this time constant
RECHECK_S = 0.05       # how often a waiting query looks again for a query it may stop


class EngineCrashed(KgError):
    """The process running the query died under it: a fault in the query engine."""

    status = 500
    exit_code = 3


class Busy(KgError):
    """Refused at once rather than queued; the client may retry after `retry_after` seconds."""

    retry_after = 1


class ServerBusy(Busy):
    status = 503
    exit_code = 3


class TooManyQueries(Busy):
    status = 429
    exit_code = 3


class Executor:
    """One executor process and our end of its socket."""

    def __init__(self, networked: bool):
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        self.networked = networked
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kg.executor", str(theirs.fileno()), str(os.getpid()),
             "network" if networked else "isolated"],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env)
        theirs.close()
        self.conn = Connection(os.dup(ours.fileno()))
        ours.close()
        self.isolation_failure: str | None = None
        self.last_query: str | None = None     # the text of the last query it ran

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        try:
            while self.conn.poll(max(0.0, deadline - time.monotonic())):
                message = self.conn.recv()
                if message[0] == "ready":
                    return True
                if message[0] == "no-isolation":
                    self.isolation_failure = message[1]
        except (EOFError, OSError):
            pass                      # it died while starting
        return False

    def kill(self) -> None:
        try:
            self.proc.send_signal(signal.SIGKILL)
        except OSError:
            pass
        self.conn.close()
        self.proc.wait()


class ExecutorPool:
    """`size` executors without network, and up to `networked_size` with it, started on demand
    for queries that may use SERVICE; `max_client` queries in flight per client address."""

    def __init__(self, size: int, networked_size: int, max_client: int, busy_wait_s: float,
                 share_s: float = math.inf):
        self.size = {False: max(1, size), True: max(1, networked_size)}
        self.max_client = max(1, max_client)
        self.busy_wait_s = busy_wait_s
        self.share_s = share_s
        self.running: dict[Executor, tuple[float, str | None]] = {}   # started at, for which client
        self.preempted: set[Executor] = set()
        self.usage: dict[str | None, tuple[float, float]] = {}        # client: (seconds, as of)
        self.waiting: dict[int, tuple[float, int, bool]] = {}         # ticket: (client's use, order, kind)
        self._tickets = itertools.count()
        self.idle: dict[bool, deque[Executor]] = {False: deque(), True: deque()}
        self.live = {False: 0, True: 0}      # started or starting, per kind
        self.all: set[Executor] = set()
        self.clients: Counter[str | None] = Counter()
        self.cond = threading.Condition()
        self.isolated: bool | None = None    # None until the first executor without network says
        self.closed = False
        self._spawns: queue.Queue = queue.Queue()
        self._spawner = threading.Thread(target=self._spawn_loop, name="kg-executor-spawner", daemon=True)
        self._spawner.start()
        with self.cond:
            self._want(False, self.size[False])

    def wait_started(self, timeout: float = READY_S) -> None:
        """Until the executors without network have all started (or `timeout` passed)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.idle[False]) < self.size[False] and not self.closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self.cond.wait(left)

    def _want(self, networked: bool, n: int) -> None:
        """Ask the spawner for `n` more executors (called holding the lock)."""
        for _ in range(n):
            self.live[networked] += 1
            self._spawns.put(networked)

    def _spawn_loop(self) -> None:
        """Start the executors asked for, and sweep out dead idle ones; never ends but on close."""
        while True:
            try:
                networked = self._spawns.get(timeout=SWEEP_S)
            except queue.Empty:
                self._sweep()
                continue
            batch = [networked]
            while None not in batch:         # start all that are asked for, then wait for them
                try:
                    batch.append(self._spawns.get_nowait())
                except queue.Empty:
                    break
            if None in batch:
                return
            try:
                self._spawn(batch)
            except Exception:   # noqa: BLE001 - the spawner must outlive any one failure
                log.exception("starting query executors failed")
                for kind in batch:
                    self._give_up(kind)

    def _spawn(self, batch: list[bool]) -> None:
        started = []
        for kind in batch:
            try:
                started.append(Executor(kind))
            except OSError as exc:
                log.error("cannot start a query executor: %s", exc)
                self._give_up(kind)
        for ex in started:
            if not ex.wait_ready(READY_S):
                log.error("a query executor (pid %d) did not start", ex.pid)
                ex.kill()
                self._give_up(ex.networked)
                continue
            self._note_isolation(ex)
            with self.cond:
                if self.closed:
                    ex.kill()
                    continue
                self.all.add(ex)
                self.idle[ex.networked].append(ex)
                self.cond.notify_all()

    def _sweep(self) -> None:
        """Replace idle executors that died (killed from outside) before a query finds them."""
        with self.cond:
            dead = [ex for kind in (False, True) for ex in self.idle[kind] if ex.proc.poll() is not None]
            for ex in dead:
                self.idle[ex.networked].remove(ex)
        for ex in dead:
            self._replace(ex)

    def _give_up(self, networked: bool) -> None:
        time.sleep(RESPAWN_PAUSE_S)
        with self.cond:
            if not self.closed:
                self._spawns.put(networked)       # try again; `live` still counts it

    def _note_isolation(self, ex: Executor) -> None:
        if ex.networked:
            return
        if ex.isolation_failure is not None and self.isolated is not False:
            log.warning("query executors keep the network (SERVICE can only be refused by the query "
                        "analysis): %s", ex.isolation_failure)
        self.isolated = ex.isolation_failure is None if self.isolated is None else \
            self.isolated and ex.isolation_failure is None

    def _used(self, client: str | None, now: float) -> float:
        """The client's query time in recent minutes (called holding the lock)."""
        seconds, since = self.usage.get(client, (0.0, now))
        return seconds * math.exp(-(now - since) / USAGE_TAU_S)

    def _charge(self, client: str | None, seconds: float) -> None:
        now = time.monotonic()
        with self.cond:
            self.usage[client] = (self._used(client, now) + seconds, now)
            if len(self.usage) > 10_000:      # forget the clients whose use has faded most
                for c in sorted(self.usage, key=lambda c: self._used(c, now))[:5_000]:
                    del self.usage[c]

    def _make_room(self, networked: bool, client: str | None, now: float) -> None:
        """Stop the longest-running query of this kind if it has had its share and its client has
        used more than the waiting one (called holding the lock; the runner answers 503)."""
        coming = self.live[networked] - len(self.idle[networked]) - sum(
            1 for ex in self.running if ex.networked == networked)
        stopping = sum(1 for ex in self.preempted if ex.networked == networked)
        if stopping + coming >= sum(1 for w in self.waiting.values() if w[2] == networked):
            return                            # room is being made for every waiting query already
        mine = self._used(client, now)
        candidates = [(start, ex, c) for ex, (start, c) in self.running.items()
                      if ex.networked == networked and ex not in self.preempted and now - start >= self.share_s]
        if not candidates:
            return
        start, ex, c = min(candidates, key=lambda x: x[0])
        if c != client and self._used(c, now) + (now - start) > mine:
            self.preempted.add(ex)
            try:
                ex.proc.send_signal(signal.SIGKILL)   # its runner sees the end and has it replaced
            except OSError:
                pass

    def _acquire(self, networked: bool, wait_s: float, query: str | None = None,
                 client: str | None = None) -> Executor:
        """An idle executor: the one that ran `query` last if it is idle (its store's caches hold
        what the query reads: at 10^6 triples a query runs up to twice as fast there), else the
        one idle longest. Waiting queries take turns by their clients' recent use, least first."""
        deadline = time.monotonic() + wait_s
        while True:
            with self.cond:
                if networked and self.live[True] < self.size[True] and not self.idle[True]:
                    self._want(True, 1)           # the networked executors start on first need
                ticket = next(self._tickets)
                self.waiting[ticket] = (self._used(client, time.monotonic()), ticket, networked)
                try:
                    while not self.idle[networked] or min(
                            (w for w in self.waiting.values() if w[2] == networked))[1] != ticket:
                        now = time.monotonic()
                        left = deadline - now
                        if left <= 0 or self.closed:
                            raise ServerBusy(f"all query processes stayed busy for {wait_s:g} s; try again later")
                        if not self.idle[networked] and self.share_s < math.inf:
                            self._make_room(networked, client, now)
                        self.cond.wait(min(left, RECHECK_S))
                finally:
                    del self.waiting[ticket]
                    self.cond.notify_all()        # the next in line may take what is idle
                idle = self.idle[networked]
                ex = next((e for e in idle if e.last_query == query), None) if query is not None else None
                if ex is None:
                    ex = idle.popleft()
                else:
                    idle.remove(ex)
            # an idle executor never speaks first: a readable socket means it died while idle
            # (killed from outside), which must not cost the next query its answer
            if not ex.conn.poll(0) and ex.proc.poll() is None:
                return ex
            self._replace(ex)

    def _release(self, ex: Executor) -> None:
        with self.cond:
            self.idle[ex.networked].append(ex)
            self.cond.notify_all()            # the waiter first in line takes it, whichever wakes

    def _replace(self, ex: Executor) -> None:
        """Kill `ex` (already taken from the idle list) and have the spawner start another."""
        ex.kill()
        with self.cond:
            self.all.discard(ex)
            if not self.closed:
                self._spawns.put(ex.networked)

    def run(self, job: tuple, networked: bool, timeout_s: float) -> bytes:
        """Run `job` (see kg.executor.serve) in an executor and return its bytes, or raise its error."""
        client = client_address.get()
        with self.cond:
            if client is not None and self.clients[client] >= self.max_client:
                raise TooManyQueries(f"this client already has {self.max_client} queries running here; "
                                     "wait for one to finish")
            self.clients[client] += 1
        try:
            for _ in range(3):
                ex = self._acquire(networked, min(self.busy_wait_s, timeout_s), job[1], client)
                ex.last_query = job[1]
                answer = self._run_on(ex, job, timeout_s, client)
                if answer is not None:
                    break
            else:
                raise EngineCrashed("query processes keep ending before they take a query")
        finally:
            with self.cond:
                self.clients[client] -= 1
                if self.clients[client] <= 0:
                    del self.clients[client]
        if answer[0] == "ok":
            return answer[1]
        raise rebuild_error(*answer[1:])

    def _run_on(self, ex: Executor, job: tuple, timeout_s: float, client: str | None = None) -> tuple | None:
        """The executor's answer; None if it died before taking the job (try another)."""
        start = time.monotonic()
        deadline = start + timeout_s
        taken = False
        with self.cond:
            self.running[ex] = (start, client)
        try:
            ex.conn.send(job)
            if ex.conn.poll(max(0.0, deadline - time.monotonic())):
                ex.conn.recv_bytes()
                taken = True
            if not ex.conn.poll(max(0.0, deadline - time.monotonic())):
                self._replace(ex)
                raise QueryTimeout(f"the query ran past the time limit of {timeout_s:g} s and was stopped")
            answer = ex.conn.recv()
        except (EOFError, OSError):
            with self.cond:
                preempted = ex in self.preempted
            self._replace(ex)
            if preempted:
                raise ServerBusy(f"every query process was busy and other clients were waiting, so this "
                                 f"query was stopped after {time.monotonic() - start:.1f} s to make room; "
                                 "try again later") from None
            if not taken:
                return None
            raise EngineCrashed("the query engine failed on this query (its process ended); "
                                "other queries are not affected") from None
        finally:
            with self.cond:
                self.running.pop(ex, None)
                self.preempted.discard(ex)
            self._charge(client, time.monotonic() - start)
        self._release(ex)
        return answer

    def pids(self) -> list[int]:
        with self.cond:
            return [ex.pid for ex in self.all]

    def close(self) -> None:
        with self.cond:
            self.closed = True
            executors = list(self.all)
            self.all.clear()
            self.cond.notify_all()
        self._spawns.put(None)
        for ex in executors:
            ex.kill()


def rebuild_error(module: str, name: str, message: str, status: int) -> KgError:
    """The executor's KgError again, by class name; a plain KgError with its status if unknown."""
    import importlib
    try:
        if not module.startswith("kg."):
            raise ImportError(module)
        cls = getattr(importlib.import_module(module), name)
        if isinstance(cls, type) and issubclass(cls, KgError):
            return cls(message)
    except (ImportError, AttributeError, TypeError):
        pass
    error = KgError(message)
    error.status = status
    return error
