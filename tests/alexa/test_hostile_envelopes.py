"""Every envelope gets a valid Alexa answer through the Lambda handler: no exception, no action
on what cannot be read, and never another user's data."""

from __future__ import annotations

import copy
import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.services import Services
from skill.simulator.envelopes import Session, intent_request, launch_request
from tests.conftest import OTHER_USER, USER, Alexa, Reply, seed

DELETE_INTENTS = (
    "DeleteRecordingsIntent",
    "DeleteAllRecordingsIntent",
    "DeleteLastRecordingIntent",
)


def is_valid_answer(raw: dict[str, Any]) -> bool:
    """The shape Alexa accepts: a version and a response object."""
    return raw.get("version") == "1.0" and isinstance(raw.get("response"), dict)


def broken(event: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    event = copy.deepcopy(event)
    place = event
    for key in path[:-1]:
        place = place[key]
    place[path[-1]] = value
    return event


@pytest.fixture
def seeded(alexa: Alexa, services: Services) -> Alexa:
    seed(services, USER, alexa.now - timedelta(hours=1))
    seed(services, OTHER_USER, alexa.now - timedelta(hours=1))
    return alexa


def what_data(alexa: Alexa) -> dict[str, Any]:
    return intent_request(alexa.caller, alexa.now, "WhatDataIntent", session=Session())


def delete_all_confirmed(alexa: Alexa) -> dict[str, Any]:
    return intent_request(
        alexa.caller, alexa.now, "DeleteAllRecordingsIntent", confirmation="CONFIRMED"
    )


BROKEN_FIELDS: list[tuple[tuple[str, ...], Any]] = [
    (("request", "type"), "Bogus"),
    (("request", "type"), "LaunchRequest "),
    (("request", "type"), 5),
    (("request", "timestamp"), "garbage"),
    (("request", "timestamp"), 1764169200),
    (("request", "timestamp"), ""),
    (("request", "intent"), "DeleteAllRecordingsIntent"),
    (("request", "intent", "slots"), "all"),
    (("request", "intent", "confirmationStatus"), ["CONFIRMED"]),
    (("context", "System"), ["user"]),
    (("context",), "x"),
    (("request", "requestId"), "r" * 1_000_000),
]
"""Fields an envelope may carry broken: (path, value)."""


@pytest.mark.parametrize(("path", "value"), BROKEN_FIELDS)
def test_a_broken_confirmed_deletion_answers_and_deletes_nothing(
    seeded: Alexa, services: Services, path: tuple[str, ...], value: Any
) -> None:
    reply = seeded.send(broken(delete_all_confirmed(seeded), path, value))
    assert is_valid_answer(reply.raw)
    assert "Done" not in reply.speech
    assert services.recordings.total(USER) == 1
    assert services.recordings.total(OTHER_USER) == 1


def test_session_attributes_of_the_wrong_shape_are_dropped(seeded: Alexa) -> None:
    reply = seeded.send(broken(what_data(seeded), ("session", "attributes"), 5))
    assert reply.speech.startswith("I keep one recording on this account")


def test_an_unknown_request_type_gets_an_empty_response(seeded: Alexa) -> None:
    reply = seeded.send(
        broken(launch_request(seeded.caller, seeded.now), ("request", "type"), "Bogus")
    )
    assert reply.raw["response"] == {}


@pytest.mark.parametrize("event", [{}, {"version": "1.0"}, {"hello": "world"}, {"request": None}])
def test_an_event_without_a_request_gets_an_empty_answer_and_no_error(
    seeded: Alexa, services: Services, event: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """What a Lambda console test event or another service's invocation looks like."""
    caplog.set_level(logging.INFO)
    raw = seeded.handler(event, None)
    assert raw["response"] == {}
    assert is_valid_answer(raw)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert "unreadable other envelope answered without acting" in caplog.text
    assert services.recordings.total(USER) == 1


def test_a_known_type_that_cannot_be_read_gets_a_polite_answer(seeded: Alexa) -> None:
    reply = seeded.send(broken(what_data(seeded), ("request", "timestamp"), "garbage"))
    assert (
        reply.speech == "Sorry, I couldn't make sense of that request, so I didn't change anything."
    )
    assert reply.ends is True


def test_an_unknown_cause_of_a_resumed_session_is_answered(seeded: Alexa) -> None:
    event = launch_request(seeded.caller, seeded.now)
    event["request"]["type"] = "SessionResumedRequest"
    event["request"]["cause"] = {"type": "SomethingNewer", "status": {"code": "200"}}
    assert is_valid_answer(seeded.send(event).raw)


@pytest.mark.parametrize("drop", [("context",), ("context", "System"), ("session",)])
def test_missing_parts_are_answered(seeded: Alexa, drop: tuple[str, ...]) -> None:
    event = what_data(seeded)
    place = event
    for key in drop[:-1]:
        place = place[key]
    del place[drop[-1]]
    reply = seeded.send(event)
    assert is_valid_answer(reply.raw)
    if drop == ("session",):  # the user is still known from context.System
        assert reply.speech.startswith("I keep one recording on this account")


def test_a_wrongly_typed_user_does_not_reach_anyone(seeded: Alexa) -> None:
    event = broken(what_data(seeded), ("context", "System", "user"), {"userId": 5})
    event["session"]["user"] = {"userId": 5}
    reply = seeded.send(event)
    assert is_valid_answer(reply.raw)
    assert "one recording" not in reply.speech, "no one's data is read for a mangled user id"


@pytest.mark.parametrize("value", ["9999-12-31", "2999-W01", "999X", "0001-01-01", "1900-05"])
def test_dates_outside_a_sane_range_are_refused_politely(
    seeded: Alexa, services: Services, value: str
) -> None:
    reply = seeded.intent("DeleteRecordingsIntent", {"date": value})
    assert reply.directives == []
    assert reply.speech in (
        "I can only delete recordings from the past, and that's in the future.",
        "Sorry, I didn't catch which day you mean. You can say: delete what I said today, "
        "or yesterday, or this week.",
    )
    assert services.recordings.total(USER) == 1


# --- generated envelopes ------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
REQUEST_TYPES = st.sampled_from(
    [
        "LaunchRequest",
        "IntentRequest",
        "SessionEndedRequest",
        "CanFulfillIntentRequest",
        "SessionResumedRequest",
        "AudioPlayer.PlaybackStarted",
        "System.ExceptionEncountered",
        "AlexaSkillEvent.SkillDisabled",
        "Messaging.MessageReceived",
        "Bogus",
    ]
) | st.text(max_size=12)
INTENTS = st.sampled_from(
    [*DELETE_INTENTS, "WhatDataIntent", "StopHumanReviewIntent", "AllowHumanReviewIntent",
     "AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.YesIntent", "NotOurs"]
)  # fmt: skip
SLOT_VALUES = (
    st.none()
    | st.sampled_from(["2026-11-26", "2026-W48", "XXXX-11", "9999", ""])
    | st.text(max_size=10)
)
CONFIRMATIONS = st.sampled_from(["NONE", "CONFIRMED", "DENIED"]) | JSON_VALUES
PLACES = st.sampled_from(
    [("version",), ("session",), ("session", "attributes"), ("session", "new"), ("context",),
     ("context", "System"), ("context", "System", "device"), ("context", "System", "apiEndpoint"),
     ("request", "requestId"), ("request", "timestamp"), ("request", "locale"),
     ("request", "dialogState")]
)  # fmt: skip


@st.composite
def envelopes(draw: st.DrawFn, alexa: Alexa) -> dict[str, Any]:
    kind = draw(REQUEST_TYPES)
    event = intent_request(
        alexa.caller,
        alexa.now,
        draw(INTENTS),
        {"date": draw(SLOT_VALUES)},
        session=Session(
            new=draw(st.booleans()),
            attributes=draw(st.dictionaries(st.text(max_size=5), JSON_VALUES, max_size=2)),
        ),
        confirmation="NONE",
    )
    event["request"]["type"] = kind
    event["request"]["intent"]["confirmationStatus"] = draw(CONFIRMATIONS)
    for _ in range(draw(st.integers(0, 3))):
        path = draw(PLACES)
        place: Any = event
        for key in path[:-1]:
            place = place.get(key) if isinstance(place, dict) else None
        if isinstance(place, dict):
            place[path[-1]] = draw(JSON_VALUES)
    return event


def could_delete(event: dict[str, Any]) -> bool:
    request = event.get("request") or {}
    intent = request.get("intent") if isinstance(request, dict) else None
    return (
        request.get("type") == "IntentRequest"
        and isinstance(intent, dict)
        and intent.get("name") in DELETE_INTENTS
        and intent.get("confirmationStatus") == "CONFIRMED"
    )


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_envelope_gets_a_valid_answer_and_touches_no_one_else(
    seeded: Alexa, services: Services, data: st.DataObject
) -> None:
    event = data.draw(envelopes(seeded))
    mine, theirs = services.recordings.total(USER), services.recordings.total(OTHER_USER)
    raw = seeded.handler(json.loads(json.dumps(event)), None)
    assert is_valid_answer(raw), raw
    assert isinstance(Reply.of(raw).speech, str)
    assert services.recordings.total(OTHER_USER) == theirs == 1
    if not could_delete(event):
        assert services.recordings.total(USER) == mine
    if services.recordings.total(USER) == 0:  # a confirmed deletion went through: put it back
        seed(services, USER, seeded.now - timedelta(hours=1))


@pytest.mark.parametrize(
    ("intent", "slots"),
    [
        ("DeleteAllRecordingsIntent", None),
        ("DeleteRecordingsIntent", {"date": "2026-11-26"}),
        ("DeleteLastRecordingIntent", None),
    ],
)
def test_a_confirmed_deletion_nobody_was_asked_about_asks_first(
    seeded: Alexa, services: Services, intent: str, slots: dict[str, str | None] | None
) -> None:
    """A CONFIRMED with no question saved in the session (forged, or replayed into a new
    session) deletes nothing: the skill asks."""
    reply = seeded.intent(intent, slots, confirmation="CONFIRMED")
    assert reply.directives == ["Dialog.ConfirmIntent"]
    assert services.recordings.total(USER) == 1
