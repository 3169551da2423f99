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
from ask_sdk_model.dialog import ConfirmIntentDirective

from skill.alexa.handlers.base import IntentHandler
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
        builder = handler_input.response_builder
        if turn.confirmation == "DENIED":
            return builder.speak(speech.kept_heard()).set_should_end_session(True).response
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
            text = speech.deleted_heard(deletion.count > 0)
            return builder.speak(text).set_should_end_session(True).response
        newest = recordings.newest(
            user_id, person=scope.person_id, unattributed=scope.hears_unattributed_only
        )
        if newest is None:
            text = speech.heard_nothing(scope.kind)
            return builder.speak(text).set_should_end_session(True).response
        zone = self.zones.zone_for(handler_input)
        text = speech.heard(
            newest.recorded_at, newest.transcript, zone, turn.now.astimezone(zone).date()
        )
        turn.attributes[PENDING] = {"id": newest.id, "person": scope.person_id}
        return (
            builder.speak(text)
            .ask(speech.heard_reprompt())
            .add_directive(ConfirmIntentDirective(updated_intent=turn.intent))
            .response
        )
