"""The README and sources/README.md say what the code does."""

import re
import shutil

from kg.config import PROJECT_ROOT, SETTINGS
from kg.corpus import load_corpus

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
    corpus = load_corpus(sources)
    assert len(corpus.annotations.statements) == 3


def test_the_provenance_query_in_the_readme_is_the_named_one():
    query = (PROJECT_ROOT / "queries" / "statement-provenance.rq").read_text(encoding="utf-8")
    body = query[query.index("SELECT"):].strip()
    assert body in README
