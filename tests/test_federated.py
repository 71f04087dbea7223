"""Federated queries (queries/federated/) run with their Wikidata SERVICE pointed at the stand-in."""

import json

import pytest

from kg.config import PROJECT_ROOT
from kg.queries import parse_query_file
from kg.sparql import ServiceFailed, ServiceNotAllowed, check_services
from tests.wikidata_standin import WIKIDATA_SPARQL, run_federated

FEDERATED = sorted((PROJECT_ROOT / "queries" / "federated").glob("*.rq"))


def rows(body: bytes) -> list[dict]:
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(body)["results"]["bindings"]]


def test_there_are_federated_examples_each_with_title_and_description():
    assert len(FEDERATED) >= 2
    for path in FEDERATED:
        q = parse_query_file(path)
        assert q.meta.get("title") and q.meta.get("description"), path.name
        assert f"SERVICE <{WIKIDATA_SPARQL}>" in q.text, path.name


@pytest.mark.parametrize("path", FEDERATED, ids=[p.stem for p in FEDERATED])
def test_federated_examples_call_only_the_allow_listed_wikidata_endpoint(path):
    check_services(path.read_text(encoding="utf-8"), (WIKIDATA_SPARQL,))
    with pytest.raises(ServiceNotAllowed):
        check_services(path.read_text(encoding="utf-8"), ("https://example.org/sparql",))


@pytest.mark.parametrize("path", FEDERATED, ids=[p.stem for p in FEDERATED])
def test_federated_example_joins_wikidata_through_our_links(path, built_corpus, standin):
    config = built_corpus[0].with_(service_allowlist=standin.sparql_url)
    got = rows(run_federated(config, path.read_text(encoding="utf-8"), standin.sparql_url))
    assert got, "the join gives rows"
    assert [api for api, _ in standin.requests] == ["sparql"], "Oxigraph asked the stand-in once"
    assert all(v.startswith("https://w3id.org/soviets/id/") for r in got for k, v in r.items()
               if k in ("person", "body", "party"))


def test_party_membership_keeps_only_linked_persons(built_corpus, standin):
    config = built_corpus[0].with_(service_allowlist=standin.sparql_url)
    path = PROJECT_ROOT / "queries" / "federated" / "party-membership-on-wikidata.rq"
    got = rows(run_federated(config, path.read_text(encoding="utf-8"), standin.sparql_url))
    pairs = {(r["person"].rsplit("/", 1)[1], r["party"].rsplit("/", 1)[1]) for r in got}
    assert ("lenin", "rsdlp") in pairs and ("kerensky", "socialist-revolutionary-party") in pairs
    assert len(got) == 5, "the stand-in's sixth member, an item we do not link, drops out of the join"


def test_the_endpoint_refuses_a_service_off_the_allow_list_and_runs_it_on(built_corpus, standin, client):
    from kg.web import create_app
    path = PROJECT_ROOT / "queries" / "federated" / "lifespans-on-wikidata.rq"
    query = path.read_text(encoding="utf-8").replace(f"<{WIKIDATA_SPARQL}>", f"<{standin.sparql_url}>")
    refused = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert refused.status_code == 403
    app = create_app(built_corpus[0].with_(service_allowlist=standin.sparql_url, threads=1))
    try:
        r = app.test_client().post("/sparql", data={"query": query},
                                   headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200, r.data
        born = {b["name"]["value"]: b["born"]["value"] for b in r.get_json()["results"]["bindings"]}
        assert born["Vladimir Lenin"].startswith("1870-04-22")
        standin.fault = "error-page"
        failed = app.test_client().post("/sparql", data={"query": query}, headers={"Accept": "application/json"})
        assert failed.status_code == 502 and "SERVICE endpoint of the query failed" in failed.get_json()["error"]
    finally:
        app.extensions["kg_backend"].close()


def test_a_failing_service_is_a_clear_error(built_corpus, standin):
    standin.fault = "error-page"
    config = built_corpus[0].with_(service_allowlist=standin.sparql_url)
    path = PROJECT_ROOT / "queries" / "federated" / "lifespans-on-wikidata.rq"
    with pytest.raises(ServiceFailed, match="SERVICE endpoint of the query failed"):
        run_federated(config, path.read_text(encoding="utf-8"), standin.sparql_url)


def test_the_stand_in_speaks_the_sparql_protocol(standin):
    """GET ?query=, POST form-encoded and POST application/sparql-query; JSON or XML results."""
    import requests
    query = (PROJECT_ROOT / "tests" / "fixtures" / "wikidata" / "exchanges")
    exchange = json.loads(next(query.glob("sparql--Q1899-*.json")).read_text(encoding="utf-8"))
    text = exchange["request"]["query"]
    with requests.Session() as s:
        r1 = s.get(standin.sparql_url, params={"query": text}, headers={"Accept": "application/sparql-results+json"})
        r2 = s.post(standin.sparql_url, data={"query": text}, headers={"Accept": "application/sparql-results+json"})
        r3 = s.post(standin.sparql_url, data=text.encode(), headers={
            "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+xml"})
    assert r1.json() == r2.json() == exchange["body"]
    assert r3.headers["Content-Type"] == "application/sparql-results+xml"
    assert "<uri>http://www.wikidata.org/entity/Q1899</uri>" in r3.text
