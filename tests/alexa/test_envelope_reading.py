"""The skill reads a well-formed envelope exactly as the ASK SDK's own serializer does, though
it reads timestamps and model classes its own quicker way (``skill.alexa.envelope``), and any
envelope, hostile ones included, exactly as it would through the SDK's own reading steps."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from hypothesis import given, settings
from hypothesis import strategies as st

from skill.alexa.envelope import EnvelopeSerializer
from skill.simulator.envelopes import (
    Caller,
    Session,
    intent_request,
    launch_request,
    session_ended_request,
    skill_event,
)
from tests.alexa.test_hostile_envelopes import BROKEN_FIELDS

NOW = datetime(2026, 12, 1, 14, 43, 41, tzinfo=UTC)
CALLER = Caller(user_id="amzn1.ask.account.READ", device_id="amzn1.ask.device.READ")


def envelopes() -> list[dict[str, Any]]:
    return [
        launch_request(CALLER, NOW),
        intent_request(CALLER, NOW, "WhatDataIntent", session=Session()),
        intent_request(
            CALLER,
            NOW,
            "DeleteRecordingsIntent",
            {"date": "2026-11-30"},
            confirmation="CONFIRMED",
            dialog_state="COMPLETED",
        ),
        intent_request(CALLER, NOW, "SetRetentionIntent", {"period": None}),
        session_ended_request(CALLER, NOW, Session(), reason="EXCEEDED_MAX_REPROMPTS"),
        skill_event(
            CALLER,
            NOW,
            "AlexaSkillEvent.SkillDisabled",
            {"userInformationPersistenceStatus": "NOT_PERSISTED"},
        ),
    ]


def both(event: dict[str, Any]) -> tuple[Any, Any, RequestEnvelope]:
    body = json.dumps(event)
    ours = EnvelopeSerializer().deserialize(body, RequestEnvelope)
    theirs = DefaultSerializer().deserialize(body, RequestEnvelope)
    sdk = DefaultSerializer()
    return sdk.serialize(ours), sdk.serialize(theirs), ours


@pytest.mark.parametrize("event", envelopes(), ids=lambda e: e["request"]["type"])
def test_every_request_type_reads_as_the_sdk_reads_it(event: dict[str, Any]) -> None:
    ours, theirs, _ = both(event)
    assert ours == theirs


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2026-12-01T14:43:41Z", NOW),
        ("2026-12-01T14:43:41.250Z", NOW + timedelta(milliseconds=250)),
        ("2026-12-01T15:43:41+01:00", NOW),
        ("2026-12-01T14:43:41", NOW.replace(tzinfo=None)),
        # Not ISO 8601 as Python reads it: still read, by the SDK's own parser.
        ("Tue, 01 Dec 2026 14:43:41 GMT", NOW),
        ("2026-12-01 14:43:41 UTC", NOW),
    ],
)
def test_timestamps_read_as_the_same_instant(stamp: str, expected: datetime) -> None:
    event = launch_request(CALLER, NOW)
    event["request"]["timestamp"] = stamp
    ours, theirs, envelope = both(event)
    assert ours == theirs
    assert envelope.request is not None
    read = envelope.request.timestamp
    assert read == expected
    assert (read.tzinfo is None) == (expected.tzinfo is None)


def test_a_date_field_reads_as_a_date() -> None:
    assert EnvelopeSerializer().deserialize('"2026-12-01"', date) == date(2026, 12, 1)


# --- the quick readers read exactly what the SDK's own steps read ------------------------------


class SdkSteps(EnvelopeSerializer):
    """The skill's serializer with the SDK's reading of the envelope in place of the quick
    readers: salvage, system and event body unchanged."""

    def _read_envelope(self, payload: Any) -> Any:
        return DefaultSerializer.deserialize(self, payload, RequestEnvelope)


def shape(value: Any) -> Any:
    """Everything a read envelope holds: every object's class and attributes, each enum's
    class and value, each timestamp with its offset and time zone class."""
    if isinstance(value, Enum):
        return ("enum", type(value), value.value)
    if isinstance(value, datetime):
        return ("datetime", value.isoformat(), type(value.tzinfo), value.utcoffset())
    if isinstance(value, list):
        return ["list", *(shape(item) for item in value)]
    if isinstance(value, dict):
        return ("dict", {key: shape(item) for key, item in value.items()})
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return ("object", type(value), {k: shape(v) for k, v in vars(value).items()})
    return ("value", type(value), value)


def read_both(payload: str) -> tuple[Any, Any]:
    def read(serializer: EnvelopeSerializer) -> Any:
        try:
            return shape(serializer.deserialize(payload, RequestEnvelope))
        except Exception as error:  # the same failure, if any
            return ("raised", type(error))

    return read(EnvelopeSerializer()), read(SdkSteps())


HOSTILE: list[tuple[tuple[str, ...], Any]] = [
    *BROKEN_FIELDS,
    (("request", "timestamp"), "Tue, 01 Dec 2026 14:43:41 GMT"),
    (("request", "intent", "slots"), ["all"]),
    (("request", "intent", "confirmationStatus"), "MAYBE"),
    (("request", "dialogState"), 7),
    (("request", "locale"), {"x": 1}),
    (("request", "requestId"), 12),
    (("request", "requestId"), None),
    (("request", "__class__"), "x"),
    (("request", "request_id"), "snake"),
    (("request", "surprise"), {"nested": [1, 2]}),
    (("request",), "x"),
    (("request",), None),
    (("session",), [1]),
    (("session", "attributes"), 5),
    (("session", "attributes"), {"a": {"b": [1, {"c": None}]}}),
    (("session", "new"), "yes"),
    (("session", "new"), 0),
    (("session", "user"), "u"),
    (("context", "System", "device", "supportedInterfaces"), {"Bogus": {}}),
    (("context", "System", "apiEndpoint"), 1.5),
    (("context",), None),
    (("version",), float("inf")),
]


@pytest.mark.parametrize(("path", "value"), HOSTILE, ids=lambda v: repr(v)[:40])
def test_a_hostile_envelope_reads_as_the_sdk_steps_read_it(
    path: tuple[str, ...], value: Any
) -> None:
    event = intent_request(
        CALLER, NOW, "DeleteRecordingsIntent", {"date": "2026-11-30"}, session=Session()
    )
    place = event
    for key in path[:-1]:
        place = place[key]
    place[path[-1]] = value
    ours, sdk = read_both(json.dumps(event))
    assert ours == sdk


@pytest.mark.parametrize("event", envelopes(), ids=lambda e: e["request"]["type"])
def test_every_request_type_reads_as_the_sdk_steps_read_it(event: dict[str, Any]) -> None:
    ours, sdk = read_both(json.dumps(event))
    assert ours == sdk
    assert ours[1] is RequestEnvelope


@pytest.mark.parametrize("depth", [20, 200, 400])
def test_deep_nesting_reads_as_the_sdk_steps_read_it(depth: int) -> None:
    """Deep enough, the SDK's reading runs out of stack and the request is salvaged."""
    slot: dict[str, Any] = {"type": "Simple", "value": "x"}
    for _ in range(depth):
        slot = {"type": "List", "values": [slot]}
    event = intent_request(CALLER, NOW, "WhatDataIntent", {"date": "today"})
    event["request"]["intent"]["slots"]["date"]["slotValue"] = slot
    ours, sdk = read_both(json.dumps(event))
    assert ours == sdk


json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
slot_types: st.SearchStrategy[Any] = st.sampled_from(["Simple", "List", "Bogus", 3])
slot_values: st.SearchStrategy[Any] = st.deferred(
    lambda: st.fixed_dictionaries(
        {"type": slot_types},
        optional={
            "value": json_values,
            "values": st.lists(slot_values, max_size=3) | json_values,
            "resolutions": json_values,
        },
    )
)
slots = st.fixed_dictionaries(
    {"name": st.text(max_size=8) | json_values},
    optional={
        "value": st.text(max_size=12) | json_values,
        "confirmationStatus": st.sampled_from(["NONE", "CONFIRMED", "DENIED", "BOGUS"])
        | json_values,
        "source": json_values,
        "slotValue": slot_values | json_values,
        "resolutions": st.fixed_dictionaries(
            {
                "resolutionsPerAuthority": st.lists(
                    st.fixed_dictionaries(
                        {
                            "authority": st.text(max_size=8),
                            "status": st.fixed_dictionaries(
                                {"code": st.sampled_from(["ER_SUCCESS_MATCH", "ER_BOGUS"])}
                            ),
                        },
                        optional={"values": json_values},
                    ),
                    max_size=2,
                )
            }
        )
        | json_values,
    },
)
sessions = st.fixed_dictionaries(
    {},
    optional={
        "new": st.booleans() | json_values,
        "sessionId": st.text(max_size=12) | json_values,
        "attributes": st.dictionaries(st.text(max_size=6), json_values, max_size=4) | json_values,
        "application": st.fixed_dictionaries({"applicationId": st.text(max_size=8)}) | json_values,
        "user": st.fixed_dictionaries(
            {"userId": st.text(max_size=8)},
            optional={"accessToken": json_values, "permissions": json_values},
        )
        | json_values,
        "extra": json_values,
    },
)


@settings(max_examples=300, deadline=None)
@given(
    slot_map=st.dictionaries(st.text(max_size=6), slots | json_values, max_size=3),
    session=sessions | json_values,
    extra=st.dictionaries(st.text(max_size=6), json_values, max_size=2),
)
def test_generated_slots_and_sessions_read_as_the_sdk_steps_read_them(
    slot_map: dict[str, Any], session: Any, extra: dict[str, Any]
) -> None:
    event = intent_request(CALLER, NOW, "DeleteRecordingsIntent", session=Session())
    event["request"]["intent"]["slots"] = slot_map
    event["session"] = session
    event["request"].update(extra)
    ours, sdk = read_both(json.dumps(event))
    assert ours == sdk
