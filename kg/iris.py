"""Mints every IRI of the graph: the only module that knows the URI patterns.

    <base>id/<entity>                      an entity of the registry
    <base>source/<source>                  a source document
    <base>graph/<source> | registry | sources | ontology     named graphs
    <base>statement/<source>/<statement>   a statement node (#evidence, #when, … hang off it)
    <base>mention/<source>/<start>-<end>   a mention of an entity in a text
    <base>ontology#Term                    ontology terms
"""

from __future__ import annotations

from rdflib import URIRef


class Iris:
    def __init__(self, base_iri: str):
        self.base = base_iri

    def entity(self, eid: str) -> URIRef:
        return URIRef(f"{self.base}id/{eid}")

    def source(self, sid: str) -> URIRef:
        return URIRef(f"{self.base}source/{sid}")

    def graph(self, name: str) -> URIRef:
        return URIRef(f"{self.base}graph/{name}")

    def statement(self, sid: str, stid: str) -> URIRef:
        return URIRef(f"{self.base}statement/{sid}/{stid}")

    def part(self, node: URIRef, fragment: str) -> URIRef:
        return URIRef(f"{node}#{fragment}")

    def mention(self, sid: str, start: int, end: int, eid: str) -> URIRef:
        return URIRef(f"{self.base}mention/{sid}/{start}-{end}-{eid}")

    def term(self, name: str) -> URIRef:
        return URIRef(f"{self.base}ontology#{name}")

    def local_path(self, iri: str) -> str | None:
        """The path of an IRI under the base (for serving it locally), or None if not ours."""
        return iri[len(self.base) - 1:] if iri.startswith(self.base) else None
