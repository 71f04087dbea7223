"""Request bodies held to `max_body_bytes`, those sent chunked (without Content-Length) included.

Werkzeug reads a chunked body only up to the limit and hands the cut body on as if it were whole,
so a query could run with its end missing. This WSGI middleware reads such a body first, up to
one byte past the limit: a body that fits is passed on with its length; a longer one is dropped
and the request answered 413 through the usual error handler.
"""

from __future__ import annotations

import io

from kg.errors import KgError, PayloadTooLarge

TOO_LARGE = "kg.body_too_large"
TOO_SLOW = "kg.body_too_slow"     # set by kg.asgi when a body did not arrive in time
_READ = 64 * 1024


class BodyTimeout(KgError):
    """The request body did not arrive whole within the time allowed (408)."""

    status = 408
    exit_code = 2


class BodyLimit:
    def __init__(self, wsgi_app, max_bytes: int):
        self.wsgi_app = wsgi_app
        self.max_bytes = max_bytes

    def __call__(self, environ, start_response):
        # HTTP/1.1 (all `kg serve` speaks) has a body without Content-Length only when chunked
        if not environ.get("CONTENT_LENGTH") and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            body = bytearray()
            stream = environ["wsgi.input"]
            while len(body) <= self.max_bytes:
                data = stream.read(min(_READ, self.max_bytes + 1 - len(body)))
                if not data:
                    break
                body += data
            if len(body) > self.max_bytes:
                environ[TOO_LARGE] = True
                body = bytearray()
            environ["wsgi.input"] = io.BytesIO(bytes(body))
            environ["CONTENT_LENGTH"] = str(len(body))
            # the body is whole now: werkzeug reads Content-Length only without a chunked coding
            environ.pop("wsgi.input_terminated", None)
            environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.wsgi_app(environ, start_response)


def refuse_unread_body(environ, max_bytes: int) -> None:
    """Called before every request: the 413 for a body dropped for its size, the 408 for one
    that came too slowly."""
    if environ.get(TOO_SLOW):
        from kg.asgi import BODY_READ_S
        raise BodyTimeout(f"the request body did not arrive within {BODY_READ_S:g} s")
    if environ.get(TOO_LARGE):
        raise PayloadTooLarge(f"the request body is larger than max_body_bytes ({max_bytes} bytes)")
