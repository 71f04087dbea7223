"""Pages for people: home, the query editor, the named-query catalogue, the ontology, and /-/
introspection."""

from __future__ import annotations

import json
from dataclasses import asdict

from flask import Blueprint, Response, current_app, jsonify, render_template, request, send_file, url_for
from markupsafe import Markup, escape

from kg import __version__, formats
from kg.config import SETTINGS, rebaser, shown
from kg.errors import NotFound
from kg.iris import Iris
from kg.queries import catalogue, get
from kg.web.rdfdoc import backend
from kg.web.resources import q
from kg.web.urls import href

bp = Blueprint("pages", __name__)


def config():
    return current_app.config["KG"]


@bp.app_template_filter("href")
def href_filter(iri):
    return href(iri) or ""


@bp.app_template_filter("link")
def link_filter(iri, text, title=None):
    """`<a href=…>text</a>` for an IRI that may be linked (kg.web.urls.href), else the text alone."""
    target = href(iri) if iri else None
    text = escape(text)
    if target is None:
        return Markup(f'<span class="iri">{text}</span>')
    title_attr = f' title="{escape(title)}"' if title else ""
    return Markup(f'<a href="{escape(target)}"{title_attr}>{text}</a>')


@bp.app_template_filter("short")
def short_filter(iri):
    from kg.stats import shorten
    return shorten(iri, config().base_iri) if iri and "://" in iri else iri


@bp.app_template_filter("human_date")
def human_date_filter(value):
    from kg.web.timeline import human
    return human(value)


@bp.route("/")
def home():
    manifest = backend().manifest()
    classes = q("""SELECT ?class ?label (COUNT(DISTINCT ?e) AS ?n) WHERE {
        GRAPH ?g { ?e a ?class } FILTER (?g = <%s>)
        OPTIONAL { ?class rdfs:label ?label FILTER (LANG(?label) = "en") } }
        GROUP BY ?class ?label ORDER BY DESC(?n) ?label""" % Iris(config().base_iri).graph("registry"))
    sources = q("""SELECT ?source ?title ?author ?alabel ?publication ?date ?translation
        (COUNT(DISTINCT ?st) AS ?statements) WHERE {
        ?source a kg:SourceDocument ; dcterms:title ?title ; dcterms:creator ?author .
        OPTIONAL { ?author rdfs:label ?alabel FILTER (LANG(?alabel) = "en") }
        OPTIONAL { ?source kg:publication ?publication }
        OPTIONAL { ?source kg:translation ?translation }
        OPTIONAL { ?source kg:publishedDate/kg:originalValue ?date }
        OPTIONAL { ?st kg:statedIn ?source } }
        GROUP BY ?source ?title ?author ?alabel ?publication ?date ?translation
        ORDER BY (!BOUND(?date)) ?date ?source""")
    return render_template("home.html", manifest=manifest, classes=classes, sources=sources,
                           queries=catalogue(config().queries_dir))


def members_query(class_iri: str) -> str:
    """The query the home page links each class count to: its members, with labels."""
    return ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n\n"
            f"SELECT ?entity ?label WHERE {{\n  ?entity a <{class_iri}> ; rdfs:label ?label .\n"
            '  FILTER (LANG(?label) = "en")\n}\nORDER BY ?label\n')


@bp.app_template_global("query_link")
def query_link(text: str | None = None, view: str | None = None, example: str | None = None) -> str:
    """A link to the query page that opens (and runs) a query: the query lives in the URL."""
    args = {k: v for k, v in (("example", example), ("query", text), ("view", view)) if v}
    return url_for("pages.query_page", **args)


@bp.app_template_global("members_link")
def members_link(class_iri: str) -> str:
    return query_link(members_query(class_iri))


@bp.route("/query")
def query_page():
    """The query editor: examples, results as a table, a timeline or a graph; state in the URL."""
    from kg.namespaces import prefixes
    cat = catalogue(config().queries_dir)
    example = request.args.get("example")
    text = request.args.get("query")
    rebase = rebaser(config().base_iri)
    if text is None and example:
        text = rebase(get(config().queries_dir, example).text)
    page = {"base": config().base_iri, "vendor": url_for("static", filename="vendor/"),
            "prefixes": prefixes(config().base_iri), "terms": ontology_terms(),
            "examples": {k: {"title": v.title, "description": v.description, "view": v.meta.get("view", "table")}
                         for k, v in cat.items()}}
    return render_template("editor.html", text=text or rebase(DEFAULT_QUERY), examples=cat, page=page,
                           example=example if example in cat else None,
                           autorun=bool(request.args.get("query") or example))


def ontology_terms() -> dict[str, list[str]]:
    """Our classes and properties for the editor's completion: local name → [kind, label]."""
    rows = q("""SELECT ?term ?kind ?label WHERE { GRAPH ?g { ?term a ?kind ; rdfs:label ?label }
        FILTER (?g = <%s>) FILTER (STRSTARTS(STR(?term), STR(kg:)))
        FILTER (LANG(?label) = "en") }""" % Iris(config().base_iri).graph("ontology"))
    kinds = {"Class": "class", "ObjectProperty": "property", "DatatypeProperty": "property"}
    ns = Iris(config().base_iri).ontology_ns
    terms = {r["term"][len(ns):]: [kinds[r["kind"].rsplit("#", 1)[-1]], r["label"]] for r in rows
             if r["kind"].rsplit("#", 1)[-1] in kinds}
    return dict(sorted(terms.items()))


DEFAULT_QUERY = """PREFIX kg: <https://w3id.org/soviets/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

# The soviets of the graph, with the city they sat in (DISTINCT: a soviet of several classes,
# a city soviet of workers' deputies say, is found once through each).
SELECT DISTINCT ?soviet ?name ?city WHERE {
  ?soviet a/rdfs:subClassOf* kg:Soviet ; rdfs:label ?name .
  FILTER (LANG(?name) = "en")
  OPTIONAL { ?soviet kg:locatedIn ?city }
}
ORDER BY ?name
LIMIT 100
"""


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
    text = rebaser(config().base_iri)(query.text)
    if ext == "rq":
        return Response(text, content_type="application/sparql-query; charset=utf-8")
    fmt = formats.by_name("results", ext, html=True) if ext else (
        formats.by_name("results", request.args["format"], html=True) if request.args.get("format") else
        formats.negotiate(request.headers.get("Accept") or "text/html", "results", html=True, default=formats.HTML))
    if fmt.name != "html":
        body = formats.finish(fmt, backend().query(text, "results", fmt.name))
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
        return serve_graph(str(Iris(config().base_iri).graph("ontology")))
    return render_template("ontology.html", doc=ontology_doc())


def ontology_doc():
    """The ontology documentation of the build being served, made once per build."""
    from kg.namespaces import prefixes
    from kg.web.ontodoc import load_doc
    build_id = backend().manifest()["build_id"]
    cached = current_app.extensions.get("kg_ontodoc")
    if not cached or cached[0] != build_id:
        cached = (build_id, load_doc(backend().dumps_dir(), config().base_iri, prefixes(config().base_iri)))
        current_app.extensions["kg_ontodoc"] = cached
    return cached[1]


@bp.route("/-/version")
def version():
    m = backend().manifest()
    import pyoxigraph
    return jsonify({"kg": __version__, "pyoxigraph": pyoxigraph.__version__, "build": m["build_id"],
                    "built": m["created"], "triples": m["triples"]})


@bp.route("/-/settings")
def settings():
    """The settings in force; folders relative to the project (or by name), never absolute paths."""
    values = asdict(config())
    return jsonify({s.name: {"value": shown(values[s.name]) if s.name.endswith("_dir") else values[s.name],
                             "help": s.help} for s in SETTINGS})


def not_found(message):
    raise NotFound(message)
