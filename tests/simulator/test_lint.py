"""The interaction model linter: shipped models are clean, and each broken model is caught."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from skill.simulator.lint import Finding, has_errors, lint_file, lint_model

MODEL_PATHS = sorted((Path(__file__).parents[2] / "interaction_models").glob("*.json"))

BASE: dict[str, Any] = {
    "interactionModel": {
        "languageModel": {
            "invocationName": "privacy helper",
            "intents": [
                {"name": "AMAZON.CancelIntent", "samples": []},
                {"name": "AMAZON.HelpIntent", "samples": []},
                {"name": "AMAZON.StopIntent", "samples": []},
                {"name": "AMAZON.NavigateHomeIntent", "samples": []},
                {"name": "AMAZON.FallbackIntent", "samples": []},
                {"name": "AMAZON.YesIntent", "samples": ["go ahead"]},
                {
                    "name": "DeleteRecordingsIntent",
                    "slots": [{"name": "date", "type": "AMAZON.DATE", "samples": ["for {date}"]}],
                    "samples": ["delete what i said {date}", "delete what i said"],
                },
                {"name": "DeleteLastRecordingIntent", "samples": ["delete that", "scratch that"]},
                {
                    "name": "PaintIntent",
                    "slots": [{"name": "colour", "type": "ColourType"}],
                    "samples": ["paint it {colour}", "make the a.m. sky {colour}"],
                },
            ],
            "types": [{"name": "ColourType", "values": [{"name": {"value": "red"}}]}],
        },
        "dialog": {
            "delegationStrategy": "SKILL_RESPONSE",
            "intents": [
                {
                    "name": "DeleteRecordingsIntent",
                    "confirmationRequired": True,
                    "prompts": {"confirmation": "Confirm.Intent.1"},
                    "slots": [
                        {
                            "name": "date",
                            "type": "AMAZON.DATE",
                            "elicitationRequired": False,
                            "confirmationRequired": False,
                            "prompts": {},
                        }
                    ],
                }
            ],
        },
        "prompts": [
            {
                "id": "Confirm.Intent.1",
                "variations": [{"type": "PlainText", "value": "Delete what you said {date}?"}],
            }
        ],
    }
}

Model = dict[str, Any]


def _language(model: Model) -> dict[str, Any]:
    language: dict[str, Any] = model["interactionModel"]["languageModel"]
    return language


def _intent(model: Model, name: str) -> dict[str, Any]:
    intent: dict[str, Any] = next(i for i in _language(model)["intents"] if i["name"] == name)
    return intent


def _dialog_intent(model: Model) -> dict[str, Any]:
    dialog_intent: dict[str, Any] = model["interactionModel"]["dialog"]["intents"][0]
    return dialog_intent


def _invocation(name: str) -> Callable[[Model], None]:
    return lambda m: _language(m).__setitem__("invocationName", name)


def _add_sample(intent: str, sample: str) -> Callable[[Model], None]:
    return lambda m: _intent(m, intent)["samples"].append(sample)


def _drop_intent(name: str) -> Callable[[Model], None]:
    return lambda m: _language(m).__setitem__(
        "intents", [i for i in _language(m)["intents"] if i["name"] != name]
    )


def _broken(breakage: Callable[[Model], None]) -> list[Finding]:
    model = copy.deepcopy(BASE)
    breakage(model)
    return lint_model(model, "broken.json")


def test_base_model_is_clean() -> None:
    assert lint_model(BASE) == []


@pytest.mark.parametrize("path", MODEL_PATHS, ids=[path.name for path in MODEL_PATHS])
def test_shipped_models_have_no_findings(path: Path) -> None:
    findings = lint_file(path)
    assert [str(finding) for finding in findings] == []


# (breakage, code, severity, intent, sample): the finding the broken model must produce.
CASES: dict[str, tuple[Callable[[Model], None], str, str, str | None, str | None]] = {
    "schema: unknown key": (
        lambda m: _intent(m, "DeleteLastRecordingIntent").update(extra=1),
        "schema", "error", "DeleteLastRecordingIntent", None,
    ),
    "schema: empty sample": (
        _add_sample("DeleteLastRecordingIntent", ""),
        "schema", "error", "DeleteLastRecordingIntent", "",
    ),
    "schema: no invocation name": (
        lambda m: _language(m).pop("invocationName"), "schema", "error", None, None,
    ),
    "invocation upper case": (
        _invocation("Privacy Helper"), "invocation-case", "error", None, "Privacy Helper",
    ),
    "invocation digit": (
        _invocation("privacy helper 2"), "invocation-characters", "error", None,
        "privacy helper 2",
    ),
    "invocation hyphen": (
        _invocation("privacy-helper tool"), "invocation-characters", "error", None,
        "privacy-helper tool",
    ),
    "invocation one word": (
        _invocation("privacy"), "invocation-one-word", "error", None, "privacy",
    ),
    "invocation two words with an article": (
        _invocation("the helper"), "invocation-filler-word", "error", None, "the helper",
    ),
    "invocation wake word alexa": (
        _invocation("alexa privacy helper"), "invocation-wake-word", "error", None,
        "alexa privacy helper",
    ),
    "invocation wake word possessive": (
        _invocation("amazon's privacy helper"), "invocation-wake-word", "error", None,
        "amazon's privacy helper",
    ),
    "invocation wake word ziggy": (
        _invocation("ziggy privacy"), "invocation-wake-word", "error", None, "ziggy privacy",
    ),
    "invocation says skill": (
        _invocation("privacy skill"), "invocation-wake-word", "error", None, "privacy skill",
    ),
    "invocation launch word": (
        _invocation("open privacy helper"), "invocation-launch-word", "error", None,
        "open privacy helper",
    ),
    "invocation talk to": (
        _invocation("talk to privacy"), "invocation-launch-word", "error", None,
        "talk to privacy",
    ),
    "invocation connecting word": (
        _invocation("privacy and safety"), "invocation-launch-word", "error", None,
        "privacy and safety",
    ),
    "exact collision": (
        _add_sample("PaintIntent", "scratch that"),
        "sample-collision", "error", "PaintIntent", "scratch that",
    ),
    "collision in another case and spacing": (
        _add_sample("PaintIntent", "Scratch  That"),
        "sample-collision", "error", "PaintIntent", "Scratch  That",
    ),
    "collision after slot normalisation": (
        _add_sample("PaintIntent", "delete what I said {colour}"),
        "sample-slot-collision", "error", "PaintIntent", "delete what I said {colour}",
    ),
    "collision with a built-in's sample": (
        _add_sample("DeleteLastRecordingIntent", "go ahead"),
        "sample-collision", "error", "DeleteLastRecordingIntent", "go ahead",
    ),
    "duplicate within an intent": (
        _add_sample("DeleteLastRecordingIntent", "Delete that"),
        "sample-duplicate", "warning", "DeleteLastRecordingIntent", "Delete that",
    ),
    "sample uses an undeclared slot": (
        _add_sample("DeleteLastRecordingIntent", "delete that from {date}"),
        "slot-undeclared", "error", "DeleteLastRecordingIntent", "delete that from {date}",
    ),
    "slot sample uses an undeclared slot": (
        lambda m: _intent(m, "DeleteRecordingsIntent")["slots"][0]["samples"].append("at {time}"),
        "slot-undeclared", "error", "DeleteRecordingsIntent", "at {time}",
    ),
    "declared slot never used": (
        lambda m: _intent(m, "DeleteLastRecordingIntent").update(
            slots=[{"name": "person", "type": "AMAZON.FirstName"}]
        ),
        "slot-unused", "warning", "DeleteLastRecordingIntent", None,
    ),
    "sample with a numeral": (
        _add_sample("DeleteLastRecordingIntent", "delete the last 5"),
        "sample-characters", "error", "DeleteLastRecordingIntent", "delete the last 5",
    ),
    "sample with a question mark": (
        _add_sample("DeleteLastRecordingIntent", "can you delete that?"),
        "sample-characters", "error", "DeleteLastRecordingIntent", "can you delete that?",
    ),
    "sample with a comma": (
        _add_sample("DeleteLastRecordingIntent", "delete that, please"),
        "sample-characters", "error", "DeleteLastRecordingIntent", "delete that, please",
    ),
    "sample with an ampersand": (
        _add_sample("PaintIntent", "paint it {colour} & blue"),
        "sample-characters", "error", "PaintIntent", "paint it {colour} & blue",
    ),
    "sample with an unclosed brace": (
        _add_sample("DeleteRecordingsIntent", "erase what i said {date"),
        "sample-braces", "error", "DeleteRecordingsIntent", "erase what i said {date",
    ),
    "sample with a stray closing brace": (
        _add_sample("DeleteRecordingsIntent", "erase what i said date}"),
        "sample-braces", "error", "DeleteRecordingsIntent", "erase what i said date}",
    ),
    "sample with empty braces": (
        _add_sample("DeleteRecordingsIntent", "erase what i said {}"),
        "sample-braces", "error", "DeleteRecordingsIntent", "erase what i said {}",
    ),
    "sample with slots run together": (
        _add_sample("PaintIntent", "paint it {colour}{colour}"),
        "sample-braces", "error", "PaintIntent", "paint it {colour}{colour}",
    ),
    "custom intent without samples": (
        lambda m: _intent(m, "PaintIntent").__setitem__("samples", []),
        "intent-no-samples", "error", "PaintIntent", None,
    ),
    "custom intent without a samples key": (
        lambda m: _intent(m, "DeleteLastRecordingIntent").pop("samples"),
        "intent-no-samples", "error", "DeleteLastRecordingIntent", None,
    ),
    "intent declared twice": (
        lambda m: _language(m)["intents"].append({"name": "PaintIntent", "samples": ["draw"]}),
        "intent-duplicate", "error", "PaintIntent", None,
    ),
    "slot type not declared": (
        lambda m: _intent(m, "PaintIntent")["slots"][0].__setitem__("type", "ColorType"),
        "slot-type-unknown", "error", "PaintIntent", None,
    ),
    "dialog names an unknown intent": (
        lambda m: _dialog_intent(m).__setitem__("name", "EraseIntent"),
        "dialog-intent-unknown", "error", "EraseIntent", None,
    ),
    "dialog names an unknown slot": (
        lambda m: _dialog_intent(m)["slots"][0].__setitem__("name", "when"),
        "dialog-slot-unknown", "error", "DeleteRecordingsIntent", None,
    ),
    "dialog slot type differs": (
        lambda m: _dialog_intent(m)["slots"][0].__setitem__("type", "AMAZON.TIME"),
        "dialog-slot-type", "error", "DeleteRecordingsIntent", None,
    ),
    "prompt referenced but not defined": (
        lambda m: _dialog_intent(m)["prompts"].__setitem__("confirmation", "Confirm.Intent.2"),
        "prompt-undefined", "error", "DeleteRecordingsIntent", "Confirm.Intent.2",
    ),
    "validation prompt not defined": (
        lambda m: _dialog_intent(m)["slots"][0].__setitem__(
            "validations", [{"type": "isInDuration", "prompt": "Slot.Validation.1"}]
        ),
        "prompt-undefined", "error", "DeleteRecordingsIntent", "Slot.Validation.1",
    ),
    "prompt defined but unused": (
        lambda m: m["interactionModel"]["prompts"].append(
            {"id": "Elicit.Slot.1", "variations": [{"type": "PlainText", "value": "When?"}]}
        ),
        "prompt-unused", "warning", None, "Elicit.Slot.1",
    ),
    "prompt id defined twice": (
        lambda m: m["interactionModel"]["prompts"].append(
            copy.deepcopy(m["interactionModel"]["prompts"][0])
        ),
        "prompt-duplicate", "error", None, "Confirm.Intent.1",
    ),
    "prompt speaks a slot the intent lacks": (
        lambda m: m["interactionModel"]["prompts"][0]["variations"][0].__setitem__(
            "value", "Delete what you said at {time}?"
        ),
        "prompt-slot-undeclared", "error", "DeleteRecordingsIntent",
        "Delete what you said at {time}?",
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("breakage", "code", "severity", "intent", "sample"), CASES.values(), ids=CASES.keys()
)
def test_broken_model_is_caught(
    breakage: Callable[[Model], None],
    code: str,
    severity: str,
    intent: str | None,
    sample: str | None,
) -> None:
    findings = _broken(breakage)
    found = [(f.code, f.severity, f.intent, f.sample) for f in findings]
    assert (code, severity, intent, sample) in found
    assert has_errors(findings) == (severity == "error")
    assert all(finding.path == "broken.json" for finding in findings)


@pytest.mark.parametrize(
    "built_in",
    [
        "AMAZON.CancelIntent",
        "AMAZON.HelpIntent",
        "AMAZON.StopIntent",
        "AMAZON.NavigateHomeIntent",
        "AMAZON.FallbackIntent",
    ],
)
def test_missing_required_built_in(built_in: str) -> None:
    findings = _broken(_drop_intent(built_in))
    assert [(f.code, f.severity, f.intent) for f in findings] == [
        ("missing-built-in", "error", built_in)
    ]


def test_optional_built_ins_may_be_left_out() -> None:
    assert _broken(_drop_intent("AMAZON.YesIntent")) == []


@pytest.mark.parametrize(
    "name",
    ["voice privacy", "sam's science trivia", "n. b. a. scores", "privacy helper"],
)
def test_acceptable_invocation_names(name: str) -> None:
    assert _broken(_invocation(name)) == []


@pytest.mark.parametrize(
    "sample",
    [
        "delete my e-mail recordings",
        "delete tom's recordings",
        "delete the a.m. recordings",
        "erase what I said",
        "efface ce que j'ai dit à {date}",
        "मेरी रिकॉर्डिंग {date} हटाओ",
    ],
)
def test_acceptable_sample_text(sample: str) -> None:
    findings = _broken(_add_sample("DeleteRecordingsIntent", sample))
    assert findings == []


def test_character_finding_names_what_to_remove() -> None:
    (finding,) = _broken(_add_sample("DeleteLastRecordingIntent", "what's 2 + 2?"))
    assert finding.code == "sample-characters"
    assert '"2+?"' in finding.message


def test_collision_names_the_other_intent() -> None:
    (finding,) = _broken(_add_sample("PaintIntent", "scratch that"))
    assert "DeleteLastRecordingIntent" in finding.message


def test_schema_finding_gives_the_json_path() -> None:
    findings = _broken(lambda m: _intent(m, "DeleteLastRecordingIntent").update(extra=1))
    (schema,) = [finding for finding in findings if finding.code == "schema"]
    assert schema.message.startswith("$.interactionModel.languageModel.intents[7]")
    assert "extra" in schema.message


@pytest.mark.parametrize(
    "model",
    [
        {},
        {"interactionModel": []},
        {"interactionModel": {"languageModel": {"invocationName": 7, "intents": "none"}}},
        {"interactionModel": {"languageModel": {"intents": [3, {"samples": [1, None]}]}}},
        {"interactionModel": {"languageModel": {}, "dialog": {"intents": [{"slots": 4}]}}},
    ],
    ids=["empty", "model is a list", "wrong types", "junk intents", "junk dialog"],
)
def test_malformed_models_give_findings_not_exceptions(model: dict[str, Any]) -> None:
    assert has_errors(lint_model(model))


def test_lint_file_clean(tmp_path: Path) -> None:
    path = tmp_path / "en-GB.json"
    path.write_text(json.dumps(BASE), encoding="utf-8")
    assert lint_file(path) == []


def test_lint_file_reports_the_path(tmp_path: Path) -> None:
    path = tmp_path / "en-GB.json"
    model = copy.deepcopy(BASE)
    _add_sample("PaintIntent", "scratch that")(model)
    path.write_text(json.dumps(model), encoding="utf-8")
    (finding,) = lint_file(path)
    assert finding.path == str(path)
    assert str(finding).startswith(f'{path}: error sample-collision [PaintIntent] "scratch that": ')


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b'{"interactionModel": ', "invalid-json"),
        (b"", "invalid-json"),
        (b"\xff\xfe not utf-8", "file-unreadable"),
    ],
    ids=["truncated", "empty", "not utf-8"],
)
def test_lint_file_unparseable(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "model.json"
    path.write_bytes(content)
    findings = lint_file(path)
    assert [(f.code, f.severity, f.path) for f in findings] == [(code, "error", str(path))]


def test_lint_file_missing(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    (finding,) = lint_file(path)
    assert (finding.code, finding.severity, finding.path) == ("file-unreadable", "error", str(path))
    assert "No such file" in finding.message


def test_lint_file_on_a_json_array(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text("[]", encoding="utf-8")
    assert [f.code for f in lint_file(path)] == ["schema"]


def test_finding_str() -> None:
    finding = Finding("warning", "slot-unused", "slot x is declared but no sample uses it", "I")
    assert (
        str(finding) == "<model>: warning slot-unused [I]: slot x is declared but no sample uses it"
    )


def test_has_errors() -> None:
    warning = Finding("warning", "prompt-unused", "unused", sample="P")
    error = Finding("error", "schema", "bad")
    assert not has_errors([])
    assert not has_errors([warning])
    assert has_errors([warning, error])
