"""A query executor process: runs one query at a time for its HTTP worker, so a runaway or a
crash of the engine costs one process and one request, never the server.

Started as a fresh interpreter (`python -m kg.executor FD PARENT_PID NETWORK`) by kg.pool,
never forked from the threaded HTTP worker. Before anything else, an executor without
network moves into a network namespace of its own, which has no interfaces but a down
loopback: whatever a query says, the engine cannot open a connection (SERVICE included).
Jobs and answers travel as pickles over a socket pair inherited as FD. The executor ends
itself when its parent goes (the socket reaches EOF, or a watchdog sees another parent).
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
import time

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
PR_SET_PDEATHSIG = 1
WATCH_S = 0.2          # how often an executor checks that its parent still lives


def isolate_network() -> str | None:
    """Leave the network: a new, empty network namespace (as root), else a user namespace
    with one (unprivileged); None on success, else why it failed. Must run while the process
    has one thread (a user namespace demands it)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if not hasattr(libc, "unshare"):
        return "no unshare() on this system"
    if libc.unshare(CLONE_NEWNET) == 0:
        return None
    first = os.strerror(ctypes.get_errno())
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0:
        return None
    return f"unshare(CLONE_NEWNET): {first}; with CLONE_NEWUSER: {os.strerror(ctypes.get_errno())}"


def die_with_parent(parent_pid: int) -> None:
    """End this process (no clean-up: a query may hold the main thread) when `parent_pid` is no
    longer its parent: the kernel's parent-death signal, and a watchdog thread in case it missed."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, 9)    # SIGKILL
    except (OSError, AttributeError):
        pass

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(WATCH_S)
        os._exit(70)

    if os.getppid() != parent_pid:      # the parent died before the call
        os._exit(70)
    threading.Thread(target=watch, name="kg-parent-watch", daemon=True).start()


def serve(conn) -> None:
    """Say ready, then answer jobs until the socket closes: ('ok', bytes) or
    ('error', module, class, message, status)."""
    import pyoxigraph as ox

    from kg.errors import KgError, StoreUnavailable
    from kg import summary
    from kg.formats import by_name
    from kg.sparql import Dataset, execute

    conn.send(("ready",))
    opened: tuple[str, object, object] | None = None
    while True:
        try:
            job = conn.recv()
            conn.send_bytes(b"")    # taken: from here on, our death is this query's fault
        except (EOFError, OSError):
            return
        path, text, kind, fmt, default_graphs, named_graphs, max_bytes, services, options = job
        try:
            if opened is None or opened[0] != path:
                opened = None              # the previous build's handle is let go first
                if not os.path.isdir(path):
                    raise StoreUnavailable("no built store: run `kg build` first")
                opened = (path, ox.Store.read_only(path), summary.load(os.path.dirname(path)))
            body = execute(opened[1], text, by_name(kind, fmt), Dataset(tuple(default_graphs), tuple(named_graphs)),
                           max_bytes, services=tuple(services), summary=opened[2], **options)
            answer = ("ok", body)
        except KgError as exc:
            answer = ("error", type(exc).__module__, type(exc).__qualname__, exc.message, exc.status)
        except OSError as exc:
            answer = ("error", "kg.errors", "StoreUnavailable",
                      f"cannot read the store: {' '.join(str(exc).split())[:300]}", 503)
        except RuntimeError as exc:
            if not str(exc).startswith("Corruption"):   # RocksDB reports a damaged file so
                raise
            answer = ("error", "kg.errors", "StoreUnavailable", "the store is damaged: run `kg build` again", 503)
        except Exception as exc:   # noqa: BLE001 - a bug or an engine fault: this query's 500, logged here
            import traceback
            traceback.print_exc(file=sys.stderr)
            answer = ("error", "kg.errors", "KgError", f"internal error: {type(exc).__name__}", 500)
        try:
            conn.send(answer)
        except OSError:
            return


def first_to_go() -> None:
    """Offer this process first to the kernel's out-of-memory killer: a query that eats the
    machine's memory should cost its own executor (a 500), not the HTTP worker or the host."""
    try:
        with open("/proc/self/oom_score_adj", "w") as fh:
            fh.write("1000")
    except OSError:
        pass


def main(argv: list[str]) -> None:
    fd, parent_pid, network = int(argv[0]), int(argv[1]), argv[2] == "network"
    failure = None if network else isolate_network()
    die_with_parent(parent_pid)
    first_to_go()
    from multiprocessing.connection import Connection
    conn = Connection(fd)
    if failure is not None:
        conn.send(("no-isolation", failure))     # the pool logs it once
    serve(conn)


if __name__ == "__main__":
    main(sys.argv[1:])
