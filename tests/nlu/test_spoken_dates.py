"""Spoken date phrases resolve to the AMAZON.DATE values Alexa sends."""

from __future__ import annotations

from datetime import date

import pytest

from skill.nlu.spoken_dates import to_amazon_date

THURSDAY = date(2026, 11, 26)  # ISO week 48


# Each family Alexa resolves, said on Thursday 2026-11-26, with the value Alexa sends.
FAMILIES: dict[str, list[tuple[str, str]]] = {
    "fixed days": [
        ("today", "2026-11-26"),
        ("Today", "2026-11-26"),
        ("yesterday", "2026-11-25"),
        ("tomorrow", "2026-11-27"),
        ("the day before yesterday", "2026-11-24"),
        ("day after tomorrow", "2026-11-28"),
    ],
    "weeks": [
        ("this week", "2026-W48"),
        ("last week", "2026-W47"),
        ("past week", "2026-W47"),
        ("next week", "2026-W49"),
    ],
    "weekends": [
        ("this weekend", "2026-W48-WE"),
        ("last weekend", "2026-W47-WE"),
        ("next weekend", "2026-W49-WE"),
    ],
    "months": [
        ("this month", "2026-11"),
        ("last month", "2026-10"),
        ("next month", "2026-12"),
    ],
    "month names, biased to the future": [
        ("march", "2027-03"),
        ("january", "2027-01"),
        ("october", "2027-10"),
        ("november", "2026-11"),
        ("december", "2026-12"),
        ("sept", "2027-09"),
        ("this march", "2027-03"),
        ("last march", "2026-03"),
        ("last november", "2025-11"),
        ("last december", "2025-12"),
        ("next november", "2027-11"),
        ("next december", "2026-12"),
        ("march 2025", "2025-03"),
        ("march of 2025", "2025-03"),
        ("march twenty twenty five", "2025-03"),
        ("march last year", "2025-03"),
        ("march next year", "2027-03"),
    ],
    "weekdays, biased to the future": [
        ("monday", "2026-11-30"),
        ("wednesday", "2026-12-02"),
        ("thursday", "2026-11-26"),
        ("friday", "2026-11-27"),
        ("sunday", "2026-11-29"),
        ("this monday", "2026-11-30"),
        ("last monday", "2026-11-23"),
        ("last wednesday", "2026-11-25"),
        ("last thursday", "2026-11-19"),
        ("last friday", "2026-11-20"),
        ("next thursday", "2026-12-03"),
    ],
    "month and day": [
        ("november twenty fifth", "2027-11-25"),
        ("november twenty-fifth", "2027-11-25"),
        ("the twenty fifth of november", "2027-11-25"),
        ("November 25th", "2027-11-25"),
        ("november 25", "2027-11-25"),
        ("25 november", "2027-11-25"),
        ("november twenty sixth", "2026-11-26"),
        ("november the 27th", "2026-11-27"),
        ("november twenty one", "2027-11-21"),
        ("january first", "2027-01-01"),
        ("december third", "2026-12-03"),
        ("may 3rd", "2027-05-03"),
        ("november twenty fifth twenty twenty five", "2025-11-25"),
        ("november 25th, 2025", "2025-11-25"),
        ("the fourth of july two thousand and nine", "2009-07-04"),
        ("february twenty ninth", "2028-02-29"),
    ],
    "day of the month": [
        ("the third", "2026-12-03"),
        ("the 3rd", "2026-12-03"),
        ("third", "2026-12-03"),
        ("the first", "2026-12-01"),
        ("the twenty sixth", "2026-11-26"),
        ("the twenty seventh", "2026-11-27"),
        ("the 27th", "2026-11-27"),
        ("the twenty two", "2026-12-22"),
        ("the thirtieth", "2026-11-30"),
        ("the thirty first", "2026-12-31"),
        ("the 31st", "2026-12-31"),
    ],
    "years": [
        ("this year", "2026"),
        ("last year", "2025"),
        ("next year", "2027"),
        ("twenty twenty five", "2025"),
        ("twenty ten", "2010"),
        ("two thousand and nine", "2009"),
        ("two thousand twenty four", "2024"),
        ("twenty oh five", "2005"),
        ("nineteen ninety nine", "1999"),
        ("2025", "2025"),
        ("the year 2024", "2024"),
        ("the year twenty twenty", "2020"),
    ],
    "seasons": [
        ("this winter", "2026-WI"),
        ("this spring", "2026-SP"),
        ("this summer", "2026-SU"),
        ("this fall", "2026-FA"),
        ("this autumn", "2026-FA"),
        ("winter", "2026-WI"),
        ("spring", "2027-SP"),
        ("summer", "2027-SU"),
        ("fall", "2026-FA"),
        ("last winter", "2025-WI"),
        ("last spring", "2026-SP"),
        ("last summer", "2026-SU"),
        ("last fall", "2025-FA"),
        ("next winter", "2026-WI"),
        ("next summer", "2027-SU"),
        ("next fall", "2027-FA"),
    ],
    "decades": [
        ("this decade", "202X"),
        ("last decade", "201X"),
        ("next decade", "203X"),
        ("the nineties", "199X"),
        ("the eighties", "198X"),
        ("the twenties", "202X"),
        ("the thirties", "193X"),
        ("the 1980s", "198X"),
        ("the 90s", "199X"),
        ("the two thousands", "200X"),
    ],
    "with a preposition": [
        ("on monday", "2026-11-30"),
        ("in march", "2027-03"),
        ("from last week", "2026-W47"),
        ("for yesterday", "2026-11-25"),
        ("during the summer", "2027-SU"),
        ("on the third", "2026-12-03"),
    ],
    "written": [("2026-02-03", "2026-02-03")],
}
CASES = [(family, phrase, value) for family, cases in FAMILIES.items() for phrase, value in cases]


@pytest.mark.parametrize(
    ("family", "phrase", "expected"), CASES, ids=[f"{f}: {p}" for f, p, _ in CASES]
)
def test_phrase_resolves_as_alexa_does(family: str, phrase: str, expected: str) -> None:
    assert to_amazon_date(phrase, THURSDAY) == expected


_CARDINALS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
)
_ORDINALS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"
)


def _spoken(number: int, ordinal: bool) -> str:
    """1..31 as AMAZON.NUMBER-style words: "twenty one", "twenty first", "thirtieth"."""
    words = (_ORDINALS if ordinal else _CARDINALS).split()
    if number < 20:
        return words[number - 1]
    tens = "twenty" if number < 30 else "thirty"
    if number % 10:
        return f"{tens} {words[number % 10 - 1]}"
    return tens[:-1] + "ieth" if ordinal else tens


@pytest.mark.parametrize("day", range(1, 32))
def test_every_day_number_in_words(day: int) -> None:
    expected = f"2026-12-{day:02d}"
    assert to_amazon_date(f"december {_spoken(day, ordinal=True)}", THURSDAY) == expected
    assert to_amazon_date(f"december {_spoken(day, ordinal=False)}", THURSDAY) == expected
    assert to_amazon_date(f"the {_spoken(day, ordinal=True)} of december", THURSDAY) == expected


@pytest.mark.parametrize(
    "phrase",
    [
        "",
        "hello",
        "the weather",
        "twenty five",
        "three",
        "my recordings",
        "2026-02-30",
        "the",
        "the thirty second",
        "the thirty two",
        "december thirty second",
        "february thirtieth 2026",
        "the zeroth",
        "last summer holiday",
        "the fifties and sixties",
    ],
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


def test_seasons_follow_the_calendar() -> None:
    january = date(2027, 1, 15)  # in the winter that began in December 2026
    assert to_amazon_date("winter", january) == "2026-WI"
    assert to_amazon_date("this winter", january) == "2026-WI"
    assert to_amazon_date("last winter", january) == "2025-WI"
    assert to_amazon_date("next winter", january) == "2027-WI"
    assert to_amazon_date("last summer", january) == "2026-SU"
    june_first = date(2027, 6, 1)
    assert to_amazon_date("summer", june_first) == "2027-SU"
    assert to_amazon_date("last summer", june_first) == "2026-SU"
    assert to_amazon_date("last spring", june_first) == "2027-SP"


def test_decades_are_the_latest_begun() -> None:
    assert to_amazon_date("the twenties", date(2019, 6, 1)) == "192X"
    assert to_amazon_date("the twenties", date(2020, 1, 1)) == "202X"
