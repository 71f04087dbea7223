"""Every named query runs on the bundled corpus and gives the answer stored beside it."""

import dataclasses
import re

import pytest

from kg.answers import in_order_groups, refresh_one, same_answer
from kg.config import PROJECT_ROOT
from kg.errors import QuerySyntaxError
from kg.formats import by_name
from kg.queries import ORDER_PARSE_CHARS, catalogue, order_by, parse_query_file
from kg.sparql import execute

QUERIES = catalogue(PROJECT_ROOT / "queries")


def test_there_are_at_least_15_named_queries_each_with_title_and_description():
    assert len(QUERIES) >= 15
    for q in QUERIES.values():
        assert q.meta.get("title") and q.meta.get("description"), q.slug


@pytest.mark.parametrize("slug", sorted(QUERIES))
def test_query_gives_its_expected_answer(slug, corpus_store):
    q = QUERIES[slug]
    assert q.expected_path.is_file(), f"{q.path.name} has no expected answer {q.expected_path.name}"
    expected = q.expected_path.read_text(encoding="utf-8").splitlines()
    got = execute(corpus_store, q.text, by_name("results", "tsv")).decode("utf-8").splitlines()
    assert got[0] == expected[0], "the columns changed"
    assert len(got) > 1, "the query answers nothing"
    assert same_answer(q, expected, got)


def test_ties_in_an_ordered_answer_compare_as_multisets_but_the_order_of_keys_counts():
    text = "SELECT ?a ?b WHERE { VALUES (?a ?b) { (1 1) } } ORDER BY ?a"
    assert in_order_groups(text, ["?a\t?b", "1\tx", "1\ty", "2\tz"]) == \
        in_order_groups(text, ["?a\t?b", "1\ty", "1\tx", "2\tz"])
    assert in_order_groups(text, ["?a\t?b", "1\tx", "2\tz"]) != in_order_groups(text, ["?a\t?b", "2\tz", "1\tx"])
    by_expression = "SELECT ?a ?b WHERE { VALUES (?a ?b) { (1 1) } } ORDER BY STR(?a)"
    assert in_order_groups(by_expression, ["?a\t?b", "1\tx", "1\ty"]) != \
        in_order_groups(by_expression, ["?a\t?b", "1\ty", "1\tx"])


# Each holds the words ORDER BY, and none orders its answer: a subquery's order is not the answer's.
FOOLS_A_REGEX = {
    "comment": "SELECT ?a WHERE { VALUES ?a { 1 2 } }  # ORDER BY ?a\n",
    "string": 'SELECT ?a WHERE { VALUES ?a { 1 2 } FILTER(?a != "ORDER BY ?a") }',
    "subquery": "SELECT ?a WHERE { { SELECT ?a WHERE { VALUES ?a { 1 2 } } ORDER BY ?a LIMIT 2 } }",
}


def named(tmp_path, text):
    path = tmp_path / "q.rq"
    path.write_text("# title: t\n# description: d\n" + text, encoding="utf-8")
    return parse_query_file(path)


@pytest.mark.parametrize("where", sorted(FOOLS_A_REGEX))
def test_order_by_in_a_comment_a_string_or_a_subquery_leaves_the_answer_unordered(where, tmp_path):
    text = FOOLS_A_REGEX[where]
    assert re.search(r"\bORDER\s+BY\b", text, re.I)       # what a search of the text would take for an order
    q = named(tmp_path, text)
    assert not q.ordered and order_by(text) is None
    assert same_answer(q, ["?a", "1", "2"], ["?a", "2", "1"])      # compared as a multiset
    ordered = named(tmp_path, text + " ORDER BY DESC(?a)")
    assert ordered.ordered and order_by(ordered.text) == ("a",)
    assert not same_answer(ordered, ["?a", "2", "1"], ["?a", "1", "2"])
    assert order_by(text + " ORDER BY STR(?a)") == (None,)            # an expression: the whole order counts


def test_a_named_query_whose_order_cannot_be_read_names_its_file(tmp_path):
    with pytest.raises(QuerySyntaxError, match=r"q\.rq.*does not parse"):
        named(tmp_path, "SELECT ?a WHERE { ?a ").ordered
    with pytest.raises(QuerySyntaxError, match=r"q\.rq.*characters long"):
        named(tmp_path, "SELECT ?a WHERE { ?a ?b ?c }" + " " * ORDER_PARSE_CHARS).ordered


def test_historians_questions_have_the_answers_the_texts_give(corpus_store):
    """Spot checks read off the texts, independent of the stored answers."""
    def rows(slug):
        return execute(corpus_store, QUERIES[slug].text, by_name("results", "tsv")).decode().splitlines()[1:]
    presidents = rows("petersburg-soviet-presidents")
    assert any("trotsky" in r and "khrustalev-nosar" in r for r in presidents)   # Trotsky replaced Khrustalev
    mrc = rows("who-led-the-military-revolutionary-committee")
    assert any("petit-2000" in r and "Trotsky led the Military Revolutionary Committee" in r for r in mrc)
    parties = "\n".join(rows("moscow-executive-committee-parties"))
    for party in ("bolsheviks", "mensheviks", "socialist-revolutionary-party"):
        assert party in parties
    ratios = "\n".join(rows("deputy-ratios"))
    assert "petersburg-soviet-1905" in ratios and '"500"' not in ratios   # integers, not strings


def test_a_refresh_keeps_the_stored_answer_when_only_ties_moved_and_rewrites_it_otherwise(corpus_store, tmp_path):
    for q in QUERIES.values():      # the first ordered query whose answer has rows with equal keys
        rows = execute(corpus_store, q.text, by_name("results", "tsv")).decode("utf-8").splitlines()
        groups = in_order_groups(q.text, rows) if q.ordered else []
        tied = next((g for g in groups if isinstance(g, tuple) and len(g[1]) > 1), None)
        if tied:
            break
    assert tied, "no named query has tied rows to test with"
    start = next(i for i, r in enumerate(rows) if i and r in tied[1])
    n = sum(tied[1].values())
    swapped = [*rows[:start], *reversed(rows[start:start + n]), *rows[start + n:]]
    assert swapped != rows
    copy = dataclasses.replace(q, path=tmp_path / "copy.rq")
    copy.expected_path.write_text("\n".join(swapped) + "\n", encoding="utf-8")
    assert refresh_one(corpus_store, copy).status == "unchanged"
    assert copy.expected_path.read_text(encoding="utf-8").splitlines() == swapped
    copy.expected_path.write_text("\n".join([rows[0], *reversed(rows[1:])]) + "\n", encoding="utf-8")
    assert refresh_one(corpus_store, copy).status == "changed"
    assert copy.expected_path.read_text(encoding="utf-8").splitlines() == rows
