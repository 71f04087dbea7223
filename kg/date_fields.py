"""Dates as annotators write them: a date, a vague span or a corrected misprint, in the source's calendar.

The short and long forms, the source's default calendar (sources.yaml `calendar.default`) and its
exceptions are documented in sources/README.md, "Dates".
"""

from __future__ import annotations

from datetime import date

from kg.calendar import JULIAN, DateError, DateSpan, HistoricalDate, parse_date, parse_span
from kg.errors import AnnotationError, Location

DATE_KEYS = {"date", "calendar", "written", "calendar_basis", "printed", "corrected_by", "correction_basis",
             "after", "before", "part"}


def parse_date_field(raw, loc: Location, default_calendar: str | None = None) -> HistoricalDate | DateSpan:
    """A date is {date, calendar?, written?, …}, a span {after?, before?, written?}, or 'YYYY-MM-DD [calendar]'.

    A date without a calendar takes its source's default (sources.yaml `calendar.default`)."""
    try:
        if isinstance(raw, dict):
            extra = set(raw) - DATE_KEYS
            if extra:
                raise DateError(f"unknown key(s) {', '.join(sorted(extra))} in a date; "
                                f"known: {', '.join(sorted(DATE_KEYS))}")
            calendar = raw.get("calendar", default_calendar)
            if calendar is None:
                raise DateError("calendar is missing and the source has no default calendar "
                                "(sources.yaml calendar.default): say julian, gregorian or ambiguous")
            for key in ("written", "calendar_basis", "printed", "correction_basis"):
                if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
                    raise DateError(f"{key} is non-empty text")
            if ("printed" in raw) != ("corrected_by" in raw):
                raise DateError("a misprint gives both 'printed' (as printed) and 'corrected_by' "
                                "(editor, translator or external), with the corrected 'date'")
            if "correction_basis" in raw and "printed" not in raw:
                raise DateError("correction_basis goes with a misprint ('printed', 'corrected_by')")
            if raw.get("corrected_by") == "external" and "correction_basis" not in raw:
                raise DateError("an external correction needs its correction_basis (a reference)")
            correction = {key: raw.get(key) for key in ("printed", "corrected_by", "correction_basis")}
            if "after" in raw or "before" in raw:
                if "date" in raw:
                    raise DateError("a span ({after, before}) has no 'date'")
                if "part" in raw:
                    raise DateError("part narrows a month given as 'date', not a span's bound (write the bound's day)")
                return parse_span(raw.get("after"), raw.get("before"), calendar, raw.get("written"),
                                  raw.get("calendar_basis"), **correction)
            return parse_date(raw.get("date"), calendar, raw.get("written"), basis=raw.get("calendar_basis"),
                              part=raw.get("part"), **correction)
        if isinstance(raw, (str, int)):
            parts = str(raw).split()
            calendar = parts[1] if len(parts) > 1 else default_calendar
            if calendar is None:
                raise DateError("calendar is missing and the source has no default calendar: "
                                "write 'YYYY-MM-DD julian|gregorian|ambiguous'")
            return parse_date(parts[0], calendar)
        raise DateError("a date is {date: YYYY-MM-DD, calendar: julian|gregorian|ambiguous}")
    except DateError as exc:
        raise AnnotationError(str(exc), loc) from None


# Russia's last Julian day was 31 January 1918 (Gregorian 13 February).
LAST_JULIAN_DAY = date(1918, 2, 13)


def dated(raw, loc: Location, default_calendar: str | None):
    """A date field, refusing a source's Julian default for a date after Russia left that calendar."""
    d = parse_date_field(raw, loc, default_calendar)
    stated = isinstance(raw, dict) and "calendar" in raw or isinstance(raw, str) and len(raw.split()) > 1
    if stated and default_calendar and d.calendar != default_calendar and not d.basis:
        raise AnnotationError(f"this date is {d.calendar}, not its source's {default_calendar} (sources.yaml): "
                              "say why in calendar_basis", loc)
    if not stated and d.calendar == JULIAN and (d.earliest or d.latest) > LAST_JULIAN_DAY:
        raise AnnotationError("this date is after Russia left the Julian calendar (31 January 1918), the "
                              "source's default: give its calendar (and calendar_basis)", loc)
    return d
