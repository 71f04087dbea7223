"""Refreshes the expected answers of the named queries (queries/<name>.tsv) from the current build,
never emptying one: an answer that fails or has no rows is not written over a stored one."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from kg.config import DEFAULT_BASE_IRI, Config
from kg.errors import BadParameter, KgError
from kg.formats import by_name
from kg.queries import catalogue, get, order_by
from kg.sparql import execute
from kg.store import open_store, read_manifest


@dataclass
class Refreshed:
    name: str
    status: str        # "unchanged", "changed", "new" or "refused"
    detail: str

    def line(self) -> str:
        return f"{self.name}.tsv: {self.status}" + (f" ({self.detail})" if self.detail else "")


def refresh_answers(config: Config, names: list[str] | None = None) -> list[Refreshed]:
    """Run each named query (all, or `names`) on the current build and store its TSV answer."""
    if read_manifest(config.data_dir)["base_iri"] != DEFAULT_BASE_IRI:
        raise BadParameter(f"the stored answers are for the base IRI {DEFAULT_BASE_IRI}; "
                           "refresh them from a build made with it")
    store = open_store(config.data_dir)
    queries = [get(config.queries_dir, n) for n in names] if names else list(catalogue(config.queries_dir).values())
    return [refresh_one(store, q) for q in queries]


def refresh_one(store, query) -> Refreshed:
    path: Path = query.expected_path
    old = path.read_text(encoding="utf-8").splitlines() if path.is_file() else None
    try:
        new_text = execute(store, query.text, by_name("results", "tsv")).decode("utf-8")
    except KgError as exc:
        return Refreshed(query.slug, "refused", f"the query failed: {exc}")
    new = new_text.splitlines()
    if len(new) < 2:
        kept = f"kept the {len(old) - 1} stored rows" if old else "nothing stored"
        return Refreshed(query.slug, "refused", f"the answer has no rows; {kept}")
    if old == new or (old and query.ordered and old[0] == new[0]
                      and in_order_groups(query.text, old) == in_order_groups(query.text, new)):
        return Refreshed(query.slug, "unchanged", f"{len(new) - 1} rows")
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(new_text, encoding="utf-8")
    os.replace(tmp, path)
    if old is None:
        return Refreshed(query.slug, "new", f"{len(new) - 1} rows")
    added, removed = Counter(new[1:]) - Counter(old[1:]), Counter(old[1:]) - Counter(new[1:])
    detail = f"+{sum(added.values())} −{sum(removed.values())} rows, {len(new) - 1} in all"
    if new[0] != old[0]:
        detail += f"; columns were {old[0]!r}, now {new[0]!r}"
    elif not added and not removed:
        detail += "; the same rows in another order"
    return Refreshed(query.slug, "changed", detail)


def same_answer(query, expected: list[str], got: list[str]) -> bool:
    """Whether two TSV answers of a named query are the same answer (header line first)."""
    if expected[0] != got[0]:
        return False
    if query.ordered:
        return in_order_groups(query.text, expected) == in_order_groups(query.text, got)
    return Counter(expected[1:]) == Counter(got[1:])


def order_keys(text: str) -> tuple[str, ...] | None:
    """The variables of the query's own ORDER BY (kg.queries.order_by); None where it has none or a key
    is an expression."""
    keys = order_by(text)
    return None if keys is None or None in keys else keys


def in_order_groups(text: str, tsv: list[str]) -> list:
    """The rows as a sequence of groups of equal ORDER BY keys, each group a multiset.

    SPARQL leaves the order of rows with equal keys to the engine (and Oxigraph's changes when
    unrelated data does), so only the order between groups is part of the answer, and a refresh
    keeps the stored file when only ties moved. Where a key is an expression or not among the
    columns, the whole order counts."""
    header, rows = tsv[0].split("\t"), tsv[1:]
    keys = order_keys(text)
    if keys is None or any("?" + k not in header for k in keys):
        return rows
    cols = [header.index("?" + k) for k in keys]
    return [(k, Counter(group)) for k, group in groupby(rows, lambda row: tuple(row.split("\t")[c] for c in cols))]
