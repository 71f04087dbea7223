"""Issue 11, the protocol, the pages, the build, the settings and the packaging: each test one
behaviour the issue found broken, named for what must hold."""

import ast
import json
import os
import shutil
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.config import PROJECT_ROOT, Config
from tests.conftest import make_config

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ASK = "ASK { ?s a <https://w3id.org/soviets/ontology#Person> }"
JSON_RESULTS = {"Accept": "application/sparql-results+json"}
SRX = "{http://www.w3.org/2005/sparql-results#}"


def number(r) -> int:
    assert r.status_code == 200, r.data
    return int(r.get_json()["results"]["bindings"][0]["n"]["value"])


# ---- SPARQL 1.1 Protocol ------------------------------------------------------------------------

def test_head_answers_as_get_without_a_body(client):
    get = client.get("/sparql", query_string={"query": ASK}, headers=JSON_RESULTS)
    head = client.head("/sparql", query_string={"query": ASK}, headers=JSON_RESULTS)
    assert head.status_code == get.status_code == 200
    assert head.data == b""
    for name in ("Content-Type", "Content-Length", "ETag", "Vary"):
        assert head.headers.get(name) == get.headers.get(name), name


def test_two_query_parameters_are_a_400(client):
    r = client.get("/sparql?query=ASK%7B%7D&query=SELECT%20*%20%7B%7D")
    assert r.status_code == 400 and b"exactly one" in r.data


def test_a_query_beside_an_update_is_a_400(client):
    r = client.get("/sparql", query_string={"query": ASK, "update": "CLEAR ALL"})
    assert r.status_code == 400 and b"not both" in r.data


def test_two_queries_in_a_form_post_are_a_400(client):
    r = client.post("/sparql", data="query=ASK%7B%7D&query=ASK%7B%7D", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400


def test_a_form_post_with_a_query_and_an_update_is_a_400(client):
    r = client.post("/sparql", data={"query": ASK, "update": "CLEAR ALL"})
    assert r.status_code == 400


def test_a_query_in_the_body_and_in_the_url_is_a_400(client):
    r = client.post("/sparql?query=ASK%7B%7D", data=ASK, content_type="application/sparql-query")
    assert r.status_code == 400


def test_a_utf16_body_declared_as_utf16_is_refused_with_415(client):
    r = client.post("/sparql", data=ASK.encode("utf-16"), content_type="application/sparql-query; charset=UTF-16")
    assert r.status_code == 415 and b"UTF-8" in r.data


def test_a_utf16_body_without_a_charset_is_refused_not_decoded(client):
    for body in (ASK.encode("utf-16"), ASK.encode("utf-16-le")):
        r = client.post("/sparql", data=body, content_type="application/sparql-query")
        assert r.status_code == 415 and b"UTF-16" in r.data


def test_a_latin1_body_is_a_400_naming_utf8(client):
    q = 'SELECT ?x WHERE { BIND("Petrograd — Sovét" AS ?x) }'
    r = client.post("/sparql", data=q.encode("latin-1", "replace").replace(b"?", b"\xe9"),
                    content_type="application/sparql-query")
    assert r.status_code == 400 and b"not valid UTF-8" in r.data


def test_a_body_declared_utf8_is_read(client):
    q = 'SELECT ?x WHERE { BIND("Совет" AS ?x) }'
    r = client.post("/sparql", data=q.encode("utf-8"), content_type="application/sparql-query; charset=UTF-8",
                    headers=JSON_RESULTS)
    assert r.status_code == 200 and r.get_json()["results"]["bindings"][0]["x"]["value"] == "Совет"


def test_a_form_body_with_bytes_that_are_not_utf8_is_a_400(client):
    r = client.post("/sparql", data=b"query=ASK%7B%22%E9%22%7D", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400 and b"UTF-8" in r.data


def test_a_form_body_declared_in_another_charset_is_a_415(client):
    r = client.post("/sparql", data=b"query=ASK%7B%7D", content_type="application/x-www-form-urlencoded; charset=ISO-8859-1")
    assert r.status_code == 415


def chunked_environ(app, body: bytes) -> dict:
    """A POST as a server hands on a chunked body: no Content-Length, the stream terminated."""
    from werkzeug.test import EnvironBuilder
    environ = EnvironBuilder(path="/sparql", method="POST", data=body, content_type="application/sparql-query",
                             headers={"Transfer-Encoding": "chunked", **JSON_RESULTS}).get_environ()
    environ.pop("CONTENT_LENGTH")
    environ["wsgi.input_terminated"] = True
    return environ


def test_a_chunked_body_over_max_body_bytes_is_a_413_not_a_cut_query(built_corpus):
    from werkzeug.test import run_wsgi_app
    from kg.web import create_app
    app = create_app(built_corpus[0].with_(max_body_bytes=200, threads=1))
    try:
        long = (COUNT + " " * 300 + "LIMIT 0").encode()
        body, status, _ = run_wsgi_app(app, chunked_environ(app, long), buffered=True)
        assert status.startswith("413"), b"".join(body)
        body, status, _ = run_wsgi_app(app, chunked_environ(app, COUNT.encode()), buffered=True)
        assert status.startswith("200") and int(json.loads(b"".join(body))["results"]["bindings"][0]["n"]["value"]) > 40000
    finally:
        app.extensions["kg_backend"].close()


def test_a_chunked_body_over_max_body_bytes_is_a_413_from_the_real_server(built_corpus):
    import http.client
    import socket

    from tests.conftest import running_server
    with running_server(built_corpus[0].data_dir, max_body_bytes=200, threads=2) as url:
        host, port = url.removeprefix("http://").split(":")
        long = (COUNT + " " * 300 + "LIMIT 0").encode()
        # the whole request in one write: the server may answer 413 and close before the last chunk, and a
        # client still writing then meets a broken pipe; the answer is what this test is about
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(long[i:i + 50]), long[i:i + 50]) for i in range(0, len(long), 50))
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/sparql-query\r\n"
                         b"Accept: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n%s0\r\n\r\n"
                         % (host.encode(), chunks))
            r = http.client.HTTPResponse(sock)
            r.begin()
            assert r.status == 413, r.read()
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("POST", "/sparql", body=iter([COUNT[:20].encode(), COUNT[20:].encode()]),
                     headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"}, encode_chunked=True)
        r = conn.getresponse()
        assert r.status == 200 and int(r.read().split()[1]) > 40000     # a chunked body that fits is read whole
        conn.close()


def test_a_carriage_return_survives_sparql_xml_results(client):
    r = client.get("/sparql", query_string={"query": 'SELECT ?x WHERE { BIND("a\\r\\nb\\rc" AS ?x) }'},
                   headers={"Accept": "application/sparql-results+xml"})
    assert r.status_code == 200 and b"\r" not in r.data
    assert ET.fromstring(r.data).find(f".//{SRX}literal").text == "a\r\nb\rc"


def test_a_carriage_return_survives_rdf_xml(client):
    q = 'CONSTRUCT { <http://example.org/s> <http://example.org/p> "a\\r\\nb\\rc" } WHERE {}'
    r = client.get("/sparql", query_string={"query": q}, headers={"Accept": "application/rdf+xml"})
    assert r.status_code == 200 and b"\r" not in r.data
    (prop,) = [e for e in ET.fromstring(r.data).iter() if e.tag == "{http://example.org/}p"]
    assert prop.text == "a\r\nb\rc"


@pytest.mark.parametrize("char", ["\\u0000", "\\u0001", "\\u000B", "\\u001F", "\\uFFFE"])
@pytest.mark.parametrize("form, xml_type, other", [
    ('SELECT ?x WHERE {{ BIND("a{c}b" AS ?x) }}', "application/sparql-results+xml", "application/sparql-results+json"),
    ('CONSTRUCT {{ <http://example.org/s> <http://example.org/p> "a{c}b" }} WHERE {{}}', "application/rdf+xml",
     "application/n-triples")])
def test_a_character_xml_cannot_carry_is_a_406_not_a_broken_document(client, char, form, xml_type, other):
    """XML 1.0 has no way to write U+0000, most C0 controls or U+FFFE: the XML formats refuse
    such an answer, naming the character, and the other formats carry it."""
    q = form.format(c=char)
    r = client.get("/sparql", query_string={"query": q}, headers={"Accept": xml_type})
    assert r.status_code == 406, r.data[:200]
    assert f"U+{char[2:].upper()}".encode() in r.data and b"XML 1.0" in r.data
    r = client.get("/sparql", query_string={"query": q}, headers={"Accept": other})
    assert r.status_code == 200
    if other.endswith("json"):
        value = r.get_json()["results"]["bindings"][0]["x"]["value"]
    else:
        (triple,) = ox.parse(r.data, ox.RdfFormat.N_TRIPLES)
        value = triple.object.value
    assert value == f"a{chr(int(char[2:], 16))}b"


def test_an_unknown_format_gives_way_to_a_good_accept_header(client):
    q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3"
    r = client.get("/sparql", query_string={"query": q, "format": "xml"}, headers={"Accept": "application/rdf+xml"})
    assert r.status_code == 200 and r.mimetype == "application/rdf+xml"


def test_a_known_format_still_wins_over_accept(client):
    r = client.get("/sparql", query_string={"query": ASK, "format": "xml"}, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.mimetype == "application/sparql-results+xml"


@pytest.fixture(scope="module")
def live_app(app):
    """The app on a real socket (werkzeug's server in a thread), for clients that speak HTTP."""
    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.mark.parametrize("fmt, media, parser", [
    ("XML", "application/rdf+xml", "xml"), ("RDFXML", "application/rdf+xml", "xml"),
    ("JSONLD", "application/ld+json", "json-ld"), ("N3", "text/turtle", "turtle"), ("TURTLE", "text/turtle", "turtle"),
])
def test_sparqlwrapper_gets_a_construct_in_each_format(live_app, fmt, media, parser):
    import rdflib
    import SPARQLWrapper
    sw = SPARQLWrapper.SPARQLWrapper(live_app + "/sparql")
    sw.setQuery("CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://w3id.org/soviets/ontology#Faction> ; ?p ?o }")
    sw.setReturnFormat(getattr(SPARQLWrapper, fmt))
    result = sw.query()            # read as it comes: SPARQLWrapper's own convert() uses a deprecated rdflib class
    assert result.response.status == 200
    assert result.info()["content-type"].split(";")[0] == media
    assert len(rdflib.Graph().parse(data=result.response.read(), format=parser)) > 10


@pytest.mark.parametrize("form", ["CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://w3id.org/soviets/ontology#Faction> ; ?p ?o }",
                                  "DESCRIBE <https://w3id.org/soviets/id/trotsky>"])
def test_sparqlwrapper_gets_json_ld_when_it_asks_a_graph_for_json(live_app, form):
    """SPARQLWrapper sends `format=json` and `Accept: */*` (warning that it does) for JSON from a
    CONSTRUCT or DESCRIBE, and reads JSON-LD back: a 406 left it with nothing."""
    import rdflib
    import SPARQLWrapper
    sw = SPARQLWrapper.SPARQLWrapper(live_app + "/sparql")
    sw.setQuery(form)
    sw.setReturnFormat(SPARQLWrapper.JSON)
    with pytest.warns(RuntimeWarning, match="Accept header"):
        result = sw.query()
    assert result.response.status == 200
    assert result.info()["content-type"].split(";")[0] == "application/ld+json"
    assert len(rdflib.Graph().parse(data=result.response.read(), format="json-ld")) > 10


@pytest.mark.parametrize("fmt", ["XML", "JSON", "CSV", "TSV"])
def test_sparqlwrapper_gets_a_select_in_each_format(live_app, fmt):
    import SPARQLWrapper
    sw = SPARQLWrapper.SPARQLWrapper(live_app + "/sparql")
    sw.setQuery("SELECT ?s WHERE { ?s a <https://w3id.org/soviets/ontology#Person> } LIMIT 2")
    sw.setReturnFormat(getattr(SPARQLWrapper, fmt))
    result = sw.query()
    assert result.response.status == 200 and result.convert()


# ---- headers -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/query", "/id/trotsky", "/source/petit-2000", "/ontology", "/queries",
                                  "/dumps/"])
def test_html_pages_vary_on_accept(client, path):
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "accept" in {v.strip().lower() for v in r.headers.get("Vary", "").split(",")}


@pytest.mark.parametrize("path", ["/", "/query", "/sparql?query=ASK%7B%7D", "/static/query.js", "/no/such/page",
                                  "/sparql?query=SELECT", "/dumps/kg.ttl", "/.well-known/void"])
def test_every_response_says_nosniff_and_carries_a_csp(client, path):
    with client.get(path) as r:
        r.close()
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "'unsafe-eval'" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp


# ---- links ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("iri, expected", [
    ("javascript:alert(1)", None), ("JavaScript:alert(1)", None), ("data:text/html,<script>", None),
    ("vbscript:x", None), ("file:///etc/passwd", None), ("urn:isbn:123", None),
    ("https://example.org/a", "https://example.org/a"), ("http://example.org/a", "http://example.org/a"),
    ("https://w3id.org/soviets/id/trotsky", "/id/trotsky"),
    ("https://w3id.org/soviets//evil.example/x", "https://w3id.org/soviets//evil.example/x"),   # never "//evil…"
])
def test_only_our_pages_and_http_iris_become_links(app, iri, expected):
    from kg.web.urls import href
    with app.test_request_context("/"):
        assert href(iri) == expected


def test_a_javascript_iri_on_a_page_is_text_not_a_link(app):
    from kg.web.pages import link_filter
    with app.test_request_context("/"):
        html = str(link_filter("javascript:alert(1)", "click me"))
        assert "<a" not in html and "href" not in html and "click me" in html
        assert str(link_filter("https://w3id.org/soviets/id/lenin", "Lenin")) == '<a href="/id/lenin">Lenin</a>'


# The query page's script (views.js, linkFor) is tried in Chromium:
# tests/test_browser.py::test_a_result_iri_of_another_scheme_is_text_not_a_link.


# ---- failures are contained ---------------------------------------------------------------------

@pytest.fixture
def broken_build(built_fixture, tmp_path):
    """A copy of the fixture build to break: (config, build folder)."""
    config, _ = built_fixture
    data = tmp_path / "data"
    current = Path(config.data_dir, "current").resolve()
    shutil.copytree(current, data / "builds" / current.name)
    os.symlink(f"builds/{current.name}", data / "current")
    return make_config(config.sources_dir, data), data / "builds" / current.name


def served(config):
    from kg.web import create_app
    app = create_app(config.with_(threads=1))
    return app, app.test_client()


def test_a_corrupt_store_is_a_503_with_a_clear_message(broken_build):
    config, build = broken_build
    (build / "store" / "CURRENT").write_bytes(b"garbage")
    app, client = served(config)
    try:
        r = client.get("/sparql", query_string={"query": ASK})
        assert r.status_code == 503 and b"store" in r.data
        assert str(config.data_dir).encode() not in r.data and b"/tmp" not in r.data
    finally:
        app.extensions["kg_backend"].close()


def test_a_file_found_damaged_while_querying_is_a_503(broken_build, monkeypatch):
    """RocksDB checks a block when it reads it: damage can surface in the middle of a query."""
    config, _ = broken_build
    app, client = served(config)

    class Damaged:
        def query(self, *args, **kwargs):
            raise RuntimeError("Corruption: block checksum mismatch: stored = 1, computed = 2 in "
                               f"{config.data_dir}/builds/x/store/000012.sst")
    try:
        monkeypatch.setattr(app.extensions["kg_backend"], "store", lambda: Damaged())
        r = client.get("/sparql", query_string={"query": ASK})
        assert r.status_code == 503 and b"damaged" in r.data and str(config.data_dir).encode() not in r.data
    finally:
        app.extensions["kg_backend"].close()


@pytest.mark.parametrize("garbage", [b"{not json", b"[]", b"{}", b"\xff\xfe"])
def test_a_garbage_manifest_is_a_503_not_a_traceback(broken_build, garbage):
    config, build = broken_build
    (build / "manifest.json").write_bytes(garbage)
    app, client = served(config)
    try:
        for path in ("/", "/-/version", "/dumps/", "/.well-known/void"):
            r = client.get(path)
            assert r.status_code == 503 and b"manifest.json" in r.data, (path, r.data)
    finally:
        app.extensions["kg_backend"].close()


def test_settings_show_no_absolute_paths(client):
    values = client.get("/-/settings").get_json()
    for name in ("data_dir", "sources_dir", "queries_dir", "ontology_dir", "shapes_dir"):
        assert not values[name]["value"].startswith("/"), values[name]
    assert values["queries_dir"]["value"] == "queries/"


def test_404_and_503_bodies_show_no_absolute_paths(client, built_fixture, tmp_path):
    r = client.get("/queries/no-such-query")
    assert r.status_code == 404 and str(PROJECT_ROOT).encode() not in r.data
    app, empty = served(make_config(built_fixture[0].sources_dir, tmp_path / "nothing-built"))
    try:
        for path in ("/", "/sparql?query=ASK%7B%7D"):
            r = empty.get(path)
            assert r.status_code == 503 and str(tmp_path).encode() not in r.data, r.data
    finally:
        app.extensions["kg_backend"].close()


# ---- the default graph --------------------------------------------------------------------------

def test_the_default_graph_holds_each_triple_once(client, corpus_store):
    stated = len(corpus_store) - len(list(corpus_store.quads_for_pattern(None, None, None, ox.DefaultGraph())))
    distinct = len({(q.subject, q.predicate, q.object) for q in corpus_store
                    if not isinstance(q.graph_name, ox.DefaultGraph)})
    assert stated > distinct                     # some triples are stated in two graphs: the test can fail
    assert number(client.get("/sparql", query_string={"query": COUNT}, headers=JSON_RESULTS)) == distinct


def test_the_graph_store_default_graph_is_the_distinct_triples(client, corpus_store):
    distinct = {(q.subject, q.predicate, q.object) for q in corpus_store
                if not isinstance(q.graph_name, ox.DefaultGraph)}
    r = client.get("/graph?default", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    assert len(list(ox.parse(r.data, ox.RdfFormat.N_TRIPLES))) == len(distinct)


def test_the_named_graphs_keep_the_per_source_view(client):
    q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert number(client.get("/sparql", query_string={"query": q}, headers=JSON_RESULTS)) > \
        number(client.get("/sparql", query_string={"query": COUNT}, headers=JSON_RESULTS))


def test_the_turtle_dump_is_the_default_graph_and_nquads_the_named_graphs(built_corpus, corpus_store):
    config, result = built_corpus
    dumps = Path(config.data_dir, "current", "dumps")
    default = set(corpus_store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    named = {q for q in corpus_store if not isinstance(q.graph_name, ox.DefaultGraph)}
    assert result.manifest["triples"] == len(default) < result.manifest["quads"] == len(named)
    # counted, not compared as sets: blank nodes of the ontology get new labels when read back
    assert len(list(ox.parse(path=str(dumps / "kg.ttl"), format=ox.RdfFormat.TURTLE))) == len(default)
    nq = list(ox.parse(path=str(dumps / "kg.nq"), format=ox.RdfFormat.N_QUADS))
    assert len(nq) == len(named) and not any(isinstance(q.graph_name, ox.DefaultGraph) for q in nq)


# ---- builds -------------------------------------------------------------------------------------

def test_partial_builds_do_not_push_completed_builds_out_of_retention(config):
    from kg.build import build
    from kg.store import KEEP_BUILDS
    builds = Path(config.data_dir) / "builds"
    first = build(config).build_id
    for i in range(5):                           # what five killed builds left behind
        (builds / f"29990101T00000{i}000000Z-partial").mkdir(parents=True)
        (builds / f"29990101T00000{i}000000Z-partial" / "store").mkdir()
    second = build(config).build_id
    left = sorted(p.name for p in builds.iterdir())
    assert first in left and second in left
    assert not any(name.endswith("-partial") for name in left)
    assert len(left) <= KEEP_BUILDS


# ---- the command line and the settings ----------------------------------------------------------

def run_kg(args, env):
    from kg.cli import main
    return CliRunner().invoke(main, args, env=env)


@pytest.mark.parametrize("variable, value", [("KG_PORT", "eighty"), ("KG_PORT", "70000"),
                                             ("KG_QUERY_TIMEOUT_S", "soon"), ("KG_THREADS", "0")])
def test_a_bad_setting_in_the_environment_is_one_line_and_exit_2(config, tmp_path, variable, value):
    result = run_kg(["check"], {"KG_SOURCES_DIR": config.sources_dir, variable: value})
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)     # no traceback
    assert result.output.count("\n") == 1 and variable in result.output, result.output


def test_malformed_toml_is_one_line_with_the_file_and_exit_2(config, tmp_path):
    bad = tmp_path / "kg.toml"
    bad.write_text('port = 80\nthreads = [\n')
    result = run_kg(["--config", str(bad), "check"], {"KG_SOURCES_DIR": config.sources_dir})
    assert result.exit_code == 2 and "kg.toml" in result.output and "malformed TOML" in result.output
    assert result.output.count("\n") == 1


def test_a_wrongly_typed_toml_value_names_the_setting_and_the_file(config, tmp_path):
    bad = tmp_path / "kg.toml"
    bad.write_text('port = "eighty"\n')
    result = run_kg(["--config", str(bad), "check"], {"KG_SOURCES_DIR": config.sources_dir})
    assert result.exit_code == 2 and "setting port" in result.output and "kg.toml" in result.output


def test_config_naming_a_missing_file_is_exit_2(config, tmp_path):
    result = run_kg(["--config", str(tmp_path / "absent.toml"), "check"], {"KG_SOURCES_DIR": config.sources_dir})
    assert result.exit_code == 2 and "absent.toml" in result.output and "no such file" in result.output


def test_a_missing_sources_folder_is_one_line_and_exit_2(tmp_path):
    result = run_kg(["check"], {"KG_SOURCES_DIR": str(tmp_path / "nowhere")})
    assert result.exit_code == 2 and "nowhere" in result.output and "sources_dir" in result.output
    assert result.output.count("\n") == 1


@pytest.mark.parametrize("change, field", [
    (lambda t: "- just-a-name\n" + t, "sources.yaml:1: entry 1 is not a mapping"),
    (lambda t: t.replace('title: "A Test Chronicle"', "title: 12"), 'field "title"'),
    (lambda t: t.replace("lines: [7, 7]", "lines: seven"), 'field "lines"'),
    (lambda t: t.replace('author_quote: "By Ivan Testov"', "author_quote: [1]"), 'field "author_quote"'),
    (lambda t: t.replace("file: chronicle.txt", "file: {a: 1}"), 'field "file"'),
])
def test_a_malformed_sources_yaml_entry_is_one_line_and_exit_2(config, corpus_dir, tmp_path, change, field):
    meta = corpus_dir / "sources.yaml"
    meta.write_text(change(meta.read_text(encoding="utf-8")), encoding="utf-8")
    result = run_kg(["check"], {"KG_SOURCES_DIR": config.sources_dir})
    assert result.exit_code == 2 and "sources.yaml" in result.output and field in result.output, result.output
    assert result.output.count("\n") == 1


def test_each_setting_is_declared_once_and_the_table_follows_config():
    import dataclasses

    from kg.config import SETTINGS
    source = (PROJECT_ROOT / "kg" / "config.py").read_text(encoding="utf-8")
    assert source.count("8000") == 1 and source.count("64_000_000") == 1
    fields = {f.name: f.default for f in dataclasses.fields(Config) if f.name != "extra"}
    assert {s.name: s.default for s in SETTINGS} == fields


def test_pages_and_cli_query_do_not_import_the_build_pipeline():
    for path in [PROJECT_ROOT / "kg" / "cli_query.py", *sorted((PROJECT_ROOT / "kg" / "web").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | \
            {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert "kg.build" not in modules, path.name


# ---- packaging and rights ------------------------------------------------------------------------

def test_requires_python_matches_tomllib():
    import tomllib
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.11"
    assert project["license"] == "MIT" and "LICENSE" in project["license-files"]
    assert (PROJECT_ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_void_states_each_source_texts_own_rights(built_corpus):
    import rdflib
    config, _ = built_corpus
    void = rdflib.Graph().parse(Path(config.data_dir, "current", "dumps", "void.ttl"), format="turtle")
    DCT = rdflib.Namespace("http://purl.org/dc/terms/")
    CC_BY = rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
    by_graph = {}
    for subset in void.subjects(DCT.identifier, None):
        by_graph[str(void.value(subset, DCT.identifier))] = subset
    base = config.base_iri + "graph/"
    for sid in ("stalin-1917", "petit-2000", "nin-1932"):
        subset = by_graph[base + sid]
        assert (subset, DCT.license, None) not in void, sid
        assert "not stated" in str(void.value(subset, DCT.rights)), sid
    assert "Public domain" in str(void.value(by_graph[base + "lenin-1905"], DCT.rights))
    for ours in ("registry", "ontology"):
        assert void.value(by_graph[base + ours], DCT.license) == CC_BY
    dataset = rdflib.URIRef(config.base_iri + "void#dataset")
    assert (dataset, DCT.license, CC_BY) not in void       # not one licence for texts of other rights


# ---- the stored answers of queries/ ------------------------------------------------------------

@pytest.fixture
def queries_copy(tmp_path):
    dest = tmp_path / "queries"
    shutil.copytree(PROJECT_ROOT / "queries", dest, ignore=shutil.ignore_patterns("federated"))
    return dest


def refresh(built_corpus, queries_dir, *names):
    from kg.cli import main
    env = {"KG_DATA_DIR": built_corpus[0].data_dir, "KG_QUERIES_DIR": str(queries_dir)}
    return CliRunner().invoke(main, ["query", "--refresh", *names], env=env)


def test_refreshing_the_answers_of_an_unchanged_build_changes_nothing(built_corpus, queries_copy):
    before = {p.name: p.read_bytes() for p in queries_copy.glob("*.tsv")}
    result = refresh(built_corpus, queries_copy)
    assert result.exit_code == 0, result.output
    assert "0 changed" in result.output and "0 refused" in result.output
    assert {p.name: p.read_bytes() for p in queries_copy.glob("*.tsv")} == before


def test_refreshing_writes_a_changed_answer_and_says_how_it_changed(built_corpus, queries_copy):
    path = queries_copy / "arrests.tsv"
    good = path.read_text(encoding="utf-8")
    path.write_text("\n".join(good.splitlines()[:-2]) + "\n", encoding="utf-8")
    result = refresh(built_corpus, queries_copy, "arrests")
    assert result.exit_code == 0 and "arrests.tsv: changed (+2 −0 rows" in result.output, result.output
    assert path.read_text(encoding="utf-8") == good


def test_refreshing_never_writes_an_empty_answer_over_a_stored_one(built_corpus, queries_copy):
    rq, tsv = queries_copy / "arrests.rq", queries_copy / "arrests.tsv"
    stored = tsv.read_bytes()
    rq.write_text(rq.read_text(encoding="utf-8").replace("WHERE {", "WHERE { FILTER(false)", 1), encoding="utf-8")
    result = refresh(built_corpus, queries_copy, "arrests")
    assert result.exit_code == 1 and "arrests.tsv: refused (the answer has no rows" in result.output, result.output
    assert tsv.read_bytes() == stored


def test_refreshing_never_writes_a_failed_answer_over_a_stored_one(built_corpus, queries_copy):
    rq, tsv = queries_copy / "arrests.rq", queries_copy / "arrests.tsv"
    stored = tsv.read_bytes()
    rq.write_text(rq.read_text(encoding="utf-8") + "\n}}} not sparql", encoding="utf-8")
    result = refresh(built_corpus, queries_copy, "arrests")
    assert result.exit_code == 1 and "refused (the query failed" in result.output
    assert tsv.read_bytes() == stored
