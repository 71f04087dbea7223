"""Group-counts over one triple pattern are answered from the counts `kg build` writes (kg.summary),
with Oxigraph's answer; every other query, near misses included, runs on the store unchanged."""

import json
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import summary
from kg.build import build
from kg.formats import by_name
from kg.sparql import Dataset, execute
from kg.store import current_dir, open_store
from tests.conftest import FIXTURE_CORPUS, make_config

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from synthetic import synthetic_corpus  # noqa: E402

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PREFIXES = f"PREFIX rdf: <{RDF}>\nPREFIX ex: <http://example.org/>\n"


def summary_of(data_dir) -> summary.Summary:
    found = summary.load(current_dir(data_dir).resolve())
    assert found is not None
    return found


def rows(store: ox.Store, query: str) -> list[tuple]:
    return [tuple(str(t) if t is not None else None for t in r) for r in store.query(query)]


def forms(predicate: str) -> list[tuple[str, bool]]:
    """Queries of the accepted form over `predicate` (another spelling each), and whether each
    orders its rows completely."""
    p = "a" if predicate == RDF + "type" else f"<{predicate}>"
    pname = "rdf:" + predicate[len(RDF):] if predicate.startswith(RDF) else p
    return [
        (f"SELECT ?o (COUNT(*) AS ?n) WHERE {{ ?s {p} ?o }} GROUP BY ?o", False),
        (PREFIXES + f"SELECT ?o (COUNT(?s) AS ?n) (COUNT($o) AS ?m) {{ ?s {pname} ?o . }} GROUP BY ?o "
                    "ORDER BY DESC(?n) ?o LIMIT 7 OFFSET 1", True),
        (f"select (count(*) as ?n) where {{ $x {p} ?y }} group by ?y order by asc(?n) ?y", True),
        (f"SELECT ?o (COUNT(*) AS ?n) WHERE {{ ?s {p} ?o }} GROUP BY ?o ORDER BY DESC(?n)", False),
    ]


PER_PREDICATE = ["SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p",
                 "SELECT ?p (COUNT(?o) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) ?p LIMIT 10",
                 "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?n"]


def same_answer(store: ox.Store, query: str, rewritten: str, ordered: bool) -> None:
    """The rewritten query's rows are the query's: in order when its ORDER BY orders them
    completely, else as a multiset, with the ORDER BY keys (the counts here) in the same order."""
    want, got = rows(store, query), rows(store, rewritten)
    assert Counter(got) == Counter(want), query
    assert got == want if ordered else [r[-1] for r in got] == [r[-1] for r in want] or "ORDER" not in query


def check_every_predicate(store: ox.Store, found: summary.Summary) -> int:
    """Every accepted form, for every predicate of the store, gives Oxigraph's answer; the number rewritten."""
    predicates = [r[0].value for r in store.query("SELECT DISTINCT ?p WHERE { ?s ?p ?o }")]
    assert sorted(predicates) == sorted(found.predicates)
    rewritten = 0
    for predicate in predicates:
        for query, ordered in forms(predicate):
            new = found.rewrite(query)
            if predicate not in found.objects:      # not summarised: too many objects, or a blank node
                objects = rows(store, f"SELECT DISTINCT ?o WHERE {{ ?s <{predicate}> ?o }}")
                assert new is None
                assert len(objects) > summary.MAX_OBJECTS or any(o[0].startswith("_:") for o in objects)
                continue
            if not found.sorts_totally(predicate) and summary.parse_group_count(query).orders_by_key:
                assert new is None, query      # left to Oxigraph, whose sort of such a mix can fail
                continue
            assert new is not None and "VALUES" in new and "COUNT" not in new, query
            same_answer(store, query, new, ordered)
            rewritten += 1
    for query in PER_PREDICATE:
        new = found.rewrite(query)
        assert new is not None
        same_answer(store, query, new, "?p LIMIT" in query)
        rewritten += 1
    return rewritten


def test_the_bundled_corpus_every_predicate_and_form_gives_oxigraphs_answer(built_corpus, corpus_store):
    found = summary_of(built_corpus[0].data_dir)
    assert check_every_predicate(corpus_store, found) > 100


@pytest.fixture(scope="module")
def synthetic_build(tmp_path_factory):
    config = make_config(FIXTURE_CORPUS, tmp_path_factory.mktemp("synthetic-summary"))
    build(config, corpus=synthetic_corpus(2, seed=3))
    return config


def test_a_synthetic_corpus_every_predicate_and_form_gives_oxigraphs_answer(synthetic_build):
    store = open_store(synthetic_build.data_dir)
    found = summary_of(synthetic_build.data_dir)
    manifest = json.loads((current_dir(synthetic_build.data_dir) / "manifest.json").read_text())
    # the predicate counts are the VoID property partitions; rdf:type's the class partitions
    assert found.predicates == dict(manifest["partitions"]["properties"])
    assert {ox_value(t): n for t, n in found.objects[RDF + "type"]} == dict(manifest["partitions"]["classes"])
    assert check_every_predicate(store, found) > 100


def ox_value(nt: str) -> str:
    assert nt.startswith("<") and nt.endswith(">")
    return nt[1:-1]


def test_predicates_with_more_distinct_objects_than_the_bound_are_not_summarised(synthetic_build, monkeypatch):
    store = open_store(synthetic_build.data_dir)
    monkeypatch.setattr(summary, "MAX_OBJECTS", 5)
    from kg.void import partition_counts
    small = summary.compute(store, *partition_counts(store))
    found = summary.Summary(small["predicates"], small["objects"])
    assert 0 < len(found.objects) < len(found.predicates)
    assert check_every_predicate(store, found) > 10


def test_the_benchmarks_aggregate_is_answered_from_the_summary(synthetic_build):
    from bench import MIX
    store = open_store(synthetic_build.data_dir)
    found = summary_of(synthetic_build.data_dir)
    query = MIX["aggregate"]
    new = found.rewrite(query)
    assert new is not None
    same_answer(store, query, new, False)


NEAR_MISSES = [
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s rdf:predicate ?o FILTER (?o != ex:x) } GROUP BY ?o",
    "SELECT DISTINCT ?o (COUNT(*) AS ?n) WHERE { ?s rdf:predicate ?o } GROUP BY ?o",
    "SELECT REDUCED ?o (COUNT(*) AS ?n) WHERE { ?s rdf:predicate ?o } GROUP BY ?o",
    "SELECT ?o (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s rdf:predicate ?o } GROUP BY ?o",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s rdf:predicate ?o } } GROUP BY ?o",
    "SELECT ?o (COUNT(*) AS ?n) FROM <http://example.org/g> WHERE { ?s rdf:predicate ?o } GROUP BY ?o",
    "SELECT ?o (COUNT(*) AS ?n) FROM NAMED <http://example.org/g> WHERE { ?s rdf:predicate ?o } GROUP BY ?o",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s rdf:predicate ?o . ?s rdf:subject ?x } GROUP BY ?o",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s rdf:predicate ?o ; rdf:subject ?x } GROUP BY ?o",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s rdf:predicate ?o } GROUP BY ?o HAVING (COUNT(*) > 1)",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s rdf:predicate ?o } GROUP BY ?o VALUES ?o { ex:x }",
    "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s rdf:predicate ?o } GROUP BY ?s",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ?o rdf:predicate ?o } GROUP BY ?o",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ex:a rdf:predicate ?o } GROUP BY ?o",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s rdf:predicate ex:b } GROUP BY ?o",
    "SELECT ?o (SUM(?o) AS ?n) WHERE { ?s rdf:predicate ?o } GROUP BY ?o",
    "SELECT ?o (COUNT(?x) AS ?n) WHERE { ?s rdf:predicate ?o } GROUP BY ?o",
    "SELECT ?o (COUNT(*) AS ?o2) (COUNT(*) AS ?o2) WHERE { ?s rdf:predicate ?o } GROUP BY ?o",
    "SELECT ?o (COUNT(*) AS ?s) WHERE { ?s rdf:predicate ?o } GROUP BY ?o",
    "SELECT ?o ?s (COUNT(*) AS ?n) WHERE { ?s rdf:predicate ?o } GROUP BY ?o",
    "SELECT ?o WHERE { ?s rdf:predicate ?o } GROUP BY ?o",
    "SELECT * WHERE { ?s rdf:predicate ?o } GROUP BY ?o",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s rdf:predicate ?o }",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s rdf:predicate ?o } GROUP BY ?o ORDER BY DESC(COUNT(*))",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s rdf:predicate ?o } GROUP BY ?o ORDER BY ?s",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s rdf:predicate ?o } GROUP BY ?o ORDER BY (?n)",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s rdf:predicate ?o } GROUP BY ?o LIMIT 1 LIMIT 2",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s rdf:predicate ?o } GROUP BY ?o LIMIT ?x",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?o",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?s } GROUP BY ?p",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?r } } GROUP BY ?p",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { { SELECT ?s ?p ?o WHERE { ?s ?p ?o } } } GROUP BY ?p",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s rdf:predicate|rdf:subject ?o } GROUP BY ?o",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s ^rdf:predicate ?o } GROUP BY ?o",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s unknown:p ?o } GROUP BY ?o",
    "BASE <http://example.org/> SELECT ?o (COUNT(*) AS ?n) WHERE { ?s <p> ?o } GROUP BY ?o",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s <p> ?o } GROUP BY ?o",
    "ASK { ?s rdf:predicate ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("query", NEAR_MISSES)
def test_near_misses_are_not_rewritten(query):
    assert summary.parse_group_count(PREFIXES + query) is None


def poisoned(found: summary.Summary) -> summary.Summary:
    """A summary whose every count is 1,000 too many: an answer read from it cannot be the store's."""
    return summary.Summary({p: n + 1000 for p, n in found.predicates.items()},
                           {p: [[t, n + 1000] for t, n in rs] for p, rs in found.objects.items()})


def test_execute_reads_the_summary_for_matches_only(synthetic_build):
    store = open_store(synthetic_build.data_dir)
    bad = poisoned(summary_of(synthetic_build.data_dir))
    tsv = by_name("results", "tsv")
    match = PREFIXES + "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s rdf:predicate ?o } GROUP BY ?o ORDER BY ?o"
    plain = execute(store, match, tsv)
    assert execute(store, match, tsv, summary=bad) != plain
    # a dataset named by the request is not the default graph the counts are of
    graph = rows(store, PREFIXES + "SELECT ?g WHERE { GRAPH ?g { ?s rdf:predicate ?o } } LIMIT 1")[0][0][1:-1]
    assert execute(store, match, tsv, Dataset((graph,)), summary=bad) == execute(store, match, tsv, Dataset((graph,)))
    for near in NEAR_MISSES[:12]:
        query = PREFIXES + near
        assert execute(store, query, tsv, summary=bad) == execute(store, query, tsv), near


@pytest.mark.parametrize("fmt", [("results", "json"), ("results", "xml"), ("results", "csv"), ("results", "tsv")])
def test_answers_read_from_the_summary_are_byte_identical_in_every_format(synthetic_build, fmt):
    store = open_store(synthetic_build.data_dir)
    found = summary_of(synthetic_build.data_dir)
    wire = by_name(*fmt)
    for query in (PREFIXES + "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s a ?o } GROUP BY ?o ORDER BY DESC(?n) ?o",
                  "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p"):
        assert found.rewrite(query) is not None
        assert execute(store, query, wire, summary=found) == execute(store, query, wire)


def test_entities_per_class_is_not_a_single_pattern_group_count():
    text = (Path(__file__).resolve().parent.parent / "queries" / "entities-per-class.rq").read_text()
    assert summary.parse_group_count(text) is None      # a GRAPH, COUNT(DISTINCT …) and a sub-select


def test_every_query_path_reads_the_summary_of_the_build_it_serves(tmp_path):
    """The summary is part of the build: a served build's summary.json is what its executors, the
    in-process backend and `kg query` read."""
    from kg.pool import ExecutorPool
    config = make_config(FIXTURE_CORPUS, tmp_path / "data")
    build(config)
    build_dir = current_dir(config.data_dir).resolve()
    data = json.loads((build_dir / summary.SUMMARY_FILE).read_text())
    data["predicates"] = {p: n + 1000 for p, n in data["predicates"].items()}
    (build_dir / summary.SUMMARY_FILE).write_text(json.dumps(data))
    match = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"
    near = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER (true) } GROUP BY ?p"
    pool = ExecutorPool(size=1, networked_size=1, max_client=4, busy_wait_s=10)
    try:
        answers = [json.loads(pool.run((str(build_dir / "store"), q, "results", "json", (), (), 10_000_000, (), {}),
                                       False, 30)) for q in (match, near)]
    finally:
        pool.close()
    from kg.backend import LocalBackend
    from kg.cli_query import run_cli_query
    backend = LocalBackend(config)
    try:
        answers += [json.loads(backend.query(q, "results", "json")) for q in (match, near)]
    finally:
        backend.runner.close()
    answers += [json.loads(run_cli_query(config, q, "json", None)) for q in (match, near)]
    counts = [{b["p"]["value"]: int(b["n"]["value"]) for b in a["results"]["bindings"]} for a in answers]
    assert counts[1] and counts[1] == counts[3] == counts[5]        # the store's own counts
    assert counts[0] == counts[2] == counts[4] == {p: n + 1000 for p, n in counts[1].items()}


def test_keys_oxigraph_cannot_sort_totally_are_not_sorted_from_the_summary(built_corpus, corpus_store):
    """rdf:object mixes xsd:integer, xsd:gYear and xsd:date literals: Oxigraph's ORDER BY is no total
    order over them and Rust's sort may end the process, depending on the rows' order. A query that
    sorts by such keys runs unchanged; one that sorts by the counts alone is still answered from them."""
    found = summary_of(built_corpus[0].data_dir)
    predicate = RDF + "object"
    assert not found.sorts_totally(predicate)
    by_key = f"SELECT ?o (COUNT(*) AS ?n) WHERE {{ ?s <{predicate}> ?o }} GROUP BY ?o ORDER BY ?n ?o"
    by_count = f"SELECT ?o (COUNT(*) AS ?n) WHERE {{ ?s <{predicate}> ?o }} GROUP BY ?o ORDER BY DESC(?n)"
    assert found.rewrite(by_key) is None
    assert found.rewrite(by_count) is not None
    assert found.sorts_totally(RDF + "type") and found.sorts_totally(None)
