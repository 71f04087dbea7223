"""`kg export quickstatements`: QuickStatements v1 lines with Wikidata's dates and a sourced reference."""

import re

import pytest
from click.testing import CliRunner

from kg.calendar import parse_date
from kg.cli import main
from kg.config import PROJECT_ROOT, Config
from kg.quickstatements import export_quickstatements, qs_text, qs_time
from kg.registry import load_registry

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
    ("1906-07", "ambiguous", "+1906-07-00T00:00:00Z/10"),
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
        "Q999999920\tP576\t+1905-12-03T00:00:00Z/11/J" + ref + 'the Soviet was dispersed on December 3, 1905"',
    ]
    # Khrustalev is not linked; counts have no Wikidata property here
    assert result.skipped == {"subject not linked": 1, "no Wikidata property": 2}


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
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4
    assert "4 statements exported; skipped: 2 no Wikidata property, 1 subject not linked" in result.output


def test_the_project_readme_documents_the_export():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "`kg export quickstatements`" in readme and "/J" in readme


def test_only_facts_decisions_and_acts_go_to_wikidata():
    from kg.annotations import Statement
    from kg.errors import Location
    from kg.quickstatements import _unsayable
    for stance in ("reports", "alleges", "proposes", "demands", "predicts", "denies"):
        st = Statement("s", "src", "a", "led", Location("f", 1), stance=stance, evidence=object())
        assert _unsayable(st).startswith(f"stance {stance}")
    for stance in ("asserts", "decides", "enacts"):
        assert _unsayable(Statement("s", "src", "a", "led", Location("f", 1), stance=stance, evidence=object())) is None
    translated = Statement("s", "src", "a", "led", Location("f", 1), attribution="translator", evidence=object())
    assert _unsayable(translated) == "a translator's note"
