"""Find entities by name and passages by their words: /search (HTML, or JSON by Accept,
`format=json` or the `.json` suffix) and /search/suggest for autocomplete as one types."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Blueprint, jsonify, render_template, request
from markupsafe import Markup, escape

from kg.errors import BadParameter, StoreUnavailable
from kg.search import INDEX_FILE, SearchIndex
from kg.web.rdfdoc import backend
from kg.web.urls import href

bp = Blueprint("search", __name__)
_local = threading.local()     # one SQLite connection per thread and build


def index() -> SearchIndex:
    """The current build's search index (reopened when a new build is swapped in)."""
    path = Path(backend().current()) / INDEX_FILE
    cached = getattr(_local, "index", None)
    if cached is not None and cached.path == str(path):
        return cached
    if not path.is_file():
        raise StoreUnavailable("this build has no search index: run `kg build` again")
    if cached is not None:
        cached.close()
    _local.index = SearchIndex(path)
    return _local.index


def limit_arg(default: int = 20, most: int = 100) -> int:
    raw = request.args.get("limit", str(default))
    if not raw.isdigit() or not 0 < int(raw) <= most:
        raise BadParameter(f"limit must be a whole number from 1 to {most}")
    return int(raw)


def wants_json(suffix: str) -> bool:
    if suffix == ".json" or request.args.get("format") == "json":
        return True
    accept = request.accept_mimetypes
    return accept.best_match(["text/html", "application/json"]) == "application/json"


def highlighted(snippet: str) -> Markup:
    """FTS5 marks matches with \\x01…\\x02; escape the text first, then turn the marks into <mark>."""
    return Markup(str(escape(snippet)).replace("\x01", "<mark>").replace("\x02", "</mark>"))


@bp.route("/search", defaults={"suffix": ""})
@bp.route("/search<any('.json'):suffix>")
def search(suffix):
    q = request.args.get("q", "").strip()
    classes = set(request.args.getlist("type")) or None
    limit = limit_arg()
    ix = index()
    entities = ix.entities(q, limit, classes) if q else []
    passages = ix.passages(q, limit) if q else []
    if wants_json(suffix):
        return jsonify({"q": q, "entities": [h.as_json() | {"url": href(h.iri)} for h in entities],
                        "passages": [dict(p, snippet=p["snippet"].replace("\x01", "").replace("\x02", ""),
                                          url=passage_url(p)) for p in passages]})
    resp = render_template("search.html", q=q, entities=entities, passages=passages, href=href,
                           passage_url=passage_url, highlighted=highlighted, classes=ix.classes(),
                           chosen=classes or set())
    return resp, 200, {"Vary": "Accept"}


def passage_url(p: dict) -> str:
    return f"{href(p['source'])}?highlight={p['start']}-{p['end']}#c{p['start']}"


@bp.route("/search/suggest")
def suggest():
    q = request.args.get("q", "").strip()
    hits = index().by_prefix(q, limit_arg(10, 50)) if q else []
    return jsonify([{"id": h.iri, "label": h.label, "class_label": h.class_label,
                     "description": h.description, "url": href(h.iri)} for h in hits])
