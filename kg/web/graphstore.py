"""SPARQL 1.1 Graph Store HTTP Protocol, read part (https://www.w3.org/TR/sparql11-http-rdf-update/):
GET /graph?default and GET /graph?graph=<iri>; writing methods are refused (read-only)."""

from __future__ import annotations

from flask import Blueprint, request

from kg import formats
from kg.errors import BadParameter, NotFound, ReadOnly
from kg.web.rdfdoc import backend, document_response, rdf_response

bp = Blueprint("graphstore", __name__)


def serve_graph(iri: str | None):
    fmt = formats.choose("graph", request.args.getlist("format"), request.headers.get("Accept"), html=True,
                         default=formats.GRAPHS[0])
    if iri is None:   # the default graph: each triple of the named graphs once
        construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    else:
        if any(c in iri for c in '<>"{}|^`\\ '):
            raise BadParameter("graph is not a valid IRI")
        if not backend().select(f"SELECT ?s WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} LIMIT 1"):
            raise NotFound(f"no graph {iri}")
        construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"
    if fmt.name == "html":
        ttl = backend().query(construct, "graph", "turtle").decode("utf-8")
        return document_response(ttl, f"Graph {iri}" if iri else "The default graph",
                                 "Download it with ?format=turtle, ntriples, jsonld or rdfxml.")
    return rdf_response(construct, fmt)


@bp.route("/graph", methods=["GET", "PUT", "POST", "DELETE", "PATCH"])
def graph():
    if request.method not in ("GET", "HEAD"):
        raise ReadOnly("the graph store is read-only")
    if "default" in request.args:
        return serve_graph(None)
    iri = request.args.get("graph")
    if not iri:
        raise BadParameter("give ?default or ?graph=<IRI>")
    return serve_graph(iri)
