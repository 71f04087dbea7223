"""The README and sources/README.md say what the code does."""

import re
import shutil

from kg.config import PROJECT_ROOT, SETTINGS
from kg.corpus import load_corpus
from kg.statement_ids import assign_ids

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    for s in SETTINGS:
        assert f"`{s.name}`" in README, s.name


def test_every_cli_command_is_documented():
    from kg.cli import main
    for name in main.commands:
        assert f"`kg {name}" in README, name


def test_the_worked_example_of_the_annotation_format_passes_the_checker(tmp_path):
    doc = (PROJECT_ROOT / "sources" / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(source: lenin-1905\n.*?)```", doc, re.S).group(1)
    sources = tmp_path / "sources"
    shutil.copytree(PROJECT_ROOT / "sources", sources, ignore=shutil.ignore_patterns("annotations"))
    (sources / "annotations").mkdir()
    (sources / "annotations" / "example.yaml").write_text(example, encoding="utf-8")
    assign_ids(sources)          # as the annotator does after writing new statements
    corpus = load_corpus(sources)
    assert len(corpus.annotations.statements) == 3


def test_the_provenance_query_in_the_readme_is_the_named_one():
    query = (PROJECT_ROOT / "queries" / "statement-provenance.rq").read_text(encoding="utf-8")
    body = query[query.index("SELECT"):].strip()
    assert body in README


def _load_example(tmp_path, source_id, containing=""):
    doc = (PROJECT_ROOT / "sources" / "README.md").read_text(encoding="utf-8")
    example = next(block for block in re.findall(rf"```yaml\n(source: {source_id}\n.*?)```", doc, re.S)
                   if containing in block)
    sources = tmp_path / "sources"
    shutil.copytree(PROJECT_ROOT / "sources", sources, ignore=shutil.ignore_patterns("annotations"))
    (sources / "annotations").mkdir()
    (sources / "annotations" / "example.yaml").write_text(example, encoding="utf-8")
    assign_ids(sources)          # as the annotator does after writing new statements
    return load_corpus(sources)


def test_the_stance_example_passes_the_checker(tmp_path):
    statements = _load_example(tmp_path, "stalin-1917", containing="stance: alleges").annotations.statements
    assert [st.stance for st in statements] == ["alleges", "proposes"]


def test_the_concerns_example_passes_the_checker(tmp_path):
    [st] = _load_example(tmp_path, "lenin-1905", containing="concerns:").annotations.statements
    assert (st.predicate, st.concerns) == ("proposed", ["petersburg-soviet-1905", "rsdlp"])


def test_the_relations_example_passes_the_checker(tmp_path):
    [st] = _load_example(tmp_path, "nin-1932", containing="inRelationWith").annotations.statements
    assert (st.subject, st.predicate, st.object) == ("siberian-soldiers-soviets-1905", "inRelationWith",
                                                      "siberian-soviets-1905")


def test_the_quantity_example_passes_the_checker(tmp_path):
    statements = _load_example(tmp_path, "nin-1932", containing="workersRepresented").annotations.statements
    bounds = statements[0].quantity
    assert (bounds.lower, bounds.lower_exclusive, bounds.amount) == (100000, True, None)
    assert statements[1].maximum and statements[1].quantity.upper == 25
    assert [st.part_of for st in statements[3:]] == ["petersburg-soviet-deputies"] * 2
    assert sum(st.quantity.amount for st in statements[3:]) == statements[2].quantity.amount


def test_the_sources_yaml_example_is_a_real_entry_with_every_field(tmp_path):
    """sources/README.md shows every required field of sources.yaml, as the real lenin-1905 entry has them."""
    import yaml
    from kg.sources import load_sources
    doc = (PROJECT_ROOT / "sources" / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(- id: lenin-1905\b.*?)```", doc, re.S).group(1)
    example = yaml.safe_load(block)[0]
    real = next(e for e in yaml.safe_load((PROJECT_ROOT / "sources" / "sources.yaml").read_text(encoding="utf-8"))
                if e["id"] == "lenin-1905")
    assert example == real
    for key in ("id", "file", "sha256", "title", "author", "author_quote", "language", "rights", "calendar"):
        assert key in example, key
    sources = tmp_path / "sources"
    shutil.copytree(PROJECT_ROOT / "sources", sources)
    (sources / "sources.yaml").write_text(block, encoding="utf-8")
    assert load_sources(sources)["lenin-1905"].calendar == "julian"


def test_the_powers_practices_and_characterisations_example_passes_the_checker(tmp_path):
    statements = _load_example(tmp_path, "nin-1932", containing="describedAs").annotations.statements
    assert [(st.predicate, st.stance) for st in statements] == [
        ("function", "asserts"), ("activity", "asserts"), ("describedAs", "reports"),
        ("composedOf", "asserts"), ("share", "asserts")]
    assert statements[2].quoted == "trotsky" and statements[3].object == "russian-peasantry-1917"


def test_the_list_of_text_valued_predicates_names_every_one():
    """sources/README.md lists the predicates whose value is the source's words: all of them, and only those."""
    from kg.vocabulary import PREDICATES
    doc = (PROJECT_ROOT / "sources" / "README.md").read_text(encoding="utf-8")
    paragraph = doc[doc.index("The source's words (`value:` text):"):]
    paragraph = paragraph[:paragraph.index("\n\n")]
    listed = set(re.findall(r"`(\w+)`", paragraph)) - {"value", "stance"}
    assert listed == {name for name, p in PREDICATES.items() if p.kind == "text"}


def test_the_causes_example_passes_the_checker(tmp_path):
    statements = _load_example(tmp_path, "nin-1932", "causedBy").annotations.statements
    assert [(st.predicate, st.stance, st.attribution) for st in statements] == [
        ("causedBy", "asserts", "author"), ("cause", "asserts", "author"), ("describedAs", "asserts", "author")]
    assert statements[0].texts["effect"].startswith("rapidly acquired") and statements[1].texts["effect"]
