"""The one place errors become HTTP responses: JSON when the client wants JSON, else text/plain."""

from __future__ import annotations

import logging
import os
import re

from flask import Flask, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from kg.errors import KgError

log = logging.getLogger("kg.web")


def wants_json() -> bool:
    accept = request.accept_mimetypes
    return accept.best_match(["application/json", "text/plain", "text/html"]) == "application/json" \
        and accept["application/json"] > accept["text/plain"]


# a file-system path: a slash-separated run not preceded by a scheme, host or word character
_ABSOLUTE_PATH = re.compile(r"(?<![\w:/.~-])/(?:[\w.~-]+/)+[\w.~-]+/?")
_DIR_SETTINGS = ("data_dir", "sources_dir", "queries_dir", "ontology_dir", "shapes_dir")


def without_paths(message: str) -> str:
    """The message with the server's file-system paths taken out: a configured folder becomes
    its setting's name (`data_dir/current/store`), any other absolute path its last name."""
    config = current_app.config.get("KG")
    folders = {(norm(getattr(config, n)).rstrip("/"), n) for n in _DIR_SETTINGS if config
               for norm in (os.path.realpath, os.path.abspath)}
    for folder, name in sorted((f for f in folders if len(f[0]) > 1), key=lambda pair: -len(pair[0])):
        message = message.replace(folder, name)
    return _ABSOLUTE_PATH.sub(lambda m: os.path.basename(m.group(0).rstrip("/")) or "/", message)


def wants_html() -> bool:
    """A browser: it names text/html and prefers it to JSON and plain text."""
    accept = request.accept_mimetypes
    return "text/html" in accept.values() and accept.best_match(
        ["text/html", "application/json", "text/plain"]) == "text/html"


def not_found_page(message: str):
    """A 404 for people: what was not found, and a search for what they may have meant."""
    from flask import render_template
    words = request.path.rstrip("/").rsplit("/", 1)[-1].replace("-", " ").replace("_", " ")
    return render_template("not_found.html", message=message, guess=words)


def error_response(status: int, message: str):
    message = without_paths(message)
    if status == 404 and wants_html():
        resp = Flask.response_class(not_found_page(message), mimetype="text/html")
    elif wants_json():
        resp = jsonify({"ok": False, "error": message, "status": status})
    else:
        resp = Flask.response_class(message.rstrip("\n") + "\n", mimetype="text/plain")
    resp.status_code = status
    return resp


def register(app: Flask) -> None:
    @app.errorhandler(KgError)
    def kg_error(exc: KgError):
        if exc.status >= 500 and exc.status != 503:
            log.exception("internal error")
        return error_response(exc.status, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return error_response(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unexpected error")
        return error_response(500, "internal server error")
