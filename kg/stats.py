"""Counts by class, by property and by source, read from the built store."""

from __future__ import annotations

import pyoxigraph as ox

from kg.iris import Iris
from kg.namespaces import prefixes
from kg.vocabulary import PREDICATES

QUERIES = {
    "classes": """SELECT ?key (COUNT(DISTINCT ?s) AS ?count) WHERE {
        GRAPH ?g { ?s a ?key } FILTER(?g = <{registry}>) } GROUP BY ?key ORDER BY DESC(?count) ?key""",
    "properties": """SELECT ?key (COUNT(*) AS ?count) WHERE {
        GRAPH ?g { ?st a <{kg}Statement> ; <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> ?key }
        } GROUP BY ?key ORDER BY DESC(?count) ?key""",
    "sources": """SELECT ?key (COUNT(DISTINCT ?st) AS ?count) WHERE {
        ?st a <{kg}Statement> ; <{kg}statedIn> ?key } GROUP BY ?key ORDER BY ?key""",
    "graphs": """SELECT ?key (COUNT(*) AS ?count) WHERE { GRAPH ?key { ?s ?p ?o } } GROUP BY ?key ORDER BY ?key""",
    "stances": """SELECT ?key (COUNT(DISTINCT ?st) AS ?count) WHERE {
        ?st a <{kg}Statement> ; <{kg}stance> ?key } GROUP BY ?key ORDER BY DESC(?count) ?key""",
}


def shorten(iri: str, base_iri: str) -> str:
    for prefix, ns in prefixes(base_iri).items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


def stats(store: ox.Store, base_iri: str) -> dict[str, list[tuple[str, int]]]:
    out = {}
    for name, q in QUERIES.items():
        iris = Iris(base_iri)
        q = q.replace("{registry}", str(iris.graph("registry"))).replace("{kg}", iris.ontology_ns)
        rows = store.query(q)
        out[name] = [(shorten(r["key"].value, base_iri), int(r["count"].value)) for r in rows]
    return out


def evidence_share(store: ox.Store, base_iri: str) -> tuple[int, int]:
    """(direct fact triples backed by a statement with quoted evidence, all direct fact triples)."""
    kg = Iris(base_iri).ontology_ns
    values = " ".join(f"<{kg}{name}>" for name in PREDICATES)
    q = f"""SELECT (COUNT(*) AS ?all) (SUM(?has) AS ?with) WHERE {{
      {{ SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o }} }}
      BIND(IF(EXISTS {{ ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?ev }},
              1, 0) AS ?has) }}"""
    prefix = ("PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
              "PREFIX prov: <http://www.w3.org/ns/prov#>\n")
    row = next(iter(store.query(prefix + q)))
    return int(row["with"].value), int(row["all"].value)
