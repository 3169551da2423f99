""" "link code 4 8 1 5 2 3" (``LinkDashboardIntent``, slot ``code``: AMAZON.NUMBER) and "sign
out my dashboards" (``SignOutDashboardsIntent``).

Linking binds the browser that shows the code to the speaker: the Alexa userId, and the
person when the voice is recognised. The skill first finds the waiting browser, then asks
(``Dialog.ConfirmIntent``), saying what will happen; it saves in the session which browser it
asked about and for whom. A CONFIRMED links that browser only if the same code still names
it and the same speaker answers; a CONFIRMED without a saved question asks again. A wrong or
expired code is refused with nothing linked (and counted: see ``DashboardService``). Without
``PRIVACY_SKILL_PUBLIC_URL`` there is no dashboard, and the skill says so.

Signing out needs no confirmation: it only takes access away. A recognised speaker signs out
their own dashboards, anyone else every dashboard of the account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.handlers.base import IntentHandler, confirm, elicit
from skill.alexa.scope import scope_of
from skill.alexa.timezones import DeviceTimeZones
from skill.alexa.turn import Turn
from skill.services.link_codes import CodeRefused, normalise_code

if TYPE_CHECKING:
    from skill.alexa.handlers.base import ServicesSource
    from skill.services.dashboard import DashboardService

PENDING = "pending_link"
"""Session attribute holding which browser the skill asked about linking, and for whom."""


class LinkDashboardHandler(IntentHandler):
    intent_name = "LinkDashboardIntent"

    def __init__(self, services: ServicesSource, zones: DeviceTimeZones, url: str | None):
        self.services = services
        self.zones = zones
        self.url = url
        """The dashboard's address; None: not set up."""

    @property
    def dashboard(self) -> DashboardService:
        return self.services().dashboard

    def answer(self, handler_input: HandlerInput, turn: Turn, user_id: str) -> Response:
        speech = turn.speech
        if self.url is None:
            return _say(handler_input, speech.dashboard_not_set_up())
        pending = self._pending(turn)
        if turn.confirmation == "DENIED":
            return _say(handler_input, speech.link_declined())
        code = turn.slot("code")
        if turn.confirmation == "CONFIRMED" and pending is not None:
            zone = self.zones.zone_for(handler_input)
            linked = self.dashboard.link(
                code,
                int(pending["session"]),
                user_id=user_id,
                person_id=turn.person_id,
                timezone=zone.key,
                request_id=turn.request_id,
            )
            if isinstance(linked, CodeRefused):
                return _say(handler_input, speech.link_refused(linked.reason, self.url))
            return _say(handler_input, speech.linked(scope_of(turn).kind))
        if code is None:  # "link my dashboard": where to look, and the question
            text, reprompt = speech.ask_link_code(self.url)
            return elicit(handler_input, turn, "code", text, reprompt)
        found = self.dashboard.find_code(code, user_id)
        if isinstance(found, CodeRefused):
            return _say(handler_input, speech.link_refused(found.reason, self.url))
        digits = normalise_code(code)
        assert digits is not None  # a code that found a browser is six digits
        turn.attributes[PENDING] = {"session": found.session_id, "person": turn.person_id}
        text = speech.confirm_link(digits, scope_of(turn).kind)
        return confirm(handler_input, turn, text)

    @staticmethod
    def _pending(turn: Turn) -> dict[str, Any] | None:
        """The question this turn answers, if the same speaker answers it."""
        pending = turn.attributes.pop(PENDING, None)
        if not isinstance(pending, dict) or not isinstance(pending.get("session"), int):
            return None
        if pending.get("person") != turn.person_id:
            return None
        return pending


class SignOutDashboardsHandler(IntentHandler):
    intent_name = "SignOutDashboardsIntent"

    def __init__(self, services: ServicesSource):
        self.services = services

    def answer(self, handler_input: HandlerInput, turn: Turn, user_id: str) -> Response:
        scope = scope_of(turn)
        ended = self.services().dashboard.sign_out(
            user_id, person=scope.person, channel="voice", request_id=turn.request_id
        )
        return _say(handler_input, turn.speech.signed_out(ended, scope.kind))


def _say(handler_input: HandlerInput, text: str) -> Response:
    return handler_input.response_builder.speak(text).set_should_end_session(True).response
