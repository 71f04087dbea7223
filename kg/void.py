"""A VoID description of the dataset (https://www.w3.org/TR/void/): size, partitions, dumps, endpoint."""

from __future__ import annotations

import pyoxigraph as ox

from kg.iris import Iris

LICENCE = "https://creativecommons.org/licenses/by/4.0/"   # for what is ours: annotations, registry, ontology
OUR_GRAPHS = ("registry", "ontology", "links")


def partition_counts(store: ox.Store) -> tuple[list[tuple[ox.Term, int]], list[tuple[str, int]]]:
    """Entities per class (as terms) and triples per property, over the store's default graph;
    kg.summary keeps them too."""
    q_class = """SELECT ?key (COUNT(DISTINCT ?s) AS ?count) WHERE { ?s a ?key } GROUP BY ?key ORDER BY ?key"""
    q_prop = """SELECT ?key (COUNT(*) AS ?count) WHERE { ?s ?key ?o } GROUP BY ?key ORDER BY ?key"""
    classes = [(r["key"], int(r["count"].value)) for r in store.query(q_class)]
    properties = [(r["key"].value, int(r["count"].value)) for r in store.query(q_prop)]
    return classes, properties


def partitions(store: ox.Store, base_iri: str, counts: tuple | None = None) -> dict:
    """The VoID partitions; `counts` are partition_counts(store) when made already."""
    classes, properties = counts or partition_counts(store)
    out = {"classes": [(term.value, n) for term, n in classes], "properties": properties}
    registry = Iris(base_iri).graph("registry")
    q_ent = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH <%s> { ?s a ?c } }" % registry
    out["entities"] = int(next(iter(store.query(q_ent)))["n"].value)
    q_links = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <%s> { ?s <http://www.w3.org/2004/02/skos/core#exactMatch> ?o } }" % registry
    out["wikidata_links"] = int(next(iter(store.query(q_links)))["n"].value)
    return out


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"@en'


def graph_rights(graph: str, manifest: dict) -> str:
    """The rights statement of one named graph: CC BY for what is ours only; for a source's graph
    and the graph of the texts, each text's own rights as its sources.yaml entry states them."""
    base = manifest["base_iri"] + "graph/"
    name = graph[len(base):] if graph.startswith(base) else None
    texts = manifest.get("source_rights", {})
    if name in OUR_GRAPHS:
        return f"dcterms:license <{LICENCE}>"
    if name in texts:
        return "dcterms:rights " + _literal(
            f"Quotations from the text {name}: {texts[name]}. The annotations around them: CC BY 4.0.")
    if name == "sources":
        each = "; ".join(f"{sid}: {rights}" for sid, rights in sorted(texts.items()))
        return "dcterms:rights " + _literal(
            f"The full texts, each under its own rights ({each}). Their descriptions: CC BY 4.0.")
    return "dcterms:rights " + _literal("not stated")


def void_turtle(manifest: dict, parts: dict, dumps_url: str, endpoint_url: str) -> str:
    """VoID in Turtle; `dumps_url` and `endpoint_url` are where this copy is served."""
    base = manifest["base_iri"]
    iris = Iris(base)
    ds = f"<{iris.void('dataset')}>"
    lines = [
        "@prefix void: <http://rdfs.org/ns/void#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "",
        f"{ds} a void:Dataset ;",
        '    dcterms:title "The open knowledge graph of the soviets"@en ;',
        '    dcterms:description "Soviets of 1905 and 1917, the parties and persons around them and the events they made, each fact traced to a passage of a primary source."@en ;',
        '    dcterms:rights "Mixed: each named graph states its own rights (void:subset). Our annotations, '
        'registry, ontology and links are CC BY 4.0; the source texts and quotations from them are under '
        'each text\'s own rights, and where a text states none, none is claimed for it."@en ;',
        f'    dcterms:modified "{manifest["created"]}"^^xsd:dateTime ;',
        f'    dcterms:identifier "{manifest["build_id"]}" ;',
        f"    void:triples {manifest['triples']} ;",
        f"    void:entities {parts['entities']} ;",
        f"    void:sparqlEndpoint <{endpoint_url}> ;",
        f"    void:uriSpace \"{iris.entity_ns}\" ;",
        "    void:vocabulary <http://www.w3.org/ns/org#>, <http://www.w3.org/ns/prov#>, <http://www.w3.org/ns/oa#>,"
        f" <http://www.w3.org/2006/time#>, <{iris.ontology_ns}> ;",
    ]
    for name in ("kg.nq.gz", "kg.ttl.gz", "kg.trig.gz", "kg.nq", "kg.ttl", "kg.trig"):
        lines.append(f"    void:dataDump <{dumps_url}{name}> ;")
    for eid in manifest.get("examples", []):
        lines.append(f"    void:exampleResource <{iris.entity(eid)}> ;")
    for iri, count in parts["classes"]:
        lines.append(f"    void:classPartition [ void:class <{iri}> ; void:entities {count} ] ;")
    for iri, count in parts["properties"]:
        lines.append(f"    void:propertyPartition [ void:property <{iri}> ; void:triples {count} ] ;")
    for g in manifest["named_graphs"]:
        lines.append(f"    void:subset [ a void:Dataset ; dcterms:identifier \"{g}\" ; {graph_rights(g, manifest)} ] ;")
    lines[-1] = lines[-1].rstrip(" ;") + " ."
    lines += ["",
              f"<{iris.void('wikidata-links')}> a void:Linkset ;",
              f"    void:subjectsTarget {ds} ;",
              "    void:objectsTarget <https://www.wikidata.org/> ;",
              "    void:linkPredicate skos:exactMatch ;",
              f"    void:triples {parts['wikidata_links']} .", ""]
    return "\n".join(lines)

