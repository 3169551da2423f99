"""Shared plumbing for intent handlers: matching by name and the no-user guard."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from skill.alexa.turn import Turn, read_turn

if TYPE_CHECKING:
    from skill.services import Services

ServicesSource = Callable[[], "Services"]
"""Gives the services when a handler needs data; may open the database on first call."""


class IntentHandler(AbstractRequestHandler):
    """Handles one intent for a known user; subclasses implement ``answer``."""

    intent_name: str = ""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name(self.intent_name)(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = read_turn(handler_input)
        if turn.user_id is None:
            builder = handler_input.response_builder
            return builder.speak(turn.speech.no_user()).set_should_end_session(True).response
        return self.answer(handler_input, turn, turn.user_id)

    @abstractmethod
    def answer(self, handler_input: HandlerInput, turn: Turn, user_id: str) -> Response:
        """Build the response for ``user_id``."""


def is_type(handler_input: HandlerInput, request_type: str) -> bool:
    return bool(is_request_type(request_type)(handler_input))


def say(handler_input: HandlerInput, text: str) -> Response:
    """Speak ``text`` and end the session."""
    return handler_input.response_builder.speak(text).set_should_end_session(True).response


def confirm(
    handler_input: HandlerInput, turn: Turn, text: str, reprompt: str | None = None
) -> Response:
    """Ask a yes/no question about the turn's intent (``Dialog.ConfirmIntent``)."""
    # The SDK's dialog models (a package of 14 modules) load with the first question asked.
    from ask_sdk_model.dialog import ConfirmIntentDirective

    return (
        handler_input.response_builder.speak(text)
        .ask(reprompt or text)
        .add_directive(ConfirmIntentDirective(updated_intent=turn.intent))
        .response
    )


def elicit(
    handler_input: HandlerInput, turn: Turn, slot: str, text: str, reprompt: str
) -> Response:
    """Ask for the value of ``slot`` (``Dialog.ElicitSlot``)."""
    from ask_sdk_model.dialog import ElicitSlotDirective

    return (
        handler_input.response_builder.speak(text)
        .ask(reprompt)
        .add_directive(ElicitSlotDirective(updated_intent=turn.intent, slot_to_elicit=slot))
        .response
    )
