"""Skill events: Alexa telling the skill what a person did in the Alexa app.

``SkillDisabled`` with ``userInformationPersistenceStatus: NOT_PERSISTED`` means the person
will get a new user id if they enable the skill again, so the data kept under this one must
go now (``AccountService.skill_disabled``, under ``PRIVACY_SKILL_ON_DISABLE=delete``); with
``PERSISTED`` it stays. Every skill event is answered with an empty response, and only once
what it asks for is recorded: if the pending deletion cannot be written, the error reaches
the endpoint (a 503, or a failed Lambda invocation) and Alexa is not told it was handled.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.envelope import event_body
from skill.alexa.handlers.base import ServicesSource, is_type
from skill.alexa.logs import loggable

__all__ = ["SKILL_DISABLED", "SKILL_EVENTS", "SkillEventHandler"]

log = logging.getLogger(__name__)

SKILL_DISABLED = "AlexaSkillEvent.SkillDisabled"
SKILL_EVENTS = (
    "AlexaSkillEvent.SkillEnabled",
    SKILL_DISABLED,
    "AlexaSkillEvent.SkillPermissionAccepted",
    "AlexaSkillEvent.SkillPermissionChanged",
    "AlexaSkillEvent.SkillAccountLinked",
    "AlexaSkillEvent.ProactiveSubscriptionChanged",
)
"""The events ``package-skill`` subscribes the skill to."""


class SkillEventHandler(AbstractRequestHandler):
    """Acknowledges every skill event; acts on ``SkillDisabled``."""

    def __init__(self, services: ServicesSource, on_disable: str):
        self.services = services
        self.on_disable = on_disable

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(is_type(handler_input, kind) for kind in SKILL_EVENTS)

    def handle(self, handler_input: HandlerInput) -> Response:
        envelope = handler_input.request_envelope
        if is_type(handler_input, SKILL_DISABLED):
            system = getattr(envelope.context, "system", None)
            user = getattr(getattr(system, "user", None), "user_id", None)
            status = event_body(envelope.request).get("userInformationPersistenceStatus")
            request_id = loggable(getattr(envelope.request, "request_id", None))
            if isinstance(user, str) and user:
                outcome = self.services().accounts.skill_disabled(
                    user,
                    persisted=status != "NOT_PERSISTED",
                    policy=self.on_disable,
                    request_id=request_id,
                )
                log.info(
                    "skill disabled (%s): %s",
                    loggable(status) or "no persistence status",
                    "data kept" if outcome.kept else f"{outcome.recordings} recordings deleted",
                )
        return handler_input.response_builder.response
