"""Errors point home: each SHACL result names the annotation file and line behind the offending triple.

Defects are planted at known lines of a copy of the fixture corpus, one in each kind of record
(statement, date, quantity, entity, mention), and the traced file:line is checked in the
report, in the console text and in the saved report graph.
"""

from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF

from kg.build import make_graphs, run_validation
from kg.cli import main
from kg.namespaces import OA, SH, kg_namespace

KG = kg_namespace("https://w3id.org/soviets/")


def _append(path: Path, text: str) -> int:
    """Append lines to a file; the 1-based line number of the first one."""
    old = path.read_text(encoding="utf-8")
    path.write_text(old + text, encoding="utf-8")
    return old.count("\n") + 1


def _replace_line(path: Path, needle: str, new: str) -> int:
    """Replace the one line containing `needle`; its 1-based number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    (i,) = [n for n, line in enumerate(lines) if needle in line]
    lines[i] = new
    path.write_text("\n".join(lines), encoding="utf-8")
    return i + 1


def _origins(report, shape: str) -> set[str]:
    return {r.origin for r in report.results if r.shape.endswith("#" + shape)}


def test_each_kind_of_record_traces_to_its_line(config):
    annotations = Path(config.sources_dir, "annotations", "chronicle.yaml")
    entities = Path(config.sources_dir, "entities", "all.yaml")
    # date: the Soviet dispersed before it was founded (focus: the dissolution's date node)
    date_line = _replace_line(annotations, "date: 1905-12-03", "    value: {date: 1905-01-03, calendar: julian}")
    # statement: Trotsky's presidency ends before it starts
    statement_line = _append(annotations, """  - subject: trotsky
    predicate: holdsPost
    object: testgrad-soviet
    role: president
    start: {date: 1905-11-26, calendar: julian, written: "November 26"}
    end: {date: 1905-11-20, calendar: julian}
    quote: "after his arrest on November 26, Trotsky replaced him"
    note: "planted"
""")
    # quantity: a ratio of one deputy per 0 workers (a direct triple, traced to its value line),
    # and a complete breakdown whose only part exceeds the total (traced to the total)
    ratio_line = _append(annotations, """  - subject: testgrad-soviet
    predicate: deputyRatio
    value: 0
    quote: "one for every 500 workers"
    note: "planted"
""") + 2
    total_line = _append(annotations, """  - id: planted-total
    subject: testgrad-soviet
    predicate: numberOfDeputies
    value: {amount: 562, written: "562"}
    breakdown_complete: true
    quote: "The Soviet had 562 deputies"
  - subject: testgrad-soviet
    predicate: numberOfDeputies
    value: {amount: 600, written: "562"}
    part_of: planted-total
    quote: "The Soviet had 562 deputies"
""")
    # entity: a soviet with no place
    entity_line = _append(entities, "- {id: placeless-soviet, class: CitySoviet, label: Placeless Soviet}\n")

    graphs = make_graphs(config)
    report = run_validation(config, graphs)
    ann, ent = str(annotations), str(entities)
    assert _origins(report, "Organisation-lifetime") == {f"{ann}:{date_line}"}, report.text()
    assert _origins(report, "Membership-span") == {f"{ann}:{statement_line}"}, report.text()
    ratio = [r.origin for r in report.results if r.path and r.path.endswith("#deputyRatio")]
    assert ratio == [f"{ann}:{ratio_line}"], report.text()
    assert _origins(report, "Breakdown-sum") == {f"{ann}:{total_line}"}, report.text()
    assert _origins(report, "Soviet-place") == {f"{ent}:{entity_line}"}, report.text()
    assert all(r.origin for r in report.results), [r for r in report.results if not r.origin]
    # the console text and the saved report graph carry the same lines
    text = report.text()
    for line in (date_line, statement_line, ratio_line, total_line):
        assert f"{ann}:{line}: Violation" in text
    saved = {str(o) for o in report.graph.objects(None, KG.annotationOrigin)}
    assert {f"{ann}:{date_line}", f"{ent}:{entity_line}", f"{ann}:{ratio_line}"} <= saved


def test_a_mention_traces_to_its_line(config):
    """A mention's triples come from one line; a defect planted in them is traced there."""
    graphs = make_graphs(config)
    mention = next(m for m in graphs.corpus.annotations.mentions if m.entity == "testgrad-soviet")
    node = next(s for s, o in graphs.data.subject_objects(OA.hasBody)
                if (s, RDF.type, KG.Mention) in graphs.data and str(o).endswith("/id/testgrad-soviet"))
    graphs.data.remove((node, OA.hasBody, None))
    # kg build validates the quads (kg.shacl_targeted): the defect goes there too
    graphs.quads.quads[:] = [q for q in graphs.quads.quads if not (q[0] == node and q[1] == OA.hasBody)]
    report = run_validation(config, graphs)
    assert {r.origin for r in report.results} == {str(mention.location)}, report.text()
    assert str(mention.location).endswith("annotations/chronicle.yaml:3")


def test_saved_report_names_file_and_line(config, tmp_path):
    from click.testing import CliRunner
    annotations = Path(config.sources_dir, "annotations", "chronicle.yaml")
    line = _replace_line(annotations, "date: 1905-12-03", "    value: {date: 1905-01-03, calendar: julian}")
    out = tmp_path / "report.ttl"
    env = {"KG_SOURCES_DIR": config.sources_dir, "KG_DATA_DIR": config.data_dir}
    result = CliRunner().invoke(main, ["validate", "--report", str(out)], env=env)
    assert result.exit_code == 1, result.output
    assert f"chronicle.yaml:{line}: Violation" in result.output
    saved = Graph().parse(out)
    results = list(saved.subjects(RDF.type, SH.ValidationResult))
    assert results and all(saved.value(r, KG.annotationOrigin) for r in results)
    assert Literal(f"{annotations}:{line}") in set(saved.objects(None, KG.annotationOrigin))
