"""The `kg` command through click's CliRunner: exit codes 0, 1, 2 and output formats."""

import json

import pytest
from click.testing import CliRunner

from kg.cli import main


@pytest.fixture
def runner():
    return CliRunner()


def env(config):
    return {"KG_SOURCES_DIR": config.sources_dir, "KG_DATA_DIR": config.data_dir}


def test_check_ok(runner, config):
    result = runner.invoke(main, ["check"], env=env(config))
    assert result.exit_code == 0, result.output
    assert "1 sources, 5 entities, 2 mentions, 7 statements" in result.output


def test_check_bad_input_exits_2_with_location(runner, config, corpus_dir):
    path = corpus_dir / "annotations" / "chronicle.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("predicate: locatedIn", "predicate: sitsIn"),
                    encoding="utf-8")
    result = runner.invoke(main, ["check"], env=env(config))
    assert result.exit_code == 2
    assert 'chronicle.yaml:' in result.output and 'field "predicate"' in result.output


def test_build_validate_query_stats(runner, config):
    result = runner.invoke(main, ["build"], env=env(config))
    assert result.exit_code == 0, result.output
    assert "conforms (0 violations)" in result.output
    assert runner.invoke(main, ["validate"], env=env(config)).exit_code == 0
    q = "SELECT ?n WHERE { ?s <https://w3id.org/soviets/ontology#numberOfDeputies> ?n }"
    table = runner.invoke(main, ["query", q], env=env(config))
    assert table.exit_code == 0 and "562" in table.output and "(1 row)" in table.output
    as_json = runner.invoke(main, ["query", q, "--format", "json"], env=env(config))
    assert json.loads(as_json.output)["results"]["bindings"][0]["n"]["value"] == "562"
    as_csv = runner.invoke(main, ["query", q, "--format", "csv"], env=env(config))
    assert as_csv.output.splitlines() == ["n", "562"]
    stats = runner.invoke(main, ["stats"], env=env(config))
    assert stats.exit_code == 0 and "kg:CitySoviet" in stats.output and "kg:Asserts" in stats.output
    assert "fact triples backed by quoted evidence: 7 of 7" in stats.output


def test_validate_exits_1_on_violation(runner, config, corpus_dir):
    path = corpus_dir / "annotations" / "chronicle.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'date: 1905-12-03, calendar: julian, written: "December 3, 1905"', "date: 1905-01-03, calendar: julian"),
        encoding="utf-8")
    result = runner.invoke(main, ["validate"], env=env(config))
    assert result.exit_code == 1
    assert "before it was founded" in result.output


def test_query_by_catalogue_name(runner, built_corpus):
    config, _ = built_corpus
    result = runner.invoke(main, ["query", "who-led-the-military-revolutionary-committee"],
                           env={"KG_DATA_DIR": config.data_dir})
    assert result.exit_code == 0, result.output
    assert "Trotsky led the Military Revolutionary" in result.output


def test_unknown_query_name_exits_2(runner, built_corpus):
    config, _ = built_corpus
    result = runner.invoke(main, ["query", "no-such-query"], env={"KG_DATA_DIR": config.data_dir})
    assert result.exit_code == 2 and "no query named" in result.output


def test_query_syntax_error_exits_2(runner, built_fixture):
    config, _ = built_fixture
    result = runner.invoke(main, ["query", "SELECT * WHERE { ?s ?p }"], env={"KG_DATA_DIR": config.data_dir})
    assert result.exit_code == 2 and "syntax error" in result.output


def test_query_without_a_build_exits_3(runner, tmp_path):
    result = runner.invoke(main, ["query", "ASK {}"], env={"KG_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 3 and "kg build" in result.output
