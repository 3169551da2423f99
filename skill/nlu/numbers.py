"""Spoken numbers and durations to AMAZON.NUMBER and AMAZON.DURATION values, as Alexa sends them.

AMAZON.NUMBER is the number in digits: "twenty five" -> ``25``, "one hundred and three" ->
``103``, "minus four" -> ``-4``. AMAZON.DURATION is an ISO 8601 duration, ``PnYnMnWnDTnHnMnS``:
"five minutes" -> ``PT5M``, "a week" -> ``P1W``, "an hour and a half" -> ``PT1H30M``. A phrase
that is not one is None, a normal result: the capture does not match.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "CARDINALS",
    "TENS",
    "could_be_duration",
    "could_be_number",
    "to_amazon_duration",
    "to_amazon_number",
]

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = [
    "ten", "eleven", "twelve", "thirteen", "fourteen",
    "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]  # fmt: skip
CARDINALS = {word: n for n, word in enumerate(_ONES)} | {w: 10 + n for n, w in enumerate(_TEENS)}
"""Number words 0 to 19."""
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
"""Multiples of ten, 20 to 90."""
_SCALES = (("billion", 10**9), ("million", 10**6), ("thousand", 1000))
_NEGATIVE = ("minus", "negative")
_NUMBER_WORDS = frozenset([*CARDINALS, *TENS, "hundred", *(name for name, _ in _SCALES)])

# Duration units: word -> (ISO designator, whether it is a time element after "T").
_UNITS = {
    **dict.fromkeys(("year", "years"), ("Y", False)),
    **dict.fromkeys(("month", "months"), ("M", False)),
    **dict.fromkeys(("week", "weeks"), ("W", False)),
    **dict.fromkeys(("day", "days"), ("D", False)),
    **dict.fromkeys(("hour", "hours", "hr", "hrs"), ("H", True)),
    **dict.fromkeys(("minute", "minutes", "min", "mins"), ("M", True)),
    **dict.fromkeys(("second", "seconds", "sec", "secs"), ("S", True)),
}
_ORDER = (("Y", False), ("M", False), ("W", False), ("D", False), ("H", True), ("M", True),
          ("S", True))  # fmt: skip
# A quarter of a unit in the next smaller one ("half a day" is 12 hours); weeks and months do
# not divide evenly, so "a week and a half" is not a duration Alexa would send exactly.
_QUARTER = {("Y", False): (("M", False), 3), ("D", False): (("H", True), 6),
            ("H", True): (("M", True), 15), ("M", True): (("S", True), 15)}  # fmt: skip
# Fractions said with a unit, in quarters: before it ("half an hour") and after ("... and a half").
_FRACTION_BEFORE = {
    ("half", "a"): 2, ("half", "an"): 2, ("a", "half"): 2, ("half",): 2,
    ("a", "quarter", "of", "an"): 1, ("quarter", "of", "an"): 1, ("a", "quarter", "of", "a"): 1,
    ("three", "quarters", "of", "an"): 3, ("three", "quarters", "of", "a"): 3,
}  # fmt: skip
_FRACTION_AFTER = {("and", "a", "half"): 2, ("and", "a", "quarter"): 1,
                   ("and", "three", "quarters"): 3}  # fmt: skip
_COUNT_WORDS = {("a",): 1, ("an",): 1, ("a", "couple", "of"): 2, ("couple", "of"): 2}


def to_amazon_number(phrase: str) -> str | None:
    """The AMAZON.NUMBER value for ``phrase`` (normalised words), or None."""
    words = phrase.split()
    digits = _digit_run(words)
    if digits is not None:
        return digits
    sign = ""
    if words[:1] and words[0] in _NEGATIVE:
        sign, words = "-", words[1:]
    value = _spoken_number(words)
    if value is None:
        return None
    return f"{sign}{value}" if value else "0"


_DIGIT_RUN = 4
"""Fewest digits said one at a time that make a number (a code, a PIN): "five six" is not."""


def _digit_run(words: Sequence[str]) -> str | None:
    """A code said (or typed) a digit or a group of digits at a time, as Alexa joins it:
    "four eight one five two three" and "481 523" -> ``481523``; None for anything else."""
    if len(words) < 2:
        return None
    if all(word.isascii() and word.isdigit() for word in words):
        joined = "".join(words)
    elif all(word in _ONES for word in words):
        joined = "".join(str(_ONES.index(word)) for word in words)
    else:
        return None
    return str(int(joined)) if len(joined) >= _DIGIT_RUN else None


def could_be_number(words: Sequence[str]) -> bool:
    """Whether ``words`` hold a number word or digits (else no run of them is a number)."""
    return any(word in _NUMBER_WORDS or word.isdigit() for word in words)


def _spoken_number(words: Sequence[str]) -> int | None:
    """A non-negative whole number in digits ("2026") or words ("two thousand and twenty six",
    "a hundred", "twelve hundred"), or None."""
    if len(words) == 1 and words[0].isdigit():
        return int(words[0])
    return _scaled(list(words), 0)


def _scaled(words: list[str], level: int) -> int | None:
    """``words`` as [n billion] [n million] [n thousand] [n below a thousand]."""
    if not words:
        return None
    if level == len(_SCALES):
        return _below_thousand(words)
    name, size = _SCALES[level]
    if name not in words:
        return _scaled(words, level + 1)
    at = words.index(name)
    head = 1 if words[:at] in (["a"], ["an"]) else _below_thousand(words[:at])
    rest = words[at + 1 :]
    if rest[:1] == ["and"]:  # "a thousand and five"
        rest = rest[1:]
        if not rest:
            return None
    tail = _scaled(rest, level + 1) if rest else 0
    if not head or tail is None:
        return None
    return head * size + tail


def _below_thousand(words: list[str]) -> int | None:
    """1..999 (or zero): "three", "forty two", "a hundred and three", "twelve hundred"."""
    if "hundred" not in words:
        return _below_hundred(words)
    at = words.index("hundred")
    head = 1 if words[:at] in (["a"], ["an"]) else _below_hundred(words[:at])
    rest = words[at + 1 :]
    if rest[:1] == ["and"]:
        rest = rest[1:]
        if not rest:
            return None
    tail = _below_hundred(rest) if rest else 0
    if not head or tail is None or (rest and not tail):
        return None
    return head * 100 + tail


def _below_hundred(words: list[str]) -> int | None:
    if len(words) == 1:
        return CARDINALS.get(words[0], TENS.get(words[0]))
    if len(words) == 2 and words[0] in TENS and CARDINALS.get(words[1], 0) in range(1, 10):
        return TENS[words[0]] + CARDINALS[words[1]]
    return None


# --- durations -------------------------------------------------------------------------------


def to_amazon_duration(phrase: str) -> str | None:
    """The AMAZON.DURATION value for ``phrase`` (normalised words), or None: amounts of units,
    "and" between them optional ("two hours and thirty minutes" -> ``PT2H30M``)."""
    words = phrase.split()
    if words[:1] == ["for"]:  # "for ten minutes"
        words = words[1:]
    quarters: dict[tuple[str, bool], int] = {}
    amount: list[str] = []
    at = 0
    while at < len(words):
        unit = _UNITS.get(words[at])
        at += 1
        if unit is None:
            amount.append(words[at - 1])
            continue
        count = _quarters(amount)
        if count is None or unit in quarters:
            return None
        for tail, extra in _FRACTION_AFTER.items():  # "an hour and a half"
            if tuple(words[at : at + len(tail)]) == tail:
                if count % 4:
                    return None  # "one and a half hours and a half"
                count, at = count + extra, at + len(tail)
                break
        quarters[unit], amount = count, []
        if words[at : at + 1] == ["and"] and at + 1 < len(words):
            at += 1
    if amount or not quarters:
        return None
    return _iso_duration(quarters)


def could_be_duration(words: Sequence[str]) -> bool:
    """Whether ``words`` hold a unit of time (else no run of them is a duration)."""
    return any(word in _UNITS for word in words)


def _quarters(amount: list[str]) -> int | None:
    """How many quarters of a unit ``amount`` says: "a" 4, "two and a half" 10, "half an" 2."""
    fraction = _FRACTION_BEFORE.get(tuple(amount))
    if fraction is not None:
        return fraction
    extra = 0
    for tail, quarters in _FRACTION_AFTER.items():
        if len(amount) > len(tail) and tuple(amount[-len(tail) :]) == tail:
            amount, extra = amount[: -len(tail)], quarters  # "two and a half hours"
            break
    count = _COUNT_WORDS.get(tuple(amount))
    if count is None:
        count = _spoken_number(amount)
    return None if count is None else count * 4 + extra


def _iso_duration(quarters: dict[tuple[str, bool], int]) -> str | None:
    whole: dict[tuple[str, bool], int] = {}
    for unit, count in quarters.items():
        if count // 4 or not count % 4:  # "half an hour" is PT30M, "zero minutes" PT0M
            whole[unit] = count // 4
        if count % 4:
            if unit not in _QUARTER:
                return None  # "a week and a half": not a whole number of any unit
            smaller, size = _QUARTER[unit]
            if smaller in quarters:
                return None  # "an hour and a half and ten minutes"
            whole[smaller] = count % 4 * size
    date_part = "".join(f"{whole[u]}{u[0]}" for u in _ORDER if not u[1] and u in whole)
    time_part = "".join(f"{whole[u]}{u[0]}" for u in _ORDER if u[1] and u in whole)
    return "P" + date_part + ("T" + time_part if time_part else "")
