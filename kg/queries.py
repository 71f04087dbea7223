"""The named-query catalogue: `queries/<slug>.rq` with a header, and its expected answer beside it.

Header lines at the top of a .rq file:

    # title: Soviets of 1905
    # description: Which soviets existed in 1905, where, and founded when?
    # view: table | timeline | graph      (optional: how a page shows the result)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import NotFound

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
        return re.search(r"\bORDER\s+BY\b", self.text, re.I) is not None


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
