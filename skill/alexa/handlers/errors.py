"""The last lines of defence: a polite answer, and a log line with the request id only."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.envelope import SPEECH_REQUEST_TYPES, UnreadableRequest
from skill.alexa.interceptors import summary
from skill.alexa.logs import loggable
from skill.alexa.speech import speech_for

log = logging.getLogger(__name__)


class ApologiseOnError(AbstractExceptionHandler):
    """Logs the failure (request id, exception type, where it was raised) and apologises, or
    answers empty where Alexa allows no speech.

    The exception's message and traceback are not logged: a message may quote data (a driver
    error, a library's error about a payload), and logs must never hold any.

    A ``SkillDisabled`` event whose handling failed is not answered at all: the error reaches
    the endpoint (HTTP 503 for an unavailable database, a failed Lambda invocation), so Alexa
    does not take the event as handled when its deletion could not even be recorded.
    """

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        kind = getattr(handler_input.request_envelope.request, "object_type", None)
        return kind != "AlexaSkillEvent.SkillDisabled"

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        request = handler_input.request_envelope.request
        request_id, kind, intent = summary(handler_input)
        log.error(
            "request %s type=%s intent=%s failed with %s at %s",
            request_id, kind, intent, type(exception).__name__, _where(exception),
        )  # fmt: skip
        if getattr(request, "object_type", None) not in SPEECH_REQUEST_TYPES:
            return handler_input.response_builder.response  # no speech allowed: empty
        text = speech_for(getattr(request, "locale", None)).error()
        return handler_input.response_builder.speak(text).set_should_end_session(True).response


def _where(exception: BaseException) -> str:
    """``file:line`` of the innermost frame: enough to find the fault, nothing of its data
    (an exception's message may quote what a request or a row held)."""
    frames = traceback.extract_tb(exception.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{Path(last.filename).name}:{last.lineno}"


class UnreadableRequestHandler(AbstractRequestHandler):
    """A request the SDK could not model (``UnreadableRequest``): a polite answer where speech
    is allowed, an empty one elsewhere; nothing is read or changed."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return isinstance(handler_input.request_envelope.request, UnreadableRequest)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        assert isinstance(request, UnreadableRequest)
        log.warning(
            "request %s of an unreadable %s envelope answered without acting",
            loggable(request.request_id),
            "known" if request.object_type in SPEECH_REQUEST_TYPES else "other",
        )
        if request.object_type not in SPEECH_REQUEST_TYPES:
            return handler_input.response_builder.response
        text = speech_for(request.locale).unreadable_request()
        return handler_input.response_builder.speak(text).set_should_end_session(True).response
