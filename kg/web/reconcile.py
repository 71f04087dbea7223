"""A reconciliation service for OpenRefine: the W3C Reconciliation Service API, version 0.2
(https://reconciliation-api.github.io/specs/0.2/).

`/reconcile` answers the service manifest (JSONP with `callback`, as OpenRefine asks for it)
and batches of queries (`queries=` by GET or form POST); `/reconcile/preview`,
`/reconcile/suggest/{entity,type,property}` answer the preview and suggest protocols.
Entity ids are our registry ids (`trotsky`), so `<base>id/{{id}}` is the entity's IRI.
"""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, render_template, request

from kg import __version__
from kg.errors import BadParameter
from kg.iris import Iris
from kg.search import fold, local_name
from kg.web.search import index
from kg.web.urls import base_iri, href

bp = Blueprint("reconcile", __name__)
MAX_BATCH = 100          # OpenRefine sends 10 queries a batch by default
_CALLBACK = re.compile(r"[A-Za-z_$][\w$.]{0,63}")
PROPERTIES = {
    "year": "a year in which the entity's dated statements fall (a birth, a founding, an event)",
    "locatedIn": "the name of a place the entity is located in",
}


def iris() -> Iris:
    return Iris(base_iri())


def entity_id(iri: str) -> str:
    ns = iris().entity_ns
    return iri[len(ns):] if iri.startswith(ns) else iri


def reply(payload) -> Response:
    """JSON, or JSONP when a well-formed `callback` is given (OpenRefine reads the manifest so)."""
    body = json.dumps(payload, ensure_ascii=False)
    callback = request.args.get("callback")
    if callback:
        if not _CALLBACK.fullmatch(callback):
            raise BadParameter("callback must be a JavaScript identifier")
        return Response(f"/**/{callback}({body});", content_type="text/javascript; charset=utf-8")
    return Response(body, content_type="application/json")


def manifest() -> dict:
    root = request.host_url
    return {
        "versions": ["0.1", "0.2"],
        "name": "Soviets knowledge graph",
        "identifierSpace": iris().entity_ns,
        "schemaSpace": iris().ontology_ns,
        "documentation": root + "search",
        "serviceVersion": __version__,
        "view": {"url": root + "id/{{id}}"},
        "preview": {"url": root + "reconcile/preview?id={{id}}", "width": 400, "height": 120},
        "defaultTypes": [{"id": local, "name": label} for local, label in default_types()],
        "suggest": {
            "entity": {"service_url": root.rstrip("/"), "service_path": "/reconcile/suggest/entity"},
            "type": {"service_url": root.rstrip("/"), "service_path": "/reconcile/suggest/type"},
            "property": {"service_url": root.rstrip("/"), "service_path": "/reconcile/suggest/property"},
        },
    }


def default_types() -> list[tuple[str, str]]:
    return [(local_name(cls), label) for cls, label, _ in index().classes()]


@bp.route("/reconcile", methods=["GET", "POST"])
def reconcile():
    raw = request.values.get("queries")
    if raw is None:
        return reply(manifest())
    try:
        batch = json.loads(raw)
    except ValueError:
        raise BadParameter("queries must be a JSON object of queries") from None
    if not isinstance(batch, dict) or len(batch) > MAX_BATCH:
        raise BadParameter(f"queries must be a JSON object of at most {MAX_BATCH} queries")
    return reply({key: {"result": candidates(query, key)} for key, query in batch.items()})


def candidates(query, key: str) -> list[dict]:
    if not isinstance(query, dict) or not isinstance(query.get("query", ""), str):
        raise BadParameter(f"query {key!r} must be an object with a string 'query'")
    types = query.get("type")
    types = {types} if isinstance(types, str) else set(types or ())
    limit = query.get("limit", 5)
    if not isinstance(limit, (int, float)) or not 0 < limit <= 100:
        raise BadParameter(f"query {key!r}: limit must be a number from 1 to 100")
    props = query.get("properties") or []
    if not isinstance(props, list) or not all(isinstance(p, dict) and "pid" in p and "v" in p for p in props):
        raise BadParameter(f"query {key!r}: properties must be a list of {{pid, v}}")
    hits = index().entities(query.get("query", ""), int(limit) * 3, {local_name(t) for t in types} or None)
    out = []
    for h in hits:
        features, bonus = [{"id": "name", "value": round(h.score, 3)}], 0
        for p in props:
            ok = property_matches(h, p["pid"], p["v"])
            if ok is not None:
                features.append({"id": p["pid"], "value": ok})
                # a year outside the dates we hold is no contradiction (they are partial); another place is
                bonus += 5 if ok else (-10 if p["pid"] == "locatedIn" else 0)
        out.append({"id": entity_id(h.iri), "name": h.label, "description": describe(h),
                    "score": max(0, min(100, round(h.score * 100) + bonus)), "features": features,
                    "type": [{"id": local_name(h.cls), "name": h.class_label}], "match": False})
    out.sort(key=lambda c: (-c["score"], c["name"]))
    out = out[:int(limit)]
    exact = [c for c in out if c["features"][0]["value"] == 1.0 and all(f["value"] is not False for f in c["features"])]
    if len(exact) == 1 and exact[0] is out[0]:
        exact[0]["match"] = True         # one candidate bears exactly this name and contradicts nothing
    return out


def property_matches(hit, pid: str, value) -> bool | None:
    """Whether a candidate agrees with a column value; None when the property is not ours."""
    values = value if isinstance(value, list) else [value]
    values = [v.get("name", v.get("id")) if isinstance(v, dict) else v for v in values]
    if pid == "year":
        if not hit.earliest:
            return None
        try:
            years = [int(str(v).strip()[:4]) for v in values]
        except ValueError:
            return False
        return any(int(hit.earliest[:4]) <= y <= int((hit.latest or hit.earliest)[:4]) for y in years)
    if pid == "locatedIn":
        return any(fold(str(v)) in hit.places for v in values) if hit.places else None
    return None


def describe(h) -> str:
    span = ""
    if h.earliest:
        span = h.earliest[:4] + ("–" + h.latest[:4] if h.latest and h.latest[:4] != h.earliest[:4] else "")
    return " · ".join(part for part in (h.class_label, span, h.description or "") if part)


@bp.route("/reconcile/preview")
def preview():
    eid = request.args.get("id", "")
    hit = index().entity(str(iris().entity(eid)))
    if hit is None:
        from kg.errors import NotFound
        raise NotFound(f"no entity {eid!r}")
    return render_template("reconcile_preview.html", h=hit, url=href(hit.iri), describe=describe)


@bp.route("/reconcile/suggest/entity")
def suggest_entity():
    prefix = request.args.get("prefix", "")
    types = set(request.args.getlist("type")) or None
    hits = [h for h in index().entities(prefix, 10, types) if h.score >= 0.7] if prefix.strip() else []
    return reply({"result": [{"id": entity_id(h.iri), "name": h.label, "description": describe(h),
                              "notable": [{"id": local_name(h.cls), "name": h.class_label}]}
                             for h in hits]})


@bp.route("/reconcile/suggest/type")
def suggest_type():
    prefix = fold(request.args.get("prefix", ""))
    return reply({"result": [{"id": local, "name": label} for local, label in default_types()
                             if fold(label).startswith(prefix) or fold(local).startswith(prefix)]})


@bp.route("/reconcile/suggest/property")
def suggest_property():
    prefix = fold(request.args.get("prefix", ""))
    return reply({"result": [{"id": pid, "name": pid, "description": doc} for pid, doc in PROPERTIES.items()
                             if fold(pid).startswith(prefix)]})
