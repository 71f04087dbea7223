"""Every route answers a bad request with the one error contract: text/plain, or JSON
{"ok": false, "error": …, "status": …} when the client asks for JSON."""

import pytest

BAD = [
    ("GET", "/sparql?query=SELECT", 400),
    ("GET", "/sparql?query=ASK{}&format=pdf", 406),       # with Accept: application/json, JSON wins (below)
    ("GET", "/sparql?query=ASK{}&query=ASK{}", 400),
    ("GET", "/sparql?query=ASK{}&update=CLEAR%20ALL", 400),
    ("GET", "/sparql?query=%FF", 400),
    ("POST", "/sparql", 415),
    ("GET", "/id/no-such-entity", 404),
    ("GET", "/source/no-such-source", 404),
    ("GET", "/statement/x/y", 404),
    ("GET", "/graph", 400),
    ("GET", "/graph?graph=urn:none", 404),
    ("DELETE", "/graph?default", 403),
    ("GET", "/dumps/secret.txt", 404),
    ("GET", "/queries/no-such-query", 404),
    ("GET", "/no/such/route", 404),
    ("GET", "/source/petit-2000?highlight=abc", 400),
]


# An unknown format= gives way to an Accept header that names a type we serve.
JSON_STATUS = {"/sparql?query=ASK{}&format=pdf": 200}


@pytest.mark.parametrize("method, path, status", BAD, ids=[f"{m} {p}" for m, p, _ in BAD])
def test_error_contract(client, method, path, status):
    r = client.open(path, method=method, data=b"x" if method == "POST" else None,
                    content_type="text/plain" if method == "POST" else None)
    assert r.status_code == status
    assert r.mimetype == "text/plain" and r.get_data(as_text=True).strip()
    r = client.open(path, method=method, headers={"Accept": "application/json"},
                    data=b"x" if method == "POST" else None, content_type="text/plain" if method == "POST" else None)
    if path in JSON_STATUS:
        assert r.status_code == JSON_STATUS[path] and r.get_json()["boolean"] is True
        return
    body = r.get_json()
    assert r.status_code == status and body == {"ok": False, "error": body["error"], "status": status}
