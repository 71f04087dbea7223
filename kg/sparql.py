"""Runs one SPARQL query string on Oxigraph and serialises its result (SPARQL 1.1 Query).

Query strings go to Oxigraph itself: never an rdflib prepared query, which would make the
Oxigraph store fall back silently to rdflib's slow Python engine. The default graph is the
union of the named graphs unless the request names its own default graphs.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import BadParameter, KgError, QuerySyntaxError, ReadOnly
from kg.formats import Format

_STRING_OR_COMMENT = re.compile(r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\#[^\n]*)""")
_PREFIX = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I)
_SERVICE = re.compile(r"\bSERVICE\s+(?:SILENT\s+)?(<[^>]*>|[A-Za-z][\w.-]*:[\w.-]*|:[\w.-]*|[?$]\w+)", re.I)
_COMMENT_OR_STRING = re.compile(r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>\s]*>|\#[^\n]*)""")
_UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_UPDATE = re.compile(r"\b(" + "|".join(_UPDATE_WORDS) + r")\b", re.I)
_FORM = re.compile(r"\b(" + "|".join(_FORMS) + r")\b", re.I)
# a prologue (comments, PREFIX and BASE declarations) and the keyword after it
_PROLOGUE_THEN_KEYWORD = re.compile(
    r"(?:\s+|\#[^\n]*|PREFIX\s*(?:[A-Za-z][\w.-]*)?:\s*<[^<>\s]*>|BASE\s*<[^<>\s]*>)*"
    r"([A-Za-z]+)", re.I)


class ServiceNotAllowed(KgError):
    status = 403
    exit_code = 2


def check_services(query: str, allowed: tuple[str, ...]) -> None:
    """Refuse federated queries to any endpoint but the allow-listed ones, so the endpoint
    cannot be used to reach other hosts; a SERVICE whose IRI is a variable is refused too."""
    if "SERVICE" not in query.upper():
        return                     # the common case, decided without the full scan below
    bare = _STRING_OR_COMMENT.sub(" ", query)
    prefixes = {p or "": iri for p, iri in _PREFIX.findall(bare)}
    for target in _SERVICE.findall(bare):
        if target[0] in "?$":
            raise ServiceNotAllowed(f"SERVICE {target}: a variable endpoint is not allowed")
        if target.startswith("<"):
            iri = target[1:-1]
        else:
            prefix, _, local = target.partition(":")
            if prefix not in prefixes:
                raise QuerySyntaxError(f"SERVICE {target}: undeclared prefix")
            iri = prefixes[prefix] + local
        if iri not in allowed:
            listed = ", ".join(allowed) or "none"
            raise ServiceNotAllowed(f"SERVICE <{iri}> is not allowed; allowed endpoints: {listed}")


class ServiceFailed(KgError):
    """A federated query's SERVICE endpoint failed or could not be reached (502 Bad Gateway)."""

    status = 502
    exit_code = 3


class ResultTooLarge(KgError):
    status = 413
    exit_code = 2


def query_form(query: str) -> str:
    """'select', 'ask', 'construct', 'describe' or 'update' — decided outside strings and IRIs."""
    first = _PROLOGUE_THEN_KEYWORD.match(query)
    if first and first.group(1).upper() in _FORMS:
        rest = query[first.end():].upper()
        if not any(word in rest for word in _UPDATE_WORDS):
            return first.group(1).lower()      # the common case: one anchored match
    bare = _COMMENT_OR_STRING.sub(" ", query)
    form = _FORM.search(bare)
    update = _UPDATE.search(bare)
    if update and (not form or update.start() < form.start()):
        return "update"
    if not form:
        raise QuerySyntaxError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE")
    return form.group(1).lower()


def result_kind(form: str) -> str:
    return "graph" if form in ("construct", "describe") else "results"


class LimitedBuffer(io.RawIOBase):
    """A byte sink that refuses to grow past its limit, so one query cannot exhaust memory."""

    def __init__(self, limit: int):
        self.buf = io.BytesIO()
        self.limit = limit

    def writable(self):
        return True

    def write(self, b):
        if self.buf.tell() + len(b) > self.limit:
            raise ResultTooLarge(f"the result is larger than {self.limit} bytes; add a LIMIT")
        return self.buf.write(b)


@dataclass
class Dataset:
    """The RDF dataset of a request: `default-graph-uri` and `named-graph-uri` parameters."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


def execute(store: ox.Store, query: str, fmt: Format, dataset: Dataset | None = None,
            max_bytes: int = 64_000_000, base_iri: str | None = None,
            services: tuple[str, ...] = ()) -> bytes:
    """Run a read query and return its serialisation in `fmt`; SERVICE only to `services`."""
    form = query_form(query)
    if form == "update":
        raise ReadOnly("the endpoint is read-only: SPARQL Update is refused")
    check_services(query, tuple(services))
    kwargs: dict = {}     # the store's own default graph: each triple of the named graphs once (kg.store)
    if dataset and dataset.default_graphs:
        kwargs = {"default_graph": [_iri(g) for g in dataset.default_graphs]}
    if dataset and dataset.named_graphs:
        kwargs["named_graphs"] = [_iri(g) for g in dataset.named_graphs]
    try:
        result = store.query(query, base_iri=base_iri, **kwargs)
    except SyntaxError as exc:
        raise QuerySyntaxError(f"SPARQL syntax error: {exc}") from None
    except OSError as exc:
        if services and "SERVICE" in query.upper():
            raise ServiceFailed(f"a SERVICE endpoint of the query failed: {' '.join(str(exc).split())[:500]}") from None
        raise
    out = LimitedBuffer(max_bytes)
    try:
        result.serialize(out, fmt.ox_format)
    except ResultTooLarge:
        raise
    except (ValueError, TypeError) as exc:
        raise BadParameter(f"cannot write this result as {fmt.media_type}: {exc}") from None
    except OSError as exc:
        if isinstance(exc.__context__, ResultTooLarge) or "larger than" in str(exc):
            raise ResultTooLarge(f"the result is larger than {max_bytes} bytes; add a LIMIT") from None
        if services and "SERVICE" in query.upper():
            raise ServiceFailed(f"a SERVICE endpoint of the query failed: {' '.join(str(exc).split())[:500]}") from None
        raise
    return out.buf.getvalue()


def _iri(value: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(value)
    except ValueError:
        raise BadParameter(f"{value!r} is not an IRI") from None
