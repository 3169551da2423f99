"""Human review on and off, by voice: one step each way."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.handlers.base import IntentHandler, say
from skill.alexa.scope import scope_of
from skill.alexa.turn import Turn

if TYPE_CHECKING:
    from skill.alexa.handlers.base import ServicesSource
    from skill.services.consent import ConsentService


class _Review(IntentHandler):
    def __init__(self, services: ServicesSource):
        self.services = services

    @property
    def consent(self) -> ConsentService:
        return self.services().consent


class StopHumanReviewHandler(_Review):
    """ "stop human review": withdraw, purge queued items, then answer."""

    intent_name = "StopHumanReviewIntent"

    def answer(self, handler_input: HandlerInput, turn: Turn, user_id: str) -> Response:
        # The ledger row and the purge are committed before the reply is built. A recognised
        # speaker withdraws for themselves; an unrecognised one for the whole account.
        scope = scope_of(turn)
        change = self.consent.set(
            user_id,
            "human_review",
            False,
            channel="voice",
            request_id=turn.request_id,
            person=scope.person,
        )
        text = turn.speech.review_stopped(change.was_granted, change.purged, scope.kind)
        return say(handler_input, text)


class AllowHumanReviewHandler(_Review):
    """ "allow human review again": grant."""

    intent_name = "AllowHumanReviewIntent"

    def answer(self, handler_input: HandlerInput, turn: Turn, user_id: str) -> Response:
        # A grant covers only whom it names: the recognised speaker, or else the account
        # (which does not lift a person's own withdrawal).
        scope = scope_of(turn)
        change = self.consent.set(
            user_id,
            "human_review",
            True,
            channel="voice",
            request_id=turn.request_id,
            person=scope.person,
        )
        text = turn.speech.review_allowed(change.was_granted, scope.kind)
        return say(handler_input, text)
