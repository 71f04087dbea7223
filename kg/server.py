"""Runs the app under Granian, a server whose HTTP and socket work is done in Rust (the WSGI app
behind its ASGI interface, kg.asgi), and supervises what it starts.

Measured on the point look-up over loopback, Granian costs about half of what waitress cost per
request (bench/bench.py). `http_workers` HTTP worker processes (each its own GIL) take the
requests; each hands every query to one of its executor processes (kg.pool, kg.executor), so a
runaway query is killed with its process and an engine crash ends only its own request.

Supervision: Granian respawns an HTTP worker that dies (`respawn_failed_workers`); an HTTP
worker and its executors end when their parent ends, however it ends (SIGKILL included), by
the kernel's parent-death signal and a watchdog thread. A port already in use is refused
before Granian starts (Granian binds with SO_REUSEPORT and would share it silently).

Granian imports the app in its own worker process, so the settings travel there in the
environment (`asgi_app` is the factory it calls).
"""

from __future__ import annotations

import atexit
import errno
import json
import logging
import os
import socket
import threading
import time
from dataclasses import asdict

from kg.config import Config
from kg.errors import KgError

KILL_S = 10        # on shutdown, in-flight requests get this long to finish
# Idle connections cost Granian little, but each holds one of its per-worker connection
# permits ("backpressure"): with the default (backlog / workers = 512) a thousand connections
# that never send a request left new ones waiting until the header timeout freed permits.
BACKPRESSURE = 16_384
HEADER_READ_MS = 5_000   # a client has 5 s to send its request headers
WATCH_S = 0.5            # how often an HTTP worker checks that `kg serve` still lives
_CONFIG_ENV = "KG_SERVE_CONFIG"
_ENDPOINT_ENV = "KG_SERVE_ENDPOINT"
_PARENT_ENV = "KG_SERVE_PARENT"


class PortInUse(KgError):
    """Another process listens on the address `kg serve` was asked to use."""

    status = 503
    exit_code = 3


def check_port_free(host: str, port: int) -> None:
    """Bind the address the plain way (SO_REUSEADDR, which ignores closed connections, but not
    SO_REUSEPORT, which would let us share a live listener) and let it go again."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise PortInUse(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(f"port {port} on {host} is already in use: is another `kg serve` running?") from None
            raise PortInUse(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def run_server(config: Config, endpoint: str | None = None) -> None:
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings

    from kg.store import read_manifest

    read_manifest(config.data_dir)   # fail early, with the usual message, when nothing is built
    check_port_free(config.host, config.port)
    settings = {k: v for k, v in asdict(config).items() if k != "extra"}
    os.environ[_CONFIG_ENV] = json.dumps(settings)
    os.environ[_ENDPOINT_ENV] = endpoint or ""
    os.environ[_PARENT_ENV] = str(os.getpid())
    # Granian warns when there are more threads than 2 × cores + 1; ours spend their time
    # waiting for an executor's answer, so more threads than cores is the point
    logging.getLogger("_granian").addFilter(lambda record: "Python threads" not in record.getMessage())
    print(f"serving on http://{config.host}:{config.port}/  (SPARQL at /sparql)", flush=True)
    Granian("kg.server:asgi_app", factory=True, interface=Interfaces.ASGINL, address=config.host,
            port=config.port, workers=max(1, config.http_workers),
            backpressure=BACKPRESSURE, http=HTTPModes.http1, websockets=False,
            http1_settings=HTTP1Settings(header_read_timeout=HEADER_READ_MS),
            respawn_failed_workers=True, workers_kill_timeout=KILL_S, log_access=False).serve()


def asgi_app():
    """The app for Granian's worker process: the WSGI app on threads, its requests' bodies read and
    its answers written by the event loop (kg.asgi), so that a slow client holds no thread."""
    from kg.asgi import WsgiOnAsgi
    config = Config(**json.loads(os.environ[_CONFIG_ENV]))
    return WsgiOnAsgi(wsgi_app(config), config.threads, config.max_body_bytes)


def wsgi_app(config: Config):
    """The WSGI app for Granian's worker process, with the settings `run_server` left."""
    from kg.backend import IsolatedBackend, RemoteBackend
    from kg.web import create_app

    die_with_parent(int(os.environ[_PARENT_ENV]))
    endpoint = os.environ.get(_ENDPOINT_ENV) or None
    backend = RemoteBackend(config, endpoint) if endpoint else IsolatedBackend(config)
    atexit.register(backend.close)
    app = create_app(config, backend)
    register_busy(app)
    return with_client_address(app)


def register_busy(app) -> None:
    """A refused query (429 or 503 busy) says when to come back."""
    from kg.pool import Busy
    from kg.web.errors import error_response

    @app.errorhandler(Busy)
    def busy(exc: Busy):
        resp = error_response(exc.status, exc.message)
        resp.headers["Retry-After"] = str(exc.retry_after)
        return resp


def with_client_address(app):
    """The WSGI app, telling the executor pool which client each request comes from."""
    from kg.pool import client_address

    def wsgi(environ, start_response):
        token = client_address.set(environ.get("REMOTE_ADDR"))
        try:
            return app(environ, start_response)
        finally:
            client_address.reset(token)
    return wsgi


def die_with_parent(parent_pid: int) -> None:
    """If `kg serve` is killed outright (SIGKILL), its HTTP worker would live on, orphaned, still
    answering on the port. Called on the worker's main thread, whose parent-death signal lasts as
    long as the process (the kernel keeps it per thread); the watchdog covers the rest."""
    import ctypes
    import sys
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, 9)     # PR_SET_PDEATHSIG, SIGKILL
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:      # the parent died before the call
        os._exit(70)

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(WATCH_S)
        os._exit(70)

    threading.Thread(target=watch, name="kg-parent-watch", daemon=True).start()
