"""The HTTP interface: create_app(config) registers the blueprints, the error handler, CORS,
caching headers and compression. The store is opened once per app, through a backend."""

from __future__ import annotations

from flask import Flask

from kg import __version__
from kg.config import Config


def create_app(config: Config | None = None, backend=None) -> Flask:
    from kg.config import load_config
    from kg.web import dumps, errors, graphstore, headers, pages, resources, sparql

    config = config or load_config()
    app = Flask(__name__)
    app.config["KG"] = config
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    if backend is None:
        from kg.backend import LocalBackend
        backend = LocalBackend(config)
    app.extensions["kg_backend"] = backend
    app.jinja_env.globals["version"] = __version__
    errors.register(app)
    headers.register(app)
    for bp in (sparql.bp, graphstore.bp, resources.bp, dumps.bp, pages.bp):
        app.register_blueprint(bp)
    return app
