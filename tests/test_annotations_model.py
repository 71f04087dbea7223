"""The forms of issue 10 in annotation files: stance, claimants, quantities, breakdowns, calendars, spans, misprints."""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from kg.calendar import DateSpan
from kg.corpus import load_corpus
from kg.errors import InputError
from tests.annotation_errors import QUOTE, append, error, line_of

def julian_default(corpus_dir):
    """Give the fixture source a Julian calendar policy (its Gregorian publication year says why it departs)."""
    meta = corpus_dir / "sources.yaml"
    text = meta.read_text(encoding="utf-8")
    text = text.replace("  language: en\n", "  language: en\n  calendar: {default: julian, basis: \"a Russian chronicle\"}\n")
    text = text.replace('published: {date: "1906", calendar: gregorian}',
                        'published: {date: "1906", calendar: gregorian, calendar_basis: "a later edition"}')
    meta.write_text(text, encoding="utf-8")


def planted(corpus_dir, text):
    append(corpus_dir, text)
    return load_corpus(corpus_dir).annotations.statements[7:]


def test_stance_and_claimants(corpus_dir):
    sts = planted(corpus_dir, f"""  - subject: testgrad-soviet
    predicate: numberOfDeputies
    value: 562
    stance: reports
    attribution: quoted
    claimant: "the bourgeois press"
    quote: "{QUOTE}"
  - subject: testgrad-soviet
    predicate: led
    object: testgrad-soviet
    stance: alleges
    attribution: quoted:testgrad-soviet
    quote: "{QUOTE}"
""")
    assert (sts[0].stance, sts[0].attribution, sts[0].claimant) == ("reports", "quoted", "the bourgeois press")
    assert (sts[1].stance, sts[1].quoted) == ("alleges", "testgrad-soviet")


@pytest.mark.parametrize("value, expected", [
    ('{amount: 2500, approximate: true, written: "562"}', (2500, None, None, True, False)),
    ('{lower: 2000, upper: 3000, written: "562"}', (None, 2000, 3000, False, False)),
    ('{upper: 25}', (None, None, 25, False, False)),
    ('{lower: 25, lower_exclusive: true}', (None, 25, None, False, False)),
    ('{amount: 562, written: "562"}', (562, None, None, False, True)),
])
def test_quantities(corpus_dir, value, expected):
    (st,) = planted(corpus_dir, f"""  - subject: testgrad-soviet
    predicate: numberOfDeputies
    value: {value}
    quote: "{QUOTE}"
""")
    q = st.quantity
    assert (q.amount, q.lower, q.upper, q.approximate, q.exact) == expected
    assert st.counted == "deputies"


@pytest.mark.parametrize("value, expected", [
    ('40', (40, None, None, True)),
    ('{amount: 62.5, written: "562"}', (Decimal("62.5"), None, None, True)),
    ('{lower: 33.3, approximate: true, written: "562"}', (None, Decimal("33.3"), None, False)),
])
def test_shares_in_per_cent(corpus_dir, value, expected):
    (st,) = planted(corpus_dir, f"""  - subject: testgrad-soviet
    predicate: share
    value: {value}
    unit: "per cent of the budget"
    quote: "{QUOTE}"
""")
    q = st.quantity
    assert (q.amount, q.lower, q.upper, q.exact) == expected
    assert not isinstance(q.amount, float) and not isinstance(q.lower, float)
    assert st.counted is None and st.texts["unit"] == "per cent of the budget"


def test_new_kinds_of_count(corpus_dir):
    (st,) = planted(corpus_dir, f"""  - subject: testgrad-soviet
    predicate: count
    counts: issues
    value: {{upper: 80, written: "562"}}
    quote: "{QUOTE}"
""")
    assert (st.counted, st.quantity.upper) == ("issues", 80)


def test_counts_group_maximum_breakdown(corpus_dir):
    sts = planted(corpus_dir, f"""  - id: total
    subject: testgrad-soviet
    predicate: count
    counts: delegates
    value: 562
    maximum: true
    breakdown_complete: party
    quote: "{QUOTE}"
  - subject: testgrad-soviet
    predicate: count
    counts: delegates
    value: 500
    group: {{by: party, value: trotsky}}
    part_of: total
    quote: "{QUOTE}"
  - subject: testgrad-soviet
    predicate: numberOfSeats
    value: 62
    group: {{by: trade, value: "the printers"}}
    part_of: total
    quote: "{QUOTE}"
""")
    assert (sts[0].counted, sts[0].maximum, sts[0].breakdown_complete) == ("delegates", True, "party")
    assert (sts[1].group_by, sts[1].group, sts[1].group_is_entity, sts[1].part_of) == ("party", "trotsky", True, "total")
    assert (sts[2].group, sts[2].group_is_entity, sts[2].counted) == ("the printers", False, "seats")


def test_source_calendar_default_spans_and_misprints(corpus_dir):
    julian_default(corpus_dir)
    sts = planted(corpus_dir, f"""  - subject: testgrad-soviet
    predicate: activeIn
    value: {{after: 1905-05, before: 1905-10, written: "562"}}
    quote: "{QUOTE}"
  - subject: testgrad-soviet
    predicate: founded
    value: {{date: 1905-10-13, printed: "October 13, 1905", corrected_by: editor}}
    quote: "was founded on October 13, 1905"
  - subject: testgrad-soviet
    predicate: activeIn
    value: 1905-11
    quote: "{QUOTE}"
""")
    span = sts[0].value
    assert isinstance(span, DateSpan) and span.calendar == "julian" and span.gregorian is None
    assert (span.earliest.isoformat(), span.latest.isoformat()) == ("1905-05-14", "1905-11-13")
    assert (sts[1].value.printed, sts[1].value.corrected_by, sts[1].value.gregorian) == \
        ("October 13, 1905", "editor", "1905-10-26")
    assert sts[2].value.calendar == "julian" and sts[2].value.gregorian is None
    # the real sources each state their calendar policy and its basis, their work and periodical
    entries = yaml.safe_load((Path(__file__).parent.parent / "sources" / "sources.yaml").read_text(encoding="utf-8"))
    assert all(e["calendar"]["default"] and e["calendar"]["basis"] and e["work"] and e["periodical"] for e in entries)


@pytest.mark.parametrize("statement, field, message", [
    ("predicate: numberOfDeputies\n    value: {amount: 2000, lower: 2000}", "value", "not both"),
    ("predicate: numberOfDeputies\n    value: {lower: 30, upper: 20}", "value", "not below the upper"),
    ("predicate: numberOfDeputies\n    value: {upper_exclusive: true, lower: 3}", "value", "needs an 'upper'"),
    ("predicate: numberOfDeputies\n    value: {amount: 5, written: \"five\"}", "value", "not in the quote"),
    ("predicate: numberOfDeputies\n    value: 5\n    stance: claims", "stance", "unknown stance"),
    ("predicate: count\n    value: 5", "predicate", "count needs 'counts'"),
    ("predicate: numberOfDeputies\n    value: 5\n    counts: horses", "counts", "unknown counts"),
    ("predicate: numberOfDeputies\n    value: 5\n    group: {by: colour, value: red}", "by", "unknown group"),
    ("predicate: numberOfDeputies\n    value: 5\n    part_of: nowhere", "part_of", "no statement with that id"),
    ("predicate: numberOfDeputies\n    value: 5\n    attribution: quoted", "attribution", "needs 'claimant'"),
    ("predicate: numberOfDeputies\n    value: 5\n    claimant: \"they\"", "claimant", "goes with 'attribution: quoted'"),
    ("predicate: numberOfDeputies\n    value: 5\n    attribution: quoted:testgrad", "attribution", "not a person, organisation"),
    ("predicate: termOfOffice\n    value: \"x\"\n    maximum: true", "maximum", "qualifies a number"),
    ("predicate: share\n    value: 40", "predicate", "share needs a 'unit'"),
    ("predicate: numberOfDeputies\n    value: 5\n    attribution: external", "attribution", "goes with 'external"),
    ("predicate: numberOfDeputies\n    value: 5\n    external: \"elsewhere\"\n    attribution: author", "attribution",
     "not the author's claim"),
    ("predicate: share\n    value: 120\n    unit: \"per cent\"", "value", "between 0 and 100"),
    ("predicate: share\n    value: \"a third\"\n    unit: \"per cent\"", "value", "not a number of per cent"),
    ("predicate: numberOfDeputies\n    value: 62.5", "value", "not a whole number"),
    ("predicate: founded\n    value: {date: 1905-10, calendar: julian}\n    approximate: true", "approximate",
     "a vague date is a span"),
    ("predicate: founded\n    value: {after: 1905-10, before: 1905-05, calendar: julian}", "value", "later than"),
    ("predicate: founded\n    value: {date: 1905-10-13, calendar: julian, printed: \"562\"}", "value", "both 'printed'"),
    ("predicate: founded\n    value: {date: 1905-10-13, calendar: julian, printed: \"562\", corrected_by: external}",
     "value", "correction_basis"),
])
def test_bad_new_forms_name_file_line_field(corpus_dir, statement, field, message):
    line, text = error(corpus_dir, f"""  - subject: testgrad-soviet
    {statement}
    quote: "{QUOTE}"
""")
    assert message in text, text
    lines = [ln for ln in text.splitlines() if message in ln]
    assert any(f'annotations/chronicle.yaml:' in ln and f'field "{field}"' in ln for ln in lines), text
    assert line <= line_of(lines[0]) <= line + statement.count("\n") + 2


def test_julian_default_is_refused_after_1918(corpus_dir):
    julian_default(corpus_dir)
    _, text = error(corpus_dir, f"""  - subject: testgrad-soviet
    predicate: dissolved
    value: 1924-01
    quote: "{QUOTE}"
""")
    assert "after Russia left the Julian calendar" in text


def test_a_date_departing_from_the_source_calendar_says_why(corpus_dir):
    julian_default(corpus_dir)
    line, text = error(corpus_dir, f"""  - subject: testgrad-soviet
    predicate: activeIn
    value: {{date: 1905-11, calendar: ambiguous}}
    quote: "{QUOTE}"
""")
    assert f"chronicle.yaml:{line + 2}: field \"value\": this date is ambiguous, not its source's julian" in text
    meta = corpus_dir / "sources.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace(', calendar_basis: "a later edition"', ""),
                    encoding="utf-8")
    with pytest.raises(InputError, match="say why in calendar_basis"):
        load_corpus(corpus_dir)
