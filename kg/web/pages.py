"""Pages for people: home, the named-query catalogue, the ontology, and /-/ introspection."""

from __future__ import annotations

import json
from dataclasses import asdict

from flask import Blueprint, Response, current_app, jsonify, render_template, request, send_file

from kg import __version__, formats
from kg.config import SETTINGS
from kg.errors import NotFound
from kg.queries import catalogue, get
from kg.web.rdfdoc import backend
from kg.web.resources import q
from kg.web.urls import href

bp = Blueprint("pages", __name__)


def config():
    return current_app.config["KG"]


@bp.app_template_filter("href")
def href_filter(iri):
    return href(iri)


@bp.app_template_filter("short")
def short_filter(iri):
    from kg.stats import shorten
    return shorten(iri, config().base_iri) if iri and "://" in iri else iri


@bp.route("/")
def home():
    manifest = backend().manifest()
    classes = q("""SELECT ?class ?label (COUNT(DISTINCT ?e) AS ?n) WHERE {
        GRAPH ?g { ?e a ?class } FILTER (?g = <%sgraph/registry>)
        OPTIONAL { ?class rdfs:label ?label FILTER (LANG(?label) = "en") } }
        GROUP BY ?class ?label ORDER BY DESC(?n)""" % config().base_iri)
    sources = q("""SELECT ?source ?title ?author ?alabel ?publication WHERE {
        ?source a kg:SourceDocument ; dcterms:title ?title ; dcterms:creator ?author .
        OPTIONAL { ?author rdfs:label ?alabel FILTER (LANG(?alabel) = "en") }
        OPTIONAL { ?source kg:publication ?publication } } ORDER BY ?source""")
    return render_template("home.html", manifest=manifest, classes=classes, sources=sources,
                           queries=catalogue(config().queries_dir))


@bp.route("/queries")
def queries_index():
    cat = catalogue(config().queries_dir)
    if formats.negotiate(request.headers.get("Accept") or "text/html", "results", html=True,
                         default=formats.HTML).name == "json":
        return jsonify([{"name": k, "title": v.title, "description": v.description} for k, v in cat.items()])
    return render_template("queries.html", queries=cat)


@bp.route("/queries/<name>")
def named_query(name):
    slug, _, ext = name.partition(".")
    query = get(config().queries_dir, slug)
    from kg.build import rebaser
    text = rebaser(config().base_iri)(query.text)
    fmt = formats.by_name("results", ext, html=True) if ext else (
        formats.by_name("results", request.args["format"], html=True) if request.args.get("format") else
        formats.negotiate(request.headers.get("Accept") or "text/html", "results", html=True, default=formats.HTML))
    if ext == "rq":
        return Response(text, content_type="application/sparql-query; charset=utf-8")
    if fmt.name != "html":
        body = backend().query(text, "results", fmt.name)
        return Response(body, content_type=fmt.media_type)
    data = json.loads(backend().query(text, "results", "json"))
    return render_template("query.html", query=query, text=text, head=data["head"]["vars"],
                           rows=data["results"]["bindings"])


@bp.route("/ontology")
def ontology():
    fmt = formats.negotiate(request.headers.get("Accept") or "text/html", "graph", html=True, default=formats.HTML)
    path = backend().dumps_dir() / "ontology.ttl"
    if fmt.name == "turtle":
        return send_file(path, mimetype="text/turtle")
    if fmt.name != "html":
        from kg.web.graphstore import serve_graph
        return serve_graph(config().base_iri + "graph/ontology")
    terms = q("""SELECT ?term ?kind ?label ?comment WHERE { GRAPH ?g { ?term a ?kind ; rdfs:label ?label ;
        rdfs:comment ?comment } FILTER (?g = <%sgraph/ontology>) FILTER (STRSTARTS(STR(?term), STR(kg:)))
        FILTER (?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty)) }
        ORDER BY ?kind ?term""".replace("SELECT", "PREFIX owl: <http://www.w3.org/2002/07/owl#>\nSELECT", 1)
           % config().base_iri)
    return render_template("ontology.html", terms=terms)


@bp.route("/-/version")
def version():
    m = backend().manifest()
    import pyoxigraph
    return jsonify({"kg": __version__, "pyoxigraph": pyoxigraph.__version__, "build": m["build_id"],
                    "built": m["created"], "triples": m["triples"]})


@bp.route("/-/settings")
def settings():
    values = asdict(config())
    values.pop("extra", None)
    return jsonify({s.name: {"value": values[s.name], "help": s.help} for s in SETTINGS})


def not_found(message):
    raise NotFound(message)
