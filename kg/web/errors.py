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


def error_response(status: int, message: str):
    if wants_json():
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
