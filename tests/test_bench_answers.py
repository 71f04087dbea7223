"""The benchmark's answer digests: equal answers compare equal across engines, different ones do not."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import answers  # noqa: E402


def body(rows: list[dict]) -> bytes:
    variables = sorted({v for r in rows for v in r})
    return json.dumps({"head": {"vars": variables}, "results": {"bindings": rows}}).encode()


def lit(value, datatype=None, lang=None):
    t = {"type": "literal", "value": value}
    if datatype:
        t["datatype"] = "http://www.w3.org/2001/XMLSchema#" + datatype
    if lang:
        t["xml:lang"] = lang
    return t


def uri(value):
    return {"type": "uri", "value": "https://example.org/" + value}


def key(rows, query):
    return answers.digest(answers.canonical(answers.rows(body(rows)), answers.form(query)))


UNORDERED = "SELECT ?s ?n WHERE { ?s ?p ?n }"
ORDERED = "SELECT ?s ?n WHERE { ?s ?p ?n } ORDER BY ?n"


def test_terms_normalised_as_engines_write_them():
    a = [{"s": uri("a"), "n": lit("01", "integer")}, {"s": uri("b"), "n": lit("x", "string")}]
    b = [{"s": uri("b"), "n": lit("x")}, {"s": uri("a"), "n": lit("1", "integer")}]
    assert key(a, UNORDERED) == key(b, UNORDERED)


def test_a_missing_row_or_another_value_differs():
    a = [{"s": uri("a"), "n": lit("1", "integer")}, {"s": uri("a"), "n": lit("1", "integer")}]
    assert key(a, UNORDERED) != key(a[:1], UNORDERED)                       # a multiset, not a set
    assert key(a[:1], UNORDERED) != key([{"s": uri("a"), "n": lit("2", "integer")}], UNORDERED)
    assert key([{"s": uri("a"), "n": lit("x", lang="en")}], UNORDERED) != key([{"s": uri("a"), "n": lit("x")}],
                                                                               UNORDERED)


def test_order_by_keeps_the_keys_order_and_lets_ties_go_either_way():
    one, two, tie = ({"s": uri("a"), "n": lit("1", "integer")}, {"s": uri("b"), "n": lit("2", "integer")},
                     {"s": uri("c"), "n": lit("2", "integer")})
    assert key([one, two], ORDERED) != key([two, one], ORDERED)
    assert key([one, two], UNORDERED) == key([two, one], UNORDERED)
    assert key([one, two, tie], ORDERED) == key([one, tie, two], ORDERED)


def test_sample_columns_are_left_out_and_group_keys_are_not():
    q = "SELECT ?g (SAMPLE(?x) AS ?example) (COUNT(?x) AS ?n) WHERE { ?g ?p ?x } GROUP BY ?g ORDER BY ?g"
    assert answers.form(q) == {"order": ["g"], "sampled": ["example"]}
    a = [{"g": uri("a"), "example": lit("x"), "n": lit("2", "integer")}]
    b = [{"g": uri("a"), "example": lit("y"), "n": lit("2", "integer")}]
    assert key(a, q) == key(b, q)
    assert key(a, q) != key([{"g": uri("a"), "example": lit("x"), "n": lit("3", "integer")}], q)


def test_order_by_an_expression_compares_the_whole_sequence():
    assert answers.form("SELECT ?s WHERE { ?s ?p ?o } ORDER BY STR(?s)")["order"] is None
    assert answers.form("SELECT ?s WHERE { ?s ?p ?o } ORDER BY DESC(?o) LIMIT 3")["order"] == ["o"]
    # a subquery's order is not the answer's: its rows are a multiset
    assert answers.form("SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3 } }")["order"] == []


def test_difference_names_the_rows_on_each_side():
    a = answers.canonical(answers.rows(body([{"s": uri("a")}, {"s": uri("b")}])))
    b = answers.canonical(answers.rows(body([{"s": uri("a")}, {"s": uri("c")}])))
    d = answers.difference(a, b)
    assert d["count_only_here"] == d["count_only_in_reference"] == 1
    assert "b" in d["only_here"][0] and "c" in d["only_in_reference"][0]
