"""Messages about queries that say what is wrong in one line: an undeclared prefix with the IRI we
know for it, and the engine's own syntax errors without the grammar's character ranges."""

from __future__ import annotations

import re

# Prefixes people paste from Wikidata's and other services' examples, beside our own.
COMMON_PREFIXES = {
    "dct": "http://purl.org/dc/terms/",
    "p": "http://www.wikidata.org/prop/",
    "ps": "http://www.wikidata.org/prop/statement/",
    "pq": "http://www.wikidata.org/prop/qualifier/",
    "wikibase": "http://wikiba.se/ontology#",
    "bd": "http://www.bigdata.com/rdf#",
}


def known_prefixes() -> dict[str, str]:
    """Prefixes we can suggest: the project's own and common ones."""
    from kg.config import DEFAULT_BASE_IRI
    from kg.namespaces import prefixes
    return prefixes(DEFAULT_BASE_IRI) | COMMON_PREFIXES


def undeclared_prefix_hint(prefix: str) -> str:
    """`undeclared prefix "wdt:"; known IRI for it: PREFIX wdt: <…>` (the hint when we know one)."""
    known = known_prefixes().get(prefix)
    hint = f"; known IRI for it: PREFIX {prefix}: <{known}>" if known else \
        f"; declare it with PREFIX {prefix}: <…>"
    return f"undeclared prefix \"{prefix}:\"{hint}"


_ENGINE_POSITION = re.compile(r"error at (\d+):(\d+): ")
_CHAR_CLASS = re.compile(r"\[[^\[\]\n]{0,400}\]")
_PART = re.compile(r'"[^"\n]{0,40}"|[^,"]+')


def engine_syntax_message(raw: str) -> str:
    """The engine's syntax error in one short line: position, then what it expected."""
    text = raw[:2000]
    m = _ENGINE_POSITION.search(text)
    where = f" at line {m.group(1)}, column {m.group(2)}" if m else ""
    rest = text[m.end():] if m else text
    rest = _CHAR_CLASS.sub("", " ".join(rest.split()))
    rest = rest.replace("Prefix not found", "a declared prefix").replace("IRI parsing failed", "a valid IRI")
    for lead in ("expected one of ", "expected "):
        if rest.startswith(lead):
            parts = [p.strip() for p in _PART.findall(rest[len(lead):])]
            parts = [p for p in parts if p and p != "[_]"]
            listed = ", ".join(parts[:8]) + (", …" if len(parts) > 8 else "")
            rest = f"expected {'one of ' if len(parts) > 1 else ''}{listed}" if parts else ""
            break
    if len(rest) > 200:
        rest = rest[:199] + "…"
    return f"SPARQL syntax error{where}: {rest}" if rest else f"SPARQL syntax error{where}"
