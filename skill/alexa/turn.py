"""The facts every handler needs from a request, read once and safely.

Malformed envelopes (no user, no device, no timestamp, no slots) must never
crash a handler, so every field here has a defined fallback.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.intent import Intent

from skill.alexa.speech import EnglishUS, speech_for


@dataclass(frozen=True)
class Turn:
    """One request, as the handlers see it."""

    user_id: str | None
    """Alexa ``userId`` (context.System.user, else session.user); None if absent."""
    person_id: str | None
    """Alexa ``personId`` of the recognised speaker (context.System.person), else None."""
    request_id: str | None
    """Alexa ``requestId``, for the ledger and logs."""
    now: datetime
    """The request's timestamp (aware UTC): the skill's idea of "now"."""
    speech: EnglishUS
    """Wording for the request's locale."""
    intent: Intent | None
    """The intent, for IntentRequests."""
    attributes: dict[str, Any]
    """The live session attributes (changes are returned to Alexa)."""

    def slot(self, name: str) -> str | None:
        """A slot's value, or None when the slot or its value is missing."""
        slots = self.intent.slots if self.intent is not None else None
        slot = (slots or {}).get(name)
        value = getattr(slot, "value", None)
        return value if isinstance(value, str) and value.strip() else None

    def slot_id(self, name: str) -> str | None:
        """The id entity resolution matched a custom slot's value to (``EVERYONE``), or None
        when nothing matched."""
        slots = self.intent.slots if self.intent is not None else None
        resolutions = getattr((slots or {}).get(name), "resolutions", None)
        for authority in getattr(resolutions, "resolutions_per_authority", None) or []:
            code = getattr(getattr(getattr(authority, "status", None), "code", None), "value", None)
            values = getattr(authority, "values", None) or []
            if code == "ER_SUCCESS_MATCH" and values:
                found = getattr(getattr(values[0], "value", None), "id", None)
                return found if isinstance(found, str) else None
        return None

    @property
    def confirmation(self) -> str:
        """NONE, CONFIRMED or DENIED."""
        status = getattr(self.intent, "confirmation_status", None)
        return str(getattr(status, "value", None) or "NONE")


def read_turn(handler_input: HandlerInput) -> Turn:
    envelope = handler_input.request_envelope
    request = envelope.request
    system = envelope.context.system if envelope.context else None
    session_user = envelope.session.user if envelope.session else None
    user = (system.user if system else None) or session_user
    person = system.person if system else None
    stamp = getattr(request, "timestamp", None)
    if isinstance(stamp, datetime):
        now = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    else:
        now = datetime.now(UTC)
    return Turn(
        user_id=_text(getattr(user, "user_id", None)),
        person_id=_text(getattr(person, "person_id", None)),
        request_id=_text(getattr(request, "request_id", None)),
        now=now.astimezone(UTC),
        speech=speech_for(getattr(request, "locale", None)),
        intent=getattr(request, "intent", None),
        attributes=_session_attributes(handler_input),
    )


def _text(value: Any) -> str | None:
    """An id as the envelope must carry it: a non-empty string (else none at all)."""
    return value if isinstance(value, str) and value else None


def _session_attributes(handler_input: HandlerInput) -> dict[str, Any]:
    # Out of session (no `session` in the envelope) the SDK raises on access;
    # a throwaway dict keeps handlers simple, and nothing is sent back.
    if handler_input.request_envelope.session is None:
        return {}
    manager = handler_input.attributes_manager
    attributes = manager.session_attributes
    if attributes is None:
        attributes = manager.session_attributes = {}
    return attributes
