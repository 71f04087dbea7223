"""Faceted browsing of the statements, in the manner of the Sampo portals: filter by the subject's
class, a span of Gregorian years, place, party, source, attribution and stance; every facet
counts what the other choices leave; the state is the URL; results also as CSV and JSON."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from kg.errors import BadParameter
from kg.web.words import date_phrase, readable
from kg.web.search import index, wants_json
from kg.web.urls import href

bp = Blueprint("browse", __name__)
PAGE = 50
MAX_EXPORT = 10_000
MAX_CHOICES = 50       # far more than a page of facets offers; bounds each IN (…) of the SQL
# facet name → (column, label column, how to name it)
FACETS = {
    "class": ("class", "class_label", "Kind of subject"),
    "place": ("place", "place_label", "Place"),
    "party": ("party", "party_label", "Party"),
    "source": ("source", "source_title", "Source"),
    "attribution": ("attribution", "attribution", "Whose claim"),
    "stance": ("stance", "stance", "Stance"),
}
COLUMNS = ["statement", "subject", "subject_label", "predicate", "object", "object_label", "value",
           "date", "earliest", "latest", "place", "source", "attribution", "stance", "quote"]


def _year(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.lstrip("-").isdigit() or len(raw) > 5:
        raise BadParameter(f"{name} must be a year, e.g. 1905")
    return int(raw)


def chosen() -> dict[str, list[str]]:
    """The facet values chosen in the URL; a person ticks a few, so many more is refused, not run."""
    out = {f: request.args.getlist(f) for f in FACETS if request.args.getlist(f)}
    for facet, values in out.items():
        if len(values) > MAX_CHOICES:
            raise BadParameter(f"at most {MAX_CHOICES} values of {facet} at once")
    return out


def where(choices: dict[str, list[str]], years: tuple, skip: str | None = None) -> tuple[str, list]:
    """The WHERE clause of the choices, all but `skip` (a facet counts what the others leave)."""
    clauses, args = [], []
    for facet, values in choices.items():
        if facet == skip:
            continue
        marks = ",".join("?" * len(values))
        if facet == "party":
            clauses.append(f"f.id IN (SELECT fact FROM fact_parties WHERE party IN ({marks}))")
        else:
            clauses.append(f"f.{FACETS[facet][0]} IN ({marks})")
        args += values
    start, end = years
    if start is not None:
        clauses.append("f.latest >= ?")
        args.append(f"{start:04d}-01-01")
    if end is not None:
        clauses.append("f.earliest <= ?")
        args.append(f"{end:04d}-12-31")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


def facet_counts(db, choices, years) -> dict[str, list[tuple[str, str, int]]]:
    out = {}
    for facet, (col, label, _) in FACETS.items():
        clause, args = where(choices, years, skip=facet)
        if facet == "party":
            sql = (f"SELECT p.party, p.party_label, COUNT(DISTINCT f.id) FROM facts f JOIN fact_parties p "
                   f"ON p.fact = f.id{clause} GROUP BY p.party ORDER BY 3 DESC, 2 LIMIT 40")
        else:
            sql = (f"SELECT f.{col}, f.{label}, COUNT(*) FROM facts f{clause}"
                   f"{' AND' if clause else ' WHERE'} f.{col} IS NOT NULL GROUP BY f.{col} ORDER BY 3 DESC, 2 LIMIT 40")
        out[facet] = [(v, readable(lbl or v), n) for v, lbl, n in db.execute(sql, args)]
    return out


def rows(db, choices, years, limit: int, offset: int = 0) -> list[dict]:
    clause, args = where(choices, years)
    cur = db.execute(f"""SELECT * FROM facts f{clause}
        ORDER BY f.earliest IS NULL, f.earliest, f.subject_label, f.statement LIMIT ? OFFSET ?""",
                     args + [limit, offset])
    names = [d[0] for d in cur.description]
    out = []
    for values in cur:
        r = dict(zip(names, values))
        r["date"] = date_phrase(r["original"], r["calendar"], r["earliest"], r["latest"])
        out.append(r)
    return out


@bp.route("/browse", defaults={"suffix": ""})
@bp.route("/browse<any('.json', '.csv'):suffix>")
def browse(suffix):
    db = index().db
    choices, years = chosen(), (_year("from"), _year("to"))
    page = request.args.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        raise BadParameter("page must be a whole number from 1")
    clause, args = where(choices, years)
    total = db.execute(f"SELECT COUNT(*) FROM facts f{clause}", args).fetchone()[0]
    if suffix == ".csv" or request.args.get("format") == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows(db, choices, years, MAX_EXPORT))
        return Response(buf.getvalue(), content_type="text/csv; charset=utf-8")
    if wants_json(suffix):
        return jsonify({"total": total, "choices": choices, "from": years[0], "to": years[1],
                        "facets": {f: [{"value": v, "label": lbl, "count": n} for v, lbl, n in c]
                                   for f, c in facet_counts(db, choices, years).items()},
                        "rows": [{k: r[k] for k in COLUMNS} for r in rows(db, choices, years, MAX_EXPORT)]})
    offset = (int(page) - 1) * PAGE
    return render_template("browse.html", total=total, facets=facet_counts(db, choices, years), titles=FACETS,
                           choices=choices, years=years, rows=rows(db, choices, years, PAGE, offset),
                           page=int(page), pages=max(1, -(-total // PAGE)), href=href, toggle=toggle,
                           readable=readable, same=same), 200, {"Vary": "Accept"}


def same(suffix: str = "", **change) -> str:
    """This browse URL with another suffix (.csv, .json) or other arguments (page=2)."""
    args = {k: request.args.getlist(k) for k in request.args}
    args.update({k: [str(v)] for k, v in change.items()})
    return url_for("browse.browse", suffix=suffix, **{k: v for k, v in args.items() if v})


def toggle(facet: str, value: str) -> str:
    """The URL with one facet value added or removed (and back to page 1)."""
    args = {k: request.args.getlist(k) for k in request.args if k != "page"}
    values = args.get(facet, [])
    args[facet] = [v for v in values if v != value] if value in values else values + [value]
    return url_for("browse.browse", **{k: v for k, v in args.items() if v})
