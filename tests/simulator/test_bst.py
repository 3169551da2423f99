"""Bespoken skill-testing-ml files run with `replay`, the way `bst test` runs them."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from skill.simulator.bst_format import Assertion, parse_suite
from skill.simulator.bst_run import matches, set_at, value_at
from skill.simulator.replay import run_file, run_files
from skill.simulator.yaml_input import read_documents

REPLAYS = Path(__file__).resolve().parents[1] / "replays"
BST_FILE = REPLAYS / "bst" / "voice-privacy.test.yml"


def write(tmp_path: Path, text: str, name: str = "skill.test.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def failures(path: Path) -> list[tuple[str, int, str]]:
    result = run_file(path)
    assert result.error is None, result.error
    return [(f.test, f.turn, f.field) for f in result.failures]


def test_a_file_in_bespoken_documentation_style_passes() -> None:
    result = run_file(BST_FILE)

    assert result.format == "bst"
    assert result.passed, [(f.test, f.field, f.expected, f.actual) for f in result.failures]
    assert [case.name for case in result.cases][:2] == [
        "Launch request, no further interaction",
        "What data do you keep, with nothing stored",
    ]
    assert all(case.passed for case in result.cases)


def test_each_test_talks_to_the_skill_directly_in_a_new_session(tmp_path: Path) -> None:
    # No "open voice privacy" anywhere: unit tests address the skill, as virtual-alexa does.
    path = write(
        tmp_path,
        """\
---
- test: first
- what data do you keep:
  - response.sessionAttributes == undefined
  - prompt: "I don't have any recordings on this account*"
---
- test: second, after the first ended its session
- help: "I help you control your voice recordings*"
- stop human review: "*uman review*"
""",
    )
    assert failures(path) == []


def test_unmet_assertions_name_the_test_the_turn_and_the_path(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
---
configuration:
  locale: en-US
---
- test: wrong on purpose
- LaunchRequest: "Welcome to Something Else"
- help:
  - prompt == "I help you*"
  - response.card.title == "No card here"
  - response.shouldEndSession != false
""",
    )
    result = run_file(path)

    assert not result.passed
    found = [(f.test, f.turn, f.utterance, f.field, f.expected) for f in result.failures]
    assert found == [
        ("wrong on purpose", 1, "LaunchRequest", "prompt", '== "Welcome to Something Else"'),
        ("wrong on purpose", 2, "help", "response.card.title", '== "No card here"'),
        ("wrong on purpose", 2, "help", "response.shouldEndSession", "!= false"),
    ]
    assert result.failures[0].actual.startswith('"<speak>Voice Privacy here.')
    assert result.failures[1].actual == "undefined"


@pytest.mark.parametrize(
    ("operator", "expected", "actual", "ok"),
    [
        (":", "Here's your fact", "<speak>Here's your fact: a fact</speak>", True),  # anywhere
        (":", "Here's * fact", "Here's your fact", True),  # * is any text
        (":", "fact (1)", "fact (1)", True),  # the rest is literal, unlike bst's regex reading
        (":", "fact.", "facts", False),
        (":", "/^here's/i", "Here's your fact", True),  # /regex/flags
        ("==", "Here's your fact", "Here's your fact", True),
        ("=~", "your fact: *", "Here's your fact:", True),  # a regex: ' *' is spaces
        ("=~", "^your", "Here's your fact", False),
        ("!=", "Goodbye", "Hello", True),
        ("!=", "Hell", "Hello", False),  # != means "does not contain"
        ("!=", None, "Hello", True),  # != undefined: it is there
        ("!=", None, None, False),
        (":", None, None, True),  # undefined means absent
        (":", None, "x", False),
        (":", ["Hi", "Hello*"], "Hello there", True),  # one of several
        (":", True, True, True),
        ("==", "true", False, False),
        (">", 3, 5, True),
        ("<=", "2", 3, False),
        (">=", 3, "many", False),
        (":", "bad [regex", "bad [regex", True),
        ("=~", "bad [regex", "bad [regex", False),  # an unusable regex never matches
    ],
)
def test_operators_compare_as_bst_does(operator: str, expected: Any, actual: Any, ok: bool) -> None:
    assert matches(Assertion("x", operator, expected), actual) is ok  # type: ignore[arg-type]


def test_prompt_also_matches_the_speech_without_its_ssml() -> None:
    prompt = Assertion("prompt", ":", "one recording. Should I")
    assert matches(prompt, '<speak>one recording.<break time="1s"/> Should I</speak>')


def test_paths_read_and_set_values() -> None:
    document: dict[str, Any] = {"response": {"directives": [{"type": "Dialog.ConfirmIntent"}]}}
    assert value_at(document, "response.directives[0].type") == "Dialog.ConfirmIntent"
    assert value_at(document, "response.directives[3].type") is None
    assert value_at(document, "response.card.title") is None
    set_at(document, "context.System.user.userId", "X")
    set_at(document, "request.intent.slots", {"date": {"value": "2026"}})
    assert document["context"]["System"]["user"]["userId"] == "X"
    assert value_at(document, "request.intent.slots.date.value") == "2026"


def test_request_lines_set_values_on_the_request(tmp_path: Path) -> None:
    # A request value the skill acts on: the request's time picks the local "today".
    path = write(
        tmp_path,
        """\
---
- test: the request is changed before it is sent
- delete what i said today:
  - request.request.timestamp: "2026-11-26T15:00:00Z"
  - request.request.intent.slots.date.value: "2026-11-20"
  - prompt: "*no recordings from Friday, November 20th*"
""",
    )
    assert failures(path) == []


def test_explicit_intents_and_intent_forms_with_slots(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
---
- test: explicit
- "words that mean nothing":
  - intent: DeleteRecordingsIntent
    date: "2026-11-20"
  - prompt: "*no recordings from*"
- DeleteRecordingsIntent date=2026-W47: "*no recordings from the week of November 16th*"
- AMAZON.HelpIntent: "I help you*"
""",
    )
    assert failures(path) == []


def test_reserved_words_and_exit(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
---
- test: launch, end, exit
- LaunchRequest:
  - response.shouldEndSession == false
- SessionEndedRequest:
  - prompt == undefined
- LaunchRequest
- exit
- help: "this is never sent: exit ended the test"
""",
    )
    result = run_file(path)
    assert result.passed and result.turns == 4


def test_only_and_skip_and_tags(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
---
- test.skip: skipped
- help: "never checked"
---
- test.only: the only one
- tags: smoke, fast
- help: "I help you*"
---
- test: not run while another is only
- help: "never checked either"
""",
    )
    result = run_file(path)
    assert result.passed
    assert [(c.name, c.skipped) for c in result.cases] == [
        ("skipped", True),
        ("the only one", False),
        ("not run while another is only", True),
    ]
    suite = parse_suite(path, read_documents(path))
    assert suite.tests[1].tags == ("smoke", "fast")


def test_find_replace_and_e2e_follow_alexas_session_rules(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
---
configuration:
  type: e2e
  findReplace:
    INVOCATION_NAME: voice privacy
---
- test: spoken to a device, a bare command does not reach the skill
- what data do you keep:
  - prompt == undefined
- open INVOCATION_NAME: "Voice Privacy here*"
- what data do you keep: "I don't have any recordings*"
""",
    )
    assert failures(path) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\n- test: t\n- hi:\n  - label: here\n", "label is not supported"),
        ("---\n- test: t\n- hi: yes goto end\n", ""),  # plain text, not a goto assertion
        ("---\n- test: t\n- hi:\n  - prompt == a goto b\n", "goto is not supported"),
        ("---\n- test: t\n- hi:\n  - nonsense\n", "not an assertion"),
        ("---\n- test: t\n- AudioPlayer.PlaybackStarted\n", "AudioPlayer requests"),
        ("---\nconfiguration: 3\n---\n- hi\n", "configuration: expected a mapping"),
        ("---\nconfiguration: {interactionModel: nowhere.json}\n---\n- hi\n", "no such file"),
        ("---\n- test: t\n- hi:\n  - 'bad path == x'\n", "not a response path"),
    ],
)
def test_unsupported_or_broken_bst_is_a_clear_error(
    tmp_path: Path, text: str, message: str
) -> None:
    result = run_file(write(tmp_path, text))
    if not message:
        assert result.error is None
        return
    assert not result.passed
    assert result.error is not None and message in result.error
    assert "Traceback" not in result.error


def test_a_folder_mixes_both_formats_and_the_report_shows_each_test(tmp_path: Path) -> None:
    out = io.StringIO()
    status = run_files(
        [REPLAYS / "bst", REPLAYS / "delete_last.yaml"], Console(file=out, width=120)
    )
    report = out.getvalue()
    assert status == 0
    assert "ok  Launch request, no further interaction" in report
    assert report.rstrip().endswith("2 passed, 0 failed")


def test_json_output_has_the_documented_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = write(tmp_path, "---\n- test: one\n- help: nothing like it\n")
    status = run_files([BST_FILE, wrong], Console(file=io.StringIO()), json_output=True)
    report = json.loads(capsys.readouterr().out)
    assert status == 1
    assert (report["passed"], report["failed"]) == (1, 1)
    first, second = report["files"]
    assert set(first) == {
        "file", "name", "format", "passed", "turns", "error", "seconds", "failures", "tests"
    }  # fmt: skip
    assert first["format"] == "bst" and first["passed"] is True
    assert second["failures"] == [
        {
            "test": "one",
            "turn": 1,
            "utterance": "help",
            "field": "prompt",
            "expected": '== "nothing like it"',
            "actual": second["failures"][0]["actual"],
        }
    ]
    assert set(second["tests"][0]) == {"name", "passed", "skipped", "turns", "error", "failures"}
