"""The one place errors become HTTP responses: JSON when the client wants JSON, else text/plain."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from kg.errors import KgError

log = logging.getLogger("kg.web")


def wants_json() -> bool:
    accept = request.accept_mimetypes
    return accept.best_match(["application/json", "text/plain", "text/html"]) == "application/json" \
        and accept["application/json"] > accept["text/plain"]


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
