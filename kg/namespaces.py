"""Vocabularies the graph uses; our own namespaces hang off the configured base IRI."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD, TIME  # noqa: F401

from kg.iris import Iris

ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
VOID = Namespace("http://rdfs.org/ns/void#")
SH = Namespace("http://www.w3.org/ns/shacl#")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")

STANDARD_PREFIXES = {
    "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS, "dcterms": DCTERMS,
    "prov": PROV, "time": TIME, "foaf": FOAF, "org": ORG, "oa": OA, "schema": SCHEMA,
    "sem": SEM, "void": VOID, "sh": SH, "wd": WD, "wdt": WDT,
}


def kg_namespace(base_iri: str) -> Namespace:
    """The ontology's namespace: `<base>ontology#`."""
    return Namespace(Iris(base_iri).ontology_ns)


def prefixes(base_iri: str) -> dict[str, str]:
    """All prefixes of the project, ours first; used by dumps, queries and pages alike."""
    iris = Iris(base_iri)
    ours = {"kg": iris.ontology_ns, "kgr": iris.entity_ns, "kgs": iris.source_ns,
            "kgg": iris.graph_ns, "kgst": iris.statement_ns}
    return ours | {k: str(v) for k, v in STANDARD_PREFIXES.items()}


def sparql_prefixes(base_iri: str) -> str:
    return "".join(f"PREFIX {k}: <{v}>\n" for k, v in prefixes(base_iri).items())
