"""Runs the app under Granian, a WSGI server whose HTTP and socket work is done in Rust.

Measured on the point look-up over loopback, it costs about half of what waitress cost per
request (waitress hands each request and each response between its event-loop thread and a task
thread in Python); bench/bench.py shows the figures. The Python side stays simple:
`http_workers` HTTP worker processes (each its own GIL: two served 1.5× the point look-ups of
one at 16 clients on 2 cores), whose `threads` threads run the queries in-process (kg.runner).
A query past the time limit gets its 503 at once and makes the worker ask Granian for replacements (SIGHUP): a
new worker starts, and the old one, runaway query and all, is stopped after `RESPAWN_S` and
killed if it has not stopped `KILL_S` later.

Granian imports the app in its own worker process, so the settings travel there in the
environment (`wsgi_app` is the factory it calls).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
from dataclasses import asdict

from kg.config import Config

RESPAWN_S = 1.0    # both workers accept meanwhile, so no request is refused
KILL_S = 10        # in-flight requests of the old worker get this long to finish
_CONFIG_ENV = "KG_SERVE_CONFIG"
_ENDPOINT_ENV = "KG_SERVE_ENDPOINT"
_PARENT_ENV = "KG_SERVE_PARENT"     # Granian's main process, which its workers must not outlive


def run_server(config: Config, endpoint: str | None = None) -> None:
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings

    from kg.store import read_manifest

    read_manifest(config.data_dir)   # fail early, with the usual message, when nothing is built
    settings = {k: v for k, v in asdict(config).items() if k != "extra"}
    os.environ[_CONFIG_ENV] = json.dumps(settings)
    os.environ[_ENDPOINT_ENV] = endpoint or ""
    os.environ[_PARENT_ENV] = str(os.getpid())
    # Granian warns when there are more threads than 2 × cores + 1; ours spend their time in
    # pyoxigraph with the GIL released, so more threads than cores is the point
    logging.getLogger("_granian").addFilter(lambda record: "Python threads" not in record.getMessage())
    print(f"serving on http://{config.host}:{config.port}/  (SPARQL at /sparql)", flush=True)
    Granian("kg.server:wsgi_app", factory=True, interface=Interfaces.WSGI, address=config.host,
            port=config.port, workers=max(1, config.http_workers), blocking_threads=config.threads,
            http=HTTPModes.http1, websockets=False, http1_settings=HTTP1Settings(header_read_timeout=30_000),
            respawn_interval=RESPAWN_S, workers_kill_timeout=KILL_S, log_access=False).serve()


def wsgi_app():
    """The Flask app for Granian's worker process, from the settings `run_server` left."""
    from kg.backend import LocalBackend, RemoteBackend
    from kg.web import create_app

    _die_with_parent()
    config = Config(**json.loads(os.environ[_CONFIG_ENV]))
    endpoint = os.environ.get(_ENDPOINT_ENV) or None
    backend = RemoteBackend(config, endpoint) if endpoint else LocalBackend(config, on_runaway=_ask_for_replacement)
    atexit.register(backend.close)
    return create_app(config, backend)


_replacing = False


def _ask_for_replacement() -> None:
    """A query outran its time limit and cannot be cancelled: have Granian swap this worker out."""
    import signal
    global _replacing
    if not _replacing:
        _replacing = True
        os.kill(os.getppid(), signal.SIGHUP)


def _die_with_parent() -> None:
    """If Granian's main process is killed outright (SIGKILL), its worker would live on, orphaned,
    still answering on the port; on Linux, ask the kernel to end it with its parent."""
    import ctypes
    import signal
    import sys
    if not sys.platform.startswith("linux"):
        return
    try:
        # SIGKILL, not SIGTERM: Granian's worker handles SIGTERM as a graceful stop, which can wait
        # on a parent that is gone; the store is read-only, so nothing is lost
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    # the parent died before the call: the worker was re-parented (to init, or to a subreaper,
    # which is why the pid is compared with Granian's and not with 1)
    parent = os.environ.get(_PARENT_ENV)
    if os.getppid() == 1 or (parent and os.getppid() != int(parent)):
        os.kill(os.getpid(), signal.SIGKILL)


# In a Granian worker, bind its life to Granian's as soon as this module is imported, before the
# app's heavy imports: a worker killed while still starting up (seconds, on a loaded machine)
# must not finish starting as an orphan.
if os.environ.get(_PARENT_ENV) and os.environ[_PARENT_ENV] != str(os.getpid()):
    _die_with_parent()
