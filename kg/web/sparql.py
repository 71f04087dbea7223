"""/sparql: the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/), read-only.

GET (and HEAD) ?query=…, POST form-encoded, POST application/sparql-query; `default-graph-uri`
and `named-graph-uri`; results by Accept (q-values) or `format=`. Without a query: the
Service Description. The default graph holds each triple of the named graphs once, unless
`default-graph-uri` names graphs.

Parameters are decoded here, strictly as UTF-8 (the Protocol's encoding; its test suite expects a
UTF-16 body to be refused), never with replacement characters: a request in another encoding gets
a 4xx, not a different query.
"""

from __future__ import annotations

import functools
from urllib.parse import parse_qsl

from flask import Blueprint, Response, current_app, request, url_for

from kg import formats
from kg.errors import BadParameter, ReadOnly, UnsupportedMediaType
from kg.result_cache import repeatable
from kg.sparql import analyse, result_kind
from kg.web.rdfdoc import document_response

bp = Blueprint("sparql", __name__)

READ_ONLY = "the endpoint is read-only: SPARQL Update is refused"
FORMAT_PARAMS = ("format", "output")


def backend():
    return current_app.extensions["kg_backend"]


def decode_params(raw: bytes, where: str) -> list[tuple[str, str]]:
    """`a=1&b=2` → pairs, percent-decoded as UTF-8; anything else is a 400 naming `where`."""
    try:
        if len(raw) <= DECODED_LENGTH:
            return list(_decode_cached(raw))
        return _decode(raw)
    except UnicodeDecodeError:
        raise BadParameter(f"the {where} is not valid UTF-8: "
                           "percent-encode the UTF-8 bytes of the query") from None


# Decoding a form-encoded query takes ~40 µs (each %XX in Python), a tenth of a point look-up's
# cost here; clients and pages send the same few queries again and again, as they are.
DECODED_LENGTH = 16_384


def _decode(raw: bytes) -> list[tuple[str, str]]:
    return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict")


@functools.lru_cache(maxsize=256)
def _decode_cached(raw: bytes) -> tuple[tuple[str, str], ...]:
    return tuple(_decode(raw))


def require_utf8_charset(what: str) -> None:
    """A declared charset other than UTF-8 is refused (415) rather than decoded."""
    charset = (request.mimetype_params.get("charset") or "utf-8").lower().replace("_", "-")
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"{what} must be UTF-8 (SPARQL 1.1 Protocol), "
                                   f"not charset={request.mimetype_params.get('charset')}")


def decode_body(body: bytes) -> str:
    """The body of a direct POST as text: strict UTF-8; UTF-16 and other encodings are named."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(body) > 1 and b"\x00" in body):
        raise UnsupportedMediaType("the query body looks like UTF-16: send it as UTF-8 (SPARQL 1.1 Protocol)")
    try:
        return body.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise BadParameter(f"the query body is not valid UTF-8 (byte {exc.start}): send it as UTF-8 "
                           "(SPARQL 1.1 Protocol)") from None


class Params:
    """The protocol's parameters from the URL and, for a form POST, the body."""

    def __init__(self, pairs: list[tuple[str, str]]):
        self.pairs = pairs

    def getlist(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if k == name]


def request_params() -> tuple[Params, str | None]:
    """(every parameter, the query text) from any of the three protocol forms, checked as the
    Protocol asks: exactly one query, no query beside an update, one of its media types."""
    url_pairs = decode_params(request.query_string, "query string")
    body_query = None
    if request.method == "POST":
        ctype = (request.mimetype or "").lower()
        if ctype == "application/sparql-update":
            raise ReadOnly(READ_ONLY)
        if ctype == "application/x-www-form-urlencoded":
            require_utf8_charset("a form-encoded body")
            url_pairs += decode_params(request.get_data(), "form-encoded body")
        elif ctype == "multipart/form-data":
            url_pairs += [(k, v) for k, vs in request.form.lists() for v in vs]
        elif ctype == "application/sparql-query":
            require_utf8_charset("the query body")
            body_query = decode_body(request.get_data())
        else:
            raise UnsupportedMediaType(
                f"unsupported Content-Type {ctype or '(none)'}: use application/x-www-form-urlencoded "
                "or application/sparql-query")
    params = Params(url_pairs)
    queries = params.getlist("query") + ([body_query] if body_query is not None else [])
    updates = params.getlist("update")
    if queries and updates:
        raise BadParameter("a request carries either 'query' or 'update', not both")
    if len(queries) > 1:
        raise BadParameter(f"{len(queries)} queries in one request: give exactly one 'query'")
    if len(updates) > 1:
        raise BadParameter(f"{len(updates)} 'update' parameters in one request")
    if updates:
        raise ReadOnly(READ_ONLY)
    return params, (queries[0] if queries else None)


@bp.route("/sparql", methods=["GET", "POST"])
def sparql():
    params, query = request_params()
    default_graphs, named_graphs = params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
    if query is None:
        if request.method == "POST":
            raise BadParameter("missing 'query' parameter")
        return service_description()
    if not query.strip():
        raise BadParameter("the query is empty")
    config = current_app.config["KG"]
    analysis = analyse(query, config.max_query_bytes, config.max_query_depth)
    if analysis.form == "update":
        raise ReadOnly(READ_ONLY)
    kind = result_kind(analysis.form)
    fmt = formats.choose(kind, [v for key in FORMAT_PARAMS for v in params.getlist(key)],
                         request.headers.get("Accept"))
    body, cached = cached_query(analysis, query, kind, fmt, default_graphs, named_graphs)
    headers = {"Vary": "Accept"}
    if cached is not None:
        headers["X-Cache"] = cached
    if request.method != "POST":
        # a client may keep the answer but asks again each time (a new build changes it): the
        # ETag that headers.py sets makes that a 304 while the build is the same
        headers["Cache-Control"] = "no-cache"
    return Response(formats.finish(fmt, body), content_type=content_type(fmt), headers=headers)


def cached_query(analysis, query: str, kind: str, fmt, default_graphs, named_graphs) -> tuple[bytes, str | None]:
    """The answer, from kg.result_cache when the same build answered the same query before, and
    whether it came from there ("hit"), was run ("miss"), or could not be kept (None). A request
    with `Cache-Control: no-cache` (or no-store, or `Pragma: no-cache`) is run afresh."""
    cache = current_app.extensions.get("kg_result_cache")
    scope = backend().cache_scope() if cache is not None and repeatable(analysis) else None
    if scope is None:
        return backend().query(query, kind, fmt.name, default_graphs, named_graphs), None
    key = (analysis.key, kind, fmt.name, tuple(default_graphs), tuple(named_graphs))
    asked = (request.headers.get("Cache-Control", "") + "," + request.headers.get("Pragma", "")).lower()
    if "no-cache" not in asked and "no-store" not in asked:
        body = cache.get(scope, key)
        if body is not None:
            return body, "hit"
    body = backend().query(query, kind, fmt.name, default_graphs, named_graphs)
    if "no-store" not in asked:
        cache.put(scope, key, body)
    return body, "miss"


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
    dcterms:description "Read-only SPARQL 1.1 endpoint of the knowledge graph of the soviets. The default graph holds every triple of the named graphs once; SPARQL Update is refused." ;
    sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ; void:inDataset <{void}> ] ] .
"""
    return document_response(ttl, "SPARQL endpoint", "Send SPARQL 1.1 queries here (GET or POST); "
                             "people can write and run them in the query editor at /query.")
