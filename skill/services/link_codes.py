"""What a spoken dashboard code is, and what looking one up can answer: plain values (no
SQLAlchemy), so the skill's handlers import them without loading the database layer (a
LaunchRequest on Lambda never does)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

__all__ = ["CODE_DIGITS", "CodeRefused", "FoundCode", "normalise_code"]

CODE_DIGITS = 6


@dataclass(frozen=True)
class FoundCode:
    """A code that names a waiting browser."""

    session_id: int
    """The browser session it would link."""
    expires_at: datetime


@dataclass(frozen=True)
class CodeRefused:
    """Why a spoken code links nothing (a result, not an error)."""

    reason: Literal["unknown", "expired", "too_many", "used"]
    """``unknown``: no browser waits with it (wrong, reused, or not a code at all);
    ``expired``: it was shown more than 10 minutes ago; ``too_many``: this user said too many
    wrong codes lately; ``used``: it was used (or its browser went) while the skill asked."""


def normalise_code(value: str | None) -> str | None:
    """A spoken code as the six digits Alexa's AMAZON.NUMBER slot carries ("481523"), or None
    when it cannot be one."""
    if value is None:
        return None
    digits = "".join(value.split())
    if len(digits) != CODE_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return digits
