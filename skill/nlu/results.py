"""Results stage of the NLU: what Alexa would send the skill for one utterance.

"No match" is a result too (``AMAZON.FallbackIntent``, or no intent), never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from skill.nlu.slots import SlotResolution

__all__ = ["NluResult"]


@dataclass(frozen=True)
class NluResult:
    """What Alexa would send the skill for one utterance."""

    request_type: Literal["LaunchRequest", "IntentRequest"]
    """The request type: a launch phrase opens the skill, anything else is an intent."""
    intent: str | None
    """The intent name; None for a LaunchRequest, or when nothing matched and the model
    declares no AMAZON.FallbackIntent."""
    slots: dict[str, str | None]
    """Every slot the intent declares, with its resolved value; None when not filled."""
    score: float
    """How well the winning sample matched, 0.0 to 1.0: its literal coverage when it matched
    word for word, its weighted word overlap when the utterance is a paraphrase; 1.0 for a
    launch phrase, 0.0 when nothing matched."""
    resolutions: dict[str, SlotResolution] = field(default_factory=dict)
    """Entity resolution of each filled slot whose type is one of the model's own (custom)
    types, by slot name; the slot's value is then the words said, and this says which of the
    type's values they are (``ER_SUCCESS_MATCH``) or that they are none (``ER_SUCCESS_NO_MATCH``).
    Slots of built-in types have none."""
    invoked: bool = field(default=False, compare=False)
    """Whether the utterance names the skill ("open voice privacy", "ask voice privacy to ...",
    "... using voice privacy"): outside a session only such an utterance reaches the skill."""
