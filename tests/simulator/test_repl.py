"""The typed conversation loop shows what Alexa says and ends sessions like a device."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console

from skill.nlu import Nlu
from skill.simulator.dialog import DialogDriver
from skill.simulator.envelopes import Caller
from skill.simulator.repl import run_repl

Json = dict[str, Any]

MODEL: Json = {
    "languageModel": {
        "invocationName": "test skill",
        "intents": [
            {"name": "AMAZON.StopIntent", "samples": []},
            {"name": "AMAZON.YesIntent", "samples": []},
            {"name": "AMAZON.NoIntent", "samples": []},
            {"name": "AMAZON.FallbackIntent", "samples": []},
            {"name": "BrokenIntent", "samples": ["break"]},
            {"name": "WhatDataIntent", "samples": ["what data do you keep"]},
            {
                "name": "DeleteRecordingsIntent",
                "slots": [{"name": "date", "type": "AMAZON.DATE"}],
                "samples": ["delete what i said {date}"],
            },
        ],
    }
}


def respond(text: str, *, end: bool = False, **extra: Any) -> Json:
    return {
        "version": "1.0",
        "response": {
            "outputSpeech": {"type": "SSML", "ssml": f"<speak>{text}</speak>"},
            "shouldEndSession": end,
            **extra,
        },
    }


class FakeSkill:
    """Answers like the real skill would, from the request alone, and records requests."""

    def __init__(self) -> None:
        self.requests: list[Json] = []

    def __call__(self, event: Json) -> Json:
        self.requests.append(event)
        request = event["request"]
        if request["type"] == "LaunchRequest":
            return respond("Welcome to [test] skill.")
        if request["type"] == "SessionEndedRequest":
            return {"version": "1.0", "response": {}}
        intent = request["intent"]
        name = intent["name"]
        if name == "BrokenIntent":
            raise RuntimeError("database is locked")
        if name == "AMAZON.StopIntent":
            return respond("Goodbye.", end=True)
        if name == "WhatDataIntent":
            card = {"type": "Simple", "title": "Your data", "content": "3 recordings\nno audio"}
            return respond("You have 3 recordings.", card=card)
        if name == "DeleteRecordingsIntent" and intent["confirmationStatus"] == "NONE":
            directive = {"type": "Dialog.ConfirmIntent", "updatedIntent": intent}
            return respond("Delete 2 recordings?", directives=[directive])
        if name == "DeleteRecordingsIntent":
            return respond(f"Done: {intent['confirmationStatus'].lower()}.")
        return respond("Sorry, I can't help with that.")

    def kinds(self) -> list[str]:
        return [r["request"]["type"] for r in self.requests]


def script(lines: Iterable[str], *, then: type[BaseException] = EOFError) -> Any:
    pending = list(lines)
    prompts: list[str] = []

    def read(prompt: str) -> str:
        prompts.append(prompt)
        if not pending:
            raise then()
        return pending.pop(0)

    read.prompts = prompts  # type: ignore[attr-defined]
    return read


def run(lines: Iterable[str], **kwargs: Any) -> tuple[int, str, FakeSkill, Any]:
    skill = FakeSkill()
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    driver = DialogDriver(skill, Nlu(MODEL), Caller(), lambda: now, ZoneInfo("UTC"))
    console = Console(record=True, width=100)
    read = script(lines, **kwargs)
    status = run_repl(driver, console, read)
    return status, console.export_text(), skill, read


def test_a_conversation_is_printed_turn_by_turn() -> None:
    status, out, skill, read = run(
        ["open test skill", "", "delete what i said today", "yes", "what data do you keep", "quit"]
    )
    assert status == 0
    assert "You: open test skill" in out
    assert "Alexa: Welcome to [test] skill." in out  # no SSML, no Rich markup eaten
    assert (
        "You: delete what i said today\nAlexa: Delete 2 recordings?\n  (asks you to confirm)" in out
    )
    assert "Alexa: Done: confirmed." in out
    assert "[card] Your data\n    3 recordings\n    no audio" in out
    assert set(read.prompts) == {"You: "}
    # quitting with the session open ends it the way Alexa does
    assert skill.kinds()[-1] == "SessionEndedRequest"
    assert skill.requests[-1]["request"]["reason"] == "USER_INITIATED"
    assert out.rstrip().endswith("(session ended)")


def test_the_loop_goes_on_after_the_skill_ends_the_session() -> None:
    again = "ask test skill to delete what i said today"  # the session is over: name the skill
    _, out, skill, _ = run(["open test skill", "stop", again, "no"])
    assert f"Alexa: Goodbye.\n(session ended)\nYou: {again}" in out
    sessions = [r["session"] for r in skill.requests if r["request"]["type"] != "LaunchRequest"]
    assert sessions[1]["new"] is True  # a fresh session after "stop"
    assert "Alexa: Done: denied." in out
    assert skill.kinds() == [
        "LaunchRequest",
        "IntentRequest",
        "IntentRequest",
        "IntentRequest",
        "SessionEndedRequest",  # end of input with the session open
    ]


def test_leaving_without_an_open_session_sends_nothing_more() -> None:
    _, out, skill, _ = run(["open test skill", "stop", "exit"])
    assert skill.kinds() == ["LaunchRequest", "IntentRequest"]
    assert out.count("(session ended)") == 1


def test_ctrl_c_leaves_cleanly() -> None:
    status, _, skill, _ = run(["open test skill"], then=KeyboardInterrupt)
    assert status == 0
    assert skill.kinds() == ["LaunchRequest", "SessionEndedRequest"]


def test_a_failing_skill_is_reported_and_the_loop_continues() -> None:
    _, out, skill, _ = run(["open test skill", "break", "ask test skill what data do you keep"])
    assert "(the skill failed: RuntimeError: database is locked)" in out
    assert "Alexa: You have 3 recordings." in out
    failed_then_new = [r["session"]["new"] for r in skill.requests[1:3]]
    assert failed_then_new == [False, True]  # the failure ended the session


def test_not_understood_is_sent_as_fallback() -> None:
    _, out, skill, _ = run(["open test skill", "what's the weather"])
    assert "Alexa: Sorry, I can't help with that." in out
    assert skill.requests[1]["request"]["intent"]["name"] == "AMAZON.FallbackIntent"
