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
An envelope is read by readers worked out once per model type (``_QuickReader``): the SDK's
steps, without re-parsing type names and rebuilding attribute maps at every field. Whatever
they do not read exactly as the SDK would (a value of another shape than its field's, an
unknown discriminator, deep nesting) goes to the SDK's own reading, from the start.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
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

    def __init__(self) -> None:
        super().__init__()
        self._quick = _QuickReader(self)

    def deserialize(self, payload: Any, obj_type: Any) -> Any:
        if obj_type is not RequestEnvelope:
            return self._model(payload, obj_type)
        try:
            envelope = self._read_envelope(payload)
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

    def _read_envelope(self, payload: Any) -> Any:
        """What ``DefaultSerializer.deserialize(payload, RequestEnvelope)`` returns (or raises):
        by the quick readers when they can read it, by the SDK's steps otherwise."""
        if payload is None:
            return None
        try:
            data = json.loads(payload)
        except Exception:  # the SDK's own error, as it raises it
            return super().deserialize(payload, RequestEnvelope)
        try:
            return self._quick.read(data, RequestEnvelope)
        except Exception:  # not read as the SDK would read it: the SDK decides
            return self._DefaultSerializer__deserialize(data, RequestEnvelope)  # type: ignore[attr-defined]

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


Reader = Callable[[Any, int], Any]
"""Reads one JSON value as a type, at a nesting depth; raises where the SDK's reading might
differ."""

MAX_QUICK_DEPTH = 32
"""Deepest model nesting the quick readers read (an envelope has under ten levels); deeper is
the SDK's to read, with its own recursion."""

_SCALARS = (str, int, float, bool)
"""JSON values the quick readers convert to a primitive or an enum, as the SDK does; anything
else in such a field is the SDK's to read (``str()`` of a list recurses, and could run out of
stack in the SDK's deeper calls where it does not in ours)."""


class _Different(Exception):
    """A value the quick readers do not read exactly as the SDK would."""


def _different(payload: Any, depth: int) -> Any:
    raise _Different


def _as_is(payload: Any, depth: int) -> Any:
    return payload


class _QuickReader:
    """``DefaultSerializer``'s reading of a JSON value as a type, with each type's steps worked
    out once: for a model, its attribute map (updated as the SDK updates it), each field's
    reader, the payload keys that are no field's. Each reader does what the SDK does for the
    values it accepts, and raises for any other, which then goes to the SDK whole."""

    def __init__(self, serializer: EnvelopeSerializer) -> None:
        self.serializer = serializer
        self.readers: dict[Any, Reader] = {}
        self.models: dict[type, Reader] = {}

    def read(self, payload: Any, obj_type: Any) -> Any:
        return self.reader(obj_type)(payload, 0)

    def reader(self, obj_type: Any) -> Reader:
        found = self.readers.get(obj_type)
        if found is None:
            found = self.readers[obj_type] = self._reader(obj_type)
        return found

    def _reader(self, obj_type: Any) -> Reader:
        """The SDK's ``__deserialize`` dispatch, for one type."""
        sdk = self.serializer
        if isinstance(obj_type, str):
            if obj_type.startswith("list["):
                listed = re.match(r"list\[(.*)\]", obj_type)
                if listed is None or "," in listed.group(1):
                    return _different
                return self._list(listed.group(1).strip())
            if obj_type.startswith("dict("):
                mapped = re.match(r"dict\(([^,]*), (.*)\)", obj_type)
                if mapped is None:
                    return _different
                return self._dict(mapped.group(2))
            if obj_type in sdk.NATIVE_TYPES_MAPPING:
                obj_type = sdk.NATIVE_TYPES_MAPPING[obj_type]
            else:
                try:
                    obj_type = sdk._DefaultSerializer__load_class_from_name(obj_type)
                except SerializationException:
                    return _different
        if obj_type in sdk.PRIMITIVE_TYPES:
            return _different if obj_type is bytes else _converted(obj_type)
        if obj_type is object:
            return _as_is
        if obj_type is date or obj_type is datetime:
            return self._timestamp(obj_type)
        return self._model(obj_type)

    def _list(self, item_type: str) -> Reader:
        def read(payload: Any, depth: int) -> Any:
            if payload is None:
                return None
            if type(payload) is not list:
                raise _Different
            item = self.reader(item_type)
            return [item(value, depth + 1) for value in payload]

        return read

    def _dict(self, value_type: str) -> Reader:
        def read(payload: Any, depth: int) -> Any:
            if payload is None:
                return None
            if type(payload) is not dict:
                raise _Different
            value = self.reader(value_type)
            return {key: value(item, depth + 1) for key, item in payload.items()}

        return read

    def _timestamp(self, obj_type: type) -> Reader:
        parse = self.serializer._DefaultSerializer__deserialize_datetime

        def read(payload: Any, depth: int) -> Any:
            if payload is None:
                return None
            if type(payload) is not str:
                raise _Different
            return parse(payload, obj_type)

        return read

    def _model(self, obj_type: Any) -> Reader:
        """The SDK's ``__deserialize_model``: an enum, a model (found by its discriminator
        when its class has one), or the value as it is."""
        try:
            if issubclass(obj_type, Enum):
                return _converted(obj_type)
        except TypeError:
            return _different
        if not hasattr(obj_type, "deserialized_types"):
            return _as_is
        if not hasattr(obj_type, "get_real_child_model"):
            return self._concrete(obj_type)
        load = self.serializer._DefaultSerializer__load_class_from_name

        def read(payload: Any, depth: int) -> Any:
            if payload is None:
                return None
            name = obj_type.get_real_child_model(payload)
            if not name:
                raise _Different
            return self._concrete(load(name))(payload, depth)

        return read

    def _concrete(self, model: type) -> Reader:
        found = self.models.get(model)
        if found is None:
            found = self.models[model] = self._fields(model)
        return found

    def _fields(self, model: Any) -> Reader:
        """One model class: its fields set in its attribute map's order, then every other key
        of the payload as it is, as the SDK sets them."""
        types = model.deserialized_types
        names = getattr(model, "attribute_map", {})
        names.update({k: k for k in types if k not in names})  # as the SDK does
        known = set(names.values())
        fields = list(names.items())
        reader = self.reader

        def read(payload: Any, depth: int) -> Any:
            if payload is None:
                return None
            if type(payload) is not dict or depth > MAX_QUICK_DEPTH:
                raise _Different
            made = model()
            for param, key in fields:
                if key in payload:
                    # A field's type is looked up when a payload first has it, as the SDK
                    # does: a Context names a hundred model modules no request uses, and
                    # importing them all would cost a Lambda cold start 200 imports.
                    setattr(made, param, reader(types[param])(payload[key], depth + 1))
            for key in payload:
                if key not in known:
                    setattr(made, key, payload[key])
            return made

        return read


def _converted(obj_type: Any) -> Reader:
    """A primitive or an enum: the SDK calls the type on the value."""

    def read(payload: Any, depth: int) -> Any:
        if payload is None:
            return None
        if type(payload) not in _SCALARS:
            raise _Different
        return obj_type(payload)

    return read


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
