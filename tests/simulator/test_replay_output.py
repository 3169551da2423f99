"""`replay --junit` and `--json` for CI and scripts, and the limits on what replay and lint read."""

from __future__ import annotations

import io
import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.console import Console

from skill.cli import main
from skill.simulator.replay import run_file, run_files

REPLAYS = Path(__file__).resolve().parents[1] / "replays"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_junit_xml_names_every_file_and_test_with_its_failures(tmp_path: Path) -> None:
    failing = write(
        tmp_path,
        "wrong.yaml",
        "name: wrong on purpose\nsettings: {session: open}\n"
        "turns:\n  - say: help\n    expect: {speech: Nope., session_ends: true}\n",
    )
    broken = write(tmp_path, "broken.yaml", "turns: 3\n")
    bst = REPLAYS / "bst" / "voice-privacy.test.yml"
    skipping = write(tmp_path, "skip.test.yml", "---\n- test.skip: later\n- help\n")
    junit = tmp_path / "out" / "replay.xml"

    status = run_files(
        [REPLAYS / "delete_last.yaml", failing, broken, bst, skipping],
        Console(file=io.StringIO()),
        junit=junit,
    )

    assert status == 1
    root = ET.parse(junit).getroot()  # well-formed, or this raises
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        str(REPLAYS / "delete_last.yaml"),
        str(failing),
        str(broken),
        str(bst),
        str(skipping),
    ]
    bst_cases = suites[3].findall("testcase")
    assert suites[3].get("tests") == str(len(bst_cases)) and len(bst_cases) >= 7
    assert suites[3].get("failures") == "0"
    (wrong_case,) = suites[1].findall("testcase")
    assert wrong_case.get("name") == "wrong on purpose"
    failure = wrong_case.find("failure")
    assert failure is not None
    assert failure.get("message") == 'turn 1 "help": speech (and 1 more)'
    assert 'expected "Nope."' in (failure.text or "")
    assert "session_ends" in (failure.text or "")
    error = suites[2].find("testcase/error")
    assert error is not None and "turns: expected a list" in (error.get("message") or "")
    assert suites[4].find("testcase/skipped") is not None
    assert root.get("tests") == str(sum(int(s.get("tests") or 0) for s in suites))
    assert (root.get("failures"), root.get("errors"), root.get("skipped")) == ("1", "1", "1")
    for case in root.iter("testcase"):
        assert float(case.get("time") or "x") >= 0


def test_replay_cli_writes_junit_and_prints_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junit = tmp_path / "replay.xml"
    code = main(["replay", "--json", "--junit", str(junit), str(REPLAYS / "delete_last.yaml")])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["passed"] == 1 and report["files"][0]["tests"][0]["passed"] is True
    assert ET.parse(junit).getroot().get("failures") == "0"


# --- limits -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("turns:\n" + "  - say: help\n" * 1001, "at most 1,000"),
        ("turns: " + "[" * 5000 + "]" * 5000 + "\n", "nested deeper than 32 levels"),
        ("a: &x [help]\nturns: *x\n", "aliases"),
        ("turns:\n  - say: " + "very " * 300 + "long\n", "longer than 1,000 characters"),
        ("turns:\n  - say: x\n---\nturns: []\n", "one YAML document"),
        ("turns:\n  - say: \xff\n", ""),  # any text is fine as text
    ],
    ids=["many turns", "deep", "alias", "long utterance", "two documents", "text"],
)
def test_replay_limits_are_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    result = run_file(write(tmp_path, "limit.yaml", text))
    if message:
        assert result.error is not None and message in result.error
        assert "Traceback" not in result.error


def test_a_12_mb_replay_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("w") as file:
        file.write("turns:\n")
        line = "  - say: delete what i said today\n"
        file.write(line * (12 * 1024 * 1024 // len(line)))
    started = time.perf_counter()

    result = run_file(path)

    assert time.perf_counter() - started < 1.0
    assert result.error is not None
    assert "12.0 MiB is larger than the 1.0 MiB a test file may be" in result.error


def test_replay_of_binary_or_folder_input_is_a_clear_error(tmp_path: Path) -> None:
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00turns")
    assert "not UTF-8" in (run_file(binary).error or "")
    (tmp_path / "folder.yml").mkdir()
    assert "folder" in (run_file(tmp_path / "folder.yml").error or "")


def test_a_67_mb_model_is_refused_quickly_by_lint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.json"
    with path.open("w") as file:
        file.write('{"interactionModel": {"languageModel": {"intents": [')
        item = '{"name": "I", "samples": ["delete that"]},'
        file.write(item * (67 * 1024 * 1024 // len(item)))
        file.write('{"name": "J"}]}}}')
    started = time.perf_counter()

    code = main(["lint", str(path)])

    out = capsys.readouterr().out
    assert time.perf_counter() - started < 1.0
    assert code == 1
    assert "file-too-large" in out and "67.0 MiB" in out
    assert len(out.splitlines()) == 2


def test_deep_json_is_a_finding_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    assert main(["lint", str(path)]) == 1
    assert "too-deep" in capsys.readouterr().out


def test_lint_caps_printed_findings_and_counts_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    intents = [{"name": f"Bad{i}Intent", "samples": ["delete that"]} for i in range(30)]
    model = {"interactionModel": {"languageModel": {"invocationName": "x", "intents": intents}}}
    path = write(tmp_path, "many.json", json.dumps(model))

    assert main(["lint", "--max-findings", "5", str(path)]) == 1

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 7
    assert lines[5].startswith("... and ") and "more finding(s)" in lines[5]
    assert lines[6].startswith("1 model(s): ")
