""" "what data do you keep": a personal answer from real data, plus a card."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from skill.alexa.handlers.base import IntentHandler
from skill.alexa.scope import scope_of
from skill.alexa.timezones import DeviceTimeZones
from skill.alexa.turn import Turn

if TYPE_CHECKING:
    from skill.alexa.handlers.base import ServicesSource


class WhatDataHandler(IntentHandler):
    """Counts, date span, audio, human review, the retention that really applies, and how to
    delete."""

    intent_name = "WhatDataIntent"

    def __init__(self, services: ServicesSource, zones: DeviceTimeZones):
        self.services = services
        self.zones = zones

    def answer(self, handler_input: HandlerInput, turn: Turn, user_id: str) -> Response:
        zone = self.zones.zone_for(handler_input)
        scope = scope_of(turn)
        services = self.services()
        overview = services.overview(user_id, person=scope.person)  # one read transaction
        retention = overview.retention
        text, card = turn.speech.what_data(
            overview.summary,
            overview.consent,
            retention.period,
            retention.source,
            zone,
            turn.now.astimezone(zone).date(),
            scope.kind,
            overview.account_total,
        )
        return (
            handler_input.response_builder.speak(text)
            .set_card(SimpleCard(title=card.title, content=card.content))
            .set_should_end_session(True)
            .response
        )
