"""Spoken date phrases resolve to the AMAZON.DATE values Alexa sends."""

from __future__ import annotations

from datetime import date

import pytest

from skill.simulator.spoken_dates import to_amazon_date

THURSDAY = date(2026, 11, 26)  # ISO week 48


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("today", "2026-11-26"),
        ("Today", "2026-11-26"),
        ("yesterday", "2026-11-25"),
        ("tomorrow", "2026-11-27"),
        ("the day before yesterday", "2026-11-24"),
        ("this week", "2026-W48"),
        ("last week", "2026-W47"),
        ("next week", "2026-W49"),
        ("this weekend", "2026-W48-WE"),
        ("last weekend", "2026-W47-WE"),
        ("this month", "2026-11"),
        ("last month", "2026-10"),
        ("next month", "2026-12"),
        ("march", "2027-03"),
        ("november", "2026-11"),
        ("december", "2026-12"),
        ("last march", "2026-03"),
        ("last november", "2025-11"),
        ("march 2025", "2025-03"),
        ("march twenty twenty five", "2025-03"),
        ("monday", "2026-11-30"),
        ("thursday", "2026-11-26"),
        ("this monday", "2026-11-30"),
        ("last monday", "2026-11-23"),
        ("last thursday", "2026-11-19"),
        ("next thursday", "2026-12-03"),
        ("november twenty fifth", "2027-11-25"),
        ("november twenty-fifth", "2027-11-25"),
        ("the twenty fifth of november", "2027-11-25"),
        ("November 25th", "2027-11-25"),
        ("november 25", "2027-11-25"),
        ("25 november", "2027-11-25"),
        ("november twenty sixth", "2026-11-26"),
        ("november the 27th", "2026-11-27"),
        ("january first", "2027-01-01"),
        ("november twenty fifth twenty twenty five", "2025-11-25"),
        ("november 25th, 2025", "2025-11-25"),
        ("february twenty ninth", "2028-02-29"),
        ("the third", "2026-12-03"),
        ("the 3rd", "2026-12-03"),
        ("the twenty sixth", "2026-11-26"),
        ("the thirtieth", "2026-11-30"),
        ("the thirty first", "2026-12-31"),
        ("this year", "2026"),
        ("last year", "2025"),
        ("twenty twenty five", "2025"),
        ("two thousand and nine", "2009"),
        ("twenty oh five", "2005"),
        ("nineteen ninety nine", "1999"),
        ("2025", "2025"),
        ("this winter", "2026-WI"),
        ("this spring", "2026-SP"),
        ("this summer", "2026-SU"),
        ("this fall", "2026-FA"),
        ("this autumn", "2026-FA"),
        ("this decade", "202X"),
        ("on monday", "2026-11-30"),
        ("in march", "2027-03"),
        ("from last week", "2026-W47"),
        ("2026-02-03", "2026-02-03"),
    ],
)
def test_phrase_resolves_as_alexa_does(phrase: str, expected: str) -> None:
    assert to_amazon_date(phrase, THURSDAY) == expected


@pytest.mark.parametrize(
    "phrase",
    ["", "hello", "the weather", "twenty five", "three", "my recordings", "2026-02-30", "the"],
)
def test_non_dates_are_none(phrase: str) -> None:
    assert to_amazon_date(phrase, THURSDAY) is None


def test_weekday_said_on_that_day_is_today() -> None:
    monday = date(2026, 11, 30)
    assert to_amazon_date("monday", monday) == "2026-11-30"
    assert to_amazon_date("last monday", monday) == "2026-11-23"
    assert to_amazon_date("next monday", monday) == "2026-12-07"


def test_periods_cross_year_boundaries() -> None:
    new_year = date(2027, 1, 2)  # a Saturday in ISO week 2026-W53
    assert to_amazon_date("this week", new_year) == "2026-W53"
    assert to_amazon_date("next week", new_year) == "2027-W01"
    assert to_amazon_date("last month", new_year) == "2026-12"
    assert to_amazon_date("this weekend", new_year) == "2026-W53-WE"
    assert to_amazon_date("december", new_year) == "2027-12"
    assert to_amazon_date("last december", new_year) == "2026-12"


def test_day_of_month_skips_months_without_it() -> None:
    assert to_amazon_date("the thirty first", date(2027, 4, 2)) == "2027-05-31"
