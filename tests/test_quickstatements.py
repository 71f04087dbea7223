"""`kg export quickstatements`: QuickStatements v1 lines with Wikidata's dates and a sourced reference."""

import copy
import dataclasses
import re

import pytest
from click.testing import CliRunner

from kg.calendar import parse_date
from kg.cli import main
from kg.config import PROJECT_ROOT, Config
from kg.corpus import load_corpus
from kg.iris import Iris
from kg.quickstatements import export_corpus, export_quickstatements, qs_text, qs_time
from kg.registry import load_registry
from tests.conftest import WIKIDATA_FIXTURES

# The value forms of QuickStatements v1 we write (Help:QuickStatements; parseValueV1).
ITEM = r"Q[1-9]\d*"
TIME = r"[+-]\d+-\d\d-\d\dT\d\d:\d\d:\d\dZ/(9|10|11)(/J)?"
STRING = r'"[^"\t\n]*"'
MONO = r'[a-z_-]+:"[^\t\n]*"'
VALUE = re.compile(f"^({ITEM}|{TIME}|{STRING}|{MONO})$")


@pytest.mark.parametrize("value, calendar, expected", [
    ("1905-10-13", "julian", "+1905-10-13T00:00:00Z/11/J"),
    ("1917-11-07", "gregorian", "+1917-11-07T00:00:00Z/11"),
    ("1917-10", "julian", "+1917-10-00T00:00:00Z/10/J"),
    ("1905", "gregorian", "+1905-00-00T00:00:00Z/9"),
    ("1906", "ambiguous", "+1906-00-00T00:00:00Z/9"),
    ("1906-07", "ambiguous", None),       # a month or day of unknown calendar is not made Gregorian
    ("1906-07-04", "ambiguous", None),
])
def test_dates_keep_their_calendar_and_precision(value, calendar, expected):
    assert qs_time(parse_date(value, calendar)) == expected


def test_text_values_stay_on_one_line_within_wikidata_limits():
    assert qs_text("a\tb\n c", "en") == 'en:"a b c"'
    assert len(qs_text("word " * 400)) <= 1502


def link_fixture(corpus_dir):
    """Link the fixture corpus's soviet and city (made-up items, with a basis, as the registry asks)."""
    path = corpus_dir / "entities" / "all.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("{id: testgrad, class: City, label: Testgrad}",
                        "{id: testgrad, class: City, label: Testgrad, wikidata: Q999999921, wikidata_basis: test}")
    text = text.replace("  constituency: [workers]",
                        "  constituency: [workers]\n  wikidata: Q999999920\n  wikidata_basis: test")
    path.write_text(text, encoding="utf-8")


def test_export_of_the_fixture_corpus(corpus_dir):
    link_fixture(corpus_dir)
    result = export_quickstatements(Config(sources_dir=str(corpus_dir)))
    ref = '\tS854\t"https://w3id.org/soviets/source/chronicle"\tS1683\ten:"'
    assert result.lines == [
        "Q999999920\tP159\tQ999999921" + ref + 'Soviet of Workers’ Deputies of Testgrad"',
        "Q999999920\tP488\tQ33391\tP580\t+1905-11-26T00:00:00Z/11/J" + ref
        + 'after his arrest on November 26, Trotsky replaced him"',
        "Q999999920\tP571\t+1905-10-13T00:00:00Z/11/J" + ref
        + 'The Soviet of Workers’ Deputies of Testgrad was founded on October 13, 1905"',
    ]
    # Khrustalev is not linked; counts have no Wikidata property here; the dispersal is in an
    # editor's note of a source that names no edition, so it cannot be cited as that note
    assert result.skipped == {"subject not linked": 1, "no Wikidata property": 2,
                              "an editor's note whose edition the source metadata does not give": 1}


def test_nothing_is_exported_without_links(config):
    result = export_quickstatements(config)
    assert result.lines == [] and result.skipped["object not linked"] == 1


def test_export_of_the_bundled_corpus_is_valid_quickstatements():
    config = Config()
    result = export_quickstatements(config)
    assert result.lines
    linked = {e.wikidata for e in load_registry(config.sources_dir).values() if e.wikidata}
    for line in result.lines:
        cells = line.split("\t")
        assert cells[0] in linked and re.fullmatch(r"P\d+", cells[1]), line
        assert len(cells) % 2 == 1, "item, then (property, value) pairs"
        pairs = list(zip(cells[1::2], cells[2::2]))
        for prop, value in pairs:
            assert re.fullmatch(r"[PS]\d+", prop) and VALUE.match(value), (prop, value)
            if re.fullmatch(ITEM, value):
                assert value in linked, f"{value} is not one of our links"
        props = [p for p, _ in pairs]
        assert props[-2:] == ["S854", "S1683"], "each statement carries its reference URL and quotation"
        assert props.index("S854") > max(i for i, p in enumerate(props) if p.startswith("P")), \
            "qualifiers before the reference"


def test_the_cli_writes_the_file_and_says_what_it_left_out(corpus_dir, tmp_path):
    link_fixture(corpus_dir)
    out = tmp_path / "qs.txt"
    result = CliRunner().invoke(main, ["export", "quickstatements", "--out", str(out)],
                                env={"KG_SOURCES_DIR": str(corpus_dir)})
    assert result.exit_code == 0, result.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3
    assert "3 statements exported; skipped: 2 no Wikidata property, 1 subject not linked" in result.output


def test_the_project_readme_documents_the_export():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "`kg export quickstatements`" in readme and "/J" in readme


# -- the trap corpus (tests/fixtures/wikidata/traps/): each statement a way to write a wrong
# statement into Wikidata, and the export refusing it --

TRAPS = WIKIDATA_FIXTURES / "traps"
DOC = '"https://w3id.org/soviets/source/traps"'


@pytest.fixture(scope="module")
def traps():
    return load_corpus(TRAPS)


def export_only(corpus, *ids, **record):
    """Export the given statements of the trap corpus only, each record changed by `record`
    (how a test sets fields the annotation files may not have yet, such as `stance`)."""
    by_id = {st.id: st for st in corpus.annotations.statements}
    chosen = []
    for sid in ids:
        st = copy.copy(by_id[sid])
        for key, value in record.items():
            setattr(st, key, value)
        chosen.append(st)
    annotations = dataclasses.replace(corpus.annotations, statements=chosen)
    return export_corpus(dataclasses.replace(corpus, annotations=annotations), Iris("https://w3id.org/soviets/"))


def test_the_trap_corpus_exports_only_what_its_source_asserts(traps):
    result = export_only(traps, *(st.id for st in traps.annotations.statements))
    assert [l.split("\t")[:3] for l in result.lines] == [
        ["Q999999931", "P102", "Q999999937"],                  # the membership, without its point in time
        ["Q999999931", "P569", "+1870-00-00T00:00:00Z/9"],     # the editor's note, cited as that note
        ["Q999999932", "P159", "Q999999934"],                  # a city is a headquarters
        ["Q999999932", "P571", "+1905-10-13T00:00:00Z/11/J"],  # one founding day, once
        ["Q999999939", "P582", "+1906-00-00T00:00:00Z/9"],     # a year of unknown calendar goes
    ]
    assert sum(result.skipped.values()) == 12


@pytest.mark.parametrize("sid, reason", [
    ("government-in-war", "a government standing for its country in a war"),   # not Testland
    ("party-in-country", "a country or region is no headquarters"),
    ("member-of-faction", "a faction is no political party (P102)"),
    ("founded-quoted", "a claim the source quotes"),
    ("founded-uncertain", "marked uncertain"),
    ("rising-month", "a month or day of unknown calendar"),
    ("rising-day", "a month or day of unknown calendar"),
    ("old-testgrad-in-testland", "subject not linked"),        # a closeMatch is not a link
    ("died-translator", "a translator's note whose edition the source metadata does not give"),
])
def test_each_trap_is_refused_for_its_reason(traps, sid, reason):
    result = export_only(traps, sid)
    assert result.lines == [] and result.skipped == {reason: 1}


def test_a_related_match_never_reaches_the_export(traps):
    assert load_corpus(TRAPS).registry["old-testgrad"].related[0].qid == "Q999999940"
    assert not [l for l in export_only(traps, "old-testgrad-in-testland").lines if "Q999999940" in l]


@pytest.mark.parametrize("stance, exported", [
    (None, True), ("asserts", True), ("decides", True), ("enacts", True),
    ("reports", False), ("alleges", False), ("proposes", False), ("demands", False),
    ("predicts", False), ("denies", False),
])
def test_only_the_sources_own_stances_are_exported(traps, stance, exported):
    result = export_only(traps, "soviet-in-city", stance=stance)
    if exported:
        assert [l.split("\t")[1] for l in result.lines] == ["P159"]
    else:
        assert result.lines == [] and result.skipped == {f"stance {stance}, not the source's own assertion": 1}


def test_a_claim_quoted_from_any_agent_or_an_unnamed_claimant_is_refused(traps):
    for record in ({"attribution": "quoted", "quoted": "testgrad-soviet"},
                   {"attribution": "quoted", "quoted": None, "claimant": "the bourgeois press"}):
        result = export_only(traps, "soviet-in-city", **record)
        assert result.lines == [] and result.skipped == {"a claim the source quotes": 1}


def test_a_point_in_time_on_a_party_membership_is_left_off(traps):
    [line] = export_only(traps, "member-when").lines
    assert "P585" not in line.split("\t") and line == export_only(traps, "member-when", dates={}).lines[0]


def test_a_point_in_time_on_a_participant_is_left_off(traps):
    when = next(st for st in traps.annotations.statements if st.id == "member-when").dates
    [line] = export_only(traps, "government-in-war", subject="testland", dates=when).lines
    cells = line.split("\t")
    assert cells[:3] == ["Q999999936", "P710", "Q999999933"] and "P585" not in cells, line


def test_one_day_in_two_calendars_is_said_once_in_the_calendar_of_its_time(traps):
    result = export_only(traps, "founded-gregorian", "founded-julian", "founded-month")
    assert [l.split("\t")[2] for l in result.lines] == ["+1905-10-13T00:00:00Z/11/J"]
    assert result.skipped == {"the same date in the other calendar": 1, "a date already given more precisely": 1}
    # alone, the Gregorian day stays, and the month it lies in still goes
    alone = export_only(traps, "founded-gregorian", "founded-month")
    assert [l.split("\t")[2] for l in alone.lines] == ["+1905-10-26T00:00:00Z/11"]


def test_sources_that_disagree_keep_both_dates(traps):
    result = export_only(traps, "founded-julian", "founded-quoted", attribution="author")
    assert [l.split("\t")[2] for l in result.lines] == ["+1905-10-13T00:00:00Z/11/J", "+1905-10-14T00:00:00Z/11/J"]


def test_an_editors_note_is_cited_as_that_note_of_that_edition(traps):
    [line] = export_only(traps, "born-editor").lines
    cells = line.split("\t")
    ref = dict(zip(cells[3::2], cells[4::2]))
    assert ref["S958"] == '"editor\'s note [1], in: Collected Tests, Test Publishers, 1960, Volume 1"'
    assert ref["S854"] == '"https://w3id.org/soviets/source/traps#editorial-1"' != DOC
    assert ref["S1683"] == 'en:"Ivan Testov was born in 1870."'
    # without the edition in the metadata, it is left out rather than cited as the author's
    bare = dataclasses.replace(traps, sources={"traps": dataclasses.replace(traps.sources["traps"], meta={})})
    assert export_only(bare, "born-editor").skipped == {
        "an editor's note whose edition the source metadata does not give": 1}


def test_the_bundled_export_keeps_to_the_rules():
    result = export_quickstatements(Config())
    for line in result.lines:
        cells = line.split("\t")
        pairs = dict(zip(cells[1::2], cells[2::2]))
        if cells[1] == "P102":
            assert "P585" not in cells[3:], line
        if "S958" not in pairs:
            assert re.fullmatch(r'"https://w3id.org/soviets/source/[a-z0-9-]+"', pairs["S854"]), line
        else:
            assert "#editorial-" in pairs["S854"] and "note" in pairs["S958"], line
    claims = [tuple(l.split("\t")[:2]) + (l.split("\t")[2][:11],) for l in result.lines if "T00:00:00Z" in l]
    days = {}
    for item, prop, value in claims:
        days.setdefault((item, prop), set()).add(value)
    assert not [k for k, v in days.items() if len(v) > 1 and any(x.endswith("-00") for x in v)], \
        "a coarser date beside a finer one"


def test_a_span_between_two_dates_is_no_wikidata_time(traps):
    over = next(st for st in traps.annotations.statements if st.id == "rising-over").value
    span = dataclasses.replace(over, precision="span")    # as issue 10's vague spans carry
    assert qs_time(span) is None
    assert export_only(traps, "rising-over", value=span).skipped == {"a span of dates, not one date": 1}


def test_no_point_in_time_beside_a_start_or_an_end(traps):
    alone = export_only(traps, "rising-year")
    assert [l.split("\t")[1:3] for l in alone.lines] == [["P585", "+1905-00-00T00:00:00Z/9"]]
    result = export_only(traps, "rising-year", "rising-over")
    assert [l.split("\t")[1] for l in result.lines] == ["P582"]
    assert result.skipped == {"a point in time of an item with a start or end": 1}
