"""/dumps/: the build's dump files, streamed from disk (Range, HEAD, ETag), and the VoID description."""

from __future__ import annotations

import re

from flask import Blueprint, Response, jsonify, render_template, request, send_file, url_for

from kg import formats
from kg.errors import NotFound
from kg.void import void_turtle
from kg.web.rdfdoc import backend

bp = Blueprint("dumps", __name__)
_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
MEDIA = {".ttl": "text/turtle", ".nq": "application/n-quads", ".trig": "application/trig",
         ".gz": "application/gzip", ".json": "application/json"}


def listing() -> list[dict]:
    manifest = backend().manifest()
    return [dict(name=name, url=url_for("dumps.dump_file", name=name, _external=True), **info)
            for name, info in sorted(manifest["files"].items())]


@bp.route("/dumps/")
def dumps_index():
    files = listing()
    fmt = formats.negotiate(request.headers.get("Accept") or "text/html", "results", html=True,
                            default=formats.HTML) if not request.args.get("format") else \
        formats.by_name("results", request.args["format"], html=True)
    if fmt.name == "json":
        return jsonify({"build": backend().manifest()["build_id"], "files": files})
    return render_template("dumps.html", files=files, manifest=backend().manifest())


@bp.route("/dumps/<name>")
def dump_file(name):
    # Only plain file names listed in the build manifest: no '..', no '/', no encoded variants.
    if not _NAME.match(name) or ".." in name or name not in backend().manifest()["files"]:
        raise NotFound(f"no dump file {name!r}")
    path = backend().dumps_dir() / name
    suffix = path.suffix
    mimetype = MEDIA.get(suffix, "application/octet-stream")
    resp = send_file(path, mimetype=mimetype, conditional=True, etag=True, max_age=3600)
    return resp


@bp.route("/.well-known/void")
@bp.route("/void")
def void():
    manifest = backend().manifest()
    ttl = void_turtle(manifest, manifest["partitions"], url_for("dumps.dumps_index", _external=True),
                      url_for("sparql.sparql", _external=True))
    name = request.args.get("format")
    fmt = formats.by_name("graph", name) if name else formats.negotiate(
        request.headers.get("Accept"), "graph", default=formats.GRAPHS[0])
    if fmt.name == "turtle":
        return Response(ttl, content_type="text/turtle; charset=utf-8")
    import pyoxigraph as ox
    body = formats.finish(fmt, ox.serialize(ox.parse(ttl.encode(), ox.RdfFormat.TURTLE), format=fmt.ox_format))
    return Response(body, content_type=fmt.media_type)


@bp.route("/shapes")
def shapes():
    """The SHACL shapes (shape IRIs are <base>shapes#Name), as Turtle."""
    return send_file(backend().dumps_dir() / "shapes.ttl", mimetype="text/turtle", conditional=True)
