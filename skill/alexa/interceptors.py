"""Request and response logging: types, intent names and ids only, never slot values or speech."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import NamedTuple

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


_SUMMARY = "skill.requests.summary"
"""Where ``LogRequest`` leaves the request's summary, in the request attributes."""


class LogRequest(AbstractRequestInterceptor):
    """Works out what the request's log line says: its id, its type, and its intent when it
    is one the skill knows (any other name is logged as ``other``: a name is not ours to copy
    into a log). The line is written once the request is answered (``LogResponse``), or by the
    error handler when answering failed (``summary``): one line per request, not two."""

    def __init__(self, known_intents: frozenset[str]) -> None:
        self.known_intents = known_intents

    def process(self, handler_input: HandlerInput) -> None:
        request = handler_input.request_envelope.request
        intent = getattr(getattr(request, "intent", None), "name", None)
        if intent is not None and intent not in self.known_intents:
            intent = "other"
        kind = getattr(request, "object_type", None)
        handler_input.attributes_manager.request_attributes[_SUMMARY] = (
            loggable(getattr(request, "request_id", None)),
            kind if isinstance(kind, str) and _TYPE.fullmatch(kind) else "other",
            intent,
        )


Summary = tuple[str | None, str, str | None]
"""(request id as it may be logged, type, intent)."""


def summary(handler_input: HandlerInput) -> Summary:
    """The request's summary as ``LogRequest`` worked it out; before it ran, the id alone."""
    found = handler_input.attributes_manager.request_attributes.get(_SUMMARY)
    if not isinstance(found, tuple):
        request = handler_input.request_envelope.request
        return loggable(getattr(request, "request_id", None)), "other", None
    request_id, kind, intent = found
    return request_id, kind, intent


class Answered(NamedTuple):
    """What the request's log line says about a request that was answered."""

    request_id: str | None
    """The request id as it may be logged (``loggable``)."""
    type: str
    """The request type, ``other`` when it does not look like one."""
    intent: str | None
    """The intent name when the skill knows it, ``other`` for any other, None for no intent."""
    directives: list[str | None]
    """The answer's directives' types."""
    end: bool | None
    """Whether the answer ends the session (None: not said)."""


class LogResponse(AbstractResponseInterceptor):
    """The request's one log line, with what the answer did: its directives' types and
    whether it ends the session (never its speech).

    ``report``, when given, receives the line's fields instead of a line being written: the
    web service puts them on its own line for the HTTP request, so an Alexa request served
    over HTTP logs one line, not two. On Lambda (no ``report``) this is the request's line.
    """

    def __init__(self, report: Callable[[Answered], None] | None = None) -> None:
        self.report = report

    def process(self, handler_input: HandlerInput, response: Response | None) -> None:
        directives = [d.object_type for d in (response.directives or [])] if response else []
        ended = response.should_end_session if response else None
        request_id, kind, intent = summary(handler_input)
        if self.report is not None:
            self.report(Answered(request_id, kind, intent, directives, ended))
            return
        log.info(
            "request %s type=%s intent=%s directives=%s end=%s",
            request_id, kind, intent, directives, ended,
        )  # fmt: skip
