from datetime import date

import pytest

from kg.calendar import (AMBIGUOUS, GREGORIAN, JULIAN, DateError, gregorian_to_julian,
                         julian_to_gregorian, parse_date, parse_span)


@pytest.mark.parametrize("julian, gregorian", [
    ((1905, 1, 9), date(1905, 1, 22)),      # Bloody Sunday
    ((1905, 10, 13), date(1905, 10, 26)),   # St Petersburg Soviet founded
    ((1905, 12, 3), date(1905, 12, 16)),    # the Soviet arrested
    ((1906, 6, 21), date(1906, 7, 4)),      # Lenin's editor: "June 21 (July 4), 1906"
    ((1917, 2, 27), date(1917, 3, 12)),     # February Revolution
    ((1917, 10, 25), date(1917, 11, 7)),    # October Revolution
    ((1918, 1, 31), date(1918, 2, 13)),     # last Julian day in Russia…
    ((1900, 2, 29), date(1900, 3, 13)),     # a Julian leap day that Gregorian lacks (12-day gap)
])
def test_julian_to_gregorian(julian, gregorian):
    assert julian_to_gregorian(*julian) == gregorian
    assert gregorian_to_julian(gregorian) == julian


def test_february_1918_switch_is_one_day():
    # 31 January 1918 (Julian) was followed by 14 February 1918 (Gregorian).
    assert (date(1918, 2, 14) - julian_to_gregorian(1918, 1, 31)).days == 1


def test_day_precision_converts_exactly():
    d = parse_date("1917-10-25", JULIAN, "October 25")
    assert (d.precision, d.gregorian, d.earliest, d.latest) == ("day", "1917-11-07", date(1917, 11, 7), date(1917, 11, 7))


def test_julian_month_has_exact_bounds_and_no_gregorian_value():
    # Julian October 1917 runs into Gregorian November: publishing "1917-10" would be wrong
    d = parse_date("1917-10", JULIAN)
    assert d.precision == "month" and d.gregorian is None
    assert (d.earliest, d.latest) == (date(1917, 10, 14), date(1917, 11, 13))


def test_julian_august_1917_runs_into_gregorian_september():
    d = parse_date("1917-08", JULIAN)
    assert d.gregorian is None and d.latest == date(1917, 9, 13)


def test_julian_year_bounds_without_value():
    d = parse_date("1905", JULIAN)
    assert d.gregorian is None and d.earliest == date(1905, 1, 14) and d.latest == date(1906, 1, 13)


def test_gregorian_month_and_year_are_their_own_values():
    assert parse_date("1924-01", GREGORIAN).gregorian == "1924-01"
    assert parse_date("1932", GREGORIAN).gregorian == "1932"


def test_ambiguous_month_has_both_readings_as_bounds_and_no_value():
    d = parse_date("1917-10", AMBIGUOUS)
    assert d.gregorian is None
    assert (d.earliest, d.latest) == (date(1917, 10, 1), date(1917, 11, 13))


def test_span_has_inclusive_bounds_by_month():
    s = parse_span("1905-05", "1905-10", JULIAN, "between May and October 1905")
    assert s.gregorian is None and s.precision == "span"
    assert (s.earliest, s.latest) == (date(1905, 5, 14), date(1905, 11, 13))


def test_span_with_one_bound():
    s = parse_span(None, "1905-12", GREGORIAN, "by the end of 1905")
    assert s.earliest is None and s.latest == date(1905, 12, 31)


@pytest.mark.parametrize("after, before, message", [
    (None, None, "gives 'after', 'before' or both"),
    ("1905-10", "1905-05", "later than its 'before'"),
])
def test_bad_spans_are_refused(after, before, message):
    with pytest.raises(DateError, match=message):
        parse_span(after, before, JULIAN)


def test_misprint_keeps_the_printed_words_and_the_corrector():
    d = parse_date("1905-10-13", JULIAN, printed="October 31", corrected_by="editor")
    assert (d.value, d.printed, d.corrected_by) == ("1905-10-13", "October 31", "editor")
    with pytest.raises(DateError, match="corrected_by"):
        parse_date("1905-10-13", JULIAN, printed="October 31", corrected_by="reader")


def test_ambiguous_day_is_a_range_without_a_value():
    d = parse_date("1917-10-25", AMBIGUOUS)
    assert d.gregorian is None
    assert (d.earliest, d.latest) == (date(1917, 10, 25), date(1917, 11, 7))


def test_gregorian_is_identity():
    assert parse_date("1940-11-05", GREGORIAN).gregorian == "1940-11-05"


@pytest.mark.parametrize("value, calendar, message", [
    ("1905-02-31", JULIAN, "day 31 does not exist"),
    ("1905-02-29", JULIAN, "day 29 does not exist"),
    ("1900-02-29", GREGORIAN, "day 29 does not exist"),
    ("1905-13-01", JULIAN, "month 13"),
    ("13 October 1905", JULIAN, "is not a date"),
    ("1905-10-13", None, "calendar is missing"),
    ("1905-10-13", "old style", "is not one of"),
])
def test_impossible_or_incomplete_dates_are_refused(value, calendar, message):
    with pytest.raises(DateError, match=message):
        parse_date(value, calendar)


def test_julian_leap_day_1900_is_valid_in_julian_only():
    assert parse_date("1900-02-29", JULIAN).gregorian == "1900-03-13"
