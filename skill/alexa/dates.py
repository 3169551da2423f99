"""Turn an Alexa AMAZON.DATE slot value into the local calendar days a deletion covers.

Alexa sends AMAZON.DATE as a string: ``2026-11-26`` (day), ``2026-W48`` (ISO week, Monday to
Sunday), ``2026-W48-WE`` (that week's Saturday and Sunday), ``2026-11`` (month), ``2026`` (year),
``202X`` (decade), ``2026-WI``/``-SP``/``-SU``/``-FA`` (season) and ``PRESENT_REF`` ("now").
When the person names no year, Alexa puts ``XXXX`` in its place (``XXXX-11-20``, ``XXXX-W48``,
``XXXX-11``); those resolve to the most recent occurrence that has begun by today.

Seasons are meteorological, northern hemisphere: spring is March 1 to May 31, summer June 1 to
August 31, fall September 1 to November 30. Winter ``YYYY-WI`` is the winter that *starts* in
YYYY: December 1 of YYYY to the last day of February of YYYY+1 (so ``2025-WI`` ends 2026-02-28
and ``2023-WI`` ends on the leap day 2024-02-29).

Alexa biases a bare weekday or date to the future ("monday" on a Thursday is next Monday), but a
deletion never targets the future. A span that *starts* after today is moved back to its most
recent past occurrence and marked ``shifted``, so the caller can say which day it means:

- a day 1 to 7 days ahead is a weekday or "tomorrow": it moves back one week; any later day moves
  back whole years (February 29 becomes February 28 in a common year);
- a week or weekend moves back whole weeks; a month or season moves back whole years;
- a future year or decade has no past occurrence and is reported as unusable.

A span that has started but not ended ("this week", "this month") is returned as is; the caller
clamps its end to now. Everything here is pure calendar arithmetic on local dates: the caller
works out the device's local "today" and turns days into instants.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

SpanKind = Literal["day", "week", "weekend", "month", "year", "decade", "season"]
UnusableReason = Literal["unrecognised", "future"]


@dataclass(frozen=True)
class DateSpan:
    """An inclusive range of local calendar days that a deletion should cover."""

    start: date
    """First local day, inclusive; never after the ``today`` it was resolved against."""
    end: date
    """Last local day, inclusive; may lie after today ("this week"): the caller clamps to now."""
    kind: SpanKind
    """What the slot value named: a day, an ISO week, a weekend, a month, ... ."""
    shifted: bool
    """True when the value lay wholly in the future and was moved to its most recent past
    occurrence; the spoken reply should then name the day or range it means."""
    season: str | None = None
    """``"winter"``, ``"spring"``, ``"summer"`` or ``"fall"`` when ``kind == "season"``."""


@dataclass(frozen=True)
class UnusableDate:
    """A slot value that names no span a deletion can cover (a result, not an error)."""

    value: str
    """The slot value as Alexa sent it (``""`` for a missing value)."""
    reason: UnusableReason
    """``"unrecognised"``: not an AMAZON.DATE value we understand or not a real date.
    ``"future"``: wholly in the future with no past occurrence (a future year or decade)."""


# Season code -> (name, month it starts in).
_SEASONS: dict[str, tuple[str, int]] = {
    "SP": ("spring", 3),
    "SU": ("summer", 6),
    "FA": ("fall", 9),
    "WI": ("winter", 12),
}

# A week-53 value with no year falls in a long ISO year; those are at most 7 years apart.
_LONG_YEAR_SEARCH = 10

EARLIEST_YEAR = 1970
"""Values before this year are not dates anyone's recordings have: "unrecognised"."""
YEARS_AHEAD = 10
"""A value more than this many years after today is not Alexa's future bias but a wrong date:
"future", not shifted back (``9999-12-31`` is not last New Year's Eve)."""

_Handler = Callable[[re.Match[str], date], DateSpan | UnusableReason]


def resolve_amazon_date(value: str | None, today: date) -> DateSpan | UnusableDate:
    """Resolve an AMAZON.DATE ``value`` to local days, given the device's local ``today``.

    A missing value is the caller's business (it defaults to today); it is reported here as
    ``UnusableDate("", "unrecognised")``.
    """
    if not value:
        return UnusableDate("", "unrecognised")
    for pattern, handler in _FORMATS:
        match = pattern.fullmatch(value)
        if match is None:
            continue
        out_of_range = _out_of_range(match, today)
        if out_of_range is not None:
            return UnusableDate(value, out_of_range)
        try:
            result = handler(match, today)
        except ValueError:  # Well-formed but not a real date: month 13, February 30, week 60.
            return UnusableDate(value, "unrecognised")
        return result if isinstance(result, DateSpan) else UnusableDate(value, result)
    return UnusableDate(value, "unrecognised")


def _out_of_range(match: re.Match[str], today: date) -> UnusableReason | None:
    groups = match.groupdict()
    if groups.get("year"):
        year = int(groups["year"])
    elif groups.get("decade"):
        year = int(groups["decade"]) * 10
    else:
        return None  # yearless: always resolved near today
    if year > today.year + YEARS_AHEAD:
        return "future"
    if year < EARLIEST_YEAR:
        return "unrecognised"
    return None


def _present(match: re.Match[str], today: date) -> DateSpan:
    return DateSpan(today, today, "day", shifted=False)


def _day(match: re.Match[str], today: date) -> DateSpan:
    day = date(int(match["year"]), int(match["month"]), int(match["day"]))
    if day <= today:
        return DateSpan(day, day, "day", shifted=False)
    if (day - today).days <= 7:  # "tomorrow" or a bare weekday: the same weekday last week.
        day -= timedelta(weeks=1)
    else:
        day = _latest_month_day(day.month, day.day, today)
    return DateSpan(day, day, "day", shifted=True)


def _yearless_day(match: re.Match[str], today: date) -> DateSpan:
    month, day_of_month = int(match["month"]), int(match["day"])
    date(2000, month, day_of_month)  # Validates against a leap year, so February 29 passes.
    day = _latest_month_day(month, day_of_month, today)
    return DateSpan(day, day, "day", shifted=False)


def _week(match: re.Match[str], today: date) -> DateSpan:
    weekend = match["weekend"] is not None
    start = _week_start(int(match["year"]), int(match["week"]), weekend)
    shifted = start > today
    if shifted:
        weeks_ahead = -(-(start - today).days // 7)  # Ceiling: whole weeks until start <= today.
        start -= timedelta(weeks=weeks_ahead)
    return _week_span(start, weekend, shifted)


def _yearless_week(match: re.Match[str], today: date) -> DateSpan:
    weekend = match["weekend"] is not None
    week = int(match["week"])
    iso_year = today.isocalendar().year
    for year in range(iso_year, iso_year - _LONG_YEAR_SEARCH, -1):
        try:
            start = _week_start(year, week, weekend)
        except ValueError:  # Week 53 in a year that has only 52 weeks.
            continue
        if start <= today:
            return _week_span(start, weekend, shifted=False)
    raise ValueError(f"no ISO week {week} in the last {_LONG_YEAR_SEARCH} years")


def _month(match: re.Match[str], today: date) -> DateSpan:
    year, month = int(match["year"]), int(match["month"])
    shifted = date(year, month, 1) > today
    if shifted:
        year = _latest_year_from(month, today)
    return _month_span(year, month, shifted)


def _yearless_month(match: re.Match[str], today: date) -> DateSpan:
    month = int(match["month"])
    date(today.year, month, 1)  # Validates the month before any arithmetic.
    return _month_span(_latest_year_from(month, today), month, shifted=False)


def _season(match: re.Match[str], today: date) -> DateSpan:
    year = int(match["year"])
    _, first_month = _SEASONS[match["season"]]
    shifted = date(year, first_month, 1) > today
    if shifted:
        year = _latest_year_from(first_month, today)
    return _season_span(year, match["season"], shifted)


def _yearless_season(match: re.Match[str], today: date) -> DateSpan:
    _, first_month = _SEASONS[match["season"]]
    return _season_span(_latest_year_from(first_month, today), match["season"], shifted=False)


def _year(match: re.Match[str], today: date) -> DateSpan | UnusableReason:
    year = int(match["year"])
    if date(year, 1, 1) > today:
        return "future"
    return DateSpan(date(year, 1, 1), date(year, 12, 31), "year", shifted=False)


def _decade(match: re.Match[str], today: date) -> DateSpan | UnusableReason:
    first_year = int(match["decade"]) * 10
    if date(first_year, 1, 1) > today:
        return "future"
    return DateSpan(date(first_year, 1, 1), date(first_year + 9, 12, 31), "decade", shifted=False)


def _week_start(year: int, week: int, weekend: bool) -> date:
    """Monday of ISO ``week`` of ``year``, or its Saturday for a weekend; ValueError if none."""
    return date.fromisocalendar(year, week, 6 if weekend else 1)


def _week_span(start: date, weekend: bool, shifted: bool) -> DateSpan:
    if weekend:
        return DateSpan(start, start + timedelta(days=1), "weekend", shifted)
    return DateSpan(start, start + timedelta(days=6), "week", shifted)


def _month_span(year: int, month: int, shifted: bool) -> DateSpan:
    last_day = calendar.monthrange(year, month)[1]
    return DateSpan(date(year, month, 1), date(year, month, last_day), "month", shifted)


def _season_span(year: int, code: str, shifted: bool) -> DateSpan:
    name, first_month = _SEASONS[code]
    start = date(year, first_month, 1)
    if code == "WI":  # December to the end of February of the next year, leap day included.
        end = date(year + 1, 3, 1) - timedelta(days=1)
    else:
        end_month = first_month + 2
        end = date(year, end_month, calendar.monthrange(year, end_month)[1])
    return DateSpan(start, end, "season", shifted, season=name)


def _latest_year_from(month: int, today: date) -> int:
    """The latest year in which the first of ``month`` is not after ``today``."""
    return today.year if month <= today.month else today.year - 1


def _latest_month_day(month: int, day: int, today: date) -> date:
    """The latest ``month``/``day`` not after ``today``; February 29 is February 28 in a common
    year (the year is the point of the search, not the leap day)."""
    this_year = _on_day(today.year, month, day)
    return this_year if this_year <= today else _on_day(today.year - 1, month, day)


def _on_day(year: int, month: int, day: int) -> date:
    if month == 2 and day == 29 and not calendar.isleap(year):
        day = 28
    return date(year, month, day)


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)  # ASCII: "\d" must not match other scripts' digits.


_YEAR = r"(?P<year>\d{4})"
_WEEK = r"-W(?P<week>\d{2})(?P<weekend>-WE)?"
_SEASON = r"-(?P<season>WI|SP|SU|FA)"

# Matched with fullmatch, in this order; the first pattern that matches decides.
_FORMATS: tuple[tuple[re.Pattern[str], _Handler], ...] = (
    (_compile(r"PRESENT_REF"), _present),
    (_compile(_YEAR + r"-(?P<month>\d{2})-(?P<day>\d{2})"), _day),
    (_compile(r"XXXX-(?P<month>\d{2})-(?P<day>\d{2})"), _yearless_day),
    (_compile(_YEAR + _WEEK), _week),
    (_compile(r"XXXX" + _WEEK), _yearless_week),
    (_compile(_YEAR + _SEASON), _season),
    (_compile(r"XXXX" + _SEASON), _yearless_season),
    (_compile(_YEAR + r"-(?P<month>\d{2})"), _month),
    (_compile(r"XXXX-(?P<month>\d{2})"), _yearless_month),
    (_compile(_YEAR), _year),
    (_compile(r"(?P<decade>\d{3})X"), _decade),
)
