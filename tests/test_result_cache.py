"""The endpoint's result cache: answers kept per build and query key, bounded, never for queries
whose answer may change between runs, bypassed on `Cache-Control: no-cache`."""

import requests

from kg.backend import LocalBackend
from kg.query_analysis import analyse
from kg.result_cache import ResultCache, repeatable
from kg.web import create_app
from tests.conftest import running_server

JSON = {"Accept": "application/sparql-results+json"}
Q = "SELECT ?p ?o WHERE { <https://w3id.org/soviets/id/trotsky> ?p ?o } ORDER BY ?p ?o"


class CountingBackend(LocalBackend):
    """The in-process backend, counting the queries it runs; `scope` stands for a newly served build."""

    def __init__(self, config):
        super().__init__(config)
        self.calls = 0
        self.scope = None

    def query(self, *args, **kwargs):
        self.calls += 1
        return super().query(*args, **kwargs)

    def cache_scope(self):
        return self.scope or super().cache_scope()


def make_client(config, **settings):
    config = config.with_(**settings)
    backend = CountingBackend(config)
    return create_app(config, backend).test_client(), backend


def test_bounded_least_recently_used_first_and_emptied_by_a_new_build():
    cache = ResultCache(80)
    cache.put("b1", ("a",), b"x" * 10)
    cache.put("b1", ("b",), b"y" * 10)
    cache.put("b1", ("big",), b"z" * 11)           # over an eighth of the memory: not kept
    assert cache.get("b1", ("big",)) is None
    for i in range(7):
        cache.get("b1", ("a",))                    # used: stays
        cache.put("b1", (i,), b"w" * 10)
    assert cache.size <= 80
    assert cache.get("b1", ("a",)) == b"x" * 10 and cache.get("b1", ("b",)) is None
    assert cache.get("b2", ("a",)) is None         # another build: nothing of the first is served
    assert cache.size == 0 and not cache.entries


def test_key_ignores_layout_and_comments_but_not_literals():
    a = analyse("SELECT * WHERE { ?s ?p ?o } # all")
    b = analyse("SELECT *\n  WHERE {?s ?p ?o}")
    assert a.key == b.key
    assert analyse('SELECT * WHERE { ?s ?p "a  b" }').key != analyse('SELECT * WHERE { ?s ?p "a b" }').key
    assert analyse("SELECT * WHERE { ?s ?p <a> }").key != analyse("SELECT * WHERE { ?s ?p a }").key


def test_queries_whose_answer_may_change_are_not_repeatable():
    assert repeatable(analyse(Q))
    for q in ("SELECT (NOW() AS ?t) WHERE {}", "SELECT (rand() AS ?r) WHERE {}", "SELECT (UUID() AS ?u) WHERE {}",
              "SELECT (STRUUID() AS ?u) WHERE {}", "SELECT (BNODE() AS ?b) WHERE {}",
              "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }"):
        assert not repeatable(analyse(q)), q


def test_a_query_asked_again_comes_from_the_cache(built_corpus):
    client, backend = make_client(built_corpus[0])
    first = client.post("/sparql", data={"query": Q}, headers=JSON)
    again = client.post("/sparql", data={"query": Q.replace(" WHERE", "\n  WHERE") + "  # the same query"},
                        headers=JSON)
    assert first.status_code == again.status_code == 200
    assert first.headers["X-Cache"] == "miss" and again.headers["X-Cache"] == "hit"
    assert again.data == first.data and backend.calls == 1


def test_no_cache_runs_the_query_and_formats_are_kept_apart(built_corpus):
    client, backend = make_client(built_corpus[0])
    client.post("/sparql", data={"query": Q}, headers=JSON)
    fresh = client.post("/sparql", data={"query": Q}, headers={**JSON, "Cache-Control": "no-cache"})
    assert fresh.headers["X-Cache"] == "miss" and backend.calls == 2
    csv = client.post("/sparql", data={"query": Q}, headers={"Accept": "text/csv"})
    assert csv.headers["X-Cache"] == "miss" and csv.mimetype == "text/csv" and backend.calls == 3


def test_a_new_build_is_asked_afresh(built_corpus):
    client, backend = make_client(built_corpus[0])
    client.post("/sparql", data={"query": Q}, headers=JSON)
    backend.scope = "another build"
    r = client.post("/sparql", data={"query": Q}, headers=JSON)
    assert r.headers["X-Cache"] == "miss" and backend.calls == 2


def test_not_kept_volatile_failed_or_turned_off(built_corpus):
    client, backend = make_client(built_corpus[0])
    for _ in range(2):
        r = client.post("/sparql", data={"query": "SELECT (NOW() AS ?t) WHERE {}"}, headers=JSON)
        assert r.status_code == 200 and "X-Cache" not in r.headers
    assert backend.calls == 2
    small, backend = make_client(built_corpus[0], max_result_bytes=100)
    for _ in range(2):
        assert small.post("/sparql", data={"query": Q}, headers=JSON).status_code == 413
    assert backend.calls == 2
    off, backend = make_client(built_corpus[0], result_cache_bytes=0)
    for _ in range(2):
        r = off.post("/sparql", data={"query": Q}, headers=JSON)
        assert r.status_code == 200 and "X-Cache" not in r.headers
    assert backend.calls == 2


def test_get_answers_may_be_kept_by_clients_if_they_revalidate(built_corpus):
    client, _ = make_client(built_corpus[0])
    r = client.get("/sparql", query_string={"query": Q}, headers=JSON)
    assert r.headers["Cache-Control"] == "no-cache" and r.headers["ETag"]
    again = client.get("/sparql", query_string={"query": Q}, headers={**JSON, "If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304


def test_kg_serve_answers_from_its_cache(built_corpus):
    with running_server(built_corpus[0].data_dir) as url, requests.Session() as s:
        got = [s.post(url + "/sparql", data={"query": Q}, headers=JSON) for _ in range(3)]
        fresh = s.post(url + "/sparql", data={"query": Q}, headers={**JSON, "Cache-Control": "no-cache"})
    assert [r.status_code for r in got] == [200, 200, 200]
    assert got[0].headers["X-Cache"] == "miss" and got[2].headers["X-Cache"] == "hit"
    assert fresh.headers["X-Cache"] == "miss" and fresh.content == got[0].content == got[2].content
