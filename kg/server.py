"""Runs the app under waitress: a production WSGI server, pure Python, threaded. Threads suit
this design because queries already run in their own killable worker processes; gunicorn's
forked workers would each need a pool of their own."""

from __future__ import annotations

import logging

from kg.config import Config


def run_server(config: Config, endpoint: str | None = None) -> None:
    import waitress

    from kg.backend import LocalBackend, RemoteBackend
    from kg.store import read_manifest
    from kg.web import create_app

    read_manifest(config.data_dir)   # fail early, with the usual message, when nothing is built
    backend = RemoteBackend(config, endpoint) if endpoint else LocalBackend(config)
    app = create_app(config, backend)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    print(f"serving on http://{config.host}:{config.port}/  (SPARQL at /sparql)", flush=True)
    try:
        waitress.serve(app, host=config.host, port=config.port, threads=config.threads,
                       channel_timeout=max(60, int(config.query_timeout_s) + 30), ident="soviets-kg")
    finally:
        backend.close()
