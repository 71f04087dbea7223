"""/sparql: SPARQL 1.1 Protocol, content negotiation, read-only, errors."""

import json

import pytest

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://w3id.org/soviets/ontology#Faction> ; ?p ?o }"


def count(client) -> int:
    r = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "application/sparql-results+json"})
    return int(r.get_json()["results"]["bindings"][0]["n"]["value"])


def test_get_select_json(client):
    r = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.mimetype == "application/sparql-results+json"
    assert count(client) > 40000


def test_post_form_and_post_direct_agree(client):
    a = client.post("/sparql", data={"query": COUNT}, headers={"Accept": "text/csv"})
    b = client.post("/sparql", data=COUNT, content_type="application/sparql-query", headers={"Accept": "text/csv"})
    assert a.status_code == b.status_code == 200
    assert a.data == b.data and a.mimetype == "text/csv"


@pytest.mark.parametrize("accept, mimetype", [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, application/sparql-results+json", "application/sparql-results+json"),
    ("text/csv;q=0.9, application/sparql-results+json;q=0.1", "text/csv"),
    ("*/*", "application/sparql-results+json"),
    ("text/*", "text/csv"),
    ("application/json", "application/sparql-results+json"),
])
def test_select_content_negotiation(client, accept, mimetype):
    r = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == mimetype


@pytest.mark.parametrize("fmt, mimetype", [("json", "application/sparql-results+json"), ("csv", "text/csv"),
                                           ("tsv", "text/tab-separated-values"), ("xml", "application/sparql-results+xml")])
def test_format_parameter_wins(client, fmt, mimetype):
    r = client.get("/sparql", query_string={"query": COUNT, "format": fmt}, headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.mimetype == mimetype


@pytest.mark.parametrize("accept, mimetype", [("text/turtle", "text/turtle"), ("application/n-triples", "application/n-triples"),
                                              ("application/ld+json", "application/ld+json"), ("application/rdf+xml", "application/rdf+xml")])
def test_construct_content_negotiation(client, accept, mimetype):
    r = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == mimetype and len(r.data) > 100


def test_ask_and_describe(client):
    r = client.get("/sparql", query_string={"query": "ASK { ?s a <https://w3id.org/soviets/ontology#Person> }"},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.get_json()["boolean"] is True
    r = client.get("/sparql", query_string={"query": "DESCRIBE <https://w3id.org/soviets/id/trotsky>"},
                   headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and b"Leon Trotsky" in r.data


def test_unsupported_accept_is_406(client):
    r = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "image/png"})
    assert r.status_code == 406


def test_malformed_query_is_400_with_parser_message(client):
    r = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p "})
    assert r.status_code == 400 and b"syntax error" in r.data


def test_wrong_content_type_is_415(client):
    r = client.post("/sparql", data="x", content_type="text/plain")
    assert r.status_code == 415


def test_get_without_query_is_the_service_description(client):
    r = client.get("/sparql")
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    assert b"sd:Service" in r.data and b"sd:UnionDefaultGraph" in r.data


@pytest.mark.parametrize("how", ["form-update", "direct-update", "query-param-insert", "load", "drop"])
def test_updates_are_refused_and_the_data_is_unchanged(client, how):
    before = count(client)
    if how == "form-update":
        r = client.post("/sparql", data={"update": "DELETE WHERE { ?s ?p ?o }"})
    elif how == "direct-update":
        r = client.post("/sparql", data="INSERT DATA { <urn:a> <urn:b> <urn:c> }", content_type="application/sparql-update")
    elif how == "query-param-insert":
        r = client.post("/sparql", data={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    elif how == "load":
        r = client.post("/sparql", data={"update": "LOAD <http://example.org/x.ttl>"})
    else:
        r = client.get("/sparql", query_string={"query": "DROP ALL"})
    assert r.status_code == 403 and b"read-only" in r.data
    assert count(client) == before


def test_default_and_named_graph_parameters(client):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    registry = "https://w3id.org/soviets/graph/registry"
    r = client.get("/sparql", query_string={"query": q, "default-graph-uri": registry},
                   headers={"Accept": "application/sparql-results+json"})
    only_registry = int(r.get_json()["results"]["bindings"][0]["n"]["value"])
    assert 0 < only_registry < count(client)
    q2 = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = client.get("/sparql", query_string={"query": q2, "named-graph-uri": registry},
                   headers={"Accept": "application/sparql-results+json"})
    assert [b["g"]["value"] for b in r.get_json()["results"]["bindings"]] == [registry]


def test_cors_and_preflight(client):
    r = client.get("/sparql", query_string={"query": COUNT})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    r = client.options("/sparql", headers={"Origin": "http://example.org", "Access-Control-Request-Method": "POST"})
    assert r.status_code == 200 and "POST" in r.headers["Access-Control-Allow-Methods"]


def test_etag_and_304(client):
    r = client.get("/sparql", query_string={"query": COUNT})
    etag = r.headers["ETag"]
    assert r.headers.get("Last-Modified")
    again = client.get("/sparql", query_string={"query": COUNT}, headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_gzip_for_large_responses(client):
    r = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept-Encoding": "gzip", "Accept": "text/turtle"})
    assert r.headers.get("Content-Encoding") == "gzip"
    import gzip
    assert b"Bolsheviks" in gzip.decompress(r.data)


def test_error_body_is_json_when_asked(client):
    r = client.get("/sparql", query_string={"query": "SELECT"}, headers={"Accept": "application/json"})
    body = json.loads(r.data)
    assert r.status_code == 400 and body["ok"] is False and body["status"] == 400 and body["error"]


@pytest.mark.parametrize("service", [
    "<http://127.0.0.1:8000/sparql>",
    "<http://169.254.169.254/latest/meta-data>",
    "?endpoint",
    "ex:sparql",
])
def test_service_outside_the_allow_list_is_refused(client, service):
    q = f"PREFIX ex: <http://internal.example/> SELECT * WHERE {{ SERVICE {service} {{ ?s ?p ?o }} }}"
    r = client.get("/sparql", query_string={"query": q})
    assert r.status_code == 403 and b"not allowed" in r.data


def test_service_in_a_string_or_comment_is_not_a_service(client):
    q = 'SELECT ?x WHERE { BIND("SERVICE <http://evil/>" AS ?x) } # SERVICE <http://evil/>'
    assert client.get("/sparql", query_string={"query": q}).status_code == 200
