"""Headers every response gets: CORS on every read route, `nosniff` and a Content-Security-Policy,
`Vary: Accept` where the answer is negotiated, caching validators from the build, and gzip for
large bodies."""

from __future__ import annotations

import gzip
from datetime import datetime

from flask import Flask, current_app, request

GZIP_MIN_BYTES = 1400        # below one packet, compression buys nothing
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type, Range, If-None-Match, If-Modified-Since",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Content-Length, Content-Range, Content-Disposition, X-Cache",
    "Access-Control-Max-Age": "86400",
}
# Every script and stylesheet is served from here (the vendored libraries included), and the
# query page fetches only /sparql. Inline styles stay allowed: the templates position timeline
# marks with style attributes, and CodeMirror, vis-timeline and Cytoscape.js set styles at run time.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
                               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "same-origin",
}


def build_info():
    """(build id, build time) of the store being served, or (None, None) before any build."""
    try:
        m = current_app.extensions["kg_backend"].manifest()
    except Exception:
        return None, None
    return m["build_id"], datetime.fromisoformat(m["created"])


def register(app: Flask) -> None:
    @app.after_request
    def add_headers(resp):
        resp.headers.update(CORS_HEADERS)
        resp.headers.update(SECURITY_HEADERS)
        if request.endpoint != "static" and "Accept" not in resp.vary:
            # pages, RDF and errors alike are chosen by Accept (HTML or RDF; JSON or text errors)
            resp.vary.add("Accept")
        if request.method == "OPTIONS":
            resp.headers.setdefault("Allow", "GET, HEAD, POST, OPTIONS")
            return resp
        if resp.direct_passthrough or resp.is_streamed or resp.status_code != 200:
            return resp
        if request.method in ("GET", "HEAD") and "ETag" not in resp.headers:
            build_id, built = build_info()
            if build_id:
                import hashlib
                key = hashlib.sha1(f"{request.full_path}|{request.headers.get('Accept', '')}".encode())
                resp.set_etag(f"{build_id}-{key.hexdigest()[:16]}", weak=True)
                resp.last_modified = built
                resp.make_conditional(request)
                if resp.status_code == 304:
                    return resp
        if "gzip" in request.headers.get("Accept-Encoding", "") and "Content-Encoding" not in resp.headers:
            data = resp.get_data()
            if len(data) >= GZIP_MIN_BYTES:
                resp.set_data(gzip.compress(data, compresslevel=5))
                resp.headers["Content-Encoding"] = "gzip"
                resp.headers.add("Vary", "Accept-Encoding")
        return resp
