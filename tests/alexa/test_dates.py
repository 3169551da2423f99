"""AMAZON.DATE slot values resolve to the local days a deletion covers, never the future."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from skill.alexa.dates import DateSpan, SpanKind, UnusableDate, resolve_amazon_date

TODAY = date(2026, 11, 26)  # A Thursday, in ISO week 2026-W48.
D = date


def span(value: str, today: date = TODAY) -> DateSpan:
    result = resolve_amazon_date(value, today)
    assert isinstance(result, DateSpan), result
    return result


def test_today_is_a_thursday_in_week_48() -> None:
    assert TODAY.isoweekday() == 4
    assert TODAY.isocalendar()[:2] == (2026, 48)


@pytest.mark.parametrize(
    ("value", "start", "end", "kind"),
    [
        ("2026-11-26", D(2026, 11, 26), D(2026, 11, 26), "day"),
        ("PRESENT_REF", D(2026, 11, 26), D(2026, 11, 26), "day"),
        ("2026-11-25", D(2026, 11, 25), D(2026, 11, 25), "day"),
        ("2024-02-29", D(2024, 2, 29), D(2024, 2, 29), "day"),
        ("2026-W48", D(2026, 11, 23), D(2026, 11, 29), "week"),
        ("2026-W47", D(2026, 11, 16), D(2026, 11, 22), "week"),
        ("2026-W01", D(2025, 12, 29), D(2026, 1, 4), "week"),
        ("2020-W53", D(2020, 12, 28), D(2021, 1, 3), "week"),
        ("2026-W47-WE", D(2026, 11, 21), D(2026, 11, 22), "weekend"),
        ("2020-W53-WE", D(2021, 1, 2), D(2021, 1, 3), "weekend"),
        ("2026-11", D(2026, 11, 1), D(2026, 11, 30), "month"),
        ("2026-02", D(2026, 2, 1), D(2026, 2, 28), "month"),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "month"),
        ("2026-01", D(2026, 1, 1), D(2026, 1, 31), "month"),
        ("2026", D(2026, 1, 1), D(2026, 12, 31), "year"),
        ("1999", D(1999, 1, 1), D(1999, 12, 31), "year"),
        ("202X", D(2020, 1, 1), D(2029, 12, 31), "decade"),
        ("199X", D(1990, 1, 1), D(1999, 12, 31), "decade"),
    ],
)
def test_values_that_have_begun_are_taken_as_said(
    value: str, start: date, end: date, kind: SpanKind
) -> None:
    assert span(value) == DateSpan(start, end, kind, shifted=False)


@pytest.mark.parametrize(
    ("value", "start", "end", "season"),
    [
        ("2026-SP", D(2026, 3, 1), D(2026, 5, 31), "spring"),
        ("2026-SU", D(2026, 6, 1), D(2026, 8, 31), "summer"),
        ("2026-FA", D(2026, 9, 1), D(2026, 11, 30), "fall"),
        ("2025-WI", D(2025, 12, 1), D(2026, 2, 28), "winter"),
        ("2023-WI", D(2023, 12, 1), D(2024, 2, 29), "winter"),
    ],
)
def test_seasons_are_meteorological_and_winter_crosses_the_year(
    value: str, start: date, end: date, season: str
) -> None:
    assert span(value) == DateSpan(start, end, "season", shifted=False, season=season)


def test_only_seasons_carry_a_season_name() -> None:
    for value in ("2026-11-20", "2026-W47", "2026-W47-WE", "2026-11", "2026", "202X"):
        assert span(value).season is None


def test_a_span_running_past_today_is_not_shifted() -> None:
    for value in ("2026-W48", "2026-11", "2026-FA", "2026", "202X"):
        result = span(value)
        assert result.start <= TODAY < result.end
        assert not result.shifted


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        # "tomorrow" (Friday): the Friday just gone.
        ("2026-11-27", D(2026, 11, 20), D(2026, 11, 20)),
        # "monday": Alexa picks next Monday; we mean the last one.
        ("2026-11-30", D(2026, 11, 23), D(2026, 11, 23)),
        # "thursday" said on a Thursday, resolved a week ahead: today.
        ("2026-12-03", D(2026, 11, 26), D(2026, 11, 26)),
        # Eight days ahead is no weekday: the same date last year.
        ("2026-12-04", D(2025, 12, 4), D(2025, 12, 4)),
        ("2027-11-20", D(2026, 11, 20), D(2026, 11, 20)),
        ("2031-01-15", D(2026, 1, 15), D(2026, 1, 15)),
        # February 29 in a year without one is February 28.
        ("2028-02-29", D(2026, 2, 28), D(2026, 2, 28)),
    ],
)
def test_a_future_day_moves_to_its_most_recent_past_occurrence(
    value: str, start: date, end: date
) -> None:
    assert span(value) == DateSpan(start, end, "day", shifted=True)


def test_a_future_leap_day_keeps_the_leap_day_when_the_past_year_has_one() -> None:
    today = D(2024, 3, 10)
    assert span("2028-02-29", today) == DateSpan(D(2024, 2, 29), D(2024, 2, 29), "day", True)


@pytest.mark.parametrize(
    ("value", "start", "end", "kind"),
    [
        # "this weekend" said on Thursday: the weekend just gone.
        ("2026-W48-WE", D(2026, 11, 21), D(2026, 11, 22), "weekend"),
        ("2026-W50-WE", D(2026, 11, 21), D(2026, 11, 22), "weekend"),
        # "next week": back whole weeks to the week that has begun.
        ("2026-W49", D(2026, 11, 23), D(2026, 11, 29), "week"),
        ("2027-W10", D(2026, 11, 23), D(2026, 11, 29), "week"),
        # A future month or season: the same one last year.
        ("2026-12", D(2025, 12, 1), D(2025, 12, 31), "month"),
        ("2027-03", D(2026, 3, 1), D(2026, 3, 31), "month"),
        ("2027-02", D(2026, 2, 1), D(2026, 2, 28), "month"),
    ],
)
def test_future_weeks_weekends_and_months_move_back(
    value: str, start: date, end: date, kind: SpanKind
) -> None:
    assert span(value) == DateSpan(start, end, kind, shifted=True)


def test_a_weekend_said_on_a_saturday_is_this_weekend() -> None:
    saturday = D(2026, 11, 28)
    assert span("2026-W48-WE", saturday) == DateSpan(saturday, D(2026, 11, 29), "weekend", False)


@pytest.mark.parametrize(
    ("value", "start", "end", "season"),
    [
        ("2026-WI", D(2025, 12, 1), D(2026, 2, 28), "winter"),
        ("2027-SP", D(2026, 3, 1), D(2026, 5, 31), "spring"),
        ("2030-SU", D(2026, 6, 1), D(2026, 8, 31), "summer"),
        ("2027-FA", D(2026, 9, 1), D(2026, 11, 30), "fall"),
    ],
)
def test_a_future_season_moves_back_whole_years(
    value: str, start: date, end: date, season: str
) -> None:
    assert span(value) == DateSpan(start, end, "season", shifted=True, season=season)


def test_this_winter_in_january_is_the_winter_that_began_in_december() -> None:
    january = D(2026, 1, 15)
    expected = DateSpan(D(2025, 12, 1), D(2026, 2, 28), "season", False, season="winter")
    assert span("2025-WI", january) == expected
    assert span("2026-WI", january) == dataclasses.replace(expected, shifted=True)


@pytest.mark.parametrize("value", ["2027", "2099", "203X", "210X"])
def test_a_future_year_or_decade_is_unusable(value: str) -> None:
    assert resolve_amazon_date(value, TODAY) == UnusableDate(value, "future")


def test_a_year_is_usable_from_its_first_day() -> None:
    assert span("2027", D(2027, 1, 1)).start == D(2027, 1, 1)
    assert span("203X", D(2030, 1, 1)).start == D(2030, 1, 1)


@pytest.mark.parametrize(
    ("value", "start", "end", "kind"),
    [
        ("XXXX-11-20", D(2026, 11, 20), D(2026, 11, 20), "day"),
        ("XXXX-11-26", D(2026, 11, 26), D(2026, 11, 26), "day"),
        ("XXXX-11-27", D(2025, 11, 27), D(2025, 11, 27), "day"),
        ("XXXX-12-25", D(2025, 12, 25), D(2025, 12, 25), "day"),
        ("XXXX-02-29", D(2026, 2, 28), D(2026, 2, 28), "day"),
        ("XXXX-W48", D(2026, 11, 23), D(2026, 11, 29), "week"),
        ("XXXX-W49", D(2025, 12, 1), D(2025, 12, 7), "week"),
        ("XXXX-W53", D(2020, 12, 28), D(2021, 1, 3), "week"),
        ("XXXX-W47-WE", D(2026, 11, 21), D(2026, 11, 22), "weekend"),
        ("XXXX-W48-WE", D(2025, 11, 29), D(2025, 11, 30), "weekend"),
        ("XXXX-11", D(2026, 11, 1), D(2026, 11, 30), "month"),
        ("XXXX-12", D(2025, 12, 1), D(2025, 12, 31), "month"),
    ],
)
def test_a_value_without_a_year_is_its_most_recent_occurrence(
    value: str, start: date, end: date, kind: SpanKind
) -> None:
    assert span(value) == DateSpan(start, end, kind, shifted=False)


def test_a_yearless_week_one_may_begin_in_the_previous_calendar_year() -> None:
    assert span("XXXX-W01", D(2025, 12, 30)) == DateSpan(
        D(2025, 12, 29), D(2026, 1, 4), "week", shifted=False
    )


def test_a_yearless_leap_day_finds_a_leap_day_in_a_leap_year() -> None:
    assert span("XXXX-02-29", D(2024, 3, 1)) == DateSpan(
        D(2024, 2, 29), D(2024, 2, 29), "day", shifted=False
    )


@pytest.mark.parametrize(
    ("value", "start", "end", "season"),
    [
        ("XXXX-SU", D(2026, 6, 1), D(2026, 8, 31), "summer"),
        ("XXXX-FA", D(2026, 9, 1), D(2026, 11, 30), "fall"),
        ("XXXX-WI", D(2025, 12, 1), D(2026, 2, 28), "winter"),
    ],
)
def test_a_season_without_a_year_is_its_most_recent_occurrence(
    value: str, start: date, end: date, season: str
) -> None:
    assert span(value) == DateSpan(start, end, "season", shifted=False, season=season)


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "today",
        "present_ref",
        "2026-13-01",
        "2026-00-10",
        "2026-02-30",
        "2027-02-29",
        "2026-11-31",
        "2026-1-5",
        "26-11-26",
        "0000-01-01",
        "2026-11-26T10:00",
        " 2026-11-26",
        "2026-11-26\n",
        "2026-W60",
        "2026-W00",
        "2021-W53",
        "2021-W53-WE",
        "2026-W5",
        "2026-w48",
        "2026-W48-we",
        "2026-W48-WE-",
        "2026-W48WE",
        "2026-13",
        "2026-00",
        "2026-wi",
        "2026-AU",
        "0000",
        "20XX",
        "000X",
        "XXXX",
        "XXXX-XX",
        "XXXX-XX-XX",
        "XXXX-13",
        "XXXX-02-30",
        "XXXX-W54",
        "xxxx-11-20",
        "\uff12\uff10\uff12\uff16",  # Full-width digits: "2026" in another script.
        "\u0662\u0660\u0662\u0666-11-26",  # Arabic-Indic digits.
    ],
)
def test_malformed_values_are_unrecognised(value: str) -> None:
    assert resolve_amazon_date(value, TODAY) == UnusableDate(value, "unrecognised")


@pytest.mark.parametrize("value", [None, ""])
def test_a_missing_value_is_unrecognised(value: str | None) -> None:
    assert resolve_amazon_date(value, TODAY) == UnusableDate("", "unrecognised")


def test_results_are_immutable() -> None:
    result = span("2026-11-20")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.start = TODAY  # type: ignore[misc]


@pytest.mark.parametrize(
    "value",
    [
        "2026-12-31", "2027-01-01", "2028-02-29", "2026-W01", "2026-W53", "2026-W53-WE",
        "2027-W01-WE", "2026-12", "2027-01", "2026-WI", "2026-SP", "XXXX-01-01", "XXXX-12-31",
        "XXXX-W01", "XXXX-W53-WE", "XXXX-01", "XXXX-WI", "PRESENT_REF",
    ],
)  # fmt: skip
def test_no_span_ever_starts_after_today(value: str) -> None:
    today = D(2025, 12, 1)
    while today <= D(2027, 1, 31):
        result = span(value, today)
        assert result.start <= today, (value, today, result)
        assert result.start <= result.end
        today += timedelta(days=1)
