"""Runs the app under Granian, a WSGI server whose HTTP and socket work is done in Rust.

Measured on the point look-up over loopback, it costs about half of what waitress cost per
request (waitress hands each request and each response between its event-loop thread and a task
thread in Python); bench/bench.py shows the figures. The Python side stays simple: one server
process with `threads` blocking threads, whose queries run in killable worker processes
(kg.worker), so a thread never waits past the query time limit.

Granian imports the app in its own worker process, so the settings travel there in the
environment (`wsgi_app` is the factory it calls).
"""

from __future__ import annotations

import atexit
import json
import os
from dataclasses import asdict

from kg.config import Config

_CONFIG_ENV = "KG_SERVE_CONFIG"
_ENDPOINT_ENV = "KG_SERVE_ENDPOINT"


def run_server(config: Config, endpoint: str | None = None) -> None:
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings

    from kg.store import read_manifest

    read_manifest(config.data_dir)   # fail early, with the usual message, when nothing is built
    settings = {k: v for k, v in asdict(config).items() if k != "extra"}
    os.environ[_CONFIG_ENV] = json.dumps(settings)
    os.environ[_ENDPOINT_ENV] = endpoint or ""
    print(f"serving on http://{config.host}:{config.port}/  (SPARQL at /sparql)", flush=True)
    Granian("kg.server:wsgi_app", factory=True, interface=Interfaces.WSGI, address=config.host,
            port=config.port, workers=1, blocking_threads=config.threads, http=HTTPModes.http1,
            websockets=False, http1_settings=HTTP1Settings(header_read_timeout=30_000),
            workers_kill_timeout=max(10, int(config.query_timeout_s) + 5),
            log_access=False).serve()


def wsgi_app():
    """The Flask app for Granian's worker process, from the settings `run_server` left."""
    from kg.backend import LocalBackend, RemoteBackend
    from kg.web import create_app

    _die_with_parent()
    config = Config(**json.loads(os.environ[_CONFIG_ENV]))
    endpoint = os.environ.get(_ENDPOINT_ENV) or None
    backend = RemoteBackend(config, endpoint) if endpoint else LocalBackend(config)
    atexit.register(backend.close)
    return create_app(config, backend)


def _die_with_parent() -> None:
    """If Granian's main process is killed outright (SIGKILL), its worker would live on, orphaned,
    still answering on the port; on Linux, ask the kernel to end it with its parent."""
    import ctypes
    import signal
    import sys
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:          # the parent died before the call
        os.kill(os.getpid(), signal.SIGTERM)
