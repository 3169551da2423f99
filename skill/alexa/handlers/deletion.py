"""The three deletion intents: ask with the count, delete on CONFIRMED, keep on DENIED.

A confirmation deletes exactly what it described. When the skill asks, it saves the target in
the session attributes: the recording id for "just said"; fixed UTC bounds for a range; and
for both a range and "everything", whose recordings (the scope and the person) and the moment
it asked (recordings ingested after it are not part of what was described). On CONFIRMED it
deletes that target and says the true count. A CONFIRMED with no saved target (forged, or
replayed into a new session), with slot values other than those asked about, or from another
speaker, asks again and deletes nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.handlers.base import IntentHandler, confirm, say
from skill.alexa.scope import Scope, scope_of
from skill.alexa.timezones import DeviceTimeZones
from skill.alexa.turn import Turn
from skill.services.timerange import local_days

if TYPE_CHECKING:
    from skill.alexa.dates import UnusableDate
    from skill.alexa.handlers.base import ServicesSource
    from skill.services.recordings import RecordingService

PENDING = "pending_deletion"
"""Session attribute holding what the skill asked to delete."""


class _Deletion(IntentHandler):
    household_slot = False
    """Whether the intent has the ``scope`` slot ("what everyone said")."""
    watched_slots: tuple[str, ...] = ()
    """Slots whose values must be the same on CONFIRMED as when the skill asked."""

    def __init__(self, services: ServicesSource, zones: DeviceTimeZones):
        self.services = services
        self.zones = zones

    @property
    def recordings(self) -> RecordingService:
        return self.services().recordings

    def _pending(self, turn: Turn, scope: Scope) -> dict[str, Any] | None:
        """What the skill asked about, if this confirmation answers exactly that."""
        pending = turn.attributes.pop(PENDING, None)
        if not isinstance(pending, dict) or pending.get("intent") != self.intent_name:
            return None
        if pending.get("scope") != scope.kind or pending.get("person") != scope.person_id:
            return None
        if pending.get("slots") != self._slots(turn):
            return None
        return pending

    def _slots(self, turn: Turn) -> dict[str, str | None]:
        return {name: turn.slot(name) for name in self.watched_slots}

    def _ask(
        self,
        handler_input: HandlerInput,
        turn: Turn,
        scope: Scope,
        text: str,
        **target: Any,
    ) -> Response:
        turn.attributes[PENDING] = {
            "intent": self.intent_name,
            "scope": scope.kind,
            "person": scope.person_id,
            "slots": self._slots(turn),
            "asked_at": datetime.now(UTC).isoformat(),
            **target,
        }
        return confirm(handler_input, turn, text)

    @staticmethod
    def _say(handler_input: HandlerInput, text: str) -> Response:
        return say(handler_input, text)

    def _today(self, handler_input: HandlerInput, turn: Turn) -> tuple[ZoneInfo, date]:
        zone = self.zones.zone_for(handler_input)
        return zone, turn.now.astimezone(zone).date()

    def _scope(self, turn: Turn) -> Scope:
        return scope_of(turn, household_slot=self.household_slot)


class DeleteRecordingsHandler(_Deletion):
    """ "delete what I said today / yesterday / this week": a local date range."""

    intent_name = "DeleteRecordingsIntent"
    household_slot = True
    watched_slots = ("date", "scope")

    def answer(self, handler_input: HandlerInput, turn: Turn, user_id: str) -> Response:
        speech = turn.speech
        scope = self._scope(turn)
        pending = self._pending(turn, scope)
        if turn.confirmation == "DENIED":
            return self._say(handler_input, speech.kept())
        if turn.confirmation == "CONFIRMED" and pending is not None:
            deletion = self.recordings.delete_range(
                user_id,
                datetime.fromisoformat(pending["start"]),
                datetime.fromisoformat(pending["end"]),
                channel="voice",
                request_id=turn.request_id,
                person=scope.person,
                ingested_before=datetime.fromisoformat(pending["asked_at"]),
            )
            text = speech.deleted_span(deletion.count, str(pending["label"]), scope.kind)
            return self._say(handler_input, text)
        # Nothing asked yet, or a CONFIRMED that answers no question the skill asked: ask.
        # The date slot's reading is imported here: only this intent (and CanFulfill) reads one.
        from skill.alexa.dates import UnusableDate, resolve_amazon_date

        zone, today = self._today(handler_input, turn)
        span = resolve_amazon_date(turn.slot("date") or today.isoformat(), today)
        if isinstance(span, UnusableDate):
            return self._unusable(handler_input, turn, span)
        start, end = local_days(span.start, span.end, zone)
        count = self.recordings.count(user_id, start, end, person=scope.person)
        prefix = speech.shifted_note(span, today) if span.shifted else ""
        if count == 0:
            nothing = speech.nothing_in_span(span, today, scope.kind)
            return self._say(handler_input, prefix + nothing)
        return self._ask(
            handler_input,
            turn,
            scope,
            prefix + speech.confirm_span(count, span, today, scope.kind),
            start=start.isoformat(),
            end=end.isoformat(),
            label=speech.span(span, today),
        )

    def _unusable(self, handler_input: HandlerInput, turn: Turn, span: UnusableDate) -> Response:
        if span.reason == "future":
            return self._say(handler_input, turn.speech.date_in_future())
        text, reprompt = turn.speech.date_not_understood()
        return handler_input.response_builder.speak(text).ask(reprompt).response


class DeleteLastRecordingHandler(_Deletion):
    """ "delete what I just said": the newest recording (the speaker's, when recognised)."""

    intent_name = "DeleteLastRecordingIntent"

    def answer(self, handler_input: HandlerInput, turn: Turn, user_id: str) -> Response:
        speech = turn.speech
        scope = self._scope(turn)
        pending = self._pending(turn, scope)
        if turn.confirmation == "DENIED":
            return self._say(handler_input, speech.kept())
        if turn.confirmation == "CONFIRMED" and pending is not None:
            deletion = self.recordings.delete_one(
                user_id,
                str(pending["id"]),
                channel="voice",
                request_id=turn.request_id,
                person=scope.person,
            )
            text = speech.deleted_newest(scope.kind) if deletion.count else (
                speech.newest_already_gone()
            )
            return self._say(handler_input, text)
        newest = self.recordings.newest(user_id, person=scope.person)
        if newest is None:
            return self._say(handler_input, speech.nothing_at_all(scope.kind))
        zone, today = self._today(handler_input, turn)
        text = speech.confirm_newest(newest.recorded_at, zone, today, scope.kind)
        return self._ask(handler_input, turn, scope, text, id=newest.id)


class DeleteAllRecordingsHandler(_Deletion):
    """ "delete everything I've ever said"."""

    intent_name = "DeleteAllRecordingsIntent"
    household_slot = True
    watched_slots = ("scope",)

    def answer(self, handler_input: HandlerInput, turn: Turn, user_id: str) -> Response:
        speech = turn.speech
        scope = self._scope(turn)
        pending = self._pending(turn, scope)
        if turn.confirmation == "DENIED":
            return self._say(handler_input, speech.kept())
        if turn.confirmation == "CONFIRMED" and pending is not None:
            deletion = self.recordings.delete_all(
                user_id,
                channel="voice",
                request_id=turn.request_id,
                person=scope.person,
                ingested_before=datetime.fromisoformat(pending["asked_at"]),
            )
            if deletion.count == 0:
                return self._say(handler_input, speech.nothing_at_all(scope.kind))
            return self._say(handler_input, speech.deleted_all(deletion.count, scope.kind))
        total = self.recordings.total(user_id, person=scope.person)
        if total == 0:
            return self._say(handler_input, speech.nothing_at_all(scope.kind))
        return self._ask(handler_input, turn, scope, speech.confirm_all(total, scope.kind))
