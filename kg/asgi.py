"""The WSGI app behind Granian's ASGI interface, so that waiting on a slow client holds no thread.

Under Granian's WSGI interface each request held one of the HTTP worker's `threads` from the
moment its headers arrived: a client that sent a body a byte at a time (or never read its
answer) kept that thread, and 16 such connections (2 workers × 8 threads) left every other
request waiting. Here the request body is read on the event loop, whole, up to
`max_body_bytes` and within BODY_READ_S; only then does the app run on a thread, with the body
in memory; and the answer is written from the event loop, the thread taking up only the work
of producing each part.
"""

from __future__ import annotations

import asyncio
import io
import sys
from concurrent.futures import ThreadPoolExecutor

from kg.web.body import TOO_LARGE, TOO_SLOW

BODY_READ_S = 10.0        # a whole request body must arrive within this long (then 408)
PART_BYTES = 256 * 1024   # answer parts handed from the thread to the event loop


class WsgiOnAsgi:
    """An ASGI app (Granian's `asginl` interface: no lifespan) that runs a WSGI app on threads."""

    def __init__(self, wsgi_app, threads: int, max_body_bytes: int):
        self.wsgi_app = wsgi_app
        self.max_body_bytes = max_body_bytes
        self.pool = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="kg-http")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        environ = self.environ(scope)
        try:
            # in HTTP/1.1 a request without Content-Length or Transfer-Encoding has no body
            chunked = environ.pop("kg.chunked", False)
            body = await asyncio.wait_for(self.read_body(receive, environ), BODY_READ_S) \
                if chunked or environ.get("CONTENT_LENGTH", "0") != "0" else b""
        except asyncio.TimeoutError:
            environ[TOO_SLOW] = True
            body = b""
        except ConnectionError:
            return                              # the client left before its body was whole
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        loop = asyncio.get_running_loop()
        started: list = []
        status, headers, part, done, result = await loop.run_in_executor(
            self.pool, self.start, environ, started)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        try:
            while not done:
                await send({"type": "http.response.body", "body": part, "more_body": True})
                part, done = await loop.run_in_executor(self.pool, self.pull, result)
            await send({"type": "http.response.body", "body": part, "more_body": False})
        finally:
            if not done:                        # the client left mid-answer: close it here
                await loop.run_in_executor(self.pool, self.close, result)

    async def read_body(self, receive, environ) -> bytes:
        """The request body, or b"" with TOO_LARGE set once it passes max_body_bytes."""
        declared = environ.get("CONTENT_LENGTH")
        if declared and declared.isdigit() and int(declared) > self.max_body_bytes:
            environ[TOO_LARGE] = True
            return b""
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ConnectionError("client disconnected")
            body += message.get("body", b"")
            if len(body) > self.max_body_bytes:
                environ[TOO_LARGE] = True
                return b""
            if not message.get("more_body", False):
                return bytes(body)

    def start(self, environ, started: list):
        """On a thread: run the app up to its first part of the answer."""
        def start_response(status, headers, exc_info=None):
            started[:] = [status, headers]
            return lambda data: sys.stderr.write("kg: write() callable not supported\n")

        answer = self.wsgi_app(environ, start_response)
        result = [answer, iter(answer)]
        part, done = self.pull(result)
        status, headers = started
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        return int(status.split(" ", 1)[0]), raw, part, done, result

    @classmethod
    def pull(cls, result) -> tuple[bytes, bool]:
        """On a thread: the next parts of the answer, up to PART_BYTES, and whether it ended (an
        answer that ended is closed on the same thread, not in another hand-over)."""
        parts, size = [], 0
        for chunk in result[1]:
            parts.append(chunk)
            size += len(chunk)
            if size >= PART_BYTES:
                return b"".join(parts), False
        cls.close(result)
        return b"".join(parts), True

    @staticmethod
    def close(result) -> None:
        """On a thread: PEP 3333's close() of the app's answer, once it is done with."""
        if hasattr(result[0], "close"):
            result[0].close()

    @staticmethod
    def environ(scope) -> dict:
        """PEP 3333's environ from an ASGI scope (the body is added once read)."""
        server = scope.get("server") or ("localhost", 80)
        client = scope.get("client") or ("", 0)
        environ = {
            "REQUEST_METHOD": scope["method"],
            "SCRIPT_NAME": scope.get("root_path", "").encode("utf-8").decode("latin-1"),
            "PATH_INFO": scope["path"].encode("utf-8").decode("latin-1"),
            "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
            "SERVER_NAME": str(server[0]),
            "SERVER_PORT": str(server[1]),
            "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
            "REMOTE_ADDR": client[0],
            "REMOTE_PORT": str(client[1]),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scope.get("scheme", "http"),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        for name, value in scope.get("headers", []):
            key = name.decode("latin-1").upper().replace("-", "_")
            text = value.decode("latin-1")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = text
            elif key == "CONTENT_LENGTH":
                environ["CONTENT_LENGTH"] = text
            elif key == "TRANSFER_ENCODING":
                environ["kg.chunked"] = True    # the body is read whole before the app sees it
            else:
                key = "HTTP_" + key
                environ[key] = f"{environ[key]},{text}" if key in environ else text
        return environ
