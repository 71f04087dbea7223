"""Answers compared across paths: a SPARQL JSON result as a multiset of normalised rows, and its digest.

Terms are normalised so that equal answers from different engines compare equal: literals by
value for numbers (`1` and `01` are the same xsd:integer), without xsd:string (SPARQL 1.1 plain
literals), language tags in lower case, blank nodes by kind only (their labels are local to
one result). Rows keep the order of the query's ORDER BY keys (ties in any order); without
ORDER BY they are a multiset. Columns bound by SAMPLE are left out: the standard lets an engine
pick any value of the group.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from decimal import Decimal, InvalidOperation

XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGERS = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                              "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong")}


def form(query: str) -> dict:
    """What of an answer the standard fixes, from rdflib's algebra of the query.

    `order`: the ORDER BY variables of the outermost query, with rows of equal keys (ties) in any
    order; [] when the rows are a multiset; None when an ORDER BY key is an expression, so that
    the whole sequence must match. `sampled`: variables bound by SAMPLE, which may be any value
    of its group (SPARQL 1.1, 18.5.1.8), left out of the comparison."""
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.term import Variable

    from kg.queries import order_by
    keys = order_by(query)
    order = [] if keys is None else None if None in keys else list(keys)
    root = prepareQuery(query).algebra
    groups, samples, extends = set(), {}, {}

    def walk(n):
        if isinstance(n, list):
            for x in n:
                walk(x)
            return
        if not hasattr(n, "name"):
            return
        if n.name == "Group" and n.get("expr"):
            groups.update(str(v) for v in n["expr"] if isinstance(v, Variable))
        if n.name == "Aggregate_Sample":
            samples[str(n["res"])] = str(n["vars"])
        if n.name == "Extend" and isinstance(n.get("expr"), Variable):
            extends[str(n["expr"])] = str(n["var"])
        for v in n.values():
            walk(v)
    walk(root)
    sampled = {extends[res] for res, var in samples.items() if var not in groups and res in extends}
    return {"order": order, "sampled": sorted(sampled)}


def _term(t: dict) -> str:
    kind = t.get("type")
    if kind == "uri":
        return "<" + t["value"] + ">"
    if kind == "bnode":
        return "_:"
    value, dt, lang = t["value"], t.get("datatype"), t.get("xml:lang")
    if lang:
        return json.dumps(value) + "@" + lang.lower()
    if dt in (None, XSD + "string"):
        return json.dumps(value)
    try:
        if dt in INTEGERS:
            return f"{int(value)}^^integer"
        if dt == XSD + "decimal":
            return f"{Decimal(value).normalize()}^^decimal"
        if dt in (XSD + "double", XSD + "float"):
            return f"{float(value)!r}^^double"
    except (ValueError, InvalidOperation):
        pass
    return json.dumps(value) + "^^<" + dt + ">"


def rows(body: bytes) -> list[dict]:
    """The result's rows, each {variable: normalised term} (unbound variables left out)."""
    parsed = json.loads(body)
    if "boolean" in parsed:
        return [{"boolean": str(bool(parsed["boolean"]))}]
    return [{var: _term(t) for var, t in b.items()} for b in parsed["results"]["bindings"]]


def _line(row: dict, drop=()) -> str:
    return json.dumps(sorted((k, v) for k, v in row.items() if k not in drop), ensure_ascii=False)


def canonical(row_list: list[dict], spec: dict | None = None) -> list[str]:
    """The rows as the standard fixes them: SAMPLE columns out; sorted within ties of the ORDER BY
    keys (the keys' sequence kept), or sorted as a whole when there is no ORDER BY."""
    spec = spec or {"order": [], "sampled": []}
    drop = set(spec["sampled"])
    if spec["order"] is None:
        return [_line(r, drop) for r in row_list]
    if not spec["order"]:
        return sorted(_line(r, drop) for r in row_list)
    out, group, key = [], [], None
    for r in row_list:
        k = [r.get(v) for v in spec["order"]]
        if k != key and group:
            out.extend(sorted(group))
            group = []
        key = k
        group.append(_line(r, drop))
    return out + sorted(group)


def digest(lines: list[str]) -> str:
    """sha256 (16 hex digits) of canonical rows."""
    h = hashlib.sha256()
    for line in lines:
        h.update(line.encode() + b"\n")
    return h.hexdigest()[:16]


def difference(a: list[str], b: list[str], n: int = 3) -> dict:
    """Up to n rows only in a and only in b (as multisets), for saying why two answers differ."""
    ca, cb = Counter(a), Counter(b)
    return {"only_here": list((ca - cb).elements())[:n], "only_in_reference": list((cb - ca).elements())[:n],
            "count_only_here": sum((ca - cb).values()), "count_only_in_reference": sum((cb - ca).values())}
