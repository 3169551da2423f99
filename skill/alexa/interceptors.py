"""Request and response logging: types, intent names and ids only, never slot values or speech."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.logs import loggable

log = logging.getLogger("skill.requests")


class LogRequest(AbstractRequestInterceptor):
    def process(self, handler_input: HandlerInput) -> None:
        request = handler_input.request_envelope.request
        intent = getattr(getattr(request, "intent", None), "name", None)
        log.info(
            "request %s type=%s intent=%s",
            loggable(getattr(request, "request_id", None)),
            loggable(getattr(request, "object_type", None)),
            loggable(intent),
        )


class LogResponse(AbstractResponseInterceptor):
    def process(self, handler_input: HandlerInput, response: Response | None) -> None:
        request = handler_input.request_envelope.request
        directives = [d.object_type for d in (response.directives or [])] if response else []
        ended = response.should_end_session if response else None
        request_id = loggable(getattr(request, "request_id", None))
        log.info("response %s directives=%s end=%s", request_id, directives, ended)
