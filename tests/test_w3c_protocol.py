"""The W3C SPARQL 1.1 Protocol test cases (tests/fixtures/w3c-protocol/, read from its manifest)
run against the endpoint, over a store holding the suite's three graphs.

The endpoint is read-only: the update tests must answer 403 to their update request; the
request after it, which would read back what the update wrote, is not sent.
"""

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.collection import Collection

from kg.config import Config

SUITE = Path(__file__).parent / "fixtures" / "w3c-protocol"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
SRX = "{http://www.w3.org/2005/sparql-results#}"


def load_manifest():
    g = rdflib.Graph().parse(SUITE / "manifest.ttl", format="turtle", publicID=(SUITE / "manifest.ttl").as_uri())
    manifest = next(g.subjects(MF.entries, None))
    tests = []
    for test in Collection(g, g.value(manifest, MF.entries)):
        action = g.value(test, MF.action)
        requests = []
        for req in Collection(g, g.value(action, HT.requests)):
            body = g.value(req, HT.body)
            headers = {}
            if g.value(req, HT.headers) is not None:
                for h in Collection(g, g.value(req, HT.headers)):
                    headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            resp = g.value(req, HT.resp)
            requests.append({
                "method": str(g.value(req, HT.methodName)),
                "path": str(g.value(req, HT.absolutePath)),
                "headers": headers,
                "body": None if body is None else str(g.value(body, CNT.chars)).encode(
                    str(g.value(body, CNT.characterEncoding))),
                "statuses": sorted(str(s)[len(HTS):] for s in g.objects(resp, MF.expectedStatus)),
                "format": g.value(resp, MF.expectedFormat),
                "boolean": g.value(resp, MF.expectedBoolean),
            })
        tests.append((str(test).rsplit("#", 1)[-1], str(g.value(test, MF.name)), requests))
    return tests


TESTS = load_manifest()


@pytest.fixture(scope="module")
def w3c_client(tmp_path_factory):
    """The endpoint over a build holding data1.nt–data3.nt, each in the named graph the suite names."""
    from kg.store import load_quads
    from kg.web import create_app
    data_dir = tmp_path_factory.mktemp("w3c-data")
    build = data_dir / "builds" / "w3c"
    (build / "dumps").mkdir(parents=True)
    quads = []
    for n in (1, 2, 3):
        graph = rdflib.URIRef(f"http://kasei.us/2009/09/sparql/data/data{n}.rdf")
        quads += [(s, p, o, graph) for s, p, o in rdflib.Graph().parse(SUITE / f"data{n}.nt", format="nt")]
    store = load_quads(ox.Store(str(build / "store")), quads, build / "dumps")      # as kg build writes it
    del store
    (build / "manifest.json").write_text(json.dumps({
        "build_id": "w3c", "created": "2026-01-01T00:00:00+00:00", "base_iri": "https://w3id.org/soviets/",
        "triples": 3, "quads": 6, "files": {}, "partitions": {}, "named_graphs": []}))
    os.symlink("builds/w3c", data_dir / "current")
    app = create_app(Config(data_dir=str(data_dir), threads=2, query_timeout_s=10.0))
    yield app.test_client()
    app.extensions["kg_backend"].close()


def check_format(r, expected_format, expected_boolean):
    media = r.mimetype
    if expected_format == rdflib.Literal("boolean") or expected_format == rdflib.Literal("tabular"):
        assert media in ("application/sparql-results+json", "application/sparql-results+xml",
                         "text/csv", "text/tab-separated-values"), media
        if expected_format == rdflib.Literal("boolean"):
            assert media in ("application/sparql-results+json", "application/sparql-results+xml")
            if media.endswith("json"):
                value = r.get_json()["boolean"]
            else:
                value = ET.fromstring(r.data).find(f"{SRX}boolean").text == "true"
            if expected_boolean is not None:
                assert value is expected_boolean.toPython()
        elif media.endswith("json"):
            assert "bindings" in r.get_json()["results"]
    elif expected_format == rdflib.Literal("RDF"):
        formats = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
                   "application/ld+json": "json-ld"}
        assert media in formats, media
        rdflib.Graph().parse(data=r.data, format=formats[media])


@pytest.mark.parametrize("name, title, requests", TESTS, ids=[t[0] for t in TESTS])
def test_w3c_protocol(w3c_client, name, title, requests):
    for req in requests:
        path = req["path"].replace("/sparql/", "/sparql", 1)
        r = w3c_client.open(path, method=req["method"], headers=req["headers"], data=req["body"])
        if name.startswith("update_"):
            # read-only: the update is refused; the follow-up read of its effect is not sent
            assert r.status_code == 403, (title, r.status_code, r.data)
            assert b"read-only" in r.data
            return
        assert f"{r.status_code // 100}xx" in req["statuses"], (title, r.status_code, r.data[:300])
        if r.status_code < 300:
            check_format(r, req["format"], req["boolean"])


def test_the_suite_is_all_there():
    """Every entry of the manifest is run: 34 tests, 7 of them updates (answered 403)."""
    names = [t[0] for t in TESTS]
    assert len(names) == 34 and len(set(names)) == 34
    assert sum(n.startswith("update_") for n in names) == 7
