"""Request types that are not a person's turn, with the envelopes Alexa's documentation shows,
each answered with the exact response shape Alexa expects."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from skill.services import Services
from skill.simulator.envelopes import launch_request
from tests.conftest import USER, Alexa, seed


def envelope(alexa: Alexa, kind: str, in_session: bool = False, **fields: Any) -> dict[str, Any]:
    event = launch_request(alexa.caller, alexa.now)
    if not in_session:
        del event["session"]  # player, system and skill events come without a session
    event["request"]["type"] = kind
    event["request"].update(fields)
    return event


NO_SPEECH = {
    "AudioPlayer.PlaybackStarted": {"token": "t1", "offsetInMilliseconds": 0},
    "AudioPlayer.PlaybackFinished": {"token": "t1", "offsetInMilliseconds": 1000},
    "AudioPlayer.PlaybackFailed": {
        "token": "t1",
        "error": {"type": "MEDIA_ERROR_UNKNOWN", "message": "secret detail"},
        "currentPlaybackState": {
            "token": "t1",
            "offsetInMilliseconds": 0,
            "playerActivity": "PLAYING",
        },
    },
    "PlaybackController.PlayCommandIssued": {},
    "PlaybackController.NextCommandIssued": {},
    "Messaging.MessageReceived": {"message": {"anything": "from another service"}},
    "AlexaSkillEvent.SkillEnabled": {"eventCreationTime": "2026-11-26T15:00:00Z"},
    "AlexaSkillEvent.SkillPermissionAccepted": {
        "body": {"acceptedPermissions": [{"scope": "alexa::devices:all:address:full:read"}]}
    },
    "AlexaSkillEvent.ProactiveSubscriptionChanged": {"body": {"subscriptions": []}},
    "SomethingAlexaAddsNextYear": {},
}


@pytest.mark.parametrize("kind", sorted(NO_SPEECH))
def test_events_without_speech_get_an_empty_response(alexa: Alexa, kind: str) -> None:
    reply = alexa.send(envelope(alexa, kind, **NO_SPEECH[kind]))
    assert reply.raw["version"] == "1.0"
    assert reply.raw["response"] == {}, "no speech, no card, no shouldEndSession"


def test_exception_encountered_is_logged_by_type_and_answered_empty(
    alexa: Alexa, caplog: pytest.LogCaptureFixture
) -> None:
    event = envelope(
        alexa,
        "System.ExceptionEncountered",
        error={"type": "INVALID_RESPONSE", "message": "the response had PLANTED-DETAIL"},
        cause={"requestId": "amzn1.echo-api.request.1"},
    )
    reply = alexa.send(event)
    assert reply.raw["response"] == {}
    assert "INVALID_RESPONSE" in caplog.text
    assert "PLANTED-DETAIL" not in caplog.text


@pytest.mark.parametrize(
    "kind",
    [
        "SessionResumedRequest",
        "Connections.Response",
        "Alexa.Presentation.APL.UserEvent",
        "Display.ElementSelected",
    ],
)
def test_resumptions_the_skill_never_started_get_a_short_prompt(alexa: Alexa, kind: str) -> None:
    fields: dict[str, Any] = {
        "SessionResumedRequest": {
            "cause": {"type": "ConnectionCompleted", "status": {"code": "200"}}
        },
        "Connections.Response": {"name": "Buy", "status": {"code": "200", "message": "OK"}},
        "Alexa.Presentation.APL.UserEvent": {"token": "t", "arguments": ["x"], "source": {}},
        "Display.ElementSelected": {"token": "item-1"},
    }[kind]
    reply = alexa.send(envelope(alexa, kind, in_session=True, **fields))
    assert reply.speech == (
        "You can ask what data I keep, or say delete what I said today. What would you like?"
    )
    assert reply.ends is False


def can_fulfill(alexa: Alexa, intent: str, slots: dict[str, str] | None = None) -> dict[str, Any]:
    event = envelope(
        alexa,
        "CanFulfillIntentRequest",
        intent={
            "name": intent,
            "slots": {
                name: {"name": name, "value": value} for name, value in (slots or {}).items()
            },
        },
    )
    answer: dict[str, Any] = alexa.send(event).raw["response"]
    return answer


def test_can_fulfill_yes_for_its_intents_with_usable_slots(
    alexa: Alexa, services: Services
) -> None:
    seed(services, USER, alexa.now - timedelta(hours=1))
    assert can_fulfill(alexa, "DeleteRecordingsIntent", {"date": "2026-11-26"}) == {
        "canFulfillIntent": {
            "canFulfill": "YES",
            "slots": {"date": {"canUnderstand": "YES", "canFulfill": "YES"}},
        }
    }
    assert can_fulfill(alexa, "WhatDataIntent") == {"canFulfillIntent": {"canFulfill": "YES"}}
    assert services.recordings.total(USER) == 1, "a CanFulfillIntentRequest performs nothing"


@pytest.mark.parametrize(
    ("intent", "slots"),
    [
        ("DeleteRecordingsIntent", {"date": "9999-12-31"}),
        ("DeleteRecordingsIntent", {"date": "someday"}),
        ("PlayMusicIntent", {}),
        ("AMAZON.HelpIntent", {}),
    ],
)
def test_can_fulfill_no_otherwise(alexa: Alexa, intent: str, slots: dict[str, str]) -> None:
    answer = can_fulfill(alexa, intent, slots)
    assert answer["canFulfillIntent"]["canFulfill"] == "NO"
    if slots:
        assert answer["canFulfillIntent"]["slots"]["date"]["canUnderstand"] == "NO"
    assert "outputSpeech" not in answer


def test_player_events_are_not_logged_with_their_details(
    alexa: Alexa, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    alexa.send(
        envelope(alexa, "AudioPlayer.PlaybackFailed", **NO_SPEECH["AudioPlayer.PlaybackFailed"])
    )
    assert "secret detail" not in caplog.text
