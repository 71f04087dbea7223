"""The faster, targeted validator of bench/ must agree with pySHACL on the same inputs."""

import pyoxigraph as ox

from bench.targeted import validate_targeted
from kg.build import make_graphs, rebaser, run_validation
from kg.store import to_ox_quads
from kg.validation import load_shapes


def both(config):
    graphs = make_graphs(config)
    reference = run_validation(config, graphs)
    store = ox.Store()
    store.bulk_extend(to_ox_quads(graphs.quads.quads))
    shapes = load_shapes(config.shapes_dir, rebaser(config.base_iri))
    targeted = validate_targeted(graphs.quads.quads, store, graphs.ontology, shapes,
                                 f"{config.base_iri}graph/", per_batch=500, processes=2)
    return reference, targeted


def pairs(report):
    return {(r.focus, r.message) for r in report.results if r.severity == "Violation"}


def test_targeted_and_pyshacl_agree_on_a_valid_corpus(config):
    reference, targeted = both(config)
    assert reference.conforms and targeted["violations"] == []
    assert targeted["sparql_shapes"] >= 4 and targeted["batches"] >= 1


def test_targeted_and_pyshacl_report_the_same_violations(config, corpus_dir):
    path = corpus_dir / "annotations" / "chronicle.yaml"
    text = path.read_text(encoding="utf-8")
    # dissolved before founded (a sh:sparql shape) and a post that ends before it starts
    text = text.replace('date: 1905-12-03, calendar: julian, written: "December 3, 1905"', "date: 1905-01-03, calendar: julian")
    text = text.replace('start: {date: 1905-11-26, calendar: julian, written: "November 26"}',
                        "start: {date: 1905-11-26, calendar: julian}\n    end: {date: 1905-01-01, calendar: julian}")
    path.write_text(text, encoding="utf-8")
    reference, targeted = both(config)
    assert not reference.conforms
    assert pairs(reference) == set(targeted["violations"])
    assert len(pairs(reference)) >= 2
