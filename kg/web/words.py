"""Ontology terms and dates as people read them: kg:partOfEvent as "part of event", a date as the
text gives it, in its calendar, with the other calendar's equivalent — "13 October 1905 (O.S.) =
26 October 1905 (N.S.)"."""

from __future__ import annotations

import re
from datetime import date

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def readable(value: str) -> str:
    """kg:AuthorAttribution → 'author', kg:partOfEvent → 'part of event'; other text unchanged."""
    if not value.startswith("http"):
        return value
    local = value.rsplit("#", 1)[-1].rsplit("/", 1)[-1].replace("Attribution", "")
    return _CAMEL.sub(" ", local).lower()

JULIAN = "http://www.wikidata.org/entity/Q1985786"
GREGORIAN = "http://www.wikidata.org/entity/Q1985727"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def _day(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _original(value: str) -> str:
    parts = value.split("-")
    if len(parts) == 3:
        return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]


def _span(earliest: str, latest: str) -> str:
    return _day(earliest) if earliest == latest else f"{_day(earliest)} – {_day(latest)}"


def date_phrase(original: str | None, calendar: str | None, earliest: str | None, latest: str | None) -> str:
    """The date in its own calendar and, where that is not Gregorian, its Gregorian bounds."""
    if not earliest:
        return ""
    if not original:                     # a span the text gives only by its bounds
        return f"between {_span(earliest, latest)} (N.S.)"
    own = _original(original)
    if calendar == GREGORIAN:
        return f"{own} (N.S.)"
    if calendar == JULIAN:
        return f"{own} (O.S.) = {_span(earliest, latest)} (N.S.)"
    return f"{own} (calendar not stated: {_span(earliest, latest)} N.S.)"
