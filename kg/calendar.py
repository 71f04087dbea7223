"""Julian (Old Style) and Gregorian (New Style) dates, converted by exact day-number arithmetic.

Russia used the Julian calendar until 31 January 1918 (Julian); the next day was
14 February 1918 (Gregorian). Dates are kept as written, with their calendar and
precision, and converted to the Gregorian calendar for querying. Calendar models are
Wikidata's items for the proleptic calendars (Q1985786 Julian, Q1985727 Gregorian).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

JULIAN = "julian"
GREGORIAN = "gregorian"
AMBIGUOUS = "ambiguous"   # the text does not say which calendar; kept as a range, never guessed
CALENDARS = (JULIAN, GREGORIAN, AMBIGUOUS)

DAY, MONTH, YEAR = "day", "month", "year"
SPAN = "span"             # a vague span: "between May and October 1905", "after", "before"
CORRECTORS = ("editor", "translator", "external")   # who corrects a misprint
WIKIDATA_PRECISION = {YEAR: 9, MONTH: 10, DAY: 11}
WIKIDATA_CALENDAR = {JULIAN: "Q1985786", GREGORIAN: "Q1985727"}

_VALUE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class DateError(ValueError):
    pass


def _is_leap(year: int, calendar: str) -> bool:
    if calendar == JULIAN:
        return year % 4 == 0
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int, calendar: str) -> int:
    if month == 2:
        return 29 if _is_leap(year, calendar) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def julian_day(year: int, month: int, day: int, calendar: str) -> int:
    """Julian Day Number of a date in the given calendar (Fliegel–Van Flandern / Meeus)."""
    a = (14 - month) // 12
    y = year + 4800 - a
    m = month + 12 * a - 3
    jdn = day + (153 * m + 2) // 5 + 365 * y + y // 4
    if calendar == GREGORIAN:
        return jdn - y // 100 + y // 400 - 32045
    return jdn - 32083


def from_julian_day(jdn: int, calendar: str) -> tuple[int, int, int]:
    if calendar == GREGORIAN:
        a = jdn + 32044
        b = (4 * a + 3) // 146097
        c = a - 146097 * b // 4
    else:
        b = 0
        c = jdn + 32082
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    day = e - (153 * m + 2) // 5 + 1
    month = m + 3 - 12 * (m // 10)
    year = 100 * b + d - 4800 + m // 10
    return year, month, day


def julian_to_gregorian(year: int, month: int, day: int) -> date:
    return date(*from_julian_day(julian_day(year, month, day, JULIAN), GREGORIAN))


def gregorian_to_julian(d: date) -> tuple[int, int, int]:
    return from_julian_day(julian_day(d.year, d.month, d.day, GREGORIAN), JULIAN)


@dataclass(frozen=True)
class HistoricalDate:
    """A date as a source gives it: the value in its own calendar, the calendar, the precision."""

    value: str            # "1905-10-13", "1905-10" or "1905", in `calendar`
    calendar: str
    precision: str
    written: str | None = None
    basis: str | None = None             # why this calendar, where the date departs from its source's
    printed: str | None = None           # a misprint as printed; `value` is then the correction
    corrected_by: str | None = None      # editor | translator | external
    correction_basis: str | None = None
    part: str | None = None              # early | middle | late: a third of a month (MONTH_PARTS)

    @property
    def parts(self) -> tuple[int, ...]:
        return tuple(int(p) for p in self.value.split("-"))

    def _bounds_in(self, calendar: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        p = self.parts
        if self.precision == DAY:
            return (p[0], p[1], p[2]), (p[0], p[1], p[2])
        if self.precision == MONTH:
            first, last = MONTH_PARTS.get(self.part, (1, None))
            return (p[0], p[1], first), (p[0], p[1], last or days_in_month(p[0], p[1], calendar))
        return (p[0], 1, 1), (p[0], 12, 31)

    def _to_gregorian(self, ymd: tuple[int, int, int], calendar: str) -> date:
        if calendar == JULIAN:
            return julian_to_gregorian(*ymd)
        return date(*ymd)

    @property
    def earliest(self) -> date:
        """First Gregorian day the date can denote (either calendar, when ambiguous)."""
        cals = (JULIAN, GREGORIAN) if self.calendar == AMBIGUOUS else (self.calendar,)
        return min(self._to_gregorian(self._bounds_in(c)[0], c) for c in cals)

    @property
    def latest(self) -> date:
        cals = (JULIAN, GREGORIAN) if self.calendar == AMBIGUOUS else (self.calendar,)
        return max(self._to_gregorian(self._bounds_in(c)[1], c) for c in cals)

    @property
    def gregorian(self) -> str | None:
        """The Gregorian value at the date's own precision, or None when there is no exact one.

        A Julian or Gregorian day converts exactly, and a Gregorian month or year is itself.
        A Julian month or year is not a Gregorian one (Julian August 1917 runs into Gregorian
        September), and a date whose calendar the text leaves open has two readings: these
        get no value, only the exact bounds `earliest`/`latest`.
        """
        if self.part:          # a third of a month is no Gregorian month or day
            return None
        if self.calendar == GREGORIAN:
            return self.value
        if self.calendar == AMBIGUOUS or self.precision != DAY:
            return None
        return self._to_gregorian(self.parts, self.calendar).isoformat()


# "Early", "middle" ("mid-") and "late" in a month, by rule: days 1-10, 11-20 and 21 to the month's last
# day, in the date's own calendar (then converted to Gregorian bounds as every date is). The words stay
# as written; the rule only narrows the bounds, and gives no Gregorian value.
MONTH_PARTS = {"early": (1, 10), "middle": (11, 20), "late": (21, None)}


@dataclass(frozen=True)
class DateSpan:
    """A vague span ("between May and October 1905", "after", "before"): inclusive bounds only."""

    after: HistoricalDate | None     # the span begins within this date (inclusive)
    before: HistoricalDate | None    # the span ends within this date (inclusive)
    calendar: str
    written: str | None = None
    basis: str | None = None
    printed: str | None = None       # a misprint as printed, which the span corrects
    corrected_by: str | None = None
    correction_basis: str | None = None
    precision: str = SPAN
    gregorian = None                 # a span is never one Gregorian value

    @property
    def earliest(self) -> date | None:
        return self.after.earliest if self.after else None

    @property
    def latest(self) -> date | None:
        return self.before.latest if self.before else None


def parse_span(after, before, calendar, written=None, basis=None, **correction) -> DateSpan:
    """Check and build a DateSpan; either bound may be missing, not both."""
    if after is None and before is None:
        raise DateError("a span gives 'after', 'before' or both")
    lo = parse_date(after, calendar) if after is not None else None
    hi = parse_date(before, calendar) if before is not None else None
    if lo and hi and lo.earliest > hi.latest:
        raise DateError(f"the span's 'after' ({after}) is later than its 'before' ({before})")
    if correction.get("corrected_by") is not None and correction["corrected_by"] not in CORRECTORS:
        raise DateError(f"corrected_by {correction['corrected_by']!r} is not one of {', '.join(CORRECTORS)}")
    return DateSpan(lo, hi, calendar, written, basis, **correction)


def parse_date(value, calendar, written=None, **extra) -> HistoricalDate:
    """Check and build a HistoricalDate; raises DateError with a reason a historian can act on.

    `extra` carries basis, printed, corrected_by and correction_basis."""
    if calendar is None:
        raise DateError(f"calendar is missing: say one of {', '.join(CALENDARS)}")
    if calendar not in CALENDARS:
        raise DateError(f"calendar {calendar!r} is not one of {', '.join(CALENDARS)}")
    text = str(value)
    m = _VALUE.match(text)
    if not m:
        raise DateError(f"{text!r} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY (in the source's calendar)")
    year, month, day = (int(g) if g else None for g in m.groups())
    if month is not None and not 1 <= month <= 12:
        raise DateError(f"{text!r}: month {month} does not exist")
    if day is not None:
        cals = (JULIAN, GREGORIAN) if calendar == AMBIGUOUS else (calendar,)
        limit = min(days_in_month(year, month, c) for c in cals)
        if not 1 <= day <= limit:
            raise DateError(f"{text!r}: day {day} does not exist in that month ({calendar} calendar)")
    precision = DAY if day is not None else MONTH if month is not None else YEAR
    if extra.get("part") is not None:
        if extra["part"] not in MONTH_PARTS:
            raise DateError(f"part {extra['part']!r} is not one of {', '.join(MONTH_PARTS)}")
        if precision != MONTH:
            raise DateError(f"part ({', '.join(MONTH_PARTS)}) narrows a month: give the date as YYYY-MM")
    if extra.get("corrected_by") is not None and extra["corrected_by"] not in CORRECTORS:
        raise DateError(f"corrected_by {extra['corrected_by']!r} is not one of {', '.join(CORRECTORS)}")
    return HistoricalDate(text, calendar, precision, written, **extra)
