"""Annotation records → RDF quads under our ontology: the only producer of triples.

Each fact appears twice, as Wikidata does it: a direct triple (`S kg:founded "1905-10-26"`)
for easy querying, and a statement node (`kgst:…`, also an `rdf:Statement`) carrying the
qualifiers, the attribution and `prov:wasDerivedFrom` its evidence: a Web Annotation
`oa:SpecificResource` with a text-quote and a text-position selector into the source.
Each source's statements and mentions live in that source's named graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, TIME, XSD

from kg.calendar import AMBIGUOUS, DAY, MONTH, WIKIDATA_CALENDAR, WIKIDATA_PRECISION, DateSpan, HistoricalDate
from kg.corpus import Corpus
from kg.iris import Iris
from kg.namespaces import OA as OA_NAMESPACE, ORG, WD, kg_namespace
from kg.registry import Entity, Link
from kg.sources import Source
from kg.quantity import Quantity, xsd_duration
from kg.vocabulary import CONSTITUENCIES, FACT_STANCES, PREDICATES

XSD_OF_PRECISION = {DAY: XSD.date, MONTH: XSD.gYearMonth, "year": XSD.gYear}
TIME_OF_PRECISION = {DAY: TIME.inXSDDate, MONTH: TIME.inXSDgYearMonth, "year": TIME.inXSDgYear}
# The OWL-Time units of a duration's quantity (Wikidata's quantities carry their unit as an item).
TIME_UNIT = {"day": TIME.unitDay, "week": TIME.unitWeek, "month": TIME.unitMonth, "year": TIME.unitYear}
QUALIFIER_PROPERTY = {"when": "pointInTime", "start": "startTime", "end": "endTime", "as_of": "asOf",
                      "place": "place", "by": "byAgent", "replaces": "replaces", "on_behalf_of": "onBehalfOf",
                      "addressee": "addressee", "destination": "destination",
                      "unit": "unit"}
ATTRIBUTION = {"author": "AuthorAttribution", "editor": "EditorAttribution",
               "translator": "TranslatorAttribution", "quoted": "QuotedAttribution",
               "external": "ExternalKnowledge"}
CORRECTED_BY = {"editor": "EditorAttribution", "translator": "TranslatorAttribution", "external": "ExternalKnowledge"}
CONTEXT_CHARS = 32    # prefix/suffix length of text-quote selectors
SEMAPV = "https://w3id.org/semapv/vocab/"


class Terms:
    """A namespace whose terms are made once each: rdflib's Namespace makes a new URIRef at every
    access, and the copy each quad would hold (about 150 bytes) lives until validation is done."""

    def __init__(self, namespace):
        self._namespace, self._terms = namespace, {}

    def __getitem__(self, name: str) -> URIRef:
        term = self._terms.get(name)
        if term is None:
            term = self._terms[name] = self._namespace[name]
        return term

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]


OA = Terms(OA_NAMESPACE)


def camel(name: str) -> str:
    """'executive-committee-member' → 'ExecutiveCommitteeMember' (role and concept names)."""
    return "".join(part.capitalize() for part in name.split("-"))


@dataclass
class Quads:
    """Quads with the annotation file and line each came from, for tracing SHACL results back."""

    quads: list[tuple] = field(default_factory=list)
    origin: dict[URIRef | BNode, str] = field(default_factory=dict)   # node → "file:line"
    # A direct triple's subject is an entity, whose own origin is the registry: the triple keeps
    # the line of the annotation that states it, so that a violation on it is traced there.
    triple_origin: dict[tuple, list[str]] = field(default_factory=dict)   # (s, p, o) → ["file:line", …]

    def add(self, s, p, o, g):
        self.quads.append((s, p, o, g))


class TripleMaker:
    def __init__(self, corpus: Corpus, base_iri: str):
        self.c = corpus
        self.iris = Iris(base_iri)
        self.kg = Terms(kg_namespace(base_iri))
        self.out = Quads()

    # -- helpers --
    def add(self, s, p, o, g):
        self.out.add(s, p, o, g)

    def entity(self, eid: str) -> URIRef:
        return self.iris.entity(eid)

    def calendar_model(self, calendar: str) -> URIRef:
        return self.kg.AmbiguousCalendar if calendar == AMBIGUOUS else WD[WIKIDATA_CALENDAR[calendar]]

    def date_node(self, node: URIRef, d: HistoricalDate | DateSpan, g) -> None:
        """A date as written; a typed Gregorian value only when exact, and always its exact bounds."""
        k = self.kg
        self.add(node, RDF.type, k.HistoricalDate, g)
        self.add(node, k.calendarModel, self.calendar_model(d.calendar), g)
        if d.basis:
            self.add(node, k.calendarBasis, Literal(d.basis, lang="en"), g)
        if d.written:
            self.add(node, k.asWritten, Literal(d.written), g)
        if d.earliest:
            self.add(node, k.earliestGregorian, Literal(d.earliest.isoformat(), datatype=XSD.date), g)
        if d.latest:
            self.add(node, k.latestGregorian, Literal(d.latest.isoformat(), datatype=XSD.date), g)
        if d.printed:
            self.add(node, k.asPrinted, Literal(d.printed), g)
            self.add(node, k.correctedBy, k[CORRECTED_BY[d.corrected_by]], g)
            if d.correction_basis:
                self.add(node, k.correctionBasis, Literal(d.correction_basis, lang="en"), g)
        if isinstance(d, DateSpan):
            self.add(node, RDF.type, k.DateSpan, g)
            self.add(node, k.precision, k.SpanPrecision, g)
            return
        self.add(node, RDF.type, TIME.Instant, g)
        self.add(node, k.originalValue, Literal(d.value), g)
        self.add(node, k.precision, k[camel(d.precision) + "Precision"], g)
        if d.part:
            self.add(node, k.partOfMonth, Literal(d.part), g)
        self.add(node, k.wikidataPrecision, Literal(WIKIDATA_PRECISION[d.precision]), g)
        if d.gregorian is not None:
            self.add(node, k.gregorianValue, Literal(d.gregorian, datatype=XSD_OF_PRECISION[d.precision]), g)
            self.add(node, TIME_OF_PRECISION[d.precision],
                     Literal(d.gregorian, datatype=XSD_OF_PRECISION[d.precision]), g)

    def quantity_node(self, node: URIRef, q: Quantity, g) -> None:
        """A figure after Wikidata's quantity: amount or bounds, exclusive flags, approximate, as written."""
        k = self.kg
        self.add(node, RDF.type, k.Quantity, g)
        for prop, value in ((k.amount, q.amount), (k.lowerBound, q.lower), (k.upperBound, q.upper)):
            if value is not None:
                self.add(node, prop, Literal(value), g)
        for prop, flag in ((k.lowerBoundExclusive, q.lower_exclusive), (k.upperBoundExclusive, q.upper_exclusive),
                           (k.approximate, q.approximate)):
            if flag:
                self.add(node, prop, Literal(True), g)
        if q.written:
            self.add(node, k.asWritten, Literal(q.written), g)

    def selectors(self, target: URIRef, src: Source, start: int, end: int, g) -> None:
        """Web Annotation selectors of a passage: exact quote with context, and its position."""
        quote, position = self.iris.selector(target, "quote"), self.iris.selector(target, "position")
        self.add(target, RDF.type, OA.SpecificResource, g)
        self.add(target, OA.hasSource, self.iris.source(src.id), g)
        self.add(target, OA.hasSelector, quote, g)
        self.add(target, OA.hasSelector, position, g)
        self.add(quote, RDF.type, OA.TextQuoteSelector, g)
        self.add(quote, OA.exact, Literal(src.text[start:end]), g)
        self.add(quote, OA.prefix, Literal(src.text[max(0, start - CONTEXT_CHARS):start]), g)
        self.add(quote, OA.suffix, Literal(src.text[end:end + CONTEXT_CHARS]), g)
        self.add(position, RDF.type, OA.TextPositionSelector, g)
        self.add(position, OA.start, Literal(start), g)
        self.add(position, OA.end, Literal(end), g)
        self.add(target, self.kg.line, Literal(src.line_of(start)), g)

    # -- the stages of the graph --
    def make(self) -> Quads:
        self.registry()
        self.sources()
        for m in self.c.annotations.mentions:
            self.mention(m)
        for st in self.c.annotations.statements:
            self.statement(st)
        self.retired()
        return self.out

    def retired(self) -> None:
        """The IRIs of removed statements stay answerable: a retired one with the reason it is gone."""
        for r in self.c.annotations.retired:
            old = self.iris.statement(r.source, r.id)
            self.out.origin[old] = str(r.location)
            self.add(old, RDF.type, self.kg.RetiredStatement, self.iris.graph(r.source))
            self.add(old, self.kg.retirementReason, Literal(r.reason, lang="en"), self.iris.graph(r.source))

    def registry(self) -> None:
        g = self.iris.graph("registry")
        g_links = self.iris.graph("links")
        for e in self.c.registry.values():
            self.entity_triples(e, g)
            if e.link:
                self.link_triples(e, e.link, g_links)
            for link in e.related:
                self.add(self.entity(e.id), SKOS[link.predicate.split(":", 1)[1]], WD[link.qid], g)
                self.link_triples(e, link, g_links)

    def entity_triples(self, e: Entity, g) -> None:
        k, s = self.kg, self.entity(e.id)
        self.out.origin[s] = str(e.location)
        self.add(s, RDF.type, k[e.cls], g)
        self.add(s, RDFS.label, Literal(e.label, lang="en"), g)
        self.add(s, SKOS.prefLabel, Literal(e.label, lang="en"), g)
        if e.label_ru:
            self.add(s, SKOS.prefLabel, Literal(e.label_ru, lang="ru"), g)
            self.add(s, RDFS.label, Literal(e.label_ru, lang="ru"), g)
        for alias in e.aliases:
            self.add(s, SKOS.altLabel, Literal(alias, lang="en"), g)
        for c in e.constituency:
            self.add(s, k.constituency, k[camel(c)], g)
            self.add(s, RDF.type, k[CONSTITUENCIES[c]], g)
        if e.note:
            self.add(s, SKOS.scopeNote, Literal(e.note, lang="en"), g)
        if e.description:
            self.add(s, RDFS.comment, Literal(e.description, lang="en"), g)
        if e.place:
            self.add(s, k.locatedIn, self.entity(e.place), g)
            self.out.triple_origin.setdefault((s, k.locatedIn, self.entity(e.place)), []).append(str(e.location))
        if e.wikidata:
            self.add(s, SKOS.exactMatch, WD[e.wikidata], g)
            self.add(s, k.wikidataId, Literal(e.wikidata), g)
            self.add(s, k.wikidataLink, self.iris.part(s, "wikidata-link"), g)

    def link_triples(self, e: Entity, link: Link, g) -> None:
        """Who or what made a Wikidata link and how sure it is, in its own named graph
        (`graph/links`), so that the registry graph keeps holding only entities."""
        k, s = self.kg, self.entity(e.id)
        # A related match (skos:closeMatch, broadMatch…) gets its own node, named for its predicate.
        predicate = link.predicate.split(":", 1)[1]
        node = self.iris.part(s, "wikidata-link" if predicate == "exactMatch" else f"wikidata-{predicate}")
        self.out.origin[node] = str(link.location)
        self.add(node, RDF.type, k.WikidataLink, g)
        self.add(node, RDF.subject, s, g)
        self.add(node, RDF.predicate, SKOS[predicate], g)
        self.add(node, RDF.object, WD[link.qid], g)
        self.add(node, k.linkBasis, Literal(link.basis, lang="en"), g)
        self.add(node, k.linkConfidence, Literal(f"{link.confidence:.2f}", datatype=XSD.decimal), g)
        self.add(node, k.linkJustification, URIRef(SEMAPV + link.justification.split(":", 1)[1]), g)
        if link.label:
            self.add(node, k.wikidataLabel, Literal(link.label), g)
        if link.reviewer:
            self.add(node, k.linkReviewer, Literal(link.reviewer), g)
        if link.reviewer_id:
            self.add(node, PROV.wasAttributedTo, URIRef(link.reviewer_id), g)
        if link.date:
            self.add(node, DCTERMS.date, Literal(link.date, datatype=XSD.date), g)
        if link.mapping_set:
            self.add(node, PROV.wasDerivedFrom, URIRef(link.mapping_set), g)

    def sources(self) -> None:
        g = self.iris.graph("sources")
        k = self.kg
        for src in self.c.sources.values():
            doc = self.iris.source(src.id)
            self.out.origin[doc] = str(src.meta.loc("id"))
            self.add(doc, RDF.type, k.SourceDocument, g)
            self.add(doc, DCTERMS.identifier, Literal(src.id), g)
            self.add(doc, DCTERMS.title, Literal(src.title, lang="en"), g)
            self.add(doc, RDFS.label, Literal(src.title, lang="en"), g)
            self.add(doc, DCTERMS.language, Literal(src.language), g)
            self.add(doc, DCTERMS.rights, Literal(src.rights), g)
            self.add(doc, DCTERMS.creator, self.entity(src.author), g)
            self.add(doc, k.sha256, Literal(src.meta["sha256"]), g)
            self.add(doc, k.fileName, Literal(src.path.name), g)
            self.add(doc, k.fullText, Literal(src.text), g)
            self.add(doc, k.characterCount, Literal(len(src.text)), g)
            self.add(doc, k.namedGraph, self.iris.graph(src.id), g)
            for key in ("publication", "translation"):
                if src.meta.get(key):
                    self.add(doc, k[key], Literal(src.meta[key]), g)
            if src.calendar:
                self.add(doc, k.defaultCalendar, self.calendar_model(src.calendar), g)
                self.add(doc, k.calendarBasis, Literal(src.calendar_basis, lang="en"), g)
            if src.work:
                self.add(doc, k.containsWork, self.entity(src.work), g)
            if src.periodical:
                self.add(doc, k.appearedIn, self.entity(src.periodical), g)
            for key, d in src.dates.items():
                node = self.iris.part(doc, key)
                self.add(doc, k[key + "Date"], node, g)
                self.date_node(node, d, g)
            for i, span in enumerate(src.editorial, 1):
                part = self.iris.part(doc, f"editorial-{i}")
                self.add(doc, DCTERMS.hasPart, part, g)
                self.add(part, RDF.type, k.EditorialPart, g)
                self.add(part, k.writtenBy, k[camel(span.kind) + "Attribution"], g)
                if span.label:
                    self.add(part, RDFS.label, Literal(span.label, lang="en"), g)
                self.selectors(part, src, span.start, span.end, g)
            self.authorship(src, doc, g)

    def authorship(self, src: Source, doc: URIRef, g) -> None:
        """The author of a source is a statement too: quoted from the text, or external knowledge."""
        k = self.kg
        node = self.iris.statement(src.id, "authorship")
        self.out.origin[node] = str(src.meta.loc("author"))
        self.add(node, RDF.type, k.Statement, g)
        self.add(node, k.stance, k.Asserts, g)
        self.add(node, RDF.type, RDF.Statement, g)
        self.add(node, RDF.subject, doc, g)
        self.add(node, RDF.predicate, DCTERMS.creator, g)
        self.add(node, RDF.object, self.entity(src.author), g)
        self.add(node, k.statedIn, doc, g)
        if src.author_basis:
            self.add(node, k.attribution, k.ExternalKnowledge, g)
            self.add(node, k.externalBasis, Literal(src.author_basis, lang="en"), g)
        else:
            ev = self.iris.part(node, "evidence")
            self.add(node, k.attribution, k.EditorAttribution, g)
            self.add(node, PROV.wasDerivedFrom, ev, g)
            self.selectors(ev, src, *src.author_span, g)

    def mention(self, m) -> None:
        src = self.c.sources[m.source]
        g = self.iris.graph(m.source)
        node = self.iris.mention(m.source, m.start, m.end, m.entity)
        target = self.iris.part(node, "target")
        self.out.origin[node] = str(m.location)
        self.add(node, RDF.type, OA.Annotation, g)
        self.add(node, RDF.type, self.kg.Mention, g)
        self.add(node, OA.motivatedBy, OA.identifying, g)
        self.add(node, OA.hasBody, self.entity(m.entity), g)
        self.add(node, OA.hasTarget, target, g)
        self.selectors(target, src, m.start, m.end, g)

    def statement(self, st) -> None:
        k = self.kg
        src = self.c.sources[st.source]
        g = self.iris.graph(st.source)
        pred = PREDICATES[st.predicate]
        node = self.iris.statement(st.source, st.id)
        here = str(st.location)
        self.out.origin[node] = here
        subj, prop = self.entity(st.subject), k[st.predicate]

        # the object: none for a date without an exact Gregorian value or an inexact figure
        if pred.kind == "entity":
            obj = self.entity(st.object)
        elif pred.kind == "date":
            obj = (Literal(st.value.gregorian, datatype=XSD_OF_PRECISION[st.value.precision])
                   if st.value.gregorian else None)
        elif pred.kind in ("integer", "share"):
            obj = Literal(st.value.amount) if st.value.exact else None
        elif pred.kind == "duration":
            exact = xsd_duration(st.value)
            obj = Literal(exact, datatype=XSD.duration) if exact else None
        else:
            obj = Literal(st.value, lang="en")
        # the direct triple states what happened: only what the text asserts, decides or enacts;
        # and a figure only when it is the subject's own: a part of a breakdown ("351 of the 562
        # deputies") or a figure for one group ("two seats for each party") is no value of the subject
        whole = not (pred.kind in ("integer", "share", "duration") and (st.part_of or st.group))
        if obj is not None and st.stance in FACT_STANCES and whole:
            self.add(subj, prop, obj, g)
            where = st.lines.get("object" if pred.kind == "entity" else "value", st.location)
            self.out.triple_origin.setdefault((subj, prop, obj), []).append(str(where))

        self.add(node, RDF.type, k.Statement, g)
        self.add(node, RDF.type, RDF.Statement, g)
        self.add(node, RDF.subject, subj, g)
        self.add(node, RDF.predicate, prop, g)
        if obj is not None:
            self.add(node, RDF.object, obj, g)
        self.add(node, k.stance, k[camel(st.stance)], g)
        if pred.kind == "date":
            value_node = self.iris.part(node, "value")
            self.add(node, k.dateValue, value_node, g)
            self.date_node(value_node, st.value, g)
            self.out.origin[value_node] = str(st.lines.get("value", here))
        if pred.kind in ("integer", "share", "duration"):
            self.quantity(node, st, g)
        self.add(node, k.statedIn, self.iris.source(src.id), g)
        for old_id in st.supersedes:           # a removed statement's IRI redirects here
            old = self.iris.statement(st.source, old_id)
            self.out.origin[old] = str(st.lines.get("supersedes", here))
            self.add(node, DCTERMS.replaces, old, g)
            self.add(old, DCTERMS.isReplacedBy, node, g)

        for key, d in st.dates.items():
            dn = self.iris.part(node, key.replace("_", "-"))
            self.out.origin[dn] = str(st.lines.get(key, here))
            self.add(node, k[QUALIFIER_PROPERTY[key]], dn, g)
            self.date_node(dn, d, g)
        for key, eid in st.entities.items():
            self.add(node, k[QUALIFIER_PROPERTY[key]], self.entity(eid), g)
        for eid in st.concerns:
            self.add(node, k.concerns, self.entity(eid), g)
        if "unit" in st.texts:
            self.add(node, k.unit, Literal(st.texts["unit"], lang="en"), g)
        if "effect" in st.texts:
            self.add(node, k.effect, Literal(st.texts["effect"], lang="en"), g)
        if "issue" in st.texts:
            self.add(node, k.issue, Literal(st.texts["issue"], lang="en"), g)
        for key, words in st.clauses.items():      # kg:purpose, kg:condition
            for text in words:
                self.add(node, k[key], Literal(text, lang="en"), g)
        if "note" in st.texts:
            self.add(node, SKOS.note, Literal(st.texts["note"], lang="en"), g)
        for key, n in st.counts.items():
            self.add(node, k[key], Literal(n), g)
        if st.role:
            self.add(node, k.role, k[camel(st.role)], g)
        if st.uncertain:
            self.add(node, k.uncertainty, Literal(st.uncertain, lang="en"), g)
        if pred.membership and st.stance in FACT_STANCES:   # a proposed or alleged post is no ORG membership
            self.membership(node, st, g)

        self.add(node, k.attribution, k[ATTRIBUTION[st.attribution]], g)
        if st.attribution == "quoted" and st.quoted:
            self.add(node, PROV.wasAttributedTo, self.entity(st.quoted), g)
        elif st.attribution == "author":
            self.add(node, PROV.wasAttributedTo, self.entity(src.author), g)
        if st.claimant:
            self.add(node, k.claimant, Literal(st.claimant, lang="en"), g)
        if st.external:
            self.add(node, k.attribution, k.ExternalKnowledge, g)
            self.add(node, k.externalBasis, Literal(st.external, lang="en"), g)
        else:
            ev = self.iris.part(node, "evidence")
            self.add(node, PROV.wasDerivedFrom, ev, g)
            self.add(ev, RDF.type, k.Evidence, g)
            self.selectors(ev, src, st.evidence.start, st.evidence.end, g)

    def quantity(self, node: URIRef, st, g) -> None:
        """A figure's quantity node and qualifiers: what it counts, which group, which total it is part of."""
        k = self.kg
        qn = self.iris.part(node, "quantity")
        self.out.origin[qn] = str(st.lines.get("value", st.location))
        self.add(node, k.quantity, qn, g)
        self.quantity_node(qn, st.value, g)
        if st.value.time_unit:
            self.add(qn, k.timeUnit, TIME_UNIT[st.value.time_unit], g)
        if st.counted:
            self.add(node, k.counts, k["Counted" + camel(st.counted)], g)
        if st.group_by:
            self.add(node, k.groupBy, k["By" + camel(st.group_by)], g)
            self.add(node, k.group, self.entity(st.group) if st.group_is_entity else Literal(st.group, lang="en"), g)
        if st.maximum:
            self.add(node, k.maximum, Literal(True), g)
        if st.breakdown_complete:
            self.add(node, k.breakdownComplete, Literal(True), g)
            if isinstance(st.breakdown_complete, str):
                self.add(node, k.completeBreakdownBy, k["By" + camel(st.breakdown_complete)], g)
        if st.part_of:
            self.add(node, k.partOf, self.iris.statement(st.source, st.part_of), g)

    def membership(self, node: URIRef, st, g) -> None:
        """Posts and memberships read as W3C ORG too: the statement node is an org:Membership."""
        k = self.kg
        self.add(node, RDF.type, ORG.Membership, g)
        self.add(node, ORG.member, self.entity(st.subject), g)
        self.add(node, ORG.organization, self.entity(st.object), g)
        if st.role:
            self.add(node, ORG.role, k[camel(st.role)], g)
        if "start" in st.dates or "end" in st.dates:
            during = self.iris.part(node, "during")
            self.add(node, ORG.memberDuring, during, g)
            self.add(during, RDF.type, TIME.Interval, g)
            if "start" in st.dates:
                self.add(during, TIME.hasBeginning, self.iris.part(node, "start"), g)
            if "end" in st.dates:
                self.add(during, TIME.hasEnd, self.iris.part(node, "end"), g)


def make_quads(corpus: Corpus, base_iri: str) -> Quads:
    """All quads of the corpus (ontology and shapes are added by the build)."""
    return TripleMaker(corpus, base_iri).make()
