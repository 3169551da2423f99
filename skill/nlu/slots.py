"""Slot types: how the words a slot captures become the value Alexa sends, and entity resolution.

A converter takes the captured words (normalised) and the device's local day and returns the
slot value, or None when the words are not a value of the type: AMAZON.DATE, AMAZON.NUMBER and
AMAZON.DURATION captures must be a date, number or duration in Alexa's format. A custom type
takes any words, and its value is the words said, as Alexa sends it; entity resolution then says
which of the type's values (by name or synonym) they are, ``ER_SUCCESS_MATCH`` with the
canonical names and ids, or ``ER_SUCCESS_NO_MATCH``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from skill.nlu.numbers import (
    could_be_duration,
    could_be_number,
    to_amazon_duration,
    to_amazon_number,
)
from skill.nlu.spoken_dates import could_be_date, to_amazon_date
from skill.nlu.text import normalise

__all__ = [
    "MATCH",
    "NO_MATCH",
    "Converter",
    "ResolutionStatus",
    "ResolvedValue",
    "SlotResolution",
    "SlotTypes",
    "Spotter",
]

Converter = Callable[[str, date], str | None]
"""Captured words and the device's local day -> the slot value, or None."""
ResolutionStatus = Literal["ER_SUCCESS_MATCH", "ER_SUCCESS_NO_MATCH"]
MATCH: ResolutionStatus = "ER_SUCCESS_MATCH"
NO_MATCH: ResolutionStatus = "ER_SUCCESS_NO_MATCH"


@dataclass(frozen=True)
class ResolvedValue:
    """One of a custom slot type's values that the words said resolve to."""

    name: str
    """The value's canonical name, as the model lists it."""
    id: str | None = None
    """The id the model gives the value; None when it gives none."""


@dataclass(frozen=True)
class SlotResolution:
    """Entity resolution of a custom slot type's value: what Alexa puts in the slot's
    ``resolutions.resolutionsPerAuthority`` (one authority: the skill's own slot type)."""

    slot_type: str
    """The custom slot type ("COLOUR"); the authority is
    ``amzn1.er-authority.echo-sdk.<skill id>.<slot type>``."""
    status: ResolutionStatus
    """``ER_SUCCESS_MATCH`` when the words said are a value's name or synonym, else
    ``ER_SUCCESS_NO_MATCH``."""
    values: tuple[ResolvedValue, ...] = ()
    """The values matched, in model order; empty on no match."""


@dataclass(frozen=True)
class Spotter:
    """How values of a slot type are found anywhere in an utterance (paraphrases)."""

    convert: Converter
    """A run of words -> the value, or None."""
    could_be: Callable[[Sequence[str]], bool]
    """A quick test that rules out words holding no value, so their runs need not be tried."""
    after_owner: bool
    """Whether a value may follow "my", "a" and the like: "an espresso" is a drink, but "my
    first recording" is not about the 1st."""


# Spoken dates recur (every "yesterday" in a benchmark or a long dialog): convert each phrase once
# per day.
_amazon_date: Converter = lru_cache(maxsize=16384)(to_amazon_date)


def _free_text(text: str, _today: date) -> str:
    return text


def _amazon_number(text: str, _today: date) -> str | None:
    return to_amazon_number(text)


def _amazon_duration(text: str, _today: date) -> str | None:
    return to_amazon_duration(text)


_BUILT_IN: dict[str, Spotter] = {
    "AMAZON.DATE": Spotter(_amazon_date, could_be_date, after_owner=False),
    "AMAZON.NUMBER": Spotter(_amazon_number, could_be_number, after_owner=False),
    "AMAZON.DURATION": Spotter(_amazon_duration, could_be_duration, after_owner=False),
}


class SlotTypes:
    """The slot types a model can use: Alexa's built-in ones and the model's own."""

    def __init__(self, types: Sequence[Mapping[str, Any]]) -> None:
        # Custom slot type -> normalised name or synonym -> the values it stands for.
        self._custom: dict[str, dict[str, tuple[ResolvedValue, ...]]] = {}
        for slot_type in types:
            spoken = self._custom.setdefault(str(slot_type.get("name")), {})
            for entry in slot_type.get("values", []):
                name = entry.get("name", {})
                given_id = entry.get("id")
                value = ResolvedValue(
                    str(name.get("value", "")), None if given_id is None else str(given_id)
                )
                for said in [value.name, *name.get("synonyms", [])]:
                    known = spoken.setdefault(normalise(str(said)), ())
                    if value not in known:
                        spoken[normalise(str(said))] = (*known, value)

    def converter(self, slot_type: str) -> Converter:
        """How a word-for-word capture of ``slot_type`` becomes its value."""
        built_in = _BUILT_IN.get(slot_type)
        return _free_text if built_in is None else built_in.convert

    def known(self, slot_type: str) -> frozenset[str] | None:
        """The values (names and synonyms, normalised) a type that takes any words knows;
        None for a type whose format validates every value."""
        if slot_type in _BUILT_IN:
            return None
        return frozenset(self._custom.get(slot_type, ()))

    def spotter(self, slot_type: str) -> Spotter | None:
        """How a value of ``slot_type`` is found anywhere in a paraphrase: built-in types by
        their format, custom types by their names and synonyms; None for free text (only a
        word-for-word match can tell where such a value ends)."""
        built_in = _BUILT_IN.get(slot_type)
        if built_in is not None:
            return built_in
        spoken = self._custom.get(slot_type)
        if spoken is None:
            return None
        return Spotter(lambda text, _today: text if text in spoken else None, bool, True)

    def resolve(self, slot_type: str, value: str) -> SlotResolution | None:
        """Entity resolution of ``value`` (the words said) as a ``slot_type``; None for a type
        Alexa does not resolve (built-in types the model does not extend)."""
        spoken = self._custom.get(slot_type)
        if spoken is None:
            return None
        matched = spoken.get(normalise(value), ())
        return SlotResolution(slot_type, MATCH if matched else NO_MATCH, matched)
