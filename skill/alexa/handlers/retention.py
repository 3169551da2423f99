""" "keep my recordings for three months", "don't save my recordings", "start saving my
recordings again": ``SetRetentionIntent`` with slot ``period`` (``RETENTION_PERIOD``).

A recognised speaker chooses for themselves, anyone else for the account. When the new period
would delete recordings that are already kept, the skill says how many and asks
(``Dialog.ConfirmIntent``); the confirmation deletes what was described (the cutoffs of the
moment it asked, recordings stored by then). ``DONT_SAVE`` withdraws ``store_recordings`` at
once, then asks separately whether to delete what is kept. No period: storing is turned back on
if it was off, otherwise the skill asks how long (``Dialog.ElicitSlot``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.handlers.base import IntentHandler, confirm, elicit
from skill.alexa.handlers.base import say as _say
from skill.alexa.scope import Scope, scope_of
from skill.alexa.turn import Turn
from skill.services.periods import CHOICES, DONT_SAVE, PERIODS

if TYPE_CHECKING:
    from skill.alexa.handlers.base import ServicesSource
    from skill.services.retention import RetentionService

PENDING = "pending_retention"
"""Session attribute holding what the skill asked about."""


class SetRetentionHandler(IntentHandler):
    intent_name = "SetRetentionIntent"

    def __init__(self, services: ServicesSource):
        self.services = services

    @property
    def retention(self) -> RetentionService:
        return self.services().retention

    def answer(self, handler_input: HandlerInput, turn: Turn, user_id: str) -> Response:
        scope = scope_of(turn)
        period_id = turn.slot_id("period")
        pending = self._pending(turn, scope, period_id)
        if turn.confirmation == "DENIED" and pending is not None:
            return self._denied(handler_input, turn, user_id, scope, pending)
        if turn.confirmation == "CONFIRMED" and pending is not None:
            return self._confirmed(handler_input, turn, user_id, scope, pending)
        if period_id not in CHOICES:
            return self._no_period(handler_input, turn, user_id, scope)
        if period_id == DONT_SAVE:
            return self._stop_saving(handler_input, turn, user_id, scope)
        asked_at = datetime.now(UTC)
        count = self.retention.would_delete(user_id, period_id, person=scope.person, at=asked_at)
        if count:
            text = turn.speech.confirm_period(PERIODS[period_id], count, scope.kind)
            return self._ask(handler_input, turn, scope, text, "period", period_id, asked_at)
        return self._choose(handler_input, turn, user_id, scope, period_id, asked_at)

    # -- the steps ---------------------------------------------------------------

    def _choose(
        self,
        handler_input: HandlerInput,
        turn: Turn,
        user_id: str,
        scope: Scope,
        period_id: str,
        at: datetime,
    ) -> Response:
        before = self.retention.view(user_id, person=scope.person)
        change = self.retention.choose(
            user_id,
            period_id,
            channel="voice",
            person=scope.person,
            request_id=turn.request_id,
            at=at,
        )
        chosen = PERIODS[period_id]
        if before.chosen == period_id and not change.deleted and not change.resumed_saving:
            text = turn.speech.period_unchanged(change.view.period, scope.kind)
        else:
            text = turn.speech.period_set(
                chosen, change.view.period, change.deleted, change.resumed_saving, scope.kind
            )
        return _say(handler_input, text)

    def _stop_saving(
        self, handler_input: HandlerInput, turn: Turn, user_id: str, scope: Scope
    ) -> Response:
        change = self.retention.stop_saving(
            user_id, channel="voice", person=scope.person, request_id=turn.request_id
        )
        was_on = change.consent is not None and change.consent.was_granted
        kept = self.services().recordings.total(user_id, person=scope.person)
        text = turn.speech.saving_stopped(was_on, kept, scope.kind)
        if not kept:
            return _say(handler_input, text)
        return self._ask(
            handler_input, turn, scope, text, "delete_kept", DONT_SAVE, datetime.now(UTC)
        )

    def _no_period(
        self, handler_input: HandlerInput, turn: Turn, user_id: str, scope: Scope
    ) -> Response:
        speech = turn.speech
        view = self.retention.view(user_id, person=scope.person)
        if turn.slot("period") is None and not view.saving:  # "start saving my recordings again"
            change = self.retention.resume_saving(
                user_id, channel="voice", person=scope.person, request_id=turn.request_id
            )
            return _say(handler_input, speech.saving_resumed(change.view.period, scope.kind))
        if turn.slot("period") is None:
            text, reprompt = speech.ask_period(view.period, view.saving, scope.kind)
        else:  # a value Alexa heard but could not match: "keep them for a week"
            text, reprompt = speech.period_not_understood()
        return elicit(handler_input, turn, "period", text, reprompt)

    def _confirmed(
        self,
        handler_input: HandlerInput,
        turn: Turn,
        user_id: str,
        scope: Scope,
        pending: dict[str, Any],
    ) -> Response:
        asked_at = datetime.fromisoformat(str(pending["asked_at"]))
        if pending["action"] == "delete_kept":
            deletion = self.services().recordings.delete_all(
                user_id,
                channel="voice",
                request_id=turn.request_id,
                person=scope.person,
                ingested_before=asked_at,
            )
            return _say(handler_input, turn.speech.saving_stopped_deleted(deletion.count))
        return self._choose(
            handler_input, turn, user_id, scope, str(pending["period"]), asked_at
        )

    def _denied(
        self,
        handler_input: HandlerInput,
        turn: Turn,
        user_id: str,
        scope: Scope,
        pending: dict[str, Any],
    ) -> Response:
        view = self.retention.view(user_id, person=scope.person)
        if pending["action"] == "delete_kept":
            return _say(handler_input, turn.speech.saving_stopped_kept(view.period))
        return _say(handler_input, turn.speech.period_kept(view.period, scope.kind))

    # -- the question and its binding ---------------------------------------------

    def _ask(
        self,
        handler_input: HandlerInput,
        turn: Turn,
        scope: Scope,
        text: str,
        action: str,
        period_id: str,
        asked_at: datetime,
    ) -> Response:
        turn.attributes[PENDING] = {
            "action": action,
            "period": period_id,
            "scope": scope.kind,
            "person": scope.person_id,
            "asked_at": asked_at.isoformat(),
        }
        return confirm(handler_input, turn, text)

    @staticmethod
    def _pending(turn: Turn, scope: Scope, period_id: str | None) -> dict[str, Any] | None:
        """What the skill asked about, if this turn answers exactly that (same speaker, same
        period); a CONFIRMED without it is asked again, never acted on."""
        pending = turn.attributes.pop(PENDING, None)
        if not isinstance(pending, dict):
            return None
        if pending.get("scope") != scope.kind or pending.get("person") != scope.person_id:
            return None
        if pending.get("period") != period_id or pending.get("action") not in (
            "period",
            "delete_kept",
        ):
            return None
        return pending
