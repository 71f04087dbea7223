"""Linked Data: every IRI of the graph resolves here. HTML for browsers; Turtle, JSON-LD,
N-Triples and RDF/XML by content negotiation (200 with `Vary: Accept`, the same URL for all)."""

from __future__ import annotations

from collections import defaultdict

from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, render_template, request

from kg.errors import BadParameter, Gone, NotFound
from kg.iris import Iris
from kg.web import text_view
from kg.web.timeline import entity_timeline
from kg.web.rdfdoc import backend, describe_query, rdf_response, wants
from kg.web.words import date_phrase, readable
from kg.web.urls import base_iri, href, iri_for_path

bp = Blueprint("resources", __name__)

PREFIXES = """PREFIX kg: <{base}ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def q(text: str) -> list[dict]:
    return backend().select(PREFIXES.format(base=base_iri()) + text)


def exists(iri: str) -> bool:
    return bool(q(f"SELECT ?p WHERE {{ <{iri}> ?p ?o }} LIMIT 1"))


def safe_iri(iri: str) -> str:
    if any(c in iri for c in '<>"{}|^`\\ \n'):
        raise BadParameter("not a valid IRI")
    return iri


def lookup(path: str, what: str):
    """The IRI a local path stands for (404 if the graph has no such resource) and the wanted format."""
    iri = safe_iri(iri_for_path(path))
    if not exists(iri):
        raise NotFound(f"no {what} {iri}")
    return iri, wants()


@bp.route("/id/<path:eid>")
def entity(eid):
    iri, fmt = lookup(f"id/{eid}", "entity")
    if fmt.name != "html":
        return rdf_response(describe_query(iri), fmt)
    return render_template("entity.html", **entity_view(iri))


def entity_view(iri: str) -> dict:
    props = q(f"""SELECT ?p ?o WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }}
        FILTER (?g = <{Iris(base_iri()).graph("registry")}>) }}""")
    info = defaultdict(list)
    for r in props:
        info[r["p"]].append(r["o"])
    statements = q(f"""SELECT ?st ?subject ?slabel ?predicate ?plabel ?object ?olabel ?source ?stitle
        ?attribution ?alabel ?claimant ?clabel ?claimantWords ?stance ?slabel2 ?figure ?quote ?start ?end ?external
        ?uncertainty ?note ?role ?unit WHERE {{
      {{ ?st rdf:subject <{iri}> }} UNION {{ ?st rdf:object <{iri}> }}
      ?st a kg:Statement ; rdf:subject ?subject ; rdf:predicate ?predicate ; kg:statedIn ?source ;
          kg:attribution ?attribution .
      OPTIONAL {{ ?st rdf:object ?object OPTIONAL {{ ?object rdfs:label ?olabel FILTER (LANG(?olabel) = "en") }} }}
      OPTIONAL {{ ?subject rdfs:label ?slabel FILTER (LANG(?slabel) = "en") }}
      OPTIONAL {{ ?predicate rdfs:label ?plabel FILTER (LANG(?plabel) = "en") }}
      OPTIONAL {{ ?attribution rdfs:label ?alabel FILTER (LANG(?alabel) = "en") }}
      OPTIONAL {{ ?source dcterms:title ?stitle }}
      OPTIONAL {{ ?st prov:wasAttributedTo ?claimant OPTIONAL {{ ?claimant rdfs:label ?clabel FILTER (LANG(?clabel) = "en") }} }}
      OPTIONAL {{ ?st kg:claimant ?claimantWords }}
      OPTIONAL {{ ?st kg:stance ?stance OPTIONAL {{ ?stance rdfs:label ?slabel2 FILTER (LANG(?slabel2) = "en") }} }}
      OPTIONAL {{ ?st kg:quantity/kg:asWritten ?figure }}
      OPTIONAL {{ ?st prov:wasDerivedFrom ?ev . ?ev oa:hasSelector ?qs, ?ps .
                 ?qs oa:exact ?quote .
                 ?ps oa:start ?start ; oa:end ?end }}
      OPTIONAL {{ ?st kg:externalBasis ?external }}
      OPTIONAL {{ ?st kg:uncertainty ?uncertainty }}
      OPTIONAL {{ ?st skos:note ?note }}
      OPTIONAL {{ ?st kg:role/rdfs:label ?role FILTER (LANG(?role) = "en") }}
      OPTIONAL {{ ?st kg:unit ?unit }}
    }}""")
    # a vague span may lack one bound: it then reads as a point at the other ("from", "by")
    dates = q(f"""SELECT ?st ?qual ?qlabel ?orig ?cal ?greg ?written ?earliest ?latest ?from ?by WHERE {{
      {{ ?st rdf:subject <{iri}> }} UNION {{ ?st rdf:object <{iri}> }}
      ?st ?qual ?d . ?d a kg:HistoricalDate ; kg:calendarModel ?cal .
      OPTIONAL {{ ?d kg:originalValue ?orig }}
      OPTIONAL {{ ?d kg:earliestGregorian ?from }} OPTIONAL {{ ?d kg:latestGregorian ?by }}
      BIND (COALESCE(?from, ?by) AS ?earliest) BIND (COALESCE(?by, ?from) AS ?latest)
      OPTIONAL {{ ?d kg:gregorianValue ?greg }} OPTIONAL {{ ?d kg:asWritten ?written }}
      OPTIONAL {{ ?qual rdfs:label ?qlabel FILTER (LANG(?qlabel) = "en") }} }}""")
    links = q(f"""SELECT ?st ?qual ?qlabel ?v ?vlabel WHERE {{
      {{ ?st rdf:subject <{iri}> }} UNION {{ ?st rdf:object <{iri}> }}
      VALUES ?qual {{ kg:place kg:byAgent kg:replaces kg:onBehalfOf }}
      ?st ?qual ?v . OPTIONAL {{ ?v rdfs:label ?vlabel FILTER (LANG(?vlabel) = "en") }}
      OPTIONAL {{ ?qual rdfs:label ?qlabel FILTER (LANG(?qlabel) = "en") }} }}""")
    mentions = q(f"""SELECT ?source ?stitle (COUNT(?m) AS ?n) WHERE {{
      ?m oa:hasBody <{iri}> ; oa:hasTarget/oa:hasSource ?source . ?source dcterms:title ?stitle }}
      GROUP BY ?source ?stitle ORDER BY ?source""")
    by_statement = {}
    for r in statements:
        by_statement.setdefault(r["st"], dict(r, dates=[], links=[]))
    for d in dates:
        if d["st"] in by_statement:
            by_statement[d["st"]]["dates"].append(d)
    for link in links:
        if link["st"] in by_statement:
            by_statement[link["st"]]["links"].append(link)
    facts = sorted(by_statement.values(), key=lambda s: (
        min((d["earliest"] for d in s["dates"]), default="9999"), s["source"], int(s.get("start", 0) or 0)))
    label = next((o for o in info.get("http://www.w3.org/2000/01/rdf-schema#label", [])), iri)
    return {"iri": iri, "label": label, "info": info, "facts": facts, "mentions": mentions,
            "timeline": entity_timeline(iri, facts)}


@bp.route("/source/<sid>")
def source(sid):
    iri, fmt = lookup(f"source/{sid}", "source")
    highlight = parse_highlight(request.args.get("highlight"))
    if fmt.name != "html":
        return rdf_response(describe_query(iri), fmt)
    meta = q(f"""SELECT ?title ?text ?creator ?clabel ?rights ?publication ?graph WHERE {{
        <{iri}> dcterms:title ?title ; kg:fullText ?text ; dcterms:creator ?creator ; dcterms:rights ?rights ;
                kg:namedGraph ?graph .
        OPTIONAL {{ ?creator rdfs:label ?clabel FILTER (LANG(?clabel) = "en") }}
        OPTIONAL {{ <{iri}> kg:publication ?publication }} }}""")[0]
    mentions = q(f"""SELECT ?entity ?label ?start ?end WHERE {{
        ?m a kg:Mention ; oa:hasBody ?entity ; oa:hasTarget ?t . ?t oa:hasSource <{iri}> ; oa:hasSelector ?p .
        ?p oa:start ?start ; oa:end ?end .
        OPTIONAL {{ ?entity rdfs:label ?label FILTER (LANG(?label) = "en") }} }}""")
    editorial = q(f"""SELECT ?start ?end ?by WHERE {{ <{iri}> dcterms:hasPart ?part . ?part kg:writtenBy ?by ;
        oa:hasSelector ?p . ?p oa:start ?start ; oa:end ?end }}""")
    anchors = q(f"""SELECT DISTINCT ?start WHERE {{ ?st kg:statedIn <{iri}> ;
        prov:wasDerivedFrom/oa:hasSelector ?p . ?p oa:start ?start }}""")
    html = text_view.render(meta["text"], mentions, editorial, [int(a["start"]) for a in anchors], highlight, href)
    return render_template("source.html", iri=iri, meta=meta, text_html=html, highlight=highlight,
                           mention_count=len(mentions), supported=supported_by(iri, highlight) if highlight else [],
                           readable=readable)


def supported_by(source_iri: str, span: tuple[int, int]) -> list[dict]:
    """The statements whose evidence overlaps a passage of a source: evidence the other way round."""
    start, end = span         # integers, from parse_highlight
    return q(f"""SELECT DISTINCT ?st ?s ?sl ?p ?o ?ol ?stance WHERE {{
        ?st kg:statedIn <{source_iri}> ; rdf:subject ?s ; rdf:predicate ?p ;
            prov:wasDerivedFrom/oa:hasSelector ?sel . ?sel oa:start ?a ; oa:end ?b .
        FILTER (?a < {end} && ?b > {start})
        OPTIONAL {{ ?st kg:stance ?stance }}
        OPTIONAL {{ ?s rdfs:label ?sl FILTER (LANG(?sl) = "en") }}
        OPTIONAL {{ ?st rdf:object ?o OPTIONAL {{ ?o rdfs:label ?ol FILTER (LANG(?ol) = "en") }} }} }}
        ORDER BY ?a ?st""")


def parse_highlight(value: str | None):
    if not value:
        return None
    try:
        start, end = (int(x) for x in value.split("-", 1))
    except ValueError:
        raise BadParameter("highlight is START-END (character offsets)") from None
    return (start, end) if 0 <= start < end else None


@bp.route("/statement/<sid>/<stid>")
@bp.route("/mention/<sid>/<stid>")
def node(sid, stid):
    kind = request.path.split("/")[1]
    if kind == "statement":
        moved = superseded_or_retired(safe_iri(iri_for_path(f"statement/{sid}/{stid}")))
        if moved:
            return moved
    iri, fmt = lookup(f"{kind}/{sid}/{stid}", kind)
    if fmt.name != "html":
        return rdf_response(describe_query(iri), fmt)
    view = statement_view(iri) if kind == "statement" else None
    rows = q(f"""SELECT ?s ?p ?o WHERE {{ {{ BIND(<{iri}> AS ?s) ?s ?p ?o }} UNION
        {{ <{iri}> ?q ?s . ?s ?p ?o FILTER (STRSTARTS(STR(?s), "{iri}#")) }} UNION
        {{ <{iri}> ?q ?x . ?x oa:hasSelector ?s . ?s ?p ?o FILTER (STRSTARTS(STR(?x), "{iri}#")) }} }}
        ORDER BY ?s ?p""")
    return render_template("triples.html", iri=iri, title=f"{kind.capitalize()} {stid}", rows=rows, view=view,
                           readable=readable)


def superseded_or_retired(iri: str):
    """A removed statement's IRI: a 301 to the statement it was merged into (query string kept, so
    `?format=` still chooses the view), or 410 Gone with the reason; None for any other IRI."""
    rows = q(f"""SELECT ?new ?reason WHERE {{ {{ <{iri}> dcterms:isReplacedBy ?new }}
        UNION {{ <{iri}> a kg:RetiredStatement ; kg:retirementReason ?reason }} }} LIMIT 1""")
    if not rows:
        return None
    if rows[0].get("new"):
        query = request.query_string.decode("latin-1")
        return redirect(href(rows[0]["new"]) + (f"?{query}" if query else ""), 301)
    from kg.web.errors import search_guess
    raise Gone(f"statement {iri} was removed from the graph: {rows[0]['reason']} "
               f"(search the graph: /search?{urlencode({'q': search_guess()})})")


def statement_view(iri: str) -> dict | None:
    """A statement as a sentence: who says it (attribution, claimant), how (stance), what, when,
    and the passage, linked so that the source page keeps it highlighted."""
    rows = q(f"""SELECT ?s ?sl ?p ?o ?ol ?src ?title ?att ?stance ?claimant ?cl ?quote ?start ?end ?uncertain WHERE {{
        <{iri}> rdf:subject ?s ; rdf:predicate ?p ; kg:statedIn ?src .
        OPTIONAL {{ <{iri}> rdf:object ?o OPTIONAL {{ ?o rdfs:label ?ol FILTER (LANG(?ol) = "en") }} }}
        OPTIONAL {{ ?s rdfs:label ?sl FILTER (LANG(?sl) = "en") }}
        OPTIONAL {{ ?src dcterms:title ?title }}
        OPTIONAL {{ <{iri}> kg:attribution ?att }} OPTIONAL {{ <{iri}> kg:stance ?stance }}
        OPTIONAL {{ <{iri}> prov:wasAttributedTo ?claimant
                    OPTIONAL {{ ?claimant rdfs:label ?cl FILTER (LANG(?cl) = "en") }} }}
        OPTIONAL {{ <{iri}> prov:wasDerivedFrom/oa:hasSelector ?qs . ?qs oa:exact ?quote }}
        OPTIONAL {{ <{iri}> prov:wasDerivedFrom/oa:hasSelector ?ps . ?ps oa:start ?start ; oa:end ?end }}
        OPTIONAL {{ <{iri}> kg:uncertainty ?uncertain }} }} LIMIT 1""")
    if not rows:
        return None
    view = rows[0]
    dates = q(f"""SELECT ?q ?original ?cal ?lo ?hi ?written WHERE {{ <{iri}> ?q ?d .
        ?d kg:earliestGregorian ?lo ; kg:latestGregorian ?hi .
        OPTIONAL {{ ?d kg:originalValue ?original }} OPTIONAL {{ ?d kg:calendarModel ?cal }}
        OPTIONAL {{ ?d kg:asWritten ?written }} }} ORDER BY ?lo""")
    view["dates"] = [dict(d, phrase=date_phrase(d.get("original"), d.get("cal"), d["lo"], d["hi"])) for d in dates]
    if view.get("start"):
        view["passage_url"] = f"{href(view['src'])}?highlight={view['start']}-{view['end']}#c{view['start']}"
    return view


@bp.route("/graph/<name>")
def named_graph(name):
    from kg.web.graphstore import serve_graph
    return serve_graph(iri_for_path(f"graph/{name}"))


def abort_404():
    abort(404)
