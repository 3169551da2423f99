"""The dialog driver sends what Alexa would, turn after turn, to a real ASK SDK skill."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils.predicate import is_intent_name, is_request_type
from ask_sdk_core.utils.request_util import get_dialog_state
from ask_sdk_model.dialog.confirm_intent_directive import ConfirmIntentDirective
from ask_sdk_model.dialog.delegate_directive import DelegateDirective
from ask_sdk_model.dialog.elicit_slot_directive import ElicitSlotDirective
from ask_sdk_model.dialog_state import DialogState
from ask_sdk_model.intent_confirmation_status import IntentConfirmationStatus

from skill.alexa.builder import handle_event
from skill.alexa.responses import speech_text
from skill.nlu import Nlu
from skill.simulator.dialog import NOT_UNDERSTOOD, DialogDriver
from skill.simulator.envelopes import Caller

Json = dict[str, Any]
UTC_ZONE = ZoneInfo("UTC")


def model(*, dialog: Json | None = None, fallback: bool = True) -> Json:
    intents: list[Json] = [
        {"name": "AMAZON.StopIntent", "samples": []},
        {"name": "AMAZON.CancelIntent", "samples": []},
        {"name": "AMAZON.YesIntent", "samples": []},
        {"name": "AMAZON.NoIntent", "samples": []},
        {
            "name": "DeleteRecordingsIntent",
            "slots": [{"name": "date", "type": "AMAZON.DATE"}],
            "samples": ["delete what i said {date}", "delete what i said"],
        },
        {"name": "DeleteAllRecordingsIntent", "samples": ["delete everything"]},
    ]
    if fallback:
        intents.append({"name": "AMAZON.FallbackIntent", "samples": []})
    root: Json = {"languageModel": {"invocationName": "test skill", "intents": intents}}
    if dialog is not None:
        root["dialog"] = dialog
        root["prompts"] = [
            {
                "id": "Confirm.All",
                "variations": [{"type": "SSML", "value": "<speak>Really delete all?</speak>"}],
            }
        ]
    return {"interactionModel": root}


def build_test_skill() -> Any:
    """A tiny skill: confirms deletions, remembers things in session attributes."""
    sb = SkillBuilder()

    @sb.request_handler(can_handle_func=is_request_type("LaunchRequest"))
    def launch(handler_input: Any) -> Any:
        handler_input.attributes_manager.session_attributes["launched"] = True
        return handler_input.response_builder.speak("Welcome.").ask("What now?").response

    @sb.request_handler(can_handle_func=is_intent_name("DeleteRecordingsIntent"))
    def delete(handler_input: Any) -> Any:
        intent = handler_input.request_envelope.request.intent
        attributes = handler_input.attributes_manager.session_attributes
        builder = handler_input.response_builder
        day = intent.slots["date"].value if intent.slots and "date" in intent.slots else None
        if not day:
            builder.add_directive(ElicitSlotDirective(updated_intent=intent, slot_to_elicit="date"))
            return builder.speak("Which day?").ask("Which day?").response
        if intent.confirmation_status == IntentConfirmationStatus.NONE:
            attributes["asked"] = day
            builder.add_directive(ConfirmIntentDirective(updated_intent=intent))
            return builder.speak(f"Delete <emphasis>3</emphasis> recordings from {day}?").response
        if intent.confirmation_status == IntentConfirmationStatus.CONFIRMED:
            attributes["deleted"] = day
            return builder.speak(f"Deleted {day}.").ask("Anything else?").response
        return builder.speak("Kept them.").ask("Anything else?").response

    @sb.request_handler(can_handle_func=is_intent_name("DeleteAllRecordingsIntent"))
    def delete_all(handler_input: Any) -> Any:
        intent = handler_input.request_envelope.request.intent
        if get_dialog_state(handler_input) != DialogState.COMPLETED:
            return handler_input.response_builder.add_directive(
                DelegateDirective(updated_intent=intent)
            ).response
        status = intent.confirmation_status.value
        return handler_input.response_builder.speak(f"All {status}.").ask("More?").response

    def is_stop_or_cancel(handler_input: Any) -> bool:
        names = ("AMAZON.StopIntent", "AMAZON.CancelIntent")
        return any(is_intent_name(name)(handler_input) for name in names)

    @sb.request_handler(can_handle_func=is_stop_or_cancel)
    def stop(handler_input: Any) -> Any:
        builder = handler_input.response_builder
        return builder.speak("Goodbye.").set_should_end_session(True).response

    @sb.request_handler(can_handle_func=is_intent_name("AMAZON.FallbackIntent"))
    def fallback(handler_input: Any) -> Any:
        return handler_input.response_builder.speak("Sorry?").ask("Say again?").response

    @sb.request_handler(can_handle_func=is_request_type("SessionEndedRequest"))
    def ended(handler_input: Any) -> Any:
        return handler_input.response_builder.response

    return sb.create()


class Recorder:
    """Invokes the skill in-process, exactly as a JSON round trip, and keeps every envelope."""

    def __init__(self, skill: CustomSkill | None = None) -> None:
        self.skill = skill or build_test_skill()
        self.requests: list[Json] = []

    def __call__(self, event: Json) -> Json:
        self.requests.append(event)
        return handle_event(self.skill, event)

    def kinds(self) -> list[str]:
        return [r["request"]["type"] for r in self.requests]


def make_driver(
    recorder: Recorder | Any,
    *,
    nlu: Nlu | None = None,
    now: datetime = datetime(2026, 11, 26, 18, 0, tzinfo=UTC),
    zone: ZoneInfo = UTC_ZONE,
) -> DialogDriver:
    # In a session from the start, so a bare command reaches the skill (session rules).
    return DialogDriver(
        recorder, nlu or Nlu(model()), Caller(), lambda: now, zone, in_session=True
    )


def test_confirmation_flow_with_session_state() -> None:
    recorder = Recorder()
    driver = make_driver(recorder)

    launch = driver.say("open test skill")
    assert launch.speech == "Welcome."
    assert launch.request["request"]["type"] == "LaunchRequest"
    assert launch.request["session"]["new"] is True
    assert driver.session_open

    ask = driver.say("delete what i said yesterday")
    sent = ask.request
    assert sent["session"]["new"] is False
    assert sent["session"]["sessionId"] == launch.request["session"]["sessionId"]
    assert sent["session"]["attributes"] == {"launched": True}
    assert sent["request"]["intent"]["slots"]["date"]["value"] == "2026-11-25"
    assert sent["request"]["intent"]["confirmationStatus"] == "NONE"
    assert "dialogState" not in sent["request"]
    assert ask.speech == "Delete 3 recordings from 2026-11-25?"  # SSML tags stripped
    assert driver.session_open  # a Dialog directive keeps the session open

    confirmed = driver.say("yes")
    sent = confirmed.request
    assert sent["request"]["intent"]["name"] == "DeleteRecordingsIntent"
    assert sent["request"]["intent"]["confirmationStatus"] == "CONFIRMED"
    assert sent["request"]["intent"]["slots"]["date"]["value"] == "2026-11-25"
    assert sent["request"]["dialogState"] == "IN_PROGRESS"
    assert sent["session"]["attributes"] == {"launched": True, "asked": "2026-11-25"}
    assert confirmed.speech == "Deleted 2026-11-25."

    goodbye = driver.say("stop")
    assert goodbye.request["session"]["attributes"]["deleted"] == "2026-11-25"
    assert goodbye.speech == "Goodbye."
    assert not driver.session_open
    assert driver.end() is None  # the skill ended the session; nothing to send
    assert recorder.kinds() == ["LaunchRequest", "IntentRequest", "IntentRequest", "IntentRequest"]


def test_no_after_confirm_intent_is_denied() -> None:
    recorder = Recorder()
    driver = make_driver(recorder)
    driver.say("delete what i said today")
    denied = driver.say("nope")
    assert denied.request["request"]["intent"]["confirmationStatus"] == "DENIED"
    assert denied.speech == "Kept them."


def test_other_utterance_during_confirmation_is_a_new_intent() -> None:
    recorder = Recorder()
    driver = make_driver(recorder)
    driver.say("delete what i said today")
    cancelled = driver.say("cancel")
    assert cancelled.request["request"]["intent"]["name"] == "AMAZON.CancelIntent"
    assert cancelled.request["request"]["intent"]["confirmationStatus"] == "NONE"
    assert not driver.session_open


def test_yes_without_a_question_is_just_yes() -> None:
    recorder = Recorder()
    driver = make_driver(recorder)
    driver.say("open test skill")
    with pytest.raises(Exception, match="handler"):  # the test skill has no YesIntent handler
        driver.say("yes")
    assert recorder.requests[-1]["request"]["intent"]["name"] == "AMAZON.YesIntent"
    assert not driver.session_open  # Alexa ends the session when the skill fails


def test_elicited_slot_is_filled_by_the_next_answer() -> None:
    recorder = Recorder()
    driver = make_driver(recorder)
    first = driver.say("delete what i said")
    assert first.request["request"]["intent"]["slots"]["date"] == {
        "name": "date",
        "confirmationStatus": "NONE",
    }
    assert first.speech == "Which day?"
    answer = driver.say("last week")
    assert answer.request["request"]["intent"]["slots"]["date"]["value"] == "2026-W47"
    assert answer.request["request"]["dialogState"] == "IN_PROGRESS"
    assert answer.speech == "Delete 3 recordings from 2026-W47?"
    assert driver.say("yes").speech == "Deleted 2026-W47."


def test_today_is_the_device_local_day() -> None:
    recorder = Recorder()
    late_evening_in_california = datetime(2026, 11, 27, 2, 30, tzinfo=UTC)
    driver = make_driver(
        recorder, now=late_evening_in_california, zone=ZoneInfo("America/Los_Angeles")
    )
    turn = driver.say("delete what i said today")
    assert turn.request["request"]["intent"]["slots"]["date"]["value"] == "2026-11-26"
    assert turn.request["request"]["timestamp"] == "2026-11-27T02:30:00Z"


def test_end_sends_session_ended_request() -> None:
    recorder = Recorder()
    driver = make_driver(recorder)
    launch = driver.say("open test skill")
    ended = driver.end()
    assert ended is not None
    assert ended.request["request"]["type"] == "SessionEndedRequest"
    assert ended.request["request"]["reason"] == "USER_INITIATED"
    assert ended.request["session"]["sessionId"] == launch.request["session"]["sessionId"]
    assert ended.request["session"]["attributes"] == {"launched": True}
    assert not driver.session_open
    assert driver.end() is None


def test_new_session_after_the_skill_ends_one() -> None:
    recorder = Recorder()
    driver = make_driver(recorder)
    first = driver.say("open test skill")
    driver.say("stop")
    again = driver.say("ask test skill to delete what i said today")
    assert again.request["session"]["new"] is True
    assert again.request["session"]["sessionId"] != first.request["session"]["sessionId"]
    assert again.request["session"]["attributes"] == {}


def test_launch_phrase_in_an_open_session_starts_a_new_one() -> None:
    recorder = Recorder()
    driver = make_driver(recorder)
    first = driver.say("open test skill")
    second = driver.say("open test skill")
    assert second.request["session"]["new"] is True
    assert second.request["session"]["sessionId"] != first.request["session"]["sessionId"]


def test_fallback_goes_to_the_skill() -> None:
    recorder = Recorder()
    turn = make_driver(recorder).say("what's the weather")
    assert turn.request["request"]["intent"]["name"] == "AMAZON.FallbackIntent"
    assert turn.speech == "Sorry?"


def test_no_match_without_fallback_is_answered_by_alexa() -> None:
    recorder = Recorder()
    turn = make_driver(recorder, nlu=Nlu(model(fallback=False))).say("what's the weather")
    assert (turn.request, turn.response, turn.speech) == ({}, {}, NOT_UNDERSTOOD)
    assert recorder.requests == []


SKILL_RESPONSE_DIALOG: Json = {
    "delegationStrategy": "SKILL_RESPONSE",
    "intents": [
        {
            "name": "DeleteAllRecordingsIntent",
            "confirmationRequired": True,
            "prompts": {"confirmation": "Confirm.All"},
            "slots": [],
        }
    ],
}


def test_delegate_runs_the_models_confirmation() -> None:
    recorder = Recorder()
    driver = make_driver(recorder, nlu=Nlu(model(dialog=SKILL_RESPONSE_DIALOG)))
    asked = driver.say("delete everything")
    assert asked.request["request"]["dialogState"] == "STARTED"
    assert asked.response["response"]["directives"][0]["type"] == "Dialog.Delegate"
    assert asked.speech == "Really delete all?"  # Alexa speaks the model's prompt
    assert driver.session_open
    done = driver.say("yes")
    assert done.request["request"]["dialogState"] == "COMPLETED"
    assert done.request["request"]["intent"]["confirmationStatus"] == "CONFIRMED"
    assert done.speech == "All CONFIRMED."
    assert recorder.kinds() == ["IntentRequest", "IntentRequest"]


def test_auto_delegation_asks_before_the_skill_hears_anything() -> None:
    recorder = Recorder()
    dialog = {**SKILL_RESPONSE_DIALOG, "delegationStrategy": "ALWAYS"}
    driver = make_driver(recorder, nlu=Nlu(model(dialog=dialog)))
    asked = driver.say("delete everything")
    assert (asked.request, asked.speech) == ({}, "Really delete all?")
    assert recorder.requests == []
    done = driver.say("no")
    assert done.request["request"]["dialogState"] == "COMPLETED"
    assert done.request["session"]["new"] is True
    assert done.speech == "All DENIED."


def scripted(*responses: Json) -> Any:
    """An invoke that answers with canned response envelopes and records requests."""
    sent: list[Json] = []
    queue = list(responses)

    def invoke(event: Json) -> Json:
        sent.append(event)
        return queue.pop(0)

    invoke.sent = sent  # type: ignore[attr-defined]
    return invoke


def test_confirm_slot_sets_the_slots_confirmation() -> None:
    updated = {
        "name": "DeleteRecordingsIntent",
        "confirmationStatus": "NONE",
        "slots": {"date": {"name": "date", "value": "2026-11-25", "confirmationStatus": "NONE"}},
    }
    invoke = scripted(
        {
            "version": "1.0",
            "response": {
                "outputSpeech": {"type": "PlainText", "text": "Yesterday, right?"},
                "directives": [
                    {
                        "type": "Dialog.ConfirmSlot",
                        "slotToConfirm": "date",
                        "updatedIntent": updated,
                    }
                ],
                "shouldEndSession": False,
            },
            "sessionAttributes": {"step": 1},
        },
        {"version": "1.0", "response": {"shouldEndSession": True}},
    )
    driver = make_driver(invoke)
    assert driver.say("delete what i said yesterday").speech == "Yesterday, right?"
    turn = driver.say("yeah")
    slot = turn.request["request"]["intent"]["slots"]["date"]
    assert slot == {"name": "date", "value": "2026-11-25", "confirmationStatus": "CONFIRMED"}
    assert turn.request["session"]["attributes"] == {"step": 1}
    assert turn.speech is None
    assert not driver.session_open


def test_session_stays_open_only_when_the_skill_says_so() -> None:
    closing = {"version": "1.0", "response": {"outputSpeech": {"type": "PlainText", "text": "Hi"}}}
    driver = make_driver(scripted(closing))
    driver.say("open test skill")
    assert not driver.session_open  # shouldEndSession absent: a voice device closes it


def test_speech_text_strips_ssml() -> None:
    response = {
        "response": {"outputSpeech": {"type": "SSML", "ssml": "<speak>A &amp; <break/>B</speak>"}}
    }
    assert speech_text(response) == "A & B"
    assert speech_text({"response": {}}) is None
