"""The three deletion intents: ask with the count, delete on CONFIRMED, keep on DENIED.

The range or recording the person confirmed is remembered in the session
attributes when the skill asks, so the deletion acts on exactly what was
described even if "today" rolls over or new recordings arrive in between.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.dialog import ConfirmIntentDirective

from skill.alexa.dates import UnusableDate, resolve_amazon_date
from skill.alexa.handlers.base import IntentHandler
from skill.alexa.timezones import DeviceTimeZones
from skill.alexa.turn import Turn
from skill.services.timerange import local_days

if TYPE_CHECKING:
    from skill.alexa.handlers.base import ServicesSource
    from skill.services.recordings import RecordingService

PENDING = "pending_deletion"
"""Session attribute holding what the skill asked to delete."""


class _Deletion(IntentHandler):
    def __init__(self, services: ServicesSource, zones: DeviceTimeZones):
        self.services = services
        self.zones = zones

    @property
    def recordings(self) -> RecordingService:
        return self.services().recordings

    def _pending(self, turn: Turn) -> dict[str, Any] | None:
        pending = turn.attributes.pop(PENDING, None)
        if isinstance(pending, dict) and pending.get("intent") == self.intent_name:
            return pending
        return None

    def _ask(self, handler_input: HandlerInput, turn: Turn, text: str, **pending: Any) -> Response:
        turn.attributes[PENDING] = {"intent": self.intent_name, **pending}
        return (
            handler_input.response_builder.speak(text)
            .ask(text)
            .add_directive(ConfirmIntentDirective(updated_intent=turn.intent))
            .response
        )

    @staticmethod
    def _say(handler_input: HandlerInput, text: str) -> Response:
        return handler_input.response_builder.speak(text).set_should_end_session(True).response

    def _today(self, handler_input: HandlerInput, turn: Turn) -> tuple[ZoneInfo, date]:
        zone = self.zones.zone_for(handler_input)
        return zone, turn.now.astimezone(zone).date()


class DeleteRecordingsHandler(_Deletion):
    """ "delete what I said today / yesterday / this week": a local date range."""

    intent_name = "DeleteRecordingsIntent"

    def answer(self, handler_input: HandlerInput, turn: Turn, user_id: str) -> Response:
        speech = turn.speech
        pending = self._pending(turn)
        if turn.confirmation == "DENIED":
            return self._say(handler_input, speech.kept())
        if turn.confirmation == "CONFIRMED" and pending is not None:
            start = datetime.fromisoformat(pending["start"])
            end = datetime.fromisoformat(pending["end"])
            deletion = self.recordings.delete_range(
                user_id, start, end, channel="voice", request_id=turn.request_id
            )
            return self._say(handler_input, speech.deleted_span(deletion.count, pending["label"]))
        # Nothing asked yet, or a CONFIRMED with no question saved in the session: ask.
        zone, today = self._today(handler_input, turn)
        span = resolve_amazon_date(turn.slot("date") or today.isoformat(), today)
        if isinstance(span, UnusableDate):
            return self._unusable(handler_input, turn, span)
        start, end = local_days(span.start, span.end, zone)
        count = self.recordings.count(user_id, start, end)
        prefix = speech.shifted_note(span, today) if span.shifted else ""
        if count == 0:
            return self._say(handler_input, prefix + speech.nothing_in_span(span, today))
        return self._ask(
            handler_input, turn, prefix + speech.confirm_span(count, span, today),
            start=start.isoformat(), end=end.isoformat(), label=speech.span(span, today),
        )

    def _unusable(self, handler_input: HandlerInput, turn: Turn, span: UnusableDate) -> Response:
        if span.reason == "future":
            return self._say(handler_input, turn.speech.date_in_future())
        text, reprompt = turn.speech.date_not_understood()
        return handler_input.response_builder.speak(text).ask(reprompt).response


class DeleteLastRecordingHandler(_Deletion):
    """ "delete what I just said": the newest recording."""

    intent_name = "DeleteLastRecordingIntent"

    def answer(self, handler_input: HandlerInput, turn: Turn, user_id: str) -> Response:
        speech = turn.speech
        pending = self._pending(turn)
        if turn.confirmation == "DENIED":
            return self._say(handler_input, speech.kept())
        if turn.confirmation == "CONFIRMED" and pending is not None:
            deletion = self.recordings.delete_one(
                user_id, str(pending["id"]), channel="voice", request_id=turn.request_id
            )
            text = speech.deleted_newest() if deletion.count else speech.newest_already_gone()
            return self._say(handler_input, text)
        newest = self.recordings.newest(user_id)
        if newest is None:
            return self._say(handler_input, speech.nothing_at_all())
        zone, today = self._today(handler_input, turn)
        text = speech.confirm_newest(newest.recorded_at, zone, today)
        return self._ask(handler_input, turn, text, id=newest.id)


class DeleteAllRecordingsHandler(_Deletion):
    """ "delete everything I've ever said"."""

    intent_name = "DeleteAllRecordingsIntent"

    def answer(self, handler_input: HandlerInput, turn: Turn, user_id: str) -> Response:
        speech = turn.speech
        pending = self._pending(turn)
        if turn.confirmation == "DENIED":
            return self._say(handler_input, speech.kept())
        if turn.confirmation == "CONFIRMED" and pending is not None:
            deletion = self.recordings.delete_all(
                user_id, channel="voice", request_id=turn.request_id
            )
            if deletion.count == 0:
                return self._say(handler_input, speech.nothing_at_all())
            return self._say(handler_input, speech.deleted_all(deletion.count))
        total = self.recordings.total(user_id)
        if total == 0:
            return self._say(handler_input, speech.nothing_at_all())
        return self._ask(handler_input, turn, speech.confirm_all(total))
