"""Launch, the built-in intents and the end of a session."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.handlers.base import is_type
from skill.alexa.logs import loggable
from skill.alexa.turn import read_turn

log = logging.getLogger(__name__)

BUILT_IN_INTENTS = frozenset(
    {
        "AMAZON.HelpIntent",
        "AMAZON.YesIntent",
        "AMAZON.NoIntent",
        "AMAZON.CancelIntent",
        "AMAZON.StopIntent",
        "AMAZON.NavigateHomeIntent",
        "AMAZON.FallbackIntent",
    }
)
"""The built-in intents this skill answers (with the handlers below)."""


def _intent_in(handler_input: HandlerInput, *names: str) -> bool:
    if not is_type(handler_input, "IntentRequest"):
        return False
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    return getattr(intent, "name", None) in names


class LaunchHandler(AbstractRequestHandler):
    """ "open voice privacy"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_type(handler_input, "LaunchRequest")

    def handle(self, handler_input: HandlerInput) -> Response:
        text, reprompt = read_turn(handler_input).speech.welcome()
        return handler_input.response_builder.speak(text).ask(reprompt).response


class HelpHandler(AbstractRequestHandler):
    """AMAZON.HelpIntent, and a stray yes/no with nothing to confirm."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return _intent_in(
            handler_input, "AMAZON.HelpIntent", "AMAZON.YesIntent", "AMAZON.NoIntent"
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        text, reprompt = read_turn(handler_input).speech.help()
        return handler_input.response_builder.speak(text).ask(reprompt).response


class GoodbyeHandler(AbstractRequestHandler):
    """Cancel, Stop and NavigateHome end the session; a pending deletion is dropped."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return _intent_in(
            handler_input,
            "AMAZON.CancelIntent",
            "AMAZON.StopIntent",
            "AMAZON.NavigateHomeIntent",
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        text = read_turn(handler_input).speech.goodbye()
        return handler_input.response_builder.speak(text).set_should_end_session(True).response


class FallbackHandler(AbstractRequestHandler):
    """AMAZON.FallbackIntent, and any intent this skill does not know."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_type(handler_input, "IntentRequest")

    def handle(self, handler_input: HandlerInput) -> Response:
        text, reprompt = read_turn(handler_input).speech.fallback()
        return handler_input.response_builder.speak(text).ask(reprompt).response


class SessionEndedHandler(AbstractRequestHandler):
    """Alexa closed the session; it takes no speech in reply."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_type(handler_input, "SessionEndedRequest")

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        reason = getattr(getattr(request, "reason", None), "value", None)
        request_id = getattr(request, "request_id", None)
        log.info("session ended: request=%s reason=%s", loggable(request_id), loggable(reason))
        return handler_input.response_builder.response


class OtherRequestHandler(AbstractRequestHandler):
    """Every other request type (player events, skill events, system messages, and types newer
    than this skill): an empty response, which is what Alexa expects where no speech is
    allowed."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.response
