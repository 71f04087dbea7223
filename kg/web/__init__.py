"""The HTTP interface: create_app(config) registers the blueprints, the error handler, CORS,
caching headers and compression. The store is opened once per app, through a backend."""

from __future__ import annotations

from flask import Flask, request

from kg import __version__
from kg.config import Config


def create_app(config: Config | None = None, backend=None) -> Flask:
    from kg.config import load_config
    from kg.web import (body, browse, dumps, errors, graphstore, headers, pages, reconcile, resources, search,
                        sparql)

    config = config or load_config()
    app = Flask(__name__)
    app.config["KG"] = config
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.wsgi_app = body.BodyLimit(app.wsgi_app, config.max_body_bytes)
    app.before_request(lambda: body.refuse_unread_body(request.environ, config.max_body_bytes))
    if backend is None:
        from kg.backend import LocalBackend
        backend = LocalBackend(config)
    app.extensions["kg_backend"] = backend
    from kg.result_cache import ResultCache
    app.extensions["kg_result_cache"] = ResultCache(config.result_cache_bytes) if config.result_cache_bytes else None
    app.jinja_env.globals["version"] = __version__
    errors.register(app)
    headers.register(app)
    compress_static(app)
    for bp in (sparql.bp, graphstore.bp, resources.bp, dumps.bp, pages.bp, search.bp, reconcile.bp, browse.bp):
        app.register_blueprint(bp)
    return app


def compress_static(app: Flask) -> None:
    """Serve the scripts and stylesheets of static/ gzipped (the editor's bundle shrinks to a third),
    compressed once per file version; headers.py leaves streamed files alone."""
    import gzip

    import os

    from flask import request
    from werkzeug.security import safe_join

    cache: dict[tuple[str, int], bytes] = {}

    @app.after_request
    def gzip_static(resp):
        if (request.endpoint != "static" or request.method != "GET" or resp.status_code != 200
                or "gzip" not in request.headers.get("Accept-Encoding", "")
                or not request.path.endswith((".js", ".css"))):
            return resp
        path = safe_join(app.static_folder, request.view_args["filename"])
        if path is None:
            return resp
        key = (path, os.stat(path).st_mtime_ns)
        if key not in cache:
            with open(path, "rb") as f:
                cache[key] = gzip.compress(f.read(), compresslevel=6)
        resp.close()                     # the file it would have streamed
        resp.direct_passthrough = False
        resp.set_data(cache[key])
        resp.headers["Content-Encoding"] = "gzip"
        resp.headers.add("Vary", "Accept-Encoding")
        etag, _ = resp.get_etag()
        if etag:                         # weak, as nginx does: the same file, another encoding
            resp.set_etag(etag, weak=True)
        return resp
