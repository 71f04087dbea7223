"""Every named query runs on the bundled corpus and gives the answer stored beside it."""

from collections import Counter
from itertools import groupby

import pytest
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Variable

from kg.config import PROJECT_ROOT
from kg.formats import by_name
from kg.queries import catalogue
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
    if q.ordered:
        assert in_order_groups(q.text, got) == in_order_groups(q.text, expected)
    else:
        assert Counter(got[1:]) == Counter(expected[1:])


def order_keys(text: str) -> list[str] | None:
    """The variables of the query's outermost ORDER BY, from a parse; None where a key is an expression."""
    stack = [prepareQuery(text).algebra]
    while stack:
        node = stack.pop()
        if getattr(node, "name", None) == "OrderBy":
            keys = [c.expr if getattr(c, "name", None) == "OrderCondition" else c for c in node.expr]
            return [str(k) for k in keys] if all(isinstance(k, Variable) for k in keys) else None
        stack.extend(node[k] for k in ("p", "p1", "p2") if k in node and hasattr(node[k], "name"))
    return None


def in_order_groups(text: str, tsv: list[str]) -> list:
    """The rows as a sequence of groups of equal ORDER BY keys, each group a multiset.

    SPARQL leaves the order of rows with equal keys to the engine (and Oxigraph's changes when
    unrelated data does), so only the order between groups is part of the answer. Where a key is an
    expression or not among the columns, the whole order counts."""
    header, rows = tsv[0].split("\t"), tsv[1:]
    keys = order_keys(text)
    if keys is None or any("?" + k not in header for k in keys):
        return rows
    cols = [header.index("?" + k) for k in keys]
    key = lambda row: tuple(row.split("\t")[c] for c in cols)  # noqa: E731
    return [(k, Counter(group)) for k, group in groupby(rows, key)]


def test_ties_in_an_ordered_answer_compare_as_multisets_but_the_order_of_keys_counts():
    text = "SELECT ?a ?b WHERE { VALUES (?a ?b) { (1 1) } } ORDER BY ?a"
    assert in_order_groups(text, ["?a\t?b", "1\tx", "1\ty", "2\tz"]) == \
        in_order_groups(text, ["?a\t?b", "1\ty", "1\tx", "2\tz"])
    assert in_order_groups(text, ["?a\t?b", "1\tx", "2\tz"]) != in_order_groups(text, ["?a\t?b", "2\tz", "1\tx"])
    by_expression = "SELECT ?a ?b WHERE { VALUES (?a ?b) { (1 1) } } ORDER BY STR(?a)"
    assert in_order_groups(by_expression, ["?a\t?b", "1\tx", "1\ty"]) != \
        in_order_groups(by_expression, ["?a\t?b", "1\ty", "1\tx"])


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
