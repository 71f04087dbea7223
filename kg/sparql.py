"""Runs one SPARQL query string on Oxigraph and serialises its result (SPARQL 1.1 Query).

Query strings go to Oxigraph itself: never an rdflib prepared query, which would make the
Oxigraph store fall back silently to rdflib's slow Python engine. The default graph is the
union of the named graphs unless the request names its own default graphs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import BadParameter, KgError, QuerySyntaxError, ReadOnly
from kg.formats import Format
from kg.query_analysis import AmbiguousQuery, Analysis, ServiceNotAllowed, analyse
from kg.query_messages import engine_syntax_message
from kg.summary import Summary

__all__ = ["Analysis", "AmbiguousQuery", "ServiceNotAllowed", "ServiceFailed", "ResultTooLarge", "Dataset", "analyse",
           "check_services", "execute", "query_form", "result_kind"]


def check_services(query: str | Analysis, allowed: tuple[str, ...]) -> None:
    """Refuse federated queries to any endpoint but the allow-listed ones, so the endpoint
    cannot be used to reach other hosts; every SERVICE comes from kg.query_analysis."""
    found = query if isinstance(query, Analysis) else analyse(query)
    for service in found.services:
        if service.iri not in allowed:
            listed = ", ".join(allowed) or "none"
            raise ServiceNotAllowed(f"SERVICE <{service.iri}> at line {service.line}, column {service.column} "
                                    f"is not allowed; allowed endpoints: {listed}")


class ServiceFailed(KgError):
    """A federated query's SERVICE endpoint failed or could not be reached (502 Bad Gateway)."""

    status = 502
    exit_code = 3


class ResultTooLarge(KgError):
    status = 413
    exit_code = 2


def query_form(query: str, max_query_bytes: int | None = None, max_query_depth: int | None = None) -> str:
    """'select', 'ask', 'construct', 'describe' or 'update', from the query's tokens."""
    return analyse(query, max_query_bytes, max_query_depth).form


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
            services: tuple[str, ...] = (), max_query_bytes: int | None = None,
            max_query_depth: int | None = None, summary: Summary | None = None) -> bytes:
    """Run a read query and return its serialisation in `fmt`; SERVICE only to `services`.

    The query is analysed first (kg.query_analysis): an update, a SERVICE off the allow-list,
    a query too long or too deep is refused before the engine sees it. A group-count over one
    triple pattern of the default graph is rewritten to read the build's `summary` (kg.summary)."""
    found = analyse(query, max_query_bytes, max_query_depth)
    if found.form == "update":
        raise ReadOnly("the endpoint is read-only: SPARQL Update is refused")
    check_services(found, tuple(services))
    kwargs: dict = {}     # the store's own default graph: each triple of the named graphs once (kg.store)
    if dataset and dataset.default_graphs:
        kwargs = {"default_graph": [_iri(g) for g in dataset.default_graphs]}
    if dataset and dataset.named_graphs:
        kwargs["named_graphs"] = [_iri(g) for g in dataset.named_graphs]
    if summary is not None and found.form == "select" and not kwargs:
        query = summary.rewrite(query) or query
    try:
        result = store.query(query, base_iri=base_iri, **kwargs)
    except SyntaxError as exc:
        raise QuerySyntaxError(engine_syntax_message(str(exc))) from None
    except RuntimeError as exc:
        _unsupported(exc)
        raise
    except OSError as exc:
        if found.services:
            raise ServiceFailed(f"a SERVICE endpoint of the query failed: {' '.join(str(exc).split())[:500]}") from None
        raise
    out = LimitedBuffer(max_bytes)
    try:
        result.serialize(out, fmt.ox_format)
    except ResultTooLarge:
        raise
    except (ValueError, TypeError) as exc:
        raise BadParameter(f"cannot write this result as {fmt.media_type}: {exc}") from None
    except RuntimeError as exc:
        _unsupported(exc)
        raise
    except OSError as exc:
        if isinstance(exc.__context__, ResultTooLarge) or "larger than" in str(exc):
            raise ResultTooLarge(f"the result is larger than {max_bytes} bytes; add a LIMIT") from None
        if found.services:
            raise ServiceFailed(f"a SERVICE endpoint of the query failed: {' '.join(str(exc).split())[:500]}") from None
        raise
    return out.buf.getvalue()


def _unsupported(exc: RuntimeError) -> None:
    """The engine's refusal of a function or aggregate it does not know is the query's fault
    (400), not the endpoint's; any other RuntimeError stays an engine fault."""
    text = " ".join(str(exc).split())
    if "is not supported" in text:
        raise QuerySyntaxError(text[:300]) from None


def _iri(value: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(value)
    except ValueError:
        raise BadParameter(f"{value!r} is not an IRI") from None
