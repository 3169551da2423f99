"""What the skill may write to logs about a request: bounded ids, never content.

Request, session and device ids come from the envelope; Alexa's are about 100 characters, but an
envelope can carry anything, so a log line shows at most ``MAX_LOGGED`` characters of one.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_LOGGED", "loggable"]

MAX_LOGGED = 120


def loggable(value: Any) -> str | None:
    """An id fit for a log line: text, cut to ``MAX_LOGGED`` characters; None stays None."""
    if value is None:
        return None
    text = value if isinstance(value, str) else type(value).__name__
    return text if len(text) <= MAX_LOGGED else text[:MAX_LOGGED] + "..."
