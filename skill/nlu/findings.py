"""Findings about an interaction model: what ``lint`` reports, from the simulator's checks and
from the offline recogniser's (words it cannot pronounce). A finding is a result, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Finding", "Severity"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem in an interaction model."""

    severity: Severity
    """"error" when Alexa would refuse the model or misroute speech; "warning" otherwise."""
    code: str
    """A stable kebab-case identifier of the check, e.g. "sample-collision"."""
    message: str
    """What is wrong, as a sentence a developer can act on."""
    intent: str | None = None
    """The intent concerned, when there is one."""
    sample: str | None = None
    """The sample utterance (or invocation name, or prompt id) concerned, when there is one."""
    path: str = "<model>"
    """The file linted, as given."""

    def __str__(self) -> str:
        where = f" [{self.intent}]" if self.intent else ""
        what = f' "{self.sample}"' if self.sample is not None else ""
        return f"{self.path}: {self.severity} {self.code}{where}{what}: {self.message}"
