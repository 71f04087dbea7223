"""kg build's targeted SHACL validation gives pySHACL's results (the reference) on valid and broken corpora."""

import pytest
from rdflib import Literal
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from kg.build import make_graphs, rebaser, run_validation
from kg.config import PROJECT_ROOT, Config
from kg.iris import Iris
from kg.namespaces import ORG, SH, kg_namespace
from kg.shacl_targeted import validate_targeted
from kg.store import memory_store
from kg.validation import load_shapes, validate


def both(config, per_batch, mutate=None):
    """pySHACL on the whole graph, then targeted validation on the same quads and shapes twice: as `kg build`
    runs it (kg.shacl_core), and with every shape in pySHACL over small batches (the fallback path)."""
    graphs = make_graphs(config)
    if mutate:
        mutate(graphs.quads.quads, Iris(config.base_iri), kg_namespace(config.base_iri))
    shapes = load_shapes(config.shapes_dir, rebaser(config.base_iri))
    reference = validate(graphs.data, shapes, graphs.quads.origin)
    store = memory_store(graphs.quads.quads)     # as kg build writes it
    run = [validate_targeted(graphs.quads.quads, store, graphs.ontology, shapes, Iris(config.base_iri).graph,
                             graphs.quads.origin, per_batch=per_batch, processes=2, core=core)
           for core in (True, False)]
    assert run[0].stats["pyshacl_shapes"] == 0 and run[0].stats["core_shapes"] > 30    # shapes/ is all core
    assert run[1].stats["core_shapes"] == 0
    return reference, run


def keys(report):
    return {(r.focus, r.path, r.shape, r.severity) for r in report.results}


def full(report):
    """Each result as a whole: what, where, why, and the annotation line it is traced to."""
    return sorted(((r.focus, r.path, r.shape, r.severity, r.message, r.value, r.origin) for r in report.results),
                  key=repr)


def test_bundled_corpus_same_results_as_pyshacl_with_every_graph_split():
    reference, (core, batches) = both(Config(sources_dir=str(PROJECT_ROOT / "sources")), per_batch=2000)
    assert core.conforms == batches.conforms == reference.conforms
    assert full(core) == full(reference)
    assert keys(batches) == keys(reference)
    # the batching really splits: several batches of source graphs and of the shared graphs
    assert batches.stats["source_batches"] > 1 and batches.stats["shared_batches"] > 1
    assert core.stats["sparql_constraints"] >= 5


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


def first(quads, cls):
    return min(q[0] for q in quads if q[1] == RDF.type and q[2] == cls)


def replace(quads, node, prop, *objects):
    """`node`'s values of `prop` become `objects`, in the graph that stated them."""
    graph = next(q[3] for q in quads if q[0] == node)
    quads[:] = [q for q in quads if not (q[0] == node and q[1] == prop)]
    quads.extend((node, prop, o, graph) for o in objects)


def date_defects(quads, iris, kg):
    """sh:in, sh:xone, sh:maxCount, sh:lessThanOrEquals, sh:minLength and a missing kg:correctedBy on dates."""
    dates = sorted({q[0] for q in quads if q[1] == RDF.type and q[2] == kg.HistoricalDate})
    replace(quads, dates[0], kg.calendarModel, kg.NoSuchCalendar)
    replace(quads, dates[1], kg.precision, kg.DayPrecision, kg.YearPrecision)
    replace(quads, dates[2], kg.earliestGregorian, Literal("1917-01-02", datatype=XSD.date))
    replace(quads, dates[2], kg.latestGregorian, Literal("1917-01-01", datatype=XSD.date))
    replace(quads, dates[3], kg.asPrinted, Literal(""))


def entity_defects(quads, iris, kg):
    """sh:uniqueLang, sh:pattern, sh:nodeKind, sh:class on a node shape (pySHACL's own message) and on a path."""
    person, registry = iris.entity("trotsky"), iris.graph("registry")
    quads.append((person, SKOS.prefLabel, Literal("Another", lang="en"), registry))
    quads.append((person, SKOS.exactMatch, Literal("Q1"), registry))
    replace(quads, person, kg.wikidataId, Literal("X12"))
    quads.append((person, kg.factionOf, person, registry))


def figure_defects(quads, iris, kg):
    """sh:minInclusive, sh:datatype, sh:xone on quantities, sh:minCount and sh:class on memberships."""
    quantity = first(quads, kg.Quantity)
    quads.append((quantity, kg.lowerBound, Literal(-1), next(q[3] for q in quads if q[0] == quantity)))
    replace(quads, first(quads, kg.Quantity), kg.amount, Literal("many"))
    membership = first(quads, ORG.Membership)
    replace(quads, membership, ORG.member)
    replace(quads, membership, ORG.role, Literal("chair"))
    replace(quads, membership, kg.seats, Literal(0))


MUTATIONS = {f.__name__: f for f in (retype_place_as_person, drop_english_label, second_wikidata_id,
                                     date_defects, entity_defects, figure_defects)}
EXPECTED = {
    "date_defects": ("names its calendar", "one precision", "not after its latest", "kept once, as printed",
                     "names who corrected it"),
    "entity_defects": ("one preferred label per language", "Wikidata id is Q", "one IRI of the form",
                       "Value does not have class", "faction of a kg:Party"),
    "figure_defects": ("non-negative xsd:integer", "amount or bounds", "exactly one member", "at most one kg:Role",
                       "positive xsd:integer"),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_broken_graph_same_results_as_pyshacl(config, name):
    reference, (core, batches) = both(config, per_batch=50, mutate=MUTATIONS[name])
    assert not reference.conforms and not core.conforms and not batches.conforms
    assert full(core) == full(reference)
    assert keys(batches) == keys(reference)
    for kind in EXPECTED.get(name, ()):        # the defects planted were found, each by its shape's component
        assert any(kind in r.message for r in reference.results), kind


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_broken_corpus_same_results_as_pyshacl(config, corpus_dir, name):
    path = corpus_dir / "annotations" / "chronicle.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in BREAKS[name]:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    reference, (core, batches) = both(config, per_batch=50)
    assert not reference.conforms and not core.conforms and not batches.conforms
    assert full(core) == full(reference)
    assert keys(batches) == keys(reference)
    assert {(r.focus, r.message) for r in batches.results} == {(r.focus, r.message) for r in reference.results}


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
