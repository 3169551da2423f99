"""Notes a benchmark leaves for the reader (a skipped figure, a caveat), printed with the figures.

A benchmark returns only numbers (``dict[str, float]``); what it has to say in words goes here.
"""

from __future__ import annotations

_notes: list[str] = []


def note(text: str) -> None:
    """Add one line to the run's notes."""
    _notes.append(text)


def take() -> list[str]:
    """The notes so far, in order; clears them."""
    taken = list(_notes)
    _notes.clear()
    return taken
