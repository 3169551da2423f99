"""Reading any request envelope into the SDK's model without ever failing.

The ASK SDK's serializer raises on anything it cannot model: a request type it does not know
("Bogus", "LaunchRequest " with a space), a value of the wrong shape (``"intent": "x"``,
``"attributes": 5``, ``System`` as a list), an enum value newer than the SDK (a cause type of a
SessionResumedRequest), a timestamp that is not a time. Its message then carries the whole
request body. ``EnvelopeSerializer`` keeps the SDK's result when it works and otherwise salvages
what it can, piece by piece: the context (or just its well-formed ids), the session, and the
request, which becomes an ``UnreadableRequest`` of the same type that the skill answers politely
without acting. It also fills a missing ``context.System``, which the SDK dereferences.

Messages never quote the payload.

It is also quicker than the SDK's on every request: timestamps in the ISO 8601 form Alexa sends
are read by ``datetime.fromisoformat`` (the SDK hands every one to ``dateutil``'s general
parser, about a third of a WhatData's time in the web service; anything else still goes
there), and model classes are looked up by name once per process, not imported on every field.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import Context, RequestEnvelope, Session
from ask_sdk_model.interfaces.system import SystemState
from ask_sdk_model.request import Request

__all__ = ["SPEECH_REQUEST_TYPES", "EnvelopeSerializer", "UnreadableRequest", "event_body"]

SPEECH_REQUEST_TYPES = frozenset({"LaunchRequest", "IntentRequest", "SessionResumedRequest"})
"""Request types whose answer may carry speech; every other type gets an empty response."""

MAX_ID_LENGTH = 512
"""Longest id kept from a salvaged envelope (Alexa's ids are far shorter)."""

_SYSTEM_OBJECTS = {
    "application": "applicationId",
    "user": "userId",
    "device": "deviceId",
    "person": "personId",
    "unit": "unitId",
}
"""The System members the skill uses, each kept when its id is a string."""


_MODEL_CLASSES: dict[str, Any] = {}
"""Model classes by the dotted names the SDK's models give their fields' types (a fixed set:
never a name from a payload)."""


class UnreadableRequest(Request):
    """A request the SDK could not model. ``object_type`` is the type it claimed (when it was a
    string); the skill answers it without acting on it."""

    def __init__(self, object_type: str, request_id: str | None, locale: str | None) -> None:
        super().__init__(object_type=object_type, request_id=request_id, locale=locale)


class EnvelopeSerializer(DefaultSerializer):
    """The SDK's serializer, made total for request envelopes (see the module docstring)."""

    def deserialize(self, payload: Any, obj_type: Any) -> Any:
        if obj_type is not RequestEnvelope:
            return self._model(payload, obj_type)
        try:
            envelope = super().deserialize(payload, obj_type)
        except (SerializationException, RecursionError, ValueError, TypeError):
            envelope = self._salvage(_parsed(payload))
        if envelope.request is None:  # no "request" at all (a test event, another service's)
            envelope = self._salvage(_parsed(payload))
        _keep_event_body(envelope, payload)
        return _with_system(envelope)

    # The SDK's own private methods, which the two below replace (and fall back on).
    _sdk_datetime = DefaultSerializer._DefaultSerializer__deserialize_datetime  # type: ignore[attr-defined]
    _sdk_load_class = DefaultSerializer._DefaultSerializer__load_class_from_name  # type: ignore[attr-defined]

    def _DefaultSerializer__deserialize_datetime(self, payload: Any, obj_type: Any) -> Any:
        """The SDK's date and time reading (a private method it calls for every timestamp),
        with ``datetime.fromisoformat`` first."""
        if isinstance(payload, str):
            try:
                parsed = datetime.fromisoformat(payload)
            except ValueError:
                pass  # not ISO 8601 as Python reads it: the SDK's parser decides
            else:
                return parsed.date() if obj_type is date else parsed
        return self._sdk_datetime(payload, obj_type)

    def _DefaultSerializer__load_class_from_name(self, class_name: str) -> Any:
        """The SDK's class lookup by dotted name, done once per name."""
        found = _MODEL_CLASSES.get(class_name)
        if found is None:
            found = _MODEL_CLASSES[class_name] = self._sdk_load_class(class_name)
        return found

    def _model(self, payload: Any, obj_type: Any) -> Any:
        """Any other model (Alexa API answers): the SDK's, with an error that quotes nothing."""
        try:
            return super().deserialize(payload, obj_type)
        except SerializationException:
            raise SerializationException("the response body could not be read") from None

    def _salvage(self, data: dict[str, Any]) -> RequestEnvelope:
        request = _dict(data.get("request"))
        kind = request.get("type")
        return RequestEnvelope(
            version=_text(data.get("version")) or "1.0",
            session=self._part(data.get("session"), Session),
            context=self._part(data.get("context"), Context)
            or self._part(_system_ids(data.get("context")), Context),
            request=self._part(request, Request)
            or UnreadableRequest(
                kind if isinstance(kind, str) else "",
                _text(request.get("requestId")),
                _text(request.get("locale")),
            ),
        )

    def _part(self, value: Any, obj_type: type[Any]) -> Any:
        """``value`` as ``obj_type``, or None when it is missing or the SDK cannot model it."""
        if not isinstance(value, dict):
            return None
        try:
            return super().deserialize(json.dumps(value), obj_type)
        except (SerializationException, RecursionError, ValueError, TypeError):
            return None


def _parsed(payload: Any) -> dict[str, Any]:
    try:
        data = json.loads(payload) if isinstance(payload, str | bytes) else payload
    except (ValueError, RecursionError):
        raise SerializationException("the request body is not JSON") from None
    if not isinstance(data, dict):
        raise SerializationException("the request body is not a JSON object")
    return data


def _keep_event_body(envelope: RequestEnvelope, payload: Any) -> None:
    """A skill event's ``body`` as sent, on ``request.event_body``: the SDK's model of
    ``AlexaSkillEvent.SkillDisabled`` drops it, and with it
    ``userInformationPersistenceStatus``."""
    request = envelope.request
    kind = getattr(request, "object_type", None)
    if request is None or not (isinstance(kind, str) and kind.startswith("AlexaSkillEvent.")):
        return
    try:
        data = _parsed(payload)
    except SerializationException:
        data = {}
    request.event_body = _dict(_dict(data.get("request")).get("body"))  # type: ignore[attr-defined]


def event_body(request: Any) -> dict[str, Any]:
    """The ``body`` of a skill event as sent (empty for anything else)."""
    body = getattr(request, "event_body", None)
    return body if isinstance(body, dict) else {}


def _with_system(envelope: RequestEnvelope) -> RequestEnvelope:
    """The SDK reads ``context.System`` on every request: make sure there is one."""
    if envelope.context is None:
        envelope.context = Context(system=SystemState())
    elif envelope.context.system is None:
        envelope.context.system = SystemState()
    return envelope


def _system_ids(context: Any) -> dict[str, Any] | None:
    """Just the well-formed ids of ``context.System`` (and the API endpoint and token)."""
    system = _dict(_dict(context).get("System"))
    kept: dict[str, Any] = {}
    for name, id_key in _SYSTEM_OBJECTS.items():
        member = _dict(system.get(name))
        if _text(member.get(id_key)) is not None:
            kept[name] = {id_key: member[id_key]}
    for name in ("apiEndpoint", "apiAccessToken"):
        if _text(system.get(name)) is not None:
            kept[name] = system[name]
    return {"System": kept}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH else None
