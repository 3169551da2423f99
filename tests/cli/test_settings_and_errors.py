"""Where the data lives by default, what `info` and `--version` say, and how errors are shown."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from skill.cli import main
from tests.conftest import ROOT, USER

CLI = str(ROOT / ".venv" / "bin" / "privacy-skill")


def fresh_env(home: Path, **settings: str) -> dict[str, str]:
    """A new user's environment: a home folder of their own, no PRIVACY_SKILL_* settings."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), **settings}


def cli(env: dict[str, str], cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    cwd.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [CLI, *argv], capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False
    )


def test_version(tmp_path: Path) -> None:
    done = cli(fresh_env(tmp_path), tmp_path, "--version")
    assert (done.returncode, done.stdout) == (0, "privacy-skill 0.1.0\n")


def test_info_shows_the_per_user_data_directory_whatever_the_folder(tmp_path: Path) -> None:
    env = fresh_env(tmp_path / "home")
    data = tmp_path / "home" / ".local" / "share" / "voice-privacy"
    first = json.loads(cli(env, tmp_path / "a", "info", "--json").stdout)
    second = json.loads(cli(env, tmp_path / "b" / "c", "info", "--json").stdout)
    assert first == second
    assert first["version"] == "0.1.0"
    assert first["data_dir"] == str(data)
    assert first["database_url"] == f"sqlite:///{data / 'privacy_skill.db'}"
    assert first["audio_dir"] == str(data / "audio")
    assert first["default_timezone"] == "UTC" and first["human_review_default"] == "off"


def test_info_hides_a_database_password(tmp_path: Path) -> None:
    url = "postgresql://privacy:s3cret-pw@db.internal:5432/privacy"
    env = fresh_env(tmp_path, PRIVACY_SKILL_DATABASE_URL=url)
    done = cli(env, tmp_path, "info", "--json")
    assert done.returncode == 0 and "s3cret-pw" not in done.stdout
    assert json.loads(done.stdout)["database_url"] == (
        "postgresql+psycopg://privacy:***@db.internal:5432/privacy"
    )


def test_ingest_here_is_seen_from_another_folder(tmp_path: Path) -> None:
    env = fresh_env(tmp_path / "home")
    recordings = tmp_path / "a" / "in.jsonl"
    recordings.parent.mkdir(parents=True)
    line = {"user_id": USER, "recorded_at": "2026-11-26T09:00:00Z", "transcript": "play jazz"}
    recordings.write_text(json.dumps(line) + "\n")
    assert cli(env, tmp_path / "a", "ingest", "in.jsonl").stdout == "ingested 1 recording(s)\n"

    listed = cli(env, tmp_path / "b", "recordings", "list", "--user", USER, "--json")
    assert [r["transcript"] for r in json.loads(listed.stdout)] == ["play jazz"]
    assert not (tmp_path / "a" / "privacy_skill.db").exists()
    assert not (tmp_path / "b" / "privacy_skill.db").exists()
    data = tmp_path / "home" / ".local" / "share" / "voice-privacy"
    assert (data / "privacy_skill.db").is_file()
    assert data.stat().st_mode & 0o077 == 0, "only the owner may read the data directory"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://privacy@db.internal/privacy", "'mysql' databases are not supported"),
        ("not a database url", "is not a database URL"),
        ("sqlite:////nonexistent-folder/x.db", "the folder /nonexistent-folder does not exist"),
        ("postgresql://privacy:s3cret-pw@127.0.0.1:1/privacy", "cannot open the database"),
    ],
)
def test_a_bad_database_url_is_one_json_error_with_exit_2(
    tmp_path: Path, url: str, says: str
) -> None:
    env = fresh_env(tmp_path, PRIVACY_SKILL_DATABASE_URL=url)
    done = cli(env, tmp_path, "recordings", "list", "--user", USER, "--json")
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.splitlines()
    error = json.loads(line)
    assert error["error"] == "database" and says in error["message"]
    assert "s3cret-pw" not in done.stderr
    assert not Path("/nonexistent-folder").exists()

    plain = cli(env, tmp_path, "recordings", "list", "--user", USER)
    assert plain.returncode == 2 and plain.stderr.startswith("privacy-skill: ")
    assert "Traceback" not in plain.stderr and says in plain.stderr


def test_usage_errors_under_json_are_json_too(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["recordings", "list", "--json"]) == 2
    out, err = capsys.readouterr()
    error = json.loads(err)
    assert out == "" and error["error"] == "usage" and "--user" in error["message"]

    assert main(["recordings", "list"]) == 2
    _, err = capsys.readouterr()
    assert err.startswith("usage: privacy-skill recordings list") and "--user" in err


def test_an_input_error_under_json_names_its_kind_and_lines(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"user_id": "u", "recorded_at": "yesterday", "transcript": "secret words"}\n')
    assert main(["ingest", str(bad), "--json"]) == 2
    out, err = capsys.readouterr()
    error = json.loads(err)
    assert out == "" and error["error"] == "input"
    assert error["details"] == ["line 1: recorded_at 'yesterday' is not an RFC 3339 timestamp"]
    assert "secret" not in err
