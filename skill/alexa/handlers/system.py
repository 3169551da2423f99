"""Request types that are not a person's turn: each answered the way Alexa expects.

- ``CanFulfillIntentRequest`` (name-free interaction): whether this skill could handle the
  intent, with a verdict per slot; nothing is performed.
- ``SessionResumedRequest``, ``Connections.Response``, APL ``UserEvent`` and
  ``Display.ElementSelected``: the skill did not start any of these, so it answers with a short
  prompt of what it can do.
- ``System.ExceptionEncountered``: Alexa reports that the skill's last response failed; it is
  logged by error type, and answered empty (speech here could start a loop).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.canfulfill import (
    CanFulfillIntent,
    CanFulfillIntentValues,
    CanFulfillSlot,
    CanFulfillSlotValues,
    CanUnderstandSlotValues,
)

from skill.alexa.handlers.base import is_type
from skill.alexa.logs import loggable
from skill.alexa.turn import read_turn

__all__ = ["CanFulfillHandler", "ExceptionEncounteredHandler", "ResumeHandler"]

log = logging.getLogger(__name__)


def usable(slot: str, value: str) -> bool:
    """Whether this skill could act on ``value`` for ``slot`` (a date it can resolve to the
    past; any other slot's value is left to the intent's own dialog)."""
    if slot == "date":
        from skill.alexa.dates import UnusableDate, resolve_amazon_date

        today = datetime.now(UTC).date()
        return not isinstance(resolve_amazon_date(value, today), UnusableDate)
    return True


class CanFulfillHandler(AbstractRequestHandler):
    """Name-free interaction: YES for this skill's own intents when every given slot value is
    usable, NO otherwise (the built-ins belong to every skill, so this one claims none)."""

    def __init__(self, intents: frozenset[str]) -> None:
        self.intents = intents

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_type(handler_input, "CanFulfillIntentRequest")

    def handle(self, handler_input: HandlerInput) -> Response:
        intent = getattr(handler_input.request_envelope.request, "intent", None)
        name = getattr(intent, "name", None)
        slots = getattr(intent, "slots", None) or {}
        verdicts: dict[str, CanFulfillSlot] = {}
        for slot_name, slot in slots.items():
            value = getattr(slot, "value", None)
            good = value is None or usable(slot_name, str(value))
            yes = CanUnderstandSlotValues.YES if good else CanUnderstandSlotValues.NO
            fulfil = CanFulfillSlotValues.YES if good else CanFulfillSlotValues.NO
            verdicts[slot_name] = CanFulfillSlot(can_understand=yes, can_fulfill=fulfil)
        ours = name in self.intents
        can = ours and all(v.can_fulfill == CanFulfillSlotValues.YES for v in verdicts.values())
        answer = CanFulfillIntent(
            can_fulfill=CanFulfillIntentValues.YES if can else CanFulfillIntentValues.NO,
            slots=(verdicts or None) if ours else None,
        )
        return handler_input.response_builder.set_can_fulfill_intent(answer).response


class ResumeHandler(AbstractRequestHandler):
    """Requests that resume or continue something this skill never started: a short prompt."""

    TYPES = (
        "SessionResumedRequest",
        "Connections.Response",
        "Alexa.Presentation.APL.UserEvent",
        "Display.ElementSelected",
    )

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(is_type(handler_input, kind) for kind in self.TYPES)

    def handle(self, handler_input: HandlerInput) -> Response:
        text, reprompt = read_turn(handler_input).speech.short_help()
        return handler_input.response_builder.speak(text).ask(reprompt).response


class ExceptionEncounteredHandler(AbstractRequestHandler):
    """Alexa could not use the skill's last response: log the error type, answer nothing."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_type(handler_input, "System.ExceptionEncountered")

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        error = getattr(request, "error", None)
        kind = getattr(getattr(error, "object_type", None), "value", None)
        log.error(
            "Alexa reported an error with response to request %s: %s",
            loggable(getattr(getattr(request, "cause", None), "request_id", None)),
            loggable(kind) or "unknown",
        )
        return handler_input.response_builder.response
