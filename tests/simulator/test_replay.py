"""`replay`: scripted dialogs in YAML, played against a fresh database and checked turn by turn."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest
from rich.console import Console

from skill.simulator.replay import AFTER_TURN, FileResult, run_file, run_files
from skill.simulator.replay_format import DEFAULT_TIME, ReplayFileError, load_script

REPLAYS = Path(__file__).resolve().parents[1] / "replays"
SHIPPED = sorted(REPLAYS.glob("*.yaml"))


def console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=120, color_system=None), out


def write(tmp_path: Path, text: str, name: str = "script.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def explain(result: FileResult) -> str:
    lines = [result.error or ""]
    lines += [
        f"turn {f.turn} {f.utterance!r} {f.field}: {f.expected} != {f.actual}"
        for f in result.failures
    ]
    return "\n".join(lines)


# --- the shipped dialogs ------------------------------------------------------------------


def test_the_main_dialogs_are_shipped() -> None:
    assert len(SHIPPED) >= 10


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_replay_passes(path: Path) -> None:
    result = run_file(path)
    assert result.passed, explain(result)
    assert result.turns == len(load_script(path).turns)


@pytest.mark.parametrize("name", ["delete_today_yes", "human_review_stop"])
def test_shipped_replay_passes_through_the_lambda_entry_point(
    name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    operator_db = tmp_path / "operator.db"
    monkeypatch.setenv("PRIVACY_SKILL_DATABASE_URL", f"sqlite:///{operator_db}")
    monkeypatch.setenv("PRIVACY_SKILL_SKILL_ID", "amzn1.ask.skill.operators-own")
    loaded_before = sys.modules.get("lambda_function")

    result = run_file(REPLAYS / f"{name}.yaml", transport="lambda")

    assert result.passed, explain(result)
    # The operator's settings and any loaded module are back; their database was never opened.
    assert os.environ["PRIVACY_SKILL_DATABASE_URL"] == f"sqlite:///{operator_db}"
    assert os.environ["PRIVACY_SKILL_SKILL_ID"] == "amzn1.ask.skill.operators-own"
    assert "PRIVACY_SKILL_AUDIO_DIR" not in os.environ
    assert sys.modules.get("lambda_function") is loaded_before
    assert not operator_db.exists()


def test_replay_never_opens_the_operators_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    operator_db = tmp_path / "operator.db"
    monkeypatch.setenv("PRIVACY_SKILL_DATABASE_URL", f"sqlite:///{operator_db}")
    monkeypatch.chdir(tmp_path)

    assert run_file(REPLAYS / "delete_everything.yaml").passed

    assert list(tmp_path.iterdir()) == []


# --- failures are reported by turn and field ----------------------------------------------

FAILING = """\
name: Expects the wrong things
seed:
  recordings:
    - {ago: 1h, transcript: "turn on the lights"}
turns:
  - say: open voice privacy
    expect:
      speech: Hello there.
  - say: delete what i said today
    expect:
      intent: DeleteRecordingsIntent
      directives: [Dialog.Delegate]
      slots: {date: "2026-11-25"}
  - say: yes
after:
  recordings: 1
"""


def test_unmet_expectations_name_the_turn_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, FAILING)

    result = run_file(path)

    assert not result.passed and result.error is None
    assert result.turns == 3
    found = {(f.turn, f.field): f for f in result.failures}
    assert set(found) == {
        (1, "speech"),
        (2, "directives"),
        (2, "slots.date"),
        (AFTER_TURN, "after.recordings"),
    }
    speech = found[1, "speech"]
    assert speech.utterance == "open voice privacy"
    assert speech.expected == '"Hello there."'
    assert speech.actual.startswith('"Voice Privacy here.')
    assert found[2, "directives"].expected == "[Dialog.Delegate]"
    assert found[2, "directives"].actual == "[Dialog.ConfirmIntent]"
    assert found[2, "slots.date"].actual == '"2026-11-26"'
    assert (
        found[AFTER_TURN, "after.recordings"].expected,
        found[AFTER_TURN, "after.recordings"].actual,
    ) == ("1", "0")


def test_run_files_reports_each_file_and_the_totals(tmp_path: Path) -> None:
    failing = write(tmp_path, FAILING)
    out_console, out = console()

    status = run_files([REPLAYS / "nothing_to_delete_today.yaml", failing], out_console)

    report = out.getvalue()
    assert status == 1
    assert "PASS  " in report and "nothing_to_delete_today.yaml" in report
    assert f"FAIL  {failing}" in report
    assert 'turn 1 "open voice privacy": speech' in report
    assert 'expected "Hello there."' in report
    assert 'turn 2 "delete what i said today": directives' in report
    assert "expected [Dialog.Delegate]" in report
    assert "actual   [Dialog.ConfirmIntent]" in report
    assert "after the last turn: after.recordings" in report
    assert report.rstrip().endswith("1 passed, 1 failed")


def test_run_files_passes_with_status_zero_and_takes_a_folder() -> None:
    out_console, out = console()

    assert run_files([REPLAYS], out_console) == 0

    assert out.getvalue().rstrip().endswith(f"{len(SHIPPED)} passed, 0 failed")


def test_speech_contains_matches_and_cards_are_checked(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
settings: {session: open}
turns:
  - say: what data do you keep
    expect:
      speech_contains: ["I don't have any recordings", "human review is on"]
      speech_matches: "^I keep \\\\d+"
      card_title: Your data
      card_contains: "Recordings: 0"
      session_ends: false
""",
    )

    result = run_file(path)

    assert [(f.field, f.expected) for f in result.failures] == [
        ("speech_contains", '"human review is on"'),
        ("speech_matches", '"^I keep \\\\d+"'),
        ("session_ends", "false"),
        ("card_title", '"Your data"'),
    ]


def test_yes_and_no_are_words_not_booleans(tmp_path: Path) -> None:
    path = write(tmp_path, "turns:\n  - say: yes\n  - say: no\n  - say: on\n")

    assert [step.say for step in load_script(path).turns] == ["yes", "no", "on"]


def test_defaults_make_a_file_repeatable(tmp_path: Path) -> None:
    script = load_script(write(tmp_path, "turns:\n  - say: help\n", name="just_help.yaml"))

    assert script.name == "just_help"
    assert script.settings.time == DEFAULT_TIME
    assert script.settings.zone.key == "UTC"
    assert script.settings.user == "amzn1.ask.account.REPLAY"


def test_ago_is_counted_back_from_the_pinned_time(tmp_path: Path) -> None:
    script = load_script(
        write(
            tmp_path,
            """\
settings: {time: "2026-11-26T15:00:00+01:00"}
seed:
  recordings:
    - {ago: 1d12h, transcript: a}
    - {ago: 90s, transcript: b, audio: false}
turns: [{say: help}]
""",
        )
    )

    first, second = script.seed.recordings
    assert first.at.isoformat() == "2026-11-25T03:00:00+01:00" and first.audio
    assert second.at.isoformat() == "2026-11-26T14:58:30+01:00" and not second.audio


# --- broken files: a clear error, never a traceback ---------------------------------------

BROKEN = {
    "bad_yaml": ("turns:\n  - say: [unclosed\n", "not valid YAML"),
    "unknown_key": (
        "turns:\n  - say: help\n    expect: {speech_contain: Help}\n",
        "turns[1].expect.speech_contain: unknown key (did you mean 'speech_contains'?)",
    ),
    "unknown_top_key": ("name: x\nturn:\n  - say: help\n", "turn: unknown key"),
    "missing_turns": ("name: Nothing to say\n", "top level: missing required key 'turns'"),
    "empty_turns": ("turns: []\n", "turns: expected a list of at least one turn"),
    "bad_ago": (
        "seed:\n  recordings:\n    - {ago: yesterday, transcript: x}\nturns: [{say: help}]\n",
        "seed.recordings[1].ago: 'yesterday' is not a duration",
    ),
    "at_and_ago": (
        "seed:\n  recordings:\n    - {ago: 1h, at: 2026-11-26T10:00:00Z, transcript: x}\n"
        "turns: [{say: help}]\n",
        "seed.recordings[1]: give exactly one of 'at'",
    ),
    "naive_time": (
        "settings: {time: 2026-11-26T15:00:00}\nturns: [{say: help}]\n",
        "settings.time: '2026-11-26T15:00:00' needs a UTC offset",
    ),
    "bad_zone": (
        "settings: {timezone: Mars/Olympus}\nturns: [{say: help}]\n",
        "settings.timezone: 'Mars/Olympus' is not an IANA time zone",
    ),
    "bad_locale": (
        "settings: {locale: xx-XX}\nturns: [{say: help}]\n",
        "settings.locale: no interaction model for 'xx-XX'",
    ),
    "duplicate_key": ("turns:\n  - say: help\n    say: stop\n", "duplicate key 'say'"),
    "missing_say": ("turns:\n  - expect: {speech: Hi}\n", "turns[1]: missing required key 'say'"),
    "bad_purpose": (
        "after: {consent: {reviews: false}}\nturns: [{say: help}]\n",
        "after.consent.reviews: unknown key",
    ),
    "bad_confirmation": (
        "turns:\n  - say: yes\n    expect: {confirmation: YES}\n",
        "turns[1].expect.confirmation: expected one of NONE, CONFIRMED, DENIED",
    ),
    "bad_regex": (
        "turns:\n  - say: help\n    expect: {speech_matches: '(unclosed'}\n",
        "turns[1].expect.speech_matches: bad regular expression",
    ),
    "directives_not_a_list": (
        "turns:\n  - say: yes\n    expect: {directives: Dialog.Delegate}\n",
        "turns[1].expect.directives: expected a list",
    ),
    "negative_count": (
        "after: {recordings: -1}\nturns: [{say: help}]\n",
        "after.recordings: expected a whole number",
    ),
    "not_a_mapping": ("- say: help\n", "top level: expected a mapping, got a list"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_file_is_a_clear_error(case: str, tmp_path: Path) -> None:
    text, message = BROKEN[case]
    path = write(tmp_path, text)

    with pytest.raises(ReplayFileError) as raised:
        load_script(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)

    result = run_file(path)
    assert not result.passed and result.turns == 0
    assert result.error == str(raised.value)


def test_a_broken_file_fails_the_run_and_the_others_still_run(tmp_path: Path) -> None:
    broken = write(tmp_path, BROKEN["unknown_key"][0])
    out_console, out = console()

    status = run_files(
        [broken, tmp_path / "missing.yaml", REPLAYS / "delete_last.yaml"], out_console
    )

    report = out.getvalue()
    assert status == 1
    assert "did you mean 'speech_contains'?" in report
    assert f"{tmp_path / 'missing.yaml'}: no such file" in report
    assert "Traceback" not in report
    assert report.rstrip().endswith("1 passed, 2 failed")


# --- the endpoint transport ---------------------------------------------------------------


@pytest.mark.parametrize("section", ["seed", "after"])
def test_endpoint_transport_refuses_seed_and_after(section: str) -> None:
    path = REPLAYS / ("delete_today_no.yaml" if section == "seed" else "human_review_stop.yaml")

    result = run_file(path, transport="endpoint", endpoint="http://127.0.0.1:9/alexa")

    assert result.turns == 0 and result.error is not None
    assert f"{section}" in result.error and "endpoint transport" in result.error
    assert "not ours" in result.error


def test_unreachable_endpoint_is_a_file_error_not_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "turns:\n  - say: open voice privacy\n")

    result = run_file(path, transport="endpoint", endpoint="http://127.0.0.1:9/alexa")

    assert result.error is not None
    assert result.error.startswith('turn 1 "open voice privacy": TransportError:')
    assert "could not be reached" in result.error
