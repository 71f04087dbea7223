"""kg.asgi, the WSGI app behind Granian's ASGI interface: bodies read whole before the app runs,
a body too slow or too large refused, answers of any size written whole."""

import asyncio

import pytest

from kg import asgi


def call(app, scope_extra, messages, delay=0.0):
    """Run the ASGI app on one request; (status, headers, body)."""
    sent = []

    async def receive():
        if messages:
            await asyncio.sleep(delay)
            return messages.pop(0)
        await asyncio.sleep(3600)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": [],
             "server": ("127.0.0.1", 8000), "client": ("127.0.0.9", 5555), "http_version": "1.1"}
    scope.update(scope_extra)
    asyncio.run(app(scope, receive, send))
    start = sent[0]
    return start["status"], dict(start["headers"]), b"".join(m.get("body", b"") for m in sent[1:])


@pytest.fixture(scope="module")
def bridge(app):
    return asgi.WsgiOnAsgi(app, threads=2, max_body_bytes=app.config["KG"].max_body_bytes)


def post(query: bytes, parts: int = 3):
    size = len(query) // parts + 1
    chunks = [query[i:i + size] for i in range(0, len(query), size)]
    return [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]


SPARQL_POST = {"method": "POST", "path": "/sparql",
               "headers": [(b"content-type", b"application/sparql-query"), (b"accept", b"text/csv"),
                           (b"transfer-encoding", b"chunked")]}


def test_a_body_in_parts_is_read_whole(bridge):
    status, headers, body = call(bridge, SPARQL_POST, post(b"SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    assert status == 200 and int(body.split()[1]) > 1000


def test_a_body_slower_than_the_limit_is_a_408(bridge, monkeypatch):
    monkeypatch.setattr(asgi, "BODY_READ_S", 0.2)
    status, _, body = call(bridge, SPARQL_POST, post(b"ASK {}", parts=6), delay=0.1)
    assert status == 408 and b"did not arrive within 0.2 s" in body


def test_a_body_over_max_body_bytes_is_a_413_without_a_content_length(bridge):
    big = b"ASK {} #" + b"x" * (bridge.max_body_bytes + 10)
    status, _, _ = call(bridge, SPARQL_POST, post(big, parts=20))
    assert status == 413


def test_an_answer_larger_than_a_part_comes_whole(bridge):
    status, headers, body = call(bridge, {"path": "/dumps/kg.nq"}, [])
    assert status == 200 and len(body) == int(headers[b"content-length"]) > asgi.PART_BYTES


def test_the_client_address_and_the_query_string_reach_the_app(bridge):
    status, _, body = call(bridge, {"path": "/sparql", "query_string": b"query=ASK%7B%7D&format=json"}, [])
    assert status == 200 and b'"boolean":true' in body.replace(b" ", b"")
