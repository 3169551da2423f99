"""The NLU's errors: a broken or missing interaction model (configuration, never something a
person said: an utterance that matches nothing is a result)."""

from __future__ import annotations

__all__ = ["InteractionModelError", "UnknownLocaleError"]


class InteractionModelError(ValueError):
    """The interaction model is missing or malformed (broken configuration, not a user error)."""


class UnknownLocaleError(InteractionModelError, LookupError):
    """No interaction model exists for the requested locale."""
