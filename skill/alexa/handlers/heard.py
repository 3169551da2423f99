""" "What did you hear?": the newest recording the speaker may hear, read back, and an offer to
delete it.

Reading back is narrower than deleting: a recognised speaker hears their own newest
recording; an unrecognised one only the newest recording that carries no person (never a
recognised family member's). The transcript is spoken, never put on a card (cards stay in the
Alexa app) and never logged. The offer is a ``Dialog.ConfirmIntent`` that saves the recording's
id: a "yes" deletes exactly that recording, whatever arrived since.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.handlers.base import IntentHandler, confirm, say
from skill.alexa.scope import scope_of
from skill.alexa.timezones import DeviceTimeZones
from skill.alexa.turn import Turn

if TYPE_CHECKING:
    from skill.alexa.handlers.base import ServicesSource

PENDING = "pending_read_back"
"""Session attribute: the id of the recording read back, and whose it was."""


class WhatDidYouHearHandler(IntentHandler):
    intent_name = "WhatDidYouHearIntent"

    def __init__(self, services: ServicesSource, zones: DeviceTimeZones):
        self.services = services
        self.zones = zones

    def answer(self, handler_input: HandlerInput, turn: Turn, user_id: str) -> Response:
        speech = turn.speech
        scope = scope_of(turn)
        recordings = self.services().recordings
        pending = turn.attributes.pop(PENDING, None)
        if turn.confirmation == "DENIED":
            return say(handler_input, speech.kept_heard())
        if (
            turn.confirmation == "CONFIRMED"
            and isinstance(pending, dict)
            and pending.get("person") == scope.person_id
        ):
            deletion = recordings.delete_one(
                user_id,
                str(pending.get("id")),
                channel="voice",
                request_id=turn.request_id,
                person=scope.person_id,
            )
            return say(handler_input, speech.deleted_heard(deletion.count > 0))
        newest = recordings.newest(
            user_id, person=scope.person_id, unattributed=scope.hears_unattributed_only
        )
        if newest is None:
            return say(handler_input, speech.heard_nothing(scope.kind))
        zone = self.zones.zone_for(handler_input)
        text = speech.heard(
            newest.recorded_at, newest.transcript, zone, turn.now.astimezone(zone).date()
        )
        turn.attributes[PENDING] = {"id": newest.id, "person": scope.person_id}
        return confirm(handler_input, turn, text, speech.heard_reprompt())
