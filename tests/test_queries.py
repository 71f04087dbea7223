"""Every named query runs on the bundled corpus and gives the answer stored beside it."""

from collections import Counter

import pytest

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
        assert got[1:] == expected[1:]
    else:
        assert Counter(got[1:]) == Counter(expected[1:])


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
