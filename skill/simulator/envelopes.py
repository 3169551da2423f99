"""Alexa request envelopes, built exactly as the Alexa service sends them.

Used by the simulator's dialog driver and by the tests, so that the skill is
always exercised with the JSON it meets in production (``session``,
``context.System`` with user, device, ``apiEndpoint`` and ``apiAccessToken``,
and a ``request`` with its id, timestamp and locale).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from skill.nlu import SlotResolution

DEFAULT_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
DEFAULT_API_ENDPOINT = "https://api.amazonalexa.com"

Json = dict[str, Any]


@dataclass
class Caller:
    """Who is speaking to the skill, and from where."""

    user_id: str = "amzn1.ask.account.SIMULATED"
    """Alexa ``userId``: the account whose data the skill acts on."""
    device_id: str | None = "amzn1.ask.device.SIMULATED"
    """Alexa ``deviceId``; None leaves the device out (a malformed request)."""
    skill_id: str = DEFAULT_SKILL_ID
    """The application id the request is addressed to."""
    locale: str = "en-US"
    """The device locale, e.g. ``en-US``."""
    api_endpoint: str = DEFAULT_API_ENDPOINT
    """Base URL of the Alexa APIs (the Settings API lives under it)."""
    api_access_token: str = "simulated-access-token"
    """Bearer token the skill presents to the Alexa APIs."""
    person_id: str | None = None
    """Alexa ``personId`` of the recognised speaker (a voice profile); None: not recognised,
    and ``context.System.person`` is left out, as Alexa does."""


@dataclass
class Session:
    """State Alexa keeps between the turns of one session."""

    session_id: str = field(default_factory=lambda: f"amzn1.echo-api.session.{uuid.uuid4()}")
    """Alexa ``sessionId``."""
    new: bool = True
    """True for the first request of the session."""
    attributes: Json = field(default_factory=dict)
    """Session attributes the skill returned on the previous turn."""


def timestamp(now: datetime) -> str:
    """Alexa's request timestamp format: UTC, seconds, trailing Z."""
    if now.tzinfo is None:
        raise ValueError("request time must be timezone-aware")
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(caller: Caller, session: Session | None, request: Json) -> Json:
    """Wrap a ``request`` object in a full envelope for ``caller``."""
    application = {"applicationId": caller.skill_id}
    user = {"userId": caller.user_id}
    system: Json = {
        "application": application,
        "user": user,
        "apiEndpoint": caller.api_endpoint,
        "apiAccessToken": caller.api_access_token,
    }
    if caller.device_id is not None:
        system["device"] = {"deviceId": caller.device_id, "supportedInterfaces": {}}
    if caller.person_id is not None:
        system["person"] = {"personId": caller.person_id}
    body: Json = {"version": "1.0", "context": {"System": system}, "request": request}
    if session is not None:
        body["session"] = {
            "new": session.new,
            "sessionId": session.session_id,
            "application": application,
            "attributes": dict(session.attributes),
            "user": user,
        }
    return body


def _request(kind: str, caller: Caller, now: datetime, **extra: Any) -> Json:
    return {
        "type": kind,
        "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
        "timestamp": timestamp(now),
        "locale": caller.locale,
        **extra,
    }


def skill_event(caller: Caller, now: datetime, kind: str, body: Json | None = None) -> Json:
    """A skill event (``AlexaSkillEvent.SkillDisabled`` and the like) as Alexa sends it: no
    session and no device, the event's times, and its ``body`` when it has one."""
    stamp = timestamp(now)
    extra: Json = {"eventCreationTime": stamp, "eventPublishingTime": stamp}
    if body is not None:
        extra["body"] = body
    request = _request(kind, caller, now, **extra)
    request.pop("locale")
    event = envelope(caller, None, request)
    event["context"]["System"].pop("device", None)
    return event


def launch_request(caller: Caller, now: datetime, session: Session | None = None) -> Json:
    """The request Alexa sends for "open voice privacy"."""
    return envelope(caller, session or Session(), _request("LaunchRequest", caller, now))


def intent_request(
    caller: Caller,
    now: datetime,
    intent: str,
    slots: dict[str, str | None] | None = None,
    *,
    session: Session | None = None,
    confirmation: str = "NONE",
    dialog_state: str | None = None,
    resolutions: Mapping[str, SlotResolution] | None = None,
) -> Json:
    """An IntentRequest; a slot whose value is None is sent without a value, as Alexa does,
    and a filled slot of a custom type with its entity ``resolutions``."""
    slot_objects: Json = {}
    for name, value in (slots or {}).items():
        slot: Json = {"name": name, "confirmationStatus": "NONE"}
        if value is not None:
            fill_slot(slot, value, (resolutions or {}).get(name), caller.skill_id)
        slot_objects[name] = slot
    extra: Json = {
        "intent": {"name": intent, "confirmationStatus": confirmation, "slots": slot_objects}
    }
    if dialog_state is not None:
        extra["dialogState"] = dialog_state
    return envelope(caller, session or Session(), _request("IntentRequest", caller, now, **extra))


def fill_slot(
    slot: Json, value: str, resolution: SlotResolution | None, skill_id: str = DEFAULT_SKILL_ID
) -> None:
    """Give the request's ``slot`` object ``value``, with the ``resolutions`` Alexa adds for a
    custom slot type (dropping any a previous value had)."""
    slot["value"] = value
    if resolution is None:
        slot.pop("resolutions", None)
    else:
        slot["resolutions"] = resolutions_object(resolution, skill_id)


def resolutions_object(resolution: SlotResolution, skill_id: str = DEFAULT_SKILL_ID) -> Json:
    """A slot's ``resolutions`` as Alexa fills it for a custom slot type: one authority, the
    skill's own type, with the values matched (``ER_SUCCESS_MATCH``) or none
    (``ER_SUCCESS_NO_MATCH``)."""
    authority: Json = {
        "authority": f"amzn1.er-authority.echo-sdk.{skill_id}.{resolution.slot_type}",
        "status": {"code": resolution.status},
    }
    if resolution.values:
        authority["values"] = [
            {"value": {"name": value.name} | ({"id": value.id} if value.id is not None else {})}
            for value in resolution.values
        ]
    return {"resolutionsPerAuthority": [authority]}


def session_ended_request(
    caller: Caller, now: datetime, session: Session, reason: str = "USER_INITIATED"
) -> Json:
    """The request Alexa sends when a session ends without the skill ending it."""
    return envelope(caller, session, _request("SessionEndedRequest", caller, now, reason=reason))


def now_utc() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)
