"""What the skill says, one module per locale. Handlers never hold wording."""

from __future__ import annotations

from skill.alexa.speech.en_US import EnglishUS

_BY_LANGUAGE = {"en": EnglishUS()}


def speech_for(locale: str | None) -> EnglishUS:
    """The wording for ``locale``; English (US) for anything not translated yet."""
    language = (locale or "en-US").split("-")[0].lower()
    return _BY_LANGUAGE.get(language, _BY_LANGUAGE["en"])


__all__ = ["EnglishUS", "speech_for"]
