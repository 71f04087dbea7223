"""The RDF of issue 10's model: stances, quantities, calendars, spans, misprints, source works."""

from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.build import make_graphs
from kg.config import PROJECT_ROOT
from kg.corpus import load_corpus
from kg.namespaces import PROV, kg_namespace
from kg.triples import make_quads

KG = kg_namespace("https://w3id.org/soviets/")
R = "https://w3id.org/soviets/id/"
QUOTE = "The Soviet had 562 deputies"


def graph_with(config, statements: str, entities: str = ""):
    corpus = Path(config.sources_dir)
    meta = corpus / "sources.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace(
        "  language: en\n",
        "  language: en\n  calendar: {default: julian, basis: \"a chronicle of 1905 Russia\"}\n"
        "  work: chronicle-work\n  periodical: testgrad-gazette\n").replace(
        'published: {date: "1906", calendar: gregorian}',
        'published: {date: "1906", calendar: gregorian, calendar_basis: "a later edition"}'), encoding="utf-8")
    with open(corpus / "entities" / "all.yaml", "a", encoding="utf-8") as fh:
        fh.write("- {id: chronicle-work, class: Publication, label: A Test Chronicle}\n"
                 "- {id: testgrad-gazette, class: Newspaper, label: Testgrad Gazette}\n" + entities)
    with open(corpus / "annotations" / "chronicle.yaml", "a", encoding="utf-8") as fh:
        fh.write(statements)
    return make_graphs(config).data


def statement_of(g, subject, predicate):
    return [st for st in g.subjects(RDF.subject, URIRef(R + subject)) if (st, RDF.predicate, KG[predicate]) in g]


def test_only_facts_decisions_and_acts_are_direct_triples(config):
    g = graph_with(config, f"""  - subject: trotsky
    predicate: led
    object: testgrad-soviet
    stance: alleges
    attribution: quoted
    claimant: "the bourgeois press"
    quote: "{QUOTE}"
  - subject: testgrad-soviet
    predicate: decided
    value: "to strike"
    stance: decides
    quote: "{QUOTE}"
""")
    (alleged,) = statement_of(g, "trotsky", "led")
    assert (URIRef(R + "trotsky"), KG.led, URIRef(R + "testgrad-soviet")) not in g
    assert (alleged, RDF.object, URIRef(R + "testgrad-soviet")) in g
    assert (alleged, KG.stance, KG.Alleges) in g and (alleged, KG.claimant, Literal("the bourgeois press", lang="en")) in g
    assert (alleged, PROV.wasAttributedTo, None) not in g
    assert (URIRef(R + "testgrad-soviet"), KG.decided, Literal("to strike", lang="en")) in g
    assert (statement_of(g, "testgrad-soviet", "decided")[0], KG.stance, KG.Decides) in g


def test_a_range_is_bounds_and_no_plain_number(config):
    g = graph_with(config, f"""  - subject: testgrad-soviet
    predicate: numberOfDeputies
    value: {{lower: 500, upper: 600, written: "562"}}
    group: {{by: party, value: trotsky}}
    quote: "{QUOTE}"
""")
    st = next(s for s in statement_of(g, "testgrad-soviet", "numberOfDeputies") if (s, KG.groupBy, None) in g)
    q = g.value(st, KG.quantity)
    assert (q, RDF.type, KG.Quantity) in g
    assert (g.value(q, KG.lowerBound), g.value(q, KG.upperBound), g.value(q, KG.amount)) == (Literal(500), Literal(600), None)
    assert g.value(st, RDF.object) is None
    assert (URIRef(R + "testgrad-soviet"), KG.numberOfDeputies, Literal(500)) not in g
    assert (st, KG.counts, KG.CountedDeputies) in g and (st, KG.groupBy, KG.ByParty) in g
    assert (st, KG.group, URIRef(R + "trotsky")) in g
    # the exact figure of the fixture stays a plain number too
    assert (URIRef(R + "testgrad-soviet"), KG.numberOfDeputies, Literal(562)) in g


def test_a_part_or_a_group_figure_is_no_direct_value_of_its_subject(config):
    g = graph_with(config, f"""  - id: testgrad-total
    subject: testgrad-soviet
    predicate: numberOfDeputies
    value: 600
    breakdown_complete: trade
    quote: "{QUOTE}"
  - subject: testgrad-soviet
    predicate: numberOfDeputies
    value: 351
    group: {{by: trade, value: "the metal workers"}}
    part_of: testgrad-total
    quote: "{QUOTE}"
  - subject: testgrad-soviet
    predicate: numberOfDeputies
    value: 249
    group: {{by: trade, value: "the others"}}
    part_of: testgrad-total
    quote: "{QUOTE}"
  - subject: testgrad-soviet
    predicate: numberOfSeats
    value: 2
    group: {{by: party, value: trotsky}}
    quote: "{QUOTE}"
""")
    soviet = URIRef(R + "testgrad-soviet")
    assert (soviet, KG.numberOfDeputies, Literal(600)) in g
    assert (soviet, KG.numberOfDeputies, Literal(351)) not in g and (soviet, KG.numberOfDeputies, Literal(249)) not in g
    assert (soviet, KG.numberOfSeats, Literal(2)) not in g
    parts = [st for st in statement_of(g, "testgrad-soviet", "numberOfDeputies") if (st, KG.partOf, None) in g]
    assert sorted(int(g.value(st, RDF.object)) for st in parts) == [249, 351]   # the statement keeps its figure


def test_julian_month_has_bounds_only_span_and_misprint(config):
    g = graph_with(config, f"""  - subject: testgrad-soviet
    predicate: activeIn
    value: {{date: 1905-11, written: "562"}}
    quote: "{QUOTE}"
  - subject: testgrad-soviet
    predicate: activeIn
    value: {{after: 1905-05, before: 1905-10}}
    quote: "{QUOTE}"
  - subject: trotsky
    predicate: wasArrested
    value: {{date: 1905-12-03, printed: "562", corrected_by: external, correction_basis: "a reference work"}}
    quote: "{QUOTE}"
""")
    month, span = (g.value(st, KG.dateValue) for st in sorted(statement_of(g, "testgrad-soviet", "activeIn")))
    if (span, KG.originalValue, None) in g:
        month, span = span, month
    assert (month, KG.gregorianValue, None) not in g
    assert (g.value(month, KG.earliestGregorian), g.value(month, KG.latestGregorian)) == \
        (Literal("1905-11-14", datatype=XSD.date), Literal("1905-12-13", datatype=XSD.date))
    assert (URIRef(R + "testgrad-soviet"), KG.activeIn, None) not in g
    assert (span, RDF.type, KG.DateSpan) in g and (span, KG.precision, KG.SpanPrecision) in g
    assert (span, KG.originalValue, None) not in g
    (arrest,) = statement_of(g, "trotsky", "wasArrested")
    d = g.value(arrest, KG.dateValue)
    assert (d, KG.asPrinted, Literal("562")) in g and (d, KG.correctedBy, KG.ExternalKnowledge) in g
    assert (d, KG.gregorianValue, Literal("1905-12-16", datatype=XSD.date)) in g


def test_source_document_has_its_work_periodical_and_calendar_policy(config):
    g = graph_with(config, "")
    doc = URIRef("https://w3id.org/soviets/source/chronicle")
    assert (doc, KG.containsWork, URIRef(R + "chronicle-work")) in g
    assert (doc, KG.appearedIn, URIRef(R + "testgrad-gazette")) in g
    assert (doc, KG.defaultCalendar, URIRef("http://www.wikidata.org/entity/Q1985786")) in g
    assert g.value(doc, KG.calendarBasis) == Literal("a chronicle of 1905 Russia", lang="en")


def test_external_knowledge_is_not_the_authors_claim(config):
    g = graph_with(config, """  - subject: testgrad-soviet
    predicate: locatedIn
    object: testgrad
    external: "the city of the soviet's name; the passage names no place"
""")
    (st,) = [s for s in statement_of(g, "testgrad-soviet", "locatedIn") if (s, KG.externalBasis, None) in g]
    assert set(g.objects(st, KG.attribution)) == {KG.ExternalKnowledge}
    assert g.value(st, PROV.wasAttributedTo) is None
    assert g.value(st, KG.externalBasis) is not None and g.value(st, PROV.wasDerivedFrom) is None


def test_no_external_statement_of_the_texts_is_the_authors_claim():
    """Every statement the texts do not state carries its basis and no author: at most a named claimant (Stalin's Works)."""
    corpus = load_corpus(PROJECT_ROOT / "sources")
    quads = make_quads(corpus, "https://w3id.org/soviets/").quads
    external = {q[0] for q in quads if q[1] == KG.externalBasis}
    assert len(external) >= 7
    for node in external:
        kinds = {q[2] for q in quads if q[:2] == (node, KG.attribution)}
        claimants = {q[2] for q in quads if q[:2] == (node, PROV.wasAttributedTo)}
        assert KG.ExternalKnowledge in kinds and KG.AuthorAttribution not in kinds, node
        assert not claimants or KG.QuotedAttribution in kinds, node
        assert not any(q[:2] == (node, PROV.wasDerivedFrom) for q in quads), node
