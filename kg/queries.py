"""The named-query catalogue: `queries/<slug>.rq` with a header, and its expected answer beside it.

Header lines at the top of a .rq file:

    # title: Soviets of 1905
    # description: Which soviets existed in 1905, where, and founded when?
    # view: table | timeline | graph      (optional: how a page shows the result)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import Location, NotFound, QuerySyntaxError

_HEADER = re.compile(r"^#\s*(\w+)\s*:\s*(.*)$")


@dataclass
class NamedQuery:
    slug: str
    title: str
    description: str
    text: str
    path: Path
    meta: dict

    @property
    def expected_path(self) -> Path:
        return self.path.with_suffix(".tsv")

    @property
    def ordered(self) -> bool:
        """Whether the query orders its own answer: an ORDER BY of its own, read from a parse (not one
        in a comment, a string or a subquery)."""
        try:
            return order_by(self.text) is not None
        except QuerySyntaxError as exc:
            raise QuerySyntaxError(exc.message, Location(str(self.path))) from None


# rdflib parses about 15 kB of SPARQL a second (the longest named query, 3 kB, in 45 ms): a
# longer text is refused rather than parsed for minutes.
ORDER_PARSE_CHARS = 16_384
_MODIFIERS = ("Slice", "Distinct", "Reduced", "Project")     # what rdflib's algebra puts above a query's ORDER BY


@lru_cache(maxsize=512)
def order_by(text: str) -> tuple[str | None, ...] | None:
    """The keys of the query's own ORDER BY (a subquery's is not the answer's order), from rdflib's
    parse, once per query text: each a variable's name, or None where it is an expression; None
    where the query has no ORDER BY."""
    from rdflib.plugins.sparql import prepareQuery     # here: the catalogue and its pages need no parser
    from rdflib.term import Variable
    if len(text) > ORDER_PARSE_CHARS:
        raise QuerySyntaxError(f"the query is {len(text)} characters long; its order is read from queries "
                               f"of at most {ORDER_PARSE_CHARS}")
    try:
        node = prepareQuery(text).algebra.p
    except Exception as exc:    # rdflib raises ParseException, a bare Exception (unknown prefix), RecursionError
        raise QuerySyntaxError(f"the query does not parse ({type(exc).__name__}: "
                               f"{' '.join(str(exc).split())[:200]})") from None
    while getattr(node, "name", None) in _MODIFIERS:
        node = node.p
    if getattr(node, "name", None) != "OrderBy":
        return None
    keys = [c.expr if getattr(c, "name", None) == "OrderCondition" else c for c in node.expr]
    return tuple(str(k) if isinstance(k, Variable) else None for k in keys)


def parse_query_file(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    meta = {}
    for line in text.splitlines():
        m = _HEADER.match(line)
        if m:
            meta[m.group(1).lower()] = m.group(2).strip()
        elif line.strip() and not line.startswith("#"):
            break
    return NamedQuery(path.stem, meta.get("title", path.stem), meta.get("description", ""), text, path, meta)


def catalogue(queries_dir) -> dict[str, NamedQuery]:
    return {p.stem: parse_query_file(p) for p in sorted(Path(queries_dir).glob("*.rq"))}


def get(queries_dir, slug: str) -> NamedQuery:
    path = Path(queries_dir) / f"{slug}.rq"
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug) or not path.is_file():
        raise NotFound(f"no query named {slug!r} in {queries_dir}")
    return parse_query_file(path)
