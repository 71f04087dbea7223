"""Writing dates, the deputies' mandate, and states as founded, allied and led."""

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import RDF, XSD

from kg.calendar import DateSpan
from kg.config import PROJECT_ROOT
from kg.corpus import load_corpus
from kg.iris import Iris
from kg.namespaces import kg_namespace
from kg.quickstatements import export_corpus
from kg.sources import load_sources
from kg.triples import make_quads
from tests.annotation_errors import QUOTE, add_entities, append, error, refused
from tests.conftest import WIKIDATA_FIXTURES

BASE = "https://w3id.org/soviets/"
TRAPS = WIKIDATA_FIXTURES / "traps"
EXTRA_ENTITIES = ("- {id: testland, class: Country, label: Testland}\n"
                  "- {id: otherland, class: Country, label: Otherland}\n"
                  "- {id: test-letter, class: Publication, label: A Test Letter}\n"
                  "- {id: test-rising, class: Insurrection, label: Test Rising}\n")


def setup(corpus_dir: Path, statements: str) -> int:
    """Add those entities and append statements; the first appended line."""
    add_entities(corpus_dir, EXTRA_ENTITIES)
    return append(corpus_dir, statements)


@pytest.mark.parametrize("statement, field, message", [
    # only a work is written; an event happens (date)
    ("subject: test-rising\n    predicate: dateWritten\n    value: {date: 1905-11-02, calendar: julian}",
     "subject", "test-rising is a Insurrection"),
    # a mandate binds a body's deputies; a city has none
    ("subject: testgrad\n    predicate: mandate\n    value: \"can be recalled\"", "subject", "testgrad is a City"),
    ("subject: testgrad-soviet\n    predicate: mandate\n    object: testland", "object", "not an 'object'"),
    # a state has founders, but a city does not, and no state founds
    ("subject: testgrad\n    predicate: founder\n    object: ivan-testov", "subject", "testgrad is a City"),
    ("subject: testland\n    predicate: founder\n    object: otherland", "object", "otherland is a Country"),
    # a state is led, but does not lead; states are allies, cities are not
    ("subject: testland\n    predicate: led\n    object: testgrad-soviet", "subject", "testland is a Country"),
    ("subject: ivan-testov\n    predicate: led\n    object: testgrad", "object", "testgrad is a City"),
    ("subject: testland\n    predicate: alliedWith\n    object: testgrad", "object", "testgrad is a City"),
])
def test_check_refuses_a_bad_subject_object_or_value(corpus_dir, statement, field, message):
    add_entities(corpus_dir, EXTRA_ENTITIES)
    line, at = refused(corpus_dir, statement, field, message)
    assert line <= at <= line + statement.count("\n") + 1


def test_states_are_founded_allied_and_led(corpus_dir):
    setup(corpus_dir, "".join(f"""  - subject: {s}
    predicate: {p}
    object: {o}
    quote: "{QUOTE}"
""" for s, p, o in (("testland", "founder", "testgrad-soviet"), ("testland", "alliedWith", "otherland"),
                    ("testgrad-soviet", "alliedWith", "testland"), ("ivan-testov", "led", "testland"))))
    quads = make_quads(load_corpus(corpus_dir), BASE).quads
    k, e = kg_namespace(BASE), Iris(BASE).entity
    for s, p, o in (("testland", k.founder, "testgrad-soviet"), ("testland", k.alliedWith, "otherland"),
                    ("testgrad-soviet", k.alliedWith, "testland"), ("ivan-testov", k.led, "testland")):
        assert any(q[:3] == (e(s), p, e(o)) for q in quads), (s, p, o)


def test_a_writing_date_is_not_a_date_of_appearance_and_a_span_has_only_bounds(corpus_dir):
    setup(corpus_dir, f"""  - subject: test-letter
    predicate: dateWritten
    value: {{after: 1905-11-02, before: 1905-11-04, calendar: julian}}
    quote: "{QUOTE}"
  - subject: test-letter
    predicate: dateWritten
    value: {{date: 1905-11-02, calendar: julian}}
    quote: "{QUOTE}"
""")
    quads = make_quads(load_corpus(corpus_dir), BASE).quads
    k, letter = kg_namespace(BASE), Iris(BASE).entity("test-letter")
    direct = [q[2] for q in quads if q[:2] == (letter, k.dateWritten)]
    # the Julian day is exact in the Gregorian calendar; the span of three days is not one value
    assert direct == [Literal("1905-11-15", datatype=XSD.date)]
    assert not [q for q in quads if q[:2] == (letter, k.date)]
    nodes = {q[0] for q in quads if q[1:3] == (RDF.predicate, k.dateWritten)}
    assert len(nodes) == 2
    bounds = {(q[1], q[2]) for q in quads if q[1] in (k.earliestGregorian, k.latestGregorian)
              and str(q[0]).startswith(tuple(str(n) for n in nodes))}
    assert (k.earliestGregorian, Literal("1905-11-15", datatype=XSD.date)) in bounds
    assert (k.latestGregorian, Literal("1905-11-17", datatype=XSD.date)) in bounds


def test_a_source_written_on_a_span_of_days_keeps_both_ends():
    """sources.yaml dates lenin-1905 'November 2-4 (15-17), 1905': a span, not its first day."""
    written = load_sources(PROJECT_ROOT / "sources")["lenin-1905"].dates["written"]
    assert isinstance(written, DateSpan)
    assert (written.earliest, written.latest) == (date(1905, 11, 15), date(1905, 11, 17))


def test_the_texts_writing_dates_and_mandates_are_not_appearances_or_election_methods():
    statements = load_corpus(PROJECT_ROOT / "sources").annotations.statements
    letter = [st.predicate for st in statements if st.subject == "lenin-our-tasks-1905" and st.value is not None
              and not isinstance(st.value, str)]
    assert letter.count("dateWritten") == 2 and "date" not in letter
    words = {st.value: st.predicate for st in statements if isinstance(st.value, str)}
    assert words["The latter had to provide an account of their deeds to those who elected them"] == "mandate"
    assert next(p for v, p in words.items() if v.startswith("can be recalled at any time")) == "mandate"


@pytest.mark.parametrize("predicate, subject, obj, value", [
    ("dateWritten", "testgrad-soviet", None, "date"),
    ("mandate", "testgrad-soviet", None, "can be recalled at any time"),
    ("founder", "testland", "ivan-testov", None),
    ("alliedWith", "testland", "testgrad-soviet", None),
    # relations or contact, neither alliance nor struggle: no Wikidata property says as little
    ("inRelationWith", "testgrad-soviet", "ivan-testov", None),
    ("led", "ivan-testov", "testland", None),
    # who did, ordered or started an act: no Wikidata property says it (P710 is participation)
    ("carriedOut", "testland", "test-war", None),
    # a cause is a judgement of the text, with no Wikidata property (P828 "has cause" is not mapped)
    ("causedBy", "testgrad-soviet", "ivan-testov", None),
    ("cause", "testgrad-soviet", None, "the masses were still inexperienced"),
])
def test_none_of_them_goes_to_wikidata(predicate, subject, obj, value):
    """Wikidata gets only what the export's allow-list maps exactly; these have no property there."""
    corpus = load_corpus(TRAPS)
    template = next(st for st in corpus.annotations.statements if st.id == "founded-julian")
    st = dataclasses.replace(template, predicate=predicate, subject=subject, object=obj,
                             value=template.value if value == "date" else value)
    annotations = dataclasses.replace(corpus.annotations, statements=[st])
    result = export_corpus(dataclasses.replace(corpus, annotations=annotations), Iris(BASE))
    assert result.lines == [] and result.skipped == {"no Wikidata property": 1}
    # the template itself does go out: the trap is the predicate, not the statement
    annotations = dataclasses.replace(corpus.annotations, statements=[template])
    assert export_corpus(dataclasses.replace(corpus, annotations=annotations), Iris(BASE)).lines


@pytest.mark.parametrize("value, message", [
    ("7", "a mapping with its unit"),
    ("{amount: 1}", "a mapping with its unit"),
    ("{amount: 1, unit: fortnight}", "unknown unit 'fortnight'"),
    ("{amount: 1, lower: 1, unit: week}", "not both"),
])
def test_a_duration_needs_its_unit(corpus_dir, value, message):
    add_entities(corpus_dir, EXTRA_ENTITIES)
    _, text = error(corpus_dir, f"  - subject: test-rising\n    predicate: duration\n    value: {value}\n    quote: \"{QUOTE}\"\n")
    assert message in text and 'field "value"' in text, text


@pytest.mark.parametrize("value, direct", [
    ("{amount: 1, unit: week}", "P7D"),
    ("{amount: 3, unit: day}", "P3D"),
    ("{amount: 2, unit: month}", "P2M"),
    ("{amount: 1, unit: week, approximate: true}", None),
    ("{lower: 1, upper: 2, unit: week}", None),
])
def test_a_duration_is_a_quantity_with_its_unit_and_a_direct_value_only_when_exact(corpus_dir, value, direct):
    setup(corpus_dir, f"  - subject: test-rising\n    predicate: duration\n    value: {value}\n    quote: \"{QUOTE}\"\n")
    quads = make_quads(load_corpus(corpus_dir), BASE).quads
    k, rising = kg_namespace(BASE), Iris(BASE).entity("test-rising")
    values = [q[2] for q in quads if q[:2] == (rising, k.duration)]
    assert values == ([Literal(direct, datatype=XSD.duration)] if direct else [])
    [node] = {q[0] for q in quads if q[1:3] == (RDF.predicate, k.duration)}
    [quantity] = [q[2] for q in quads if q[:2] == (node, k.quantity)]
    unit = value.split("unit: ")[1].split(",")[0].rstrip("}")
    assert any(q[:2] == (quantity, k.timeUnit) and str(q[2]).endswith("unit" + unit.capitalize()) for q in quads)


def test_a_duration_does_not_go_to_wikidata():
    corpus = load_corpus(TRAPS)
    template = next(st for st in corpus.annotations.statements if st.id == "founded-julian")
    from kg.quantity import parse_duration
    st = dataclasses.replace(template, predicate="duration", subject="test-rising",
                             value=parse_duration({"amount": 1, "unit": "week"}))
    annotations = dataclasses.replace(corpus.annotations, statements=[st])
    result = export_corpus(dataclasses.replace(corpus, annotations=annotations), Iris(BASE))
    assert result.lines == [] and result.skipped == {"no Wikidata property": 1}
