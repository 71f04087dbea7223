"""OWL 2 RL consistency of the graph with its ontology (https://www.w3.org/TR/owl2-profiles/#OWL_2_RL).

The ontology declares what a historian takes for granted (a person is not a place, a soviet
is not a party, a person is born once); the reasoner finds a thing the data types twice
across those lines, through its classes, domains, ranges and functional properties.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from kg.namespaces import ORG

ERRNS_ERROR = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")


def reasoning_input(data: Graph, ontology: Graph) -> Graph:
    """The ontology and the data triples it says anything about: types and our own properties.

    Passages, selectors and labels carry no axioms; leaving them out keeps the closure small
    (the whole graph took four times as long, with the same verdict)."""
    terms = {s for s in ontology.subjects() if isinstance(s, URIRef)}
    out = Graph()
    out += ontology
    for s, p, o in data:
        if p == RDF.type or p in terms or str(p).startswith(str(ORG)):
            out.add((s, p, o))
    return out


def inconsistencies(data: Graph, ontology: Graph) -> list[str]:
    """Every inconsistency OWL RL finds, as owlrl words it (members of owl:Nothing included)."""
    import owlrl

    graph = reasoning_input(data, ontology)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, improved_datatypes=False, axiomatic_triples=False,
                           datatype_axioms=False).expand(graph)
    found = sorted(str(m) for m in graph.objects(None, ERRNS_ERROR))
    found += sorted(f"{s} is a member of owl:Nothing" for s in graph.subjects(RDF.type, OWL.Nothing))
    return found + _functional_literals(graph)


def _functional_literals(graph: Graph) -> list[str]:
    """Two different values of a functional data property: inconsistent in OWL, though owlrl only
    equates the two literals (owl:sameAs) without saying so."""
    out = []
    for prop in set(graph.subjects(RDF.type, OWL.FunctionalProperty)):
        values: dict = {}
        for s, o in graph.subject_objects(prop):
            if isinstance(o, Literal):
                values.setdefault(s, set()).add(o)
        out += [f"{s} has {len(v)} values of the functional property {prop}: {', '.join(sorted(map(str, v)))}"
                for s, v in values.items() if len(v) > 1]
    return sorted(out)



