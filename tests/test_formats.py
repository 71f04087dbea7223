"""Content negotiation over one table: q-values, wildcards, specificity, parameters."""

import pytest

from kg.errors import NotAcceptable
from kg.formats import by_name, negotiate, parse_accept


@pytest.mark.parametrize("accept, kind, expected", [
    (None, "results", "json"),
    ("", "graph", "turtle"),
    ("*/*", "results", "json"),
    ("*/*", "graph", "turtle"),
    ("text/*", "results", "csv"),
    ("application/sparql-results+xml", "results", "xml"),
    ("text/csv;q=0.8, text/tab-separated-values", "results", "tsv"),
    ("text/tab-separated-values;q=0.1, */*;q=0.5", "results", "json"),
    ("application/json", "results", "json"),
    ("application/json", "graph", "jsonld"),
    ("text/plain", "graph", "ntriples"),
    ("application/rdf+xml;q=1.0, text/turtle;q=0.9", "graph", "rdfxml"),
    ("text/turtle;charset=utf-8", "graph", "turtle"),
    ("text/turtle;charset=bogus", "graph", "turtle"),       # a bad charset parameter does not break matching
    ("text/html, application/xhtml+xml, */*;q=0.8", "graph", "turtle"),
])
def test_negotiate(accept, kind, expected):
    assert negotiate(accept, kind).name == expected


def test_html_is_chosen_by_browsers_when_offered():
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert negotiate(browser, "graph", html=True).name == "html"


def test_q_zero_excludes():
    with pytest.raises(NotAcceptable):
        negotiate("text/turtle;q=0", "graph")


def test_nothing_acceptable_is_406_with_the_available_types():
    with pytest.raises(NotAcceptable) as exc:
        negotiate("image/png", "results")
    assert exc.value.status == 406 and "application/sparql-results+json" in exc.value.message


def test_malformed_q_is_treated_as_zero():
    assert parse_accept("text/csv;q=abc") == [("text/csv", 0.0, 0)]


@pytest.mark.parametrize("name, kind, expected", [("csv", "results", "csv"), ("srj", "results", "json"),
                                                  ("text/turtle", "graph", "turtle"), ("nt", "graph", "ntriples")])
def test_by_name_accepts_names_extensions_and_media_types(name, kind, expected):
    assert by_name(kind, name).name == expected


def test_by_name_unknown_is_406():
    with pytest.raises(NotAcceptable):
        by_name("results", "pdf")
