"""Media types ↔ serialisers, and content negotiation in one function over one table.

Shared by the endpoint (Accept header, `format` parameter) and the CLI (`--format`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import NotAcceptable


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str
    ox_format: object
    aliases: tuple = ()


RESULTS = [
    Format("json", "application/sparql-results+json", "srj", ox.QueryResultsFormat.JSON, ("application/json",)),
    Format("xml", "application/sparql-results+xml", "srx", ox.QueryResultsFormat.XML, ("application/xml", "text/xml")),
    Format("csv", "text/csv", "csv", ox.QueryResultsFormat.CSV),
    Format("tsv", "text/tab-separated-values", "tsv", ox.QueryResultsFormat.TSV),
]
GRAPHS = [
    Format("turtle", "text/turtle", "ttl", ox.RdfFormat.TURTLE, ("application/x-turtle",)),
    Format("ntriples", "application/n-triples", "nt", ox.RdfFormat.N_TRIPLES, ("text/plain",)),
    # `format=json` for a graph means its JSON serialisation: SPARQLWrapper sends that (with
    # `Accept: */*`) when asked for JSON from a CONSTRUCT or DESCRIBE, and reads JSON-LD back
    Format("jsonld", "application/ld+json", "jsonld", ox.RdfFormat.JSON_LD, ("application/json", "json")),
    Format("rdfxml", "application/rdf+xml", "rdf", ox.RdfFormat.RDF_XML, ("application/xml", "text/xml")),
]
DATASETS = [
    Format("trig", "application/trig", "trig", ox.RdfFormat.TRIG),
    Format("nquads", "application/n-quads", "nq", ox.RdfFormat.N_QUADS),
]
HTML = Format("html", "text/html", "html", None, ("application/xhtml+xml",))
TABLES = {"results": RESULTS, "graph": GRAPHS, "dataset": DATASETS + GRAPHS[:1]}


def formats_for(kind: str, html: bool = False) -> list[Format]:
    table = list(TABLES[kind])
    return table + [HTML] if html else table


def by_name(kind: str, name: str, html: bool = False) -> Format:
    """A `format=` parameter or `--format` option: a short name, an extension or a media type."""
    for f in formats_for(kind, html):
        if name in (f.name, f.extension, f.media_type) or name in f.aliases:
            return f
    raise NotAcceptable(f"unknown format {name!r} for {kind}; use one of "
                        + ", ".join(f.name for f in formats_for(kind, html)))


def parse_accept(header: str) -> list[tuple[str, float, int]]:
    """[(media range, q, position)] from an Accept header; malformed parts are skipped."""
    out = []
    for i, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        out.append((media, q, i))
    return out


def _specificity(media_range: str, media_type: str) -> int | None:
    if media_range == media_type:
        return 3
    major, _, minor = media_range.partition("/")
    if minor == "*" and major == media_type.split("/")[0]:
        return 2
    if media_range == "*/*":
        return 1
    return None


def negotiate(accept: str | None, kind: str, html: bool = False, default: Format | None = None) -> Format:
    """Pick the format the client prefers (q-values, then specificity, then the table's order)."""
    table = formats_for(kind, html)
    if not accept or not accept.strip():
        return default or table[0]
    ranges = parse_accept(accept)
    best, best_key = None, None
    for pos, fmt in enumerate(table):
        for media in (fmt.media_type, *fmt.aliases):
            # the most specific matching range decides this type's q (RFC 9110 §12.5.1)
            matches = [(spec, q) for r, q, _ in ranges if (spec := _specificity(r, media)) is not None]
            if not matches:
                continue
            spec, q = max(matches)
            if q <= 0:
                continue
            exact = media == fmt.media_type
            key = (q, spec, exact, -pos)
            if default is fmt and spec == 1:
                key = (q, spec, exact, 1)   # */* prefers the route's default
            if best_key is None or key > best_key:
                best, best_key = fmt, key
    if best is None:
        raise NotAcceptable("none of the requested media types can be served; available: "
                            + ", ".join(f.media_type for f in table))
    return best


def names_a_type(accept: str | None) -> bool:
    """Whether an Accept header asks for something in particular (not absent, not only */*)."""
    return any(media != "*/*" and q > 0 for media, q, _ in parse_accept(accept or ""))


# The XML writers of pyoxigraph put a literal's carriage return into the document as it is,
# and XML parsers read a raw CR as a line end (XML 1.0 §2.11), so "a\rb" would come back as
# "a\nb". In the XML they write, a CR byte can only come from a literal's text, in element
# content or an attribute value, where the character reference &#13; means exactly CR.
_XML_FORMATS = {"xml", "rdfxml"}
# Characters XML 1.0 cannot carry at all, raw or as a character reference (§2.2): C0 controls
# but TAB, LF and CR, and U+FFFE and U+FFFF (surrogates cannot occur in UTF-8). pyoxigraph
# writes them raw, and every XML parser then refuses the whole answer; a literal made by a
# query (BIND("\u0000" AS ?x)) is enough. Such an answer is not acceptable in XML: a 406 that
# names the character and the formats that carry it, rather than a document no client can read.
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def finish(fmt: Format, body: bytes) -> bytes:
    """The last touch on a serialised answer before it leaves: CR escaped in the XML formats,
    and an answer XML cannot carry refused in them."""
    if fmt.name not in _XML_FORMATS:
        return body
    bad = _NOT_XML.search(body)
    if bad is not None:
        char = bad.group().decode("utf-8")
        others = ", ".join(f.name for f in (RESULTS if fmt in RESULTS else GRAPHS) if f.name not in _XML_FORMATS)
        raise NotAcceptable(f"the answer holds the character U+{ord(char):04X}, which XML 1.0 cannot carry: "
                            f"ask for {others}")
    if b"\r" in body:
        return body.replace(b"\r", b"&#13;")
    return body


def choose(kind: str, names: list[str], accept: str | None, html: bool = False,
           default: Format | None = None) -> Format:
    """A known `format=` name wins over Accept; an unknown one does not stand in the way of an
    Accept header that asks for something we serve (SPARQLWrapper, for one, sends `format=xml`
    beside `Accept: application/rdf+xml` for a CONSTRUCT); with nothing better it is a 406."""
    names = [n for n in names if n]
    for name in names:
        try:
            return by_name(kind, name, html)
        except NotAcceptable:
            continue
    if names and not names_a_type(accept):
        by_name(kind, names[0], html)          # the 406 that lists the formats
    return negotiate(accept, kind, html, default)
