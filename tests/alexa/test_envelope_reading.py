"""The skill reads a well-formed envelope exactly as the ASK SDK's own serializer does, though
it reads timestamps and model classes its own quicker way (``skill.alexa.envelope``)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from skill.alexa.envelope import EnvelopeSerializer
from skill.simulator.envelopes import (
    Caller,
    Session,
    intent_request,
    launch_request,
    session_ended_request,
    skill_event,
)

NOW = datetime(2026, 12, 1, 14, 43, 41, tzinfo=UTC)
CALLER = Caller(user_id="amzn1.ask.account.READ", device_id="amzn1.ask.device.READ")


def envelopes() -> list[dict[str, Any]]:
    return [
        launch_request(CALLER, NOW),
        intent_request(CALLER, NOW, "WhatDataIntent", session=Session()),
        intent_request(
            CALLER, NOW, "DeleteRecordingsIntent", {"date": "2026-11-30"},
            confirmation="CONFIRMED", dialog_state="COMPLETED",
        ),
        intent_request(CALLER, NOW, "SetRetentionIntent", {"period": None}),
        session_ended_request(CALLER, NOW, Session(), reason="EXCEEDED_MAX_REPROMPTS"),
        skill_event(
            CALLER, NOW, "AlexaSkillEvent.SkillDisabled",
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
