"""`kg query`: resolve the query (text, file or catalogue name), run it, format the answer."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from kg.config import Config, rebaser
from kg.errors import BadParameter
from kg.formats import by_name, finish
from kg.queries import get
from kg.sparql import query_form, result_kind
from kg.stats import shorten


def resolve_query(config: Config, query: str) -> str:
    if Path(query).suffix == ".rq" and Path(query).is_file():
        return rebaser(config.base_iri)(Path(query).read_text(encoding="utf-8"))
    if "{" not in query and " " not in query.strip():
        return rebaser(config.base_iri)(get(config.queries_dir, query.strip()).text)
    return query


def run_cli_query(config: Config, query: str, fmt: str, endpoint: str | None) -> str:
    text = resolve_query(config, query)
    kind = result_kind(query_form(text))
    wire = by_name(kind, "json" if kind == "results" else "turtle") if fmt == "table" else by_name(kind, fmt)
    if endpoint:
        from kg.remote import remote_query
        body = remote_query(endpoint, text, wire.media_type, config.query_timeout_s)
    else:
        from kg.sparql import execute
        from kg.store import current_dir, open_store
        from kg.summary import load
        build_dir = current_dir(config.data_dir).resolve()
        store = open_store(config.data_dir)
        # the summary only when the store opened is that build's (no build was swapped in between)
        same = current_dir(config.data_dir).resolve() == build_dir
        body = execute(store, text, wire, max_bytes=config.max_result_bytes, base_iri=config.base_iri,
                       services=config.services, summary=load(build_dir) if same else None)
    if fmt != "table" or kind == "graph":
        return finish(wire, body).decode("utf-8")
    return table(json.loads(body), config.base_iri)


def table(results: dict, base_iri: str) -> str:
    """SPARQL JSON results → an aligned text table, IRIs shortened with our prefixes."""
    if "boolean" in results:
        return f"{str(results['boolean']).lower()}\n"
    head = results["head"]["vars"]
    rows = [[_cell(b.get(v), base_iri) for v in head] for b in results["results"]["bindings"]]
    widths = [min(60, max([len(h)] + [len(r[i]) for r in rows])) for i, h in enumerate(head)]
    out = io.StringIO()
    line = "  ".join(h.ljust(w) for h, w in zip(head, widths))
    out.write(line.rstrip() + "\n" + "  ".join("-" * w for w in widths) + "\n")
    for r in rows:
        out.write("  ".join(_clip(c, w).ljust(w) for c, w in zip(r, widths)).rstrip() + "\n")
    out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")
    return out.getvalue()


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _cell(binding, base_iri) -> str:
    if binding is None:
        return ""
    if binding["type"] == "uri":
        return shorten(binding["value"], base_iri)
    return binding["value"].replace("\n", " ")


def to_csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue()


__all__ = ["run_cli_query", "resolve_query", "table", "BadParameter"]
