"""Maps the graph's IRIs onto this server's paths and back: the base IRI is configured, the
server may run anywhere (http://127.0.0.1:8000/id/lenin serves <base>id/lenin)."""

from __future__ import annotations

from flask import current_app


def base_iri() -> str:
    return current_app.config["KG"].base_iri


def iri_for_path(path: str) -> str:
    """'/id/lenin' → '<base>id/lenin'."""
    return base_iri() + path.lstrip("/")


def local_url(iri: str) -> str | None:
    """The path under which this server shows an IRI of ours, or None for other IRIs."""
    base = base_iri()
    if not iri.startswith(base):
        return None
    rest = iri[len(base):]
    if rest.startswith("ontology#"):
        return "/ontology#" + rest.split("#", 1)[1]
    if rest.startswith("statement/") and "#" in rest:
        return "/" + rest.split("#", 1)[0]
    if rest.startswith("source/") and "#" in rest:
        return "/" + rest.split("#", 1)[0]
    return "/" + rest


def href(iri: str) -> str | None:
    """Where a link to an IRI may lead: ours to the local page, other http(s) IRIs as they are;
    None for any other scheme (`javascript:`, `data:`, …), which must never become a link."""
    local = local_url(iri)
    if local and not local.startswith("//"):
        return local
    return iri if iri.lower().startswith(("http://", "https://")) else None
