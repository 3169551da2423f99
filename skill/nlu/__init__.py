"""The interaction-model NLU: what Alexa would understand from an utterance, offline.

Shared by the simulator (typed turns), the voice front end (its speech grammar is built from the
same compiled model) and ``lint``; it depends on nothing else of this project. One module per
stage, as in home-assistant/hassil:

- ``text``: normalisation, the wake word, politeness, contractions, word classes;
- ``numbers``: spoken numbers and durations (AMAZON.NUMBER, AMAZON.DURATION);
- ``spoken_dates``: spoken dates to AMAZON.DATE values, with Alexa's future bias;
- ``slots``: slot types, value conversion and entity resolution;
- ``model``: loading an interaction model and compiling its samples;
- ``exact``: word-for-word matching; ``paraphrase``: weighted word-overlap scoring;
- ``results``: ``NluResult``; ``understand``: ``Nlu``, the stages put together;
- ``findings``: ``Finding``, what checks of a model report; ``errors``: a broken model.

Other packages import from here, never from the stage modules. Names load on first use, so
importing one of them (an error class, say) does not compile the whole NLU.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skill.nlu.errors import InteractionModelError, UnknownLocaleError
    from skill.nlu.findings import Finding, Severity
    from skill.nlu.model import (
        FALLBACK,
        MAX_MODEL_BYTES,
        MODELS_DIR,
        NO,
        YES,
        CompiledModel,
        Sample,
        SlotRef,
        compile_model,
        json_nesting_error,
        model_path,
        read_model,
        read_model_text,
    )
    from skill.nlu.numbers import CARDINALS, TENS
    from skill.nlu.results import NluResult
    from skill.nlu.slots import ResolvedValue, SlotResolution
    from skill.nlu.spoken_dates import to_amazon_date
    from skill.nlu.text import normalise
    from skill.nlu.understand import Nlu

_HOME = {
    "CARDINALS": "numbers",
    "CompiledModel": "model",
    "FALLBACK": "model",
    "Finding": "findings",
    "InteractionModelError": "errors",
    "MODELS_DIR": "model",
    "NO": "model",
    "Nlu": "understand",
    "NluResult": "results",
    "ResolvedValue": "slots",
    "Sample": "model",
    "Severity": "findings",
    "SlotRef": "model",
    "SlotResolution": "slots",
    "TENS": "numbers",
    "UnknownLocaleError": "errors",
    "YES": "model",
    "compile_model": "model",
    "MAX_MODEL_BYTES": "model",
    "json_nesting_error": "model",
    "read_model_text": "model",
    "model_path": "model",
    "normalise": "text",
    "read_model": "model",
    "to_amazon_date": "spoken_dates",
}
"""Each public name and the stage module that defines it."""

__all__ = [
    "CARDINALS",
    "FALLBACK",
    "MAX_MODEL_BYTES",
    "MODELS_DIR",
    "NO",
    "TENS",
    "YES",
    "CompiledModel",
    "Finding",
    "InteractionModelError",
    "Nlu",
    "NluResult",
    "ResolvedValue",
    "Sample",
    "Severity",
    "SlotRef",
    "SlotResolution",
    "UnknownLocaleError",
    "compile_model",
    "json_nesting_error",
    "model_path",
    "normalise",
    "read_model",
    "read_model_text",
    "to_amazon_date",
]


def __getattr__(name: str) -> Any:
    if name in _HOME:
        value = getattr(importlib.import_module(f"skill.nlu.{_HOME[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'skill.nlu' has no attribute {name!r}")
