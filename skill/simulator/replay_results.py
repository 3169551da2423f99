"""What a replay run found: one ``FileResult`` a file, one ``CaseResult`` a test in it.

A project replay file is one test (its dialog); a bespoken skill-testing-ml file holds one test
a ``---`` document. Reports (the terminal, ``--json`` and ``--junit``) are made from these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["AFTER_TURN", "CaseResult", "Failure", "FileResult", "Format"]

AFTER_TURN = 0
"""``Failure.turn`` of a failed ``after`` check."""
Format = Literal["replay", "bst"]


@dataclass(frozen=True)
class Failure:
    """One unmet expectation."""

    file: str
    """The replay file."""
    turn: int
    """1-based turn number (within its test); 0 (``AFTER_TURN``) for the ``after`` checks."""
    utterance: str
    """What was said on that turn; empty for the ``after`` checks."""
    field: str
    """The expectation: ``speech``, ``slots.date``, ``after.recordings``, or for a bespoken
    file the path it checks (``prompt``, ``response.card.title``)."""
    expected: str
    """What the file expects, as shown in the report (text in double quotes)."""
    actual: str
    """What happened, shown the same way; ``(nothing)`` when there was nothing."""
    test: str = ""
    """The test it belongs to, in a file of several (bespoken files); empty otherwise."""

    def as_json(self) -> dict[str, Any]:
        return {
            "test": self.test or None,
            "turn": self.turn,
            "utterance": self.utterance,
            "field": self.field,
            "expected": self.expected,
            "actual": self.actual,
        }


@dataclass
class CaseResult:
    """One test of a file: a whole project replay file, or one bespoken test."""

    name: str
    """The test's name."""
    turns: int = 0
    """How many turns were played."""
    failures: list[Failure] = field(default_factory=list)
    """Unmet expectations, in the order they were checked."""
    error: str | None = None
    """Why the test could not be played to its end; None if it ran."""
    skipped: bool = False
    """Not run (``test.skip``, or another test of the file is ``test.only``)."""
    seconds: float = 0.0
    """How long it took."""

    @property
    def passed(self) -> bool:
        return not self.skipped and self.error is None and not self.failures


@dataclass
class FileResult:
    """The outcome of one replay file."""

    file: str
    """The replay file, as given."""
    name: str
    """The dialog's name (the file's stem when the file could not be read)."""
    turns: int
    """How many turns were played, over all its tests."""
    failures: list[Failure] = field(default_factory=list)
    """Unmet expectations, in the order they were checked, over all its tests."""
    error: str | None = None
    """Why the file could not be played (broken file, skill unreachable, ...); None if it ran.
    For a file of several tests, the first test's error (each test has its own)."""
    cases: list[CaseResult] = field(default_factory=list)
    """Its tests: one for a project replay file, one a test for a bespoken file."""
    format: Format = "replay"
    """Which format the file is in."""
    seconds: float = 0.0
    """How long the file took."""

    @property
    def passed(self) -> bool:
        if self.error is not None or self.failures:
            return False
        return all(case.passed or case.skipped for case in self.cases)

    def as_json(self) -> dict[str, Any]:
        """The file's result for ``replay --json``."""
        return {
            "file": self.file,
            "name": self.name,
            "format": self.format,
            "passed": self.passed,
            "turns": self.turns,
            "error": self.error,
            "seconds": round(self.seconds, 3),
            "failures": [failure.as_json() for failure in self.failures],
            "tests": [
                {
                    "name": case.name,
                    "passed": case.passed,
                    "skipped": case.skipped,
                    "turns": case.turns,
                    "error": case.error,
                    "failures": [failure.as_json() for failure in case.failures],
                }
                for case in self.cases
            ],
        }
