"""Spoken date phrases to AMAZON.DATE values, the way Alexa resolves them.

Alexa turns what a person says into an ISO-8601-like string: a day (``2026-11-26``), an ISO week
(``2026-W48``), a weekend (``2026-W48-WE``), a month (``2026-11``), a year (``2026``), a decade
(``202X``) or a season (``2026-WI``, winter labelled by the year it starts in). A bare weekday,
month, season or day of the month is biased to the future: "march" in November is next March,
"the third" after the third is next month's third; "last ..." is the latest one that is over.

``to_amazon_date`` returns None for anything that is not a date phrase; that is a normal result,
not an error. Only ``today`` is an input: the caller decides which day "today" is (the device's
local day).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from skill.nlu.numbers import CARDINALS as _CARDINALS
from skill.nlu.numbers import TENS as _TENS

__all__ = ["could_be_date", "to_amazon_date"]

_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
_WEEKDAYS = {
    name: number
    for number, name in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    )
}
_SEASONS = {"winter": "WI", "spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA"}
_SEASON_STARTS = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
_STEPS = {"this": 0, "last": -1, "past": -1, "next": 1, "coming": 1}
_DECADE_WORDS = {
    "twenties": 2, "thirties": 3, "forties": 4, "fifties": 5, "sixties": 6, "seventies": 7,
    "eighties": 8, "nineties": 9,
}  # fmt: skip
_FIXED_DAYS = {
    "today": 0,
    "yesterday": -1,
    "tomorrow": 1,
    "day before yesterday": -2,
    "the day before yesterday": -2,
    "day after tomorrow": 2,
    "the day after tomorrow": 2,
}
# Words a slot capture may start with that do not change the date ("on monday", "in march").
_LEADING_PREPOSITIONS = ("on", "for", "from", "in", "during")
_NUMERIC_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")

Words = Sequence[str]
_ANCHORS = frozenset(
    [*_MONTHS, *_WEEKDAYS, *_SEASONS, *_DECADE_WORDS, *_ORDINAL_WORDS, *_CARDINALS, *_TENS]
)
_ANCHORS |= {"today", "yesterday", "tomorrow", "week", "weekend", "month", "year", "decade"}


def to_amazon_date(phrase: str, today: date) -> str | None:
    """The AMAZON.DATE value Alexa would send for ``phrase`` said on ``today``, or None."""
    raw = phrase.strip().lower()
    iso = _ISO_DAY.match(raw)
    if iso is not None:
        return raw if _valid(*(int(part) for part in iso.groups())) else None
    words = _words(raw)
    if words and words[0] in _LEADING_PREPOSITIONS:
        words = words[1:]
    if not words or not could_be_date(words):
        return None
    for rule in _RULES:
        value = rule(words, today)
        if value is not None:
            return value
    return None


def could_be_date(words: Sequence[str]) -> bool:
    """Whether ``words`` (lower case) hold a word every date phrase has: a day, month, season or
    period name, a number word, or digits. False means ``to_amazon_date`` finds no date in any
    run of them, so callers trying many runs of an utterance can skip it at once."""
    return any(word in _ANCHORS or any(c.isdigit() for c in word) for word in words)


def _words(text: str) -> list[str]:
    text = re.sub(r"[^\w\s']", " ", text.replace("\u2019", "'"))
    return text.split()


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


# --- numbers -------------------------------------------------------------------------------


def _cardinal(words: Words) -> int | None:
    """0..99 spoken as one or two words ("seven", "twenty", "twenty five") or digits."""
    if len(words) == 1:
        word = words[0]
        if word.isdigit() and len(word) <= 2:
            return int(word)
        return _CARDINALS.get(word, _TENS.get(word))
    if len(words) == 2 and words[0] in _TENS and words[1] in _CARDINALS:
        ones = _CARDINALS[words[1]]
        return _TENS[words[0]] + ones if 1 <= ones <= 9 else None
    return None


def _ordinal(words: Words) -> int | None:
    """1..31 as an ordinal: "third", "twenty fifth", "25th"."""
    if len(words) == 1:
        numeric = _NUMERIC_ORDINAL.match(words[0])
        value = int(numeric[1]) if numeric else _ORDINAL_WORDS.get(words[0])
    elif len(words) == 2 and words[0] in ("twenty", "thirty") and words[1] in _ORDINAL_WORDS:
        ones = _ORDINAL_WORDS[words[1]]
        value = _TENS[words[0]] + ones if ones <= 9 else None
    else:
        value = None
    return value if value is not None and 1 <= value <= 31 else None


def _day_of_month(words: Words, *, allow_cardinal: bool) -> int | None:
    if words and words[0] == "the":
        words = words[1:]
        allow_cardinal = True
    day = _ordinal(words)
    if day is None and allow_cardinal:
        day = _cardinal(words)
    return day if day is not None and 1 <= day <= 31 else None


def _year(words: Words) -> int | None:
    """A year: "2025", "twenty twenty five", "two thousand and five", "nineteen ninety nine"."""
    if len(words) == 1 and words[0].isdigit() and len(words[0]) == 4:
        return int(words[0])
    if words[:2] == ["two", "thousand"]:
        rest = words[2:]
        if rest[:1] == ["and"]:
            rest = rest[1:]
        if not rest:
            return 2000
        tail = _cardinal(rest)
        return None if tail is None else 2000 + tail
    for split in (1, 2):
        century = _cardinal(words[:split])
        if century is None or not 10 <= century <= 99:
            continue
        rest = words[split:]
        if rest == ["hundred"]:
            return century * 100
        if len(rest) == 2 and rest[0] in ("oh", "o") and _CARDINALS.get(rest[1], 0) >= 1:
            return century * 100 + _CARDINALS[rest[1]]
        tail = _cardinal(rest)
        if tail is not None and tail >= 10:
            return century * 100 + tail
    return None


# --- rules -----------------------------------------------------------------------------------


def _day(value: date) -> str:
    return value.isoformat()


def _week(value: date, weekend: bool = False) -> str:
    year, week, _ = value.isocalendar()
    return f"{year}-W{week:02d}" + ("-WE" if weekend else "")


def _month(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _fixed(words: Words, today: date) -> str | None:
    offset = _FIXED_DAYS.get(" ".join(words))
    return None if offset is None else _day(today + timedelta(days=offset))


def _relative_period(words: Words, today: date) -> str | None:
    """this/last/next + week, weekend, month, year, decade."""
    if len(words) != 2 or words[0] not in _STEPS:
        return None
    step, unit = _STEPS[words[0]], words[1]
    if unit in ("week", "weekend"):
        return _week(today + timedelta(weeks=step), weekend=unit == "weekend")
    if unit == "month":
        return _month(*_shift_month(today.year, today.month, step))
    if unit == "year":
        return f"{today.year + step:04d}"
    if unit == "decade":
        return f"{today.year // 10 + step}X"
    return None


def _season(words: Words, today: date) -> str | None:
    """A season, meteorological and northern: "winter" (the one under way, else the next),
    "this summer" (this year's, or the winter under way), "last spring" (the latest that has
    ended), "next fall" (the first that has not begun). Winter is labelled by the year it
    starts in: ``2026-WI`` is December 2026 to February 2027."""
    modifier = "bare"
    if len(words) == 2 and words[0] in _STEPS:
        modifier, words = words[0], words[1:]
    elif words[:1] == ["the"]:  # "during the summer"
        words = words[1:]
    if len(words) != 1 or words[0] not in _SEASONS:
        return None
    code = _SEASONS[words[0]]
    under_way = [y for y in (today.year - 1, today.year) if _in_season(today, y, code)]
    if modifier in ("last", "past"):
        year = today.year
        while _season_days(year, code)[1] >= today:
            year -= 1
    elif modifier in ("next", "coming"):
        year = today.year - 1
        while _season_days(year, code)[0] <= today:
            year += 1
    elif under_way:
        year = under_way[0]
    elif modifier == "this":
        year = today.year
    else:  # future bias
        year = today.year - 1
        while _season_days(year, code)[1] < today:
            year += 1
    return f"{year:04d}-{code}"


def _in_season(day: date, year: int, code: str) -> bool:
    first, last = _season_days(year, code)
    return first <= day <= last


def _season_days(year: int, code: str) -> tuple[date, date]:
    """First and last day of season ``code`` labelled ``year``."""
    start = _SEASON_STARTS[code]
    first = date(year, start, 1)
    after = date(year + (start + 3 > 12), (start + 3 - 1) % 12 + 1, 1)
    return first, after - timedelta(days=1)


def _decade(words: Words, today: date) -> str | None:
    """A named decade, the latest that has begun: "the nineties" (199X), "the twenties" (202X in
    the 2020s), "the 1980s", "the 80s", "the two thousands" (200X)."""
    if words[:1] == ["the"]:
        words = words[1:]
    if len(words) != 1 and words != ["two", "thousands"]:
        return None
    word = words[0] if len(words) == 1 else "2000s"
    digits = re.fullmatch(r"(\d{2})?(\d)0s", word)
    if word in _DECADE_WORDS:
        tens = _DECADE_WORDS[word]
    elif digits is None:
        return None
    elif digits[1]:
        return f"{digits[1]}{digits[2]}X"
    else:
        tens = int(digits[2])
    century = today.year // 100
    if century * 100 + tens * 10 > today.year:
        century -= 1
    return f"{century}{tens}X"


def _weekday(words: Words, today: date) -> str | None:
    """A weekday: "monday" / "this monday" (today or the next one), "last monday", "next monday"."""
    modifier = "this"
    if len(words) == 2 and words[0] in ("this", "last", "next", "coming", "past"):
        modifier, words = words[0], words[1:]
    if len(words) != 1 or words[0] not in _WEEKDAYS:
        return None
    ahead = (_WEEKDAYS[words[0]] - today.weekday()) % 7
    if modifier in ("last", "past"):
        return _day(today - timedelta(days=(7 - ahead) if ahead else 7))
    if modifier in ("next", "coming"):
        return _day(today + timedelta(days=ahead or 7))
    return _day(today + timedelta(days=ahead))


def _month_name(words: Words, today: date) -> str | None:
    """A month: "march" (the next March, this one if it is March), "last march", "march 2025"."""
    modifier = "this"
    if words and words[0] in ("this", "last", "next", "coming", "past"):
        modifier, words = words[0], words[1:]
    if not words or words[0] not in _MONTHS:
        return None
    month, rest = _MONTHS[words[0]], list(words[1:])
    if rest[:1] == ["of"]:
        rest = rest[1:]
    if len(rest) == 2 and rest[0] in _STEPS and rest[1] == "year" and modifier == "this":
        return _month(today.year + _STEPS[rest[0]], month)  # "march last year"
    if rest:
        year = _year(rest)
        return _month(year, month) if year is not None and modifier == "this" else None
    year = today.year
    if modifier == "this" and month < today.month:
        year += 1
    elif modifier in ("last", "past"):
        year -= 1 if month >= today.month else 0
    elif modifier in ("next", "coming"):
        year += 1 if month <= today.month else 0
    return _month(year, month)


def _day_and_month(words: Words, today: date) -> str | None:
    """A day: "november twenty fifth", "the 25th of november", "25 november", each with an optional
    year; without a year, the next such day (today counts)."""
    for month_at in range(len(words)):
        month = _MONTHS.get(words[month_at])
        if month is None:
            continue
        before, after = list(words[:month_at]), list(words[month_at + 1 :])
        if before:  # "the twenty fifth of november [2026]"
            if before[-1] == "of":
                before = before[:-1]
            day, year_words = _day_of_month(before, allow_cardinal=True), after
        else:  # "november [the] twenty fifth [2026]": the day is 1-2 words (plus "the")
            day, year_words = None, []
            for end in range(len(after), 0, -1):
                day = _day_of_month(after[:end], allow_cardinal=True)
                if day is not None:
                    year_words = after[end:]
                    break
        if day is None:
            return None
        return _dated(month, day, year_words, today)
    return None


def _dated(month: int, day: int, year_words: Words, today: date) -> str | None:
    if year_words:
        year = _year(year_words)
        if year is None or not _valid(year, month, day):
            return None
        return _day(date(year, month, day))
    for year in range(today.year, today.year + 9):  # February 29th needs up to 8 years
        if _valid(year, month, day) and date(year, month, day) >= today:
            return _day(date(year, month, day))
    return None


def _bare_day(words: Words, today: date) -> str | None:
    """A day of the month: "the third", "the 3rd", "third": this month's, or the next month
    that has it (today counts)."""
    day = _day_of_month(words, allow_cardinal=False)
    if day is None:
        return None
    year, month = today.year, today.month
    for _ in range(13):
        if _valid(year, month, day) and date(year, month, day) >= today:
            return _day(date(year, month, day))
        year, month = _shift_month(year, month, 1)
    return None


def _bare_year(words: Words, today: date) -> str | None:
    """A year: "2025", "twenty twenty five", "the year two thousand and nine"."""
    if words[:2] == ["the", "year"]:
        words = words[2:]
    elif words[:1] == ["year"]:
        words = words[1:]
    year = _year(words)
    return None if year is None else f"{year:04d}"


_RULES: tuple[Callable[[Words, date], str | None], ...] = (
    _fixed,
    _relative_period,
    _season,
    _decade,
    _weekday,
    _month_name,
    _day_and_month,
    _bare_day,
    _bare_year,
)
