"""The last line of defence: a polite answer, and a log line with the request id only."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.speech import speech_for

log = logging.getLogger(__name__)


class ApologiseOnError(AbstractExceptionHandler):
    """Logs the failure (request id, exception type, traceback) and apologises.

    Tracebacks carry no transcript text: SQL parameters are hidden by the
    engine, and no service puts content in exception messages.
    """

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        request = handler_input.request_envelope.request
        request_id = getattr(request, "request_id", None)
        log.error(
            "request %s failed with %s", request_id, type(exception).__name__, exc_info=exception
        )
        text = speech_for(getattr(request, "locale", None)).error()
        return handler_input.response_builder.speak(text).set_should_end_session(True).response
