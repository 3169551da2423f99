"""Alexa's session rules, as the simulator applies them (README, "Session rules")."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console

from skill.cli import main
from skill.nlu import Nlu
from skill.simulator.dialog import NOT_SENT, DialogDriver
from skill.simulator.envelopes import Caller
from skill.simulator.repl import run_repl
from skill.simulator.replay import run_file
from tests.simulator.test_dialog import Recorder, model

NOW = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)


def driver(recorder: Recorder, *, in_session: bool = False) -> DialogDriver:
    return DialogDriver(
        recorder, Nlu(model()), Caller(), lambda: NOW, ZoneInfo("UTC"), in_session=in_session
    )


def test_outside_a_session_a_bare_command_is_handled_by_alexa() -> None:
    recorder = Recorder()
    turn = driver(recorder).say("delete what i said yesterday")

    assert recorder.requests == []
    assert (turn.request, turn.response, turn.speech, turn.sent) == ({}, {}, None, False)
    assert turn.note is not None and turn.note.startswith(NOT_SENT)
    assert 'say "ask test skill to delete what i said yesterday"' in turn.note
    assert turn.as_json() == {
        "utterance": "delete what i said yesterday",
        "request": None,
        "response": None,
        "speech": None,
    }


@pytest.mark.parametrize(
    ("utterance", "kind"),
    [
        ("open test skill", "LaunchRequest"),
        ("alexa, launch test skill", "LaunchRequest"),
        ("ask test skill to delete what i said yesterday", "IntentRequest"),
        ("tell test skill delete everything", "IntentRequest"),
        ("delete everything using test skill", "IntentRequest"),
    ],
)
def test_only_an_utterance_that_names_the_skill_reaches_it(utterance: str, kind: str) -> None:
    recorder = Recorder()
    assert driver(recorder).say(utterance).sent
    assert recorder.kinds()[0] == kind
    assert recorder.requests[0]["session"]["new"] is True


def test_inside_the_session_the_skill_hears_everything() -> None:
    recorder = Recorder()
    talk = driver(recorder)
    talk.say("open test skill")
    turn = talk.say("delete what i said yesterday")
    assert turn.sent and turn.request["session"]["new"] is False


def test_after_the_skill_ends_the_session_bare_commands_go_to_alexa_again() -> None:
    recorder = Recorder()
    talk = driver(recorder)
    talk.say("open test skill")
    talk.say("stop")  # the skill ends the session
    assert not talk.say("delete everything").sent
    assert recorder.kinds() == ["LaunchRequest", "IntentRequest"]


def test_fallback_intent_is_sent_only_within_a_session() -> None:
    recorder = Recorder()
    talk = driver(recorder)
    outside = talk.say("ask test skill to play some jazz")
    assert not outside.sent and outside.note is not None
    assert "FallbackIntent is sent only within a session" in outside.note
    talk.say("open test skill")
    inside = talk.say("play some jazz")
    assert inside.request["request"]["intent"]["name"] == "AMAZON.FallbackIntent"


@pytest.mark.parametrize("word", ["exit", "quit", "Alexa, exit."])
def test_exit_ends_the_session_with_user_initiated_and_no_turn_for_the_skill(word: str) -> None:
    recorder = Recorder()
    talk = driver(recorder)
    launch = talk.say("open test skill")
    turn = talk.say(word)

    assert recorder.kinds() == ["LaunchRequest", "SessionEndedRequest"]
    ended = recorder.requests[-1]
    assert ended["request"]["reason"] == "USER_INITIATED"
    assert ended["session"]["sessionId"] == launch.request["session"]["sessionId"]
    assert turn.speech is None and not talk.session_open
    assert talk.finish() is None  # nothing open any more


def test_exit_outside_a_session_sends_nothing() -> None:
    recorder = Recorder()
    turn = driver(recorder).say("exit")
    assert recorder.requests == [] and turn.note is not None and NOT_SENT in turn.note


def test_a_script_that_ends_with_the_session_open_times_out() -> None:
    recorder = Recorder()
    talk = driver(recorder)
    talk.say("open test skill")  # the skill answers "Welcome." and reprompts "What now?"

    ended = talk.finish()

    assert ended is not None
    assert ended.speech == "What now?"  # Alexa speaks the reprompt into the silence
    assert ended.request["request"]["type"] == "SessionEndedRequest"
    assert ended.request["request"]["reason"] == "EXCEEDED_MAX_REPROMPTS"
    assert ended.note is not None and "reprompted" in ended.note
    assert not talk.session_open


def test_in_session_starts_inside_an_open_session() -> None:
    recorder = Recorder()
    talk = driver(recorder, in_session=True)
    first = talk.say("delete what i said yesterday")
    assert first.sent and first.request["session"]["new"] is True
    talk.say("stop")
    assert not talk.say("delete everything").sent  # only the start is inside a session


def test_start_session_drops_an_open_session_without_a_request() -> None:
    recorder = Recorder()
    talk = driver(recorder)
    first = talk.say("open test skill")
    talk.start_session()
    second = talk.say("delete what i said yesterday")
    assert second.request["session"]["sessionId"] != first.request["session"]["sessionId"]
    assert recorder.kinds() == ["LaunchRequest", "IntentRequest"]


def test_the_typed_dialog_says_why_and_how_to_phrase_it() -> None:
    recorder = Recorder()
    lines = iter(["delete what i said yesterday", "what data do you keep"])
    out = io.StringIO()

    def reader(prompt: str) -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None  # end of input

    run_repl(driver(recorder), Console(file=out, width=200), reader)

    text = out.getvalue()
    assert f"({NOT_SENT}: no session is open" in text
    hint = 'say "ask test skill to delete what i said yesterday", or "open test skill" first'
    assert hint in text
    assert 'say "ask test skill what data do you keep"' in text
    assert recorder.requests == []


def test_simulate_json_has_null_request_and_response_for_a_turn_alexa_kept(
    capsys: pytest.CaptureFixture[str], env: dict[str, str]
) -> None:
    code = main(
        ["simulate", "--json", "--time", "2026-11-26T15:00:00Z", "what data do you keep",
         "ask voice privacy what data do you keep"]
    )  # fmt: skip
    turns = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0
    assert turns[0] == {
        "utterance": "what data do you keep",
        "request": None,
        "response": None,
        "speech": None,
    }
    assert turns[1]["request"]["request"]["intent"]["name"] == "WhatDataIntent"


def test_simulate_in_session_and_the_timeout_at_the_end(
    capsys: pytest.CaptureFixture[str], env: dict[str, str]
) -> None:
    code = main(["simulate", "--json", "--in-session", "help"])
    turns = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0
    assert turns[0]["request"]["request"]["intent"]["name"] == "AMAZON.HelpIntent"
    assert turns[0]["request"]["session"]["new"] is True
    ended = turns[-1]  # help keeps the session open: the script's end times it out
    assert ended["utterance"] == ""
    assert ended["request"]["request"]["reason"] == "EXCEEDED_MAX_REPROMPTS"
    assert ended["speech"]  # the reprompt


def test_simulate_text_explains_a_turn_alexa_kept(
    capsys: pytest.CaptureFixture[str], env: dict[str, str]
) -> None:
    assert main(["simulate", "stop human review"]) == 0
    out = capsys.readouterr().out
    assert NOT_SENT in out and 'ask voice privacy to stop human review' in out


@pytest.mark.parametrize(("session", "sent"), [("open", True), ("closed", False)])
def test_replay_session_setting(tmp_path: Path, session: str, sent: bool) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        f"settings: {{session: {session}}}\n"
        "turns:\n  - say: help\n    expect: {request: IntentRequest}\n",
        encoding="utf-8",
    )
    assert run_file(path).passed is sent
