"""The operator CLI, as an operator runs it."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from skill.cli import main
from tests.conftest import ROOT, USER, make_wav

CLI = str(ROOT / ".venv" / "bin" / "privacy-skill")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_jsonl(path: Path, *records: dict[str, object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def test_ingest_list_delete_today_and_audit(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], now: datetime
) -> None:
    make_wav(tmp_path / "clip.wav")
    file = write_jsonl(
        tmp_path / "in.jsonl",
        {
            "user_id": USER,
            "recorded_at": now.isoformat(),
            "transcript": "turn on the lights",
            "audio_file": "clip.wav",
        },
        {
            "user_id": USER,
            "recorded_at": (now - timedelta(days=3)).isoformat(),
            "transcript": "older",
        },
    )
    assert run(capsys, "ingest", str(file))[1] == "ingested 2 recording(s)\n"

    code, out, _ = run(capsys, "recordings", "list", "--user", USER, "--json")
    listed = json.loads(out)
    assert code == 0 and [r["transcript"] for r in listed] == ["turn on the lights", "older"]
    assert listed[0]["has_audio"] is True and listed[0]["recorded_at"] == now.isoformat()

    code, out, _ = run(
        capsys, "recordings", "delete", "--user", USER, "--date", now.date().isoformat(), "--json"
    )
    assert json.loads(out)["count"] == 1
    assert list((tmp_path / "audio").glob("*.wav")) == []

    code, out, _ = run(capsys, "audit", "--user", USER, "--json")
    [event] = json.loads(out)
    assert event["action"] == "recordings_deleted" and event["details"]["count"] == 1
    assert "lights" not in out


def test_bad_file_is_refused_whole_with_line_numbers(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], now: datetime
) -> None:
    file = tmp_path / "in.jsonl"
    good = json.dumps({"user_id": USER, "recorded_at": now.isoformat(), "transcript": "x"})
    file.write_text(f"{good}\n{good}\n{{oops\n")
    code, _, err = run(capsys, "ingest", str(file))
    assert code == 2
    assert "nothing was ingested" in err and "line 3: not valid JSON" in err
    assert json.loads(run(capsys, "recordings", "list", "--user", USER, "--json")[1]) == []


def test_consent_show_and_set(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    show = ("consent", "show", "--user", USER, "--json")
    assert json.loads(run(capsys, *show)[1]) == {"human_review": False, "store_recordings": True}
    run(capsys, "consent", "set", "--user", USER, "--purpose", "human_review", "--grant")
    assert json.loads(run(capsys, *show)[1])["human_review"] is True
    run(capsys, "consent", "set", "--user", USER, "--purpose", "store_recordings", "--withdraw")
    assert json.loads(run(capsys, *show)[1]) == {"human_review": True, "store_recordings": False}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("recordings", "delete", "--user", USER, "--date", "someday"), "unrecognised AMAZON.DATE"),
        (("recordings", "delete", "--user", USER, "--date", "2999"), "future AMAZON.DATE"),
        (
            (
                "recordings",
                "delete",
                "--user",
                USER,
                "--date",
                "2026-11-26",
                "--timezone",
                "Mars/Base",
            ),
            "not an IANA time zone",
        ),
        (("ingest", "/nonexistent.jsonl"), "no such file"),
        (("recordings", "list", "--user", USER, "--limit", "-3"), "-3 is not above zero"),
        (("recordings", "list", "--user", USER, "--limit", "0"), "0 is not above zero"),
        (("consent", "show", "--user", ""), "--user: must not be empty"),
        (("recordings", "delete", "--user", " ", "--all"), "--user: must not be empty"),
        (("recordings", "list", "--user", "u" * 513), "longer than 512 characters"),
    ],
)
def test_bad_input_is_a_clear_error(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err


def test_console_script_help_and_db_upgrade(env: dict[str, str]) -> None:
    help_text = subprocess.run([CLI, "--help"], capture_output=True, text=True, check=True).stdout
    for verb in ("ingest", "recordings", "consent", "audit", "db", "dialog"):
        assert verb in help_text
    first = subprocess.run([CLI, "db", "upgrade"], capture_output=True, text=True, check=True)
    again = subprocess.run([CLI, "db", "upgrade"], capture_output=True, text=True, check=True)
    assert (first.stdout, again.stdout) == ("database upgraded\n", "database is up to date\n")


def test_bad_setting_is_reported_not_a_traceback(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PRIVACY_SKILL_DEFAULT_TIMEZONE", "Nowhere/Land")
    code, _, err = run(capsys, "consent", "show", "--user", USER)
    assert code == 2 and "PRIVACY_SKILL_DEFAULT_TIMEZONE" in err


def test_dialog_reads_turns_from_stdin(env: dict[str, str], tmp_path: Path, now: datetime) -> None:
    file = write_jsonl(
        tmp_path / "in.jsonl", {"user_id": USER, "recorded_at": now.isoformat(), "transcript": "hi"}
    )
    subprocess.run([CLI, "ingest", str(file)], check=True, capture_output=True)
    result = subprocess.run(
        [CLI, "dialog", "--user", USER],
        input=(  # outside a session, name the skill (session rules)
            "ask voice privacy what data do you keep\n"
            "ask voice privacy to delete everything i've ever said\nyes\nquit\n"
        ),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "I keep one recording on this account" in result.stdout
    assert "Should I delete it?" in result.stdout
    assert "Done. I deleted one recording." in result.stdout
    listed = subprocess.run(
        [CLI, "recordings", "list", "--user", USER, "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(listed) == []


def test_simulate_prints_one_json_object_per_turn(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "simulate",
        "--json",
        "--user",
        USER,
        "--time",
        "2026-11-26T15:00:00Z",
        "--timezone",
        "Europe/Berlin",
        "open voice privacy",
        "what data do you keep",
    )
    turns = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [t["utterance"] for t in turns] == ["open voice privacy", "what data do you keep"]
    assert turns[0]["request"]["request"]["type"] == "LaunchRequest"
    assert turns[1]["request"]["request"]["intent"]["name"] == "WhatDataIntent"
    assert turns[1]["request"]["request"]["timestamp"] == "2026-11-26T15:00:00Z"
    assert turns[1]["speech"].startswith("I don't have any recordings on this account.")
    assert set(turns[0]) == {"utterance", "request", "response", "speech"}


def test_simulate_reads_like_a_dialog(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "simulate", "open voice privacy", "delete what I said today", "yes")
    assert code == 0
    assert "You: open voice privacy\nAlexa: Voice Privacy here." in out
    assert "Alexa: There are no recordings from today on this account" in out


def test_nlu_json(capsys: pytest.CaptureFixture[str], env: dict[str, str]) -> None:
    code, out, _ = run(
        capsys,
        "nlu",
        "--json",
        "--time",
        "2026-11-26T10:00:00+00:00",
        "ask voice privacy to delete what i said yesterday",
    )
    assert code == 0
    assert json.loads(out) == {
        "request_type": "IntentRequest",
        "intent": "DeleteRecordingsIntent",
        "slots": {"date": "2026-11-25", "scope": None},
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("simulate", "--time", "2026-11-26T10:00:00", "hi"), "needs a UTC offset"),
        (("simulate", "--timezone", "Moon/Crater", "hi"), "not an IANA time zone"),
        (("simulate", "--locale", "xx-XX", "hi"), "xx-XX"),
        (
            ("simulate", "--endpoint", "http://127.0.0.1:9/alexa", "open voice privacy"),
            "could not be reached",
        ),
    ],
)
def test_simulate_bad_options(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err


def test_lint_passes_the_shipped_models_and_fails_a_broken_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "lint")
    assert (code, out.strip().splitlines()[-1]) == (0, "1 model(s): 0 error(s), 0 warning(s)")

    model = json.loads((ROOT / "interaction_models" / "en-US.json").read_text())
    model["interactionModel"]["languageModel"]["invocationName"] = "privacy"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(model))
    code, out, _ = run(capsys, "lint", str(broken))
    assert code == 1
    assert "invocation-one-word" in out


def test_replay_reports_and_exits_1_on_a_failed_expectation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "replay", str(ROOT / "tests" / "replays"))
    assert code == 0 and out.strip().splitlines()[-1].endswith("passed, 0 failed")
    script = tmp_path / "wrong.yaml"
    script.write_text(
        "name: wrong on purpose\n"
        "turns:\n"
        "  - say: open voice privacy\n"
        "    expect: {speech_contains: Goodbye}\n"
    )
    code, out, _ = run(capsys, "replay", str(script))
    assert code == 1
    assert "FAIL" in out and "0 passed, 1 failed" in out
