"""kg build's targeted SHACL validation gives pySHACL's results (the reference) on valid and broken corpora."""

import pytest
from rdflib import Literal
from rdflib.namespace import RDF, RDFS

from kg.build import make_graphs, rebaser, run_validation
from kg.config import PROJECT_ROOT, Config
from kg.iris import Iris
from kg.namespaces import SH, kg_namespace
from kg.shacl_targeted import validate_targeted
from kg.store import fill, to_ox_quads
from kg.validation import load_shapes, validate


def both(config, per_batch, mutate=None):
    """(pySHACL on the whole graph, targeted validation with small batches) on the same quads and shapes."""
    import pyoxigraph as ox
    graphs = make_graphs(config)
    if mutate:
        mutate(graphs.quads.quads, Iris(config.base_iri), kg_namespace(config.base_iri))
    shapes = load_shapes(config.shapes_dir, rebaser(config.base_iri))
    reference = validate(graphs.data, shapes, graphs.quads.origin)
    store = fill(ox.Store(), to_ox_quads(graphs.quads.quads))     # as kg build writes it
    targeted = validate_targeted(graphs.quads.quads, store, graphs.ontology, shapes, Iris(config.base_iri).graph,
                                 graphs.quads.origin, per_batch=per_batch, processes=2)
    return reference, targeted


def keys(report):
    return {(r.focus, r.path, r.shape, r.severity) for r in report.results}


def test_bundled_corpus_same_results_as_pyshacl_with_every_graph_split():
    reference, targeted = both(Config(sources_dir=str(PROJECT_ROOT / "sources")), per_batch=2000)
    assert targeted.conforms == reference.conforms
    assert keys(targeted) == keys(reference)
    # the batching really splits: several batches of source graphs and of the shared graphs
    assert targeted.stats["source_batches"] > 1 and targeted.stats["shared_batches"] > 1
    assert targeted.stats["sparql_constraints"] >= 5


BREAKS = {
    # sh:sparql: dissolved before founded, and a post that ends before it starts
    "sparql-lifetimes": [
        ('date: 1905-12-03, calendar: julian, written: "December 3, 1905"', "date: 1905-01-03, calendar: julian"),
        ('start: {date: 1905-11-26, calendar: julian, written: "November 26"}',
         "start: {date: 1905-11-26, calendar: julian}\n    end: {date: 1905-01-01, calendar: julian}")],
}


def retype_place_as_person(quads, iris, kg):
    """sh:class across graphs: the soviet's kg:locatedIn is in the source graph, the place's type in the registry."""
    place = iris.entity("testgrad")
    quads[:] = [q for q in quads if not (q[0] == place and q[1] == RDF.type)]
    quads.append((place, RDF.type, kg.Person, iris.graph("registry")))


def drop_english_label(quads, iris, kg):
    """A registry defect: an entity without its English label (a qualified count)."""
    quads[:] = [q for q in quads if not (q[0] == iris.entity("trotsky") and q[1] == RDFS.label)]


def second_wikidata_id(quads, iris, kg):
    """A count across graphs: a second kg:wikidataId stated in a source graph (the first is in the registry)."""
    quads.append((iris.entity("trotsky"), kg.wikidataId, Literal("Q1"), iris.graph("chronicle")))


MUTATIONS = {f.__name__: f for f in (retype_place_as_person, drop_english_label, second_wikidata_id)}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_broken_graph_same_results_as_pyshacl(config, name):
    reference, targeted = both(config, per_batch=50, mutate=MUTATIONS[name])
    assert not reference.conforms and not targeted.conforms
    assert keys(targeted) == keys(reference)


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_broken_corpus_same_results_as_pyshacl(config, corpus_dir, name):
    path = corpus_dir / "annotations" / "chronicle.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in BREAKS[name]:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    reference, targeted = both(config, per_batch=50)
    assert not reference.conforms and not targeted.conforms
    assert keys(targeted) == keys(reference)
    assert {(r.focus, r.message) for r in targeted.results} == {(r.focus, r.message) for r in reference.results}


def test_report_graph_is_a_shacl_validation_report(config, corpus_dir):
    path = corpus_dir / "annotations" / "chronicle.yaml"
    old, new = BREAKS["sparql-lifetimes"][0]
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    report = run_validation(config, make_graphs(config))
    g = report.graph
    (root,) = g.subjects(RDF.type, SH.ValidationReport)
    assert g.value(root, SH.conforms).toPython() is False
    results = set(g.objects(root, SH.result))
    assert len(results) == len(report.results) >= 1
    for r in results:
        assert g.value(r, RDF.type) == SH.ValidationResult
        assert {g.value(r, p) is not None for p in (SH.focusNode, SH.sourceShape, SH.resultSeverity,
                                                    SH.sourceConstraintComponent)} == {True}


def test_valid_fixture_conforms_with_an_empty_report(config):
    report = run_validation(config, make_graphs(config))
    assert report.conforms and report.results == []
    (root,) = report.graph.subjects(RDF.type, SH.ValidationReport)
    assert report.graph.value(root, SH.conforms).toPython() is True
