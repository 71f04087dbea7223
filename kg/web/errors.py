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


def not_found_page(message: str, gone: bool = False):
    """A 404 or 410 for people: what is not (or no longer) here, and a search for what they may have meant."""
    from flask import render_template
    return render_template("not_found.html", message=message, guess=search_guess(), gone=gone)


def search_guess() -> str:
    """The words of the request's last path segment, without a statement id's content hash."""
    words = request.path.rstrip("/").rsplit("/", 1)[-1].replace("_", "-").split("-")
    if len(words) > 1 and re.fullmatch(r"[0-9a-f]{8}", words[-1]):
        words.pop()
    return " ".join(words)


def error_response(status: int, message: str):
    message = without_paths(message)
    if status in (404, 410) and wants_html():
        resp = Flask.response_class(not_found_page(message, gone=status == 410), mimetype="text/html")
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
