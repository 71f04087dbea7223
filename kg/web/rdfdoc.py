"""Serve a resource's description as RDF, in the negotiated format, from a CONSTRUCT query."""

from __future__ import annotations

import re

from flask import Response, current_app, render_template, request
from markupsafe import Markup, escape

from kg import formats

_IRI = re.compile(r"&lt;(https?://[^&\s]*)&gt;")


def backend():
    return current_app.extensions["kg_backend"]


def wants(kind: str = "graph"):
    """The negotiated format for a resource page: HTML for browsers, else an RDF format."""
    return formats.choose(kind, request.args.getlist("format"), request.headers.get("Accept"),
                          html=True, default=formats.HTML)


def rdf_response(construct: str, fmt) -> Response:
    body = formats.finish(fmt, backend().query(construct, "graph", fmt.name))
    ctype = fmt.media_type + ("; charset=utf-8" if fmt.media_type.startswith("text/") else "")
    return Response(body, content_type=ctype, headers={"Vary": "Accept"})


def describe_query(iri: str) -> str:
    """The resource's own triples, the statements about it with their dates and evidence,
    and the labels of what it links to."""
    return f"""
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX org: <http://www.w3.org/ns/org#>
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ BIND(<{iri}> AS ?s) ?s ?p ?o }}
  UNION {{ ?s rdf:subject|rdf:object <{iri}> . ?s ?p ?o }}
  UNION {{ ?st rdf:subject|rdf:object <{iri}> ; ?q ?s . ?s ?p ?o .
           FILTER (STRSTARTS(STR(?s), CONCAT(STR(?st), "#"))) }}
  UNION {{ ?st rdf:subject|rdf:object <{iri}> ; prov:wasDerivedFrom/oa:hasSelector ?s . ?s ?p ?o }}
  UNION {{ <{iri}> ?link ?s . ?s rdfs:label ?o . BIND(rdfs:label AS ?p) FILTER(isIRI(?s)) }}
}}"""


def document_response(ttl: str, title: str, lead: str = ""):
    """A small RDF document (VoID, the service description, shapes, a graph): an HTML page of its
    Turtle, IRIs linked, for a browser; else the negotiated RDF format."""
    fmt = formats.choose("graph", request.args.getlist("format"), request.headers.get("Accept"), html=True,
                         default=formats.GRAPHS[0])
    headers = {"Vary": "Accept"}
    if fmt.name == "html":
        from kg.web.urls import href
        linked = _IRI.sub(lambda m: f'&lt;<a href="{escape(href(m.group(1)))}">{m.group(1)}</a>&gt;', str(escape(ttl)))
        return Response(render_template("turtle.html", title=title, lead=lead, turtle=Markup(linked)),
                        content_type="text/html; charset=utf-8", headers=headers)
    if fmt.name == "turtle":
        return Response(ttl, content_type="text/turtle; charset=utf-8", headers=headers)
    import pyoxigraph as ox
    body = formats.finish(fmt, ox.serialize(ox.parse(ttl.encode(), ox.RdfFormat.TURTLE), format=fmt.ox_format))
    return Response(body, content_type=fmt.media_type + ("; charset=utf-8" if fmt.name == "jsonld" else ""),
                    headers=headers)
