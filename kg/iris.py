"""Mints every IRI of the graph: the only module that knows the URI patterns.

    <base>id/<entity>                      an entity of the registry
    <base>source/<source>                  a source document
    <base>graph/<source> | registry | sources | ontology     named graphs
    <base>statement/<source>/<statement>   a statement node (#evidence, #when, … hang off it)
    <base>mention/<source>/<start>-<end>   a mention of an entity in a text
    <base>ontology#Term                    ontology terms (<base>ontology the ontology itself)
    <base>shapes#Shape                     SHACL shapes
    <base>mappings/<set>                   a SSSOM mapping set of Wikidata candidates
    <base>dumps/<file>, <base>sparql       where a copy serves its dumps and its endpoint
    <base>void#dataset                     the VoID description of the dataset
    <node>-quote, <node>-position          the selectors of a passage
"""

from __future__ import annotations

from rdflib import URIRef


class Iris:
    def __init__(self, base_iri: str):
        self.base = base_iri

    def entity(self, eid: str) -> URIRef:
        return URIRef(f"{self.entity_ns}{eid}")

    def source(self, sid: str) -> URIRef:
        return URIRef(f"{self.source_ns}{sid}")

    def graph(self, name: str) -> URIRef:
        return URIRef(f"{self.graph_ns}{name}")

    def statement(self, sid: str, stid: str) -> URIRef:
        return URIRef(f"{self.statement_ns}{sid}/{stid}")

    def part(self, node: URIRef, fragment: str) -> URIRef:
        return URIRef(f"{node}#{fragment}")

    def mention(self, sid: str, start: int, end: int, eid: str) -> URIRef:
        return URIRef(f"{self.base}mention/{sid}/{start}-{end}-{eid}")

    def term(self, name: str) -> URIRef:
        return URIRef(f"{self.ontology_ns}{name}")

    def selector(self, target: URIRef, kind: str) -> URIRef:
        """The `quote` or `position` selector of a passage."""
        return URIRef(f"{target}-{kind}")

    def ontology(self) -> URIRef:
        return URIRef(f"{self.base}ontology")

    def void(self, fragment: str) -> URIRef:
        """The VoID description's nodes: #dataset, #wikidata-links."""
        return URIRef(f"{self.base}void#{fragment}")

    def mapping_set(self, stem: str) -> str:
        return f"{self.base}mappings/{stem}"

    def dumps(self) -> str:
        return f"{self.base}dumps/"

    def sparql(self) -> str:
        return f"{self.base}sparql"

    # namespaces (as strings), for prefixes and for telling our IRIs apart
    @property
    def entity_ns(self) -> str:
        return f"{self.base}id/"

    @property
    def ontology_ns(self) -> str:
        return f"{self.base}ontology#"

    @property
    def shapes_ns(self) -> str:
        return f"{self.base}shapes#"

    @property
    def source_ns(self) -> str:
        return f"{self.base}source/"

    @property
    def graph_ns(self) -> str:
        return f"{self.base}graph/"

    @property
    def statement_ns(self) -> str:
        return f"{self.base}statement/"

    def local_path(self, iri: str) -> str | None:
        """The path of an IRI under the base (for serving it locally), or None if not ours."""
        return iri[len(self.base) - 1:] if iri.startswith(self.base) else None
