"""Phrases every English sentence is built from (counts, days, cards), shared by the speech
modules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

__all__ = [
    "DELETE_HINT",
    "Card",
    "ScopeKind",
    "are",
    "count_of",
    "day_name",
    "month_day",
    "ordinal",
]

DELETE_HINT = "say: delete what I said today, or: delete everything I've said"
ScopeKind = Literal["person", "account", "everyone"]
"""Whose recordings a sentence is about: the recognised speaker's, the whole account's (an
unrecognised speaker), or everyone's (a recognised speaker who said so)."""


@dataclass(frozen=True)
class Card:
    """A simple card for the Alexa app."""

    title: str
    """Card title."""
    content: str
    """Plain-text body, one fact a line."""


def ordinal(n: int) -> str:
    """1 -> 1st, 22 -> 22nd, 13 -> 13th."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def count_of(n: int, noun: str = "recording") -> str:
    """'one recording', '12 recordings', '1,204 recordings'."""
    return f"one {noun}" if n == 1 else f"{n:,} {noun}s"


def day_name(day: date, today: date) -> str:
    """'today', 'yesterday', 'Monday, November 23rd', with the year when it is not this year."""
    if day == today:
        return "today"
    if day == today - timedelta(days=1):
        return "yesterday"
    text = f"{day:%A}, {day:%B} {ordinal(day.day)}"
    return text if day.year == today.year else f"{text}, {day.year}"


def month_day(day: date, today: date) -> str:
    text = f"{day:%B} {ordinal(day.day)}"
    return text if day.year == today.year else f"{text}, {day.year}"



def are(count: int) -> str:
    return "is" if count == 1 else "are"
