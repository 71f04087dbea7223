"""/sparql: the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/), read-only.

GET ?query=…, POST form-encoded, POST application/sparql-query; `default-graph-uri` and
`named-graph-uri`; results by Accept (q-values) or `format=`. Without a query: the
Service Description. The default graph is the union of the named graphs unless
`default-graph-uri` names graphs.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request, url_for

from kg import formats
from kg.errors import BadParameter, ReadOnly, UnsupportedMediaType
from kg.sparql import query_form, result_kind
from kg.web.rdfdoc import document_response

bp = Blueprint("sparql", __name__)


def backend():
    return current_app.extensions["kg_backend"]


def choose_format(kind: str):
    """`format=` wins over Accept; both go through the one negotiation table."""
    name = request.values.get("format") or request.values.get("output")
    if name:
        return formats.by_name(kind, name)
    return formats.negotiate(request.headers.get("Accept"), kind)


def read_request() -> tuple[str | None, list[str], list[str]]:
    """(query, default graphs, named graphs) from any of the three protocol forms."""
    if request.method == "GET":
        if "update" in request.args:
            raise ReadOnly("the endpoint is read-only: SPARQL Update is refused")
        return request.args.get("query"), request.args.getlist("default-graph-uri"), \
            request.args.getlist("named-graph-uri")
    ctype = (request.mimetype or "").lower()
    if ctype == "application/sparql-update":
        raise ReadOnly("the endpoint is read-only: SPARQL Update is refused")
    if ctype == "application/x-www-form-urlencoded" or ctype == "multipart/form-data":
        if "update" in request.form:
            raise ReadOnly("the endpoint is read-only: SPARQL Update is refused")
        return request.form.get("query"), request.form.getlist("default-graph-uri"), \
            request.form.getlist("named-graph-uri")
    if ctype == "application/sparql-query":
        body = request.get_data(as_text=False)
        try:
            text = body.decode(request.mimetype_params.get("charset", "utf-8"))
        except (UnicodeDecodeError, LookupError):
            raise BadParameter("the query body is not valid in its declared charset") from None
        return text, request.args.getlist("default-graph-uri"), request.args.getlist("named-graph-uri")
    raise UnsupportedMediaType(
        f"unsupported Content-Type {ctype or '(none)'}: use application/x-www-form-urlencoded "
        "or application/sparql-query")


@bp.route("/sparql", methods=["GET", "POST"])
def sparql():
    query, default_graphs, named_graphs = read_request()
    if query is None:
        if request.method == "POST":
            raise BadParameter("missing 'query' parameter")
        return service_description()
    if not query.strip():
        raise BadParameter("the query is empty")
    form = query_form(query)
    if form == "update":
        raise ReadOnly("the endpoint is read-only: SPARQL Update is refused")
    kind = result_kind(form)
    fmt = choose_format(kind)
    body = backend().query(query, kind, fmt.name, default_graphs, named_graphs)
    return Response(body, content_type=content_type(fmt), headers={"Vary": "Accept"})


def content_type(fmt) -> str:
    return fmt.media_type + ("; charset=utf-8" if fmt.media_type.startswith("text/") or
                             fmt.name in ("json", "jsonld") else "")


def service_description():
    """SPARQL 1.1 Service Description (https://www.w3.org/TR/sparql11-service-description/)."""
    endpoint = url_for("sparql.sparql", _external=True)
    void = url_for("dumps.void", _external=True)
    results = "\n".join(f"    sd:resultFormat <{iri}> ;" for iri in (
        "http://www.w3.org/ns/formats/SPARQL_Results_JSON", "http://www.w3.org/ns/formats/SPARQL_Results_XML",
        "http://www.w3.org/ns/formats/SPARQL_Results_CSV", "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
        "http://www.w3.org/ns/formats/Turtle", "http://www.w3.org/ns/formats/N-Triples",
        "http://www.w3.org/ns/formats/JSON-LD", "http://www.w3.org/ns/formats/RDF_XML"))
    ttl = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

<{endpoint}> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph ;
{results}
    dcterms:description "Read-only SPARQL 1.1 endpoint of the knowledge graph of the soviets. The default graph is the union of the named graphs; SPARQL Update is refused." ;
    sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ; void:inDataset <{void}> ] ] .
"""
    return document_response(ttl, "SPARQL endpoint", "Send SPARQL 1.1 queries here (GET or POST); "
                             "people can write and run them in the query editor at /query.")
