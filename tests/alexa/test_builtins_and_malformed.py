"""Launch, built-ins, session end, and malformed envelopes answered without a crash."""

from __future__ import annotations

from datetime import timedelta

import pytest
from ask_sdk_runtime.exceptions import AskSdkException

from skill.services import Services
from skill.simulator.envelopes import intent_request
from tests.conftest import USER, Alexa, seed


def test_launch_welcomes_and_keeps_listening(alexa: Alexa) -> None:
    reply = alexa.launch()
    assert reply.speech.startswith("Voice Privacy here.")
    assert "what data I keep" in reply.speech
    assert reply.ends is False


@pytest.mark.parametrize(
    ("intent", "start", "ends"),
    [
        ("AMAZON.HelpIntent", "I help you control your voice recordings.", False),
        ("AMAZON.CancelIntent", "Goodbye.", True),
        ("AMAZON.StopIntent", "Goodbye.", True),
        ("AMAZON.NavigateHomeIntent", "Goodbye.", True),
        ("AMAZON.FallbackIntent", "Sorry, I can't help with that.", False),
        ("AMAZON.YesIntent", "I help you control your voice recordings.", False),
        ("AMAZON.NoIntent", "I help you control your voice recordings.", False),
        ("SomeIntentFromAnotherModel", "Sorry, I can't help with that.", False),
    ],
)
def test_built_ins(alexa: Alexa, intent: str, start: str, ends: bool) -> None:
    reply = alexa.intent(intent)
    assert reply.speech.startswith(start)
    assert bool(reply.ends) is ends


def test_cancel_during_confirmation_deletes_nothing(alexa: Alexa, services: Services) -> None:
    seed(services, USER, alexa.now - timedelta(minutes=1))
    asked = alexa.intent("DeleteAllRecordingsIntent")
    assert asked.directives == ["Dialog.ConfirmIntent"]
    reply = alexa.intent("AMAZON.CancelIntent", after=asked)
    assert reply.speech == "Goodbye."
    assert services.recordings.total(USER) == 1


def test_session_ended_gets_an_empty_response(alexa: Alexa) -> None:
    reply = alexa.session_ended()
    assert reply.speech == ""
    assert reply.raw["version"] == "1.0"


def test_missing_slots_object(alexa: Alexa, services: Services) -> None:
    seed(services, USER, alexa.now - timedelta(minutes=1))
    event = intent_request(alexa.caller, alexa.now, "DeleteRecordingsIntent")
    del event["request"]["intent"]["slots"]
    reply = alexa.send(event)
    assert "one recording from today" in reply.speech


def test_no_user_anywhere_changes_nothing(alexa: Alexa, services: Services) -> None:
    seed(services, USER, alexa.now)
    event = intent_request(
        alexa.caller, alexa.now, "DeleteAllRecordingsIntent", confirmation="CONFIRMED"
    )
    del event["context"]["System"]["user"]
    del event["session"]["user"]
    reply = alexa.send(event)
    assert reply.speech.startswith("Sorry, I couldn't tell whose recordings")
    assert services.recordings.total(USER) == 1


def test_out_of_session_intent_still_answers(alexa: Alexa) -> None:
    event = intent_request(alexa.caller, alexa.now, "WhatDataIntent")
    del event["session"]
    reply = alexa.send(event)
    assert reply.speech.startswith("I don't have any recordings on this account.")


def test_missing_timestamp_uses_the_clock(alexa: Alexa) -> None:
    event = intent_request(alexa.caller, alexa.now, "WhatDataIntent")
    del event["request"]["timestamp"]
    assert alexa.send(event).speech.startswith("I don't have any recordings")


def test_a_failing_service_gets_an_apology_and_a_log_without_content(
    alexa: Alexa, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    seed(services, USER, alexa.now, transcript=lambda i: "remind me about the lawyer")
    alexa.intent("WhatDataIntent")  # build the skill, then break its database
    with services.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE consent_events RENAME TO consent_events_away")
    try:
        reply = alexa.intent("StopHumanReviewIntent")
    finally:
        with services.engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE consent_events_away RENAME TO consent_events")
    assert reply.speech.startswith("Sorry, something went wrong on my side")
    request_id = alexa.sent[-1]["request"]["requestId"]
    assert any(request_id in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)
    assert "lawyer" not in caplog.text


def test_requests_for_another_skill_are_refused(alexa: Alexa, services: Services) -> None:
    alexa.configure(skill_id="amzn1.ask.skill.OURS")
    seed(services, USER, alexa.now)
    with pytest.raises(AskSdkException, match="Skill ID Verification failed"):
        alexa.intent("DeleteAllRecordingsIntent", confirmation="CONFIRMED")
    assert services.recordings.total(USER) == 1
    alexa.caller.skill_id = "amzn1.ask.skill.OURS"
    assert alexa.intent("WhatDataIntent").speech.startswith("I keep one recording")
