"""Request and response logging: types, intent names and ids only, never slot values or speech."""

from __future__ import annotations

import logging
import re

from ask_sdk_core.dispatch_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.logs import loggable

log = logging.getLogger("skill.requests")
_TYPE = re.compile(r"[A-Z][A-Za-z]{0,40}(\.[A-Z][A-Za-z]{0,40}){0,4}")
"""What a request type looks like (``IntentRequest``, ``Alexa.Presentation.APL.UserEvent``)."""


class LogRequest(AbstractRequestInterceptor):
    """One line per request: its id, its type, and its intent when it is one the skill knows
    (any other name is logged as ``other``: a name is not ours to copy into a log)."""

    def __init__(self, known_intents: frozenset[str]) -> None:
        self.known_intents = known_intents

    def process(self, handler_input: HandlerInput) -> None:
        request = handler_input.request_envelope.request
        intent = getattr(getattr(request, "intent", None), "name", None)
        if intent is not None and intent not in self.known_intents:
            intent = "other"
        kind = getattr(request, "object_type", None)
        log.info(
            "request %s type=%s intent=%s",
            loggable(getattr(request, "request_id", None)),
            kind if isinstance(kind, str) and _TYPE.fullmatch(kind) else "other",
            intent,
        )


class LogResponse(AbstractResponseInterceptor):
    def process(self, handler_input: HandlerInput, response: Response | None) -> None:
        request = handler_input.request_envelope.request
        directives = [d.object_type for d in (response.directives or [])] if response else []
        ended = response.should_end_session if response else None
        request_id = loggable(getattr(request, "request_id", None))
        log.info("response %s directives=%s end=%s", request_id, directives, ended)
