"""A missing, empty or foreign key store (or the wrong master key) stops every verb and
``serve`` before anything is read or deleted: without the right key store every row would
look deleted, and acting on that would wipe the data."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from skill.cli import main
from skill.config import Config
from skill.services import Services, open_services
from skill.services.models import NewRecording
from skill.store.keystore import data_keys
from skill.store.schema import recordings
from tests.conftest import ROOT, USER, make_wav
from tests.shred.evidence import scratch_database

CLI = str(ROOT / ".venv" / "bin" / "privacy-skill")
T0 = datetime(2026, 11, 26, 9, tzinfo=UTC)

VERBS = [
    ["recordings", "list", "--user", USER, "--json"],
    ["recordings", "delete", "--user", USER, "--all", "--json"],
    ["ingest", "IN", "--json"],
    ["consent", "set", "--user", USER, "--purpose", "human_review", "--withdraw", "--json"],
    ["review", "sample", "--rate", "1", "--json"],
    ["review", "claim", "--reviewer", "rev", "--json"],
    ["audit", "--user", USER, "--json"],
    ["storage", "check", "--repair", "--force", "--json"],
    ["db", "upgrade"],
]
"""A representative verb of every area that opens the data."""


@pytest.fixture
def stocked(services: Services, tmp_path: Path) -> Services:
    wav = make_wav(tmp_path / "in" / "a.wav")
    services.recordings.ingest(
        [
            NewRecording(USER, T0 + timedelta(minutes=i), f"kept {i}", audio_file=wav)
            for i in range(3)
        ]
    )
    (tmp_path / "in" / "new.jsonl").write_text(
        json.dumps({"user_id": USER, "recorded_at": T0.isoformat(), "transcript": "x"}) + "\n"
    )
    return services


def state(services: Services, tmp_path: Path) -> tuple[int, int, list[str]]:
    """Rows, keys and audio files: what must not change."""
    with services.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(recordings)).scalar_one()
    with services.keys.engine.connect() as conn:
        keys = conn.execute(select(func.count()).select_from(data_keys)).scalar_one()
    return rows, keys, sorted(p.name for p in (tmp_path / "audio").iterdir())


def refused_everywhere(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str, says: str
) -> None:
    for argv in VERBS:
        argv = [str(tmp_path / "in" / "new.jsonl") if a == "IN" else a for a in argv]
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 2, (argv, out, err)
        assert out == "", argv
        message = json.loads(err) if "--json" in argv else {"error": kind, "message": err}
        assert message["error"] == kind, (argv, err)
        assert says in message["message"], (argv, err)


@pytest.fixture
def other_data(tmp_path: Path, backend: str) -> Iterator[Config]:
    """Another deployment's settings: its own data database, key store and master key."""
    folder = tmp_path / "other"
    folder.mkdir()
    if backend == "sqlite":
        config = Config.from_env(
            {
                "PRIVACY_SKILL_DATABASE_URL": f"sqlite:///{folder / 'other.db'}",
                "PRIVACY_SKILL_AUDIO_DIR": str(folder / "audio"),
            }
        )
        yield config
        return
    with scratch_database() as url:
        yield Config.from_env(
            {
                "PRIVACY_SKILL_DATABASE_URL": url,
                "PRIVACY_SKILL_AUDIO_DIR": str(folder / "audio"),
                "PRIVACY_SKILL_KEYSTORE_URL": f"sqlite:///{folder / 'other.keys.db'}",
                "PRIVACY_SKILL_MASTER_KEY": "b3RoZXIgbWFzdGVyIGtleSBvZiB0aGlydHktdHdvIGI=",
            }
        )


def test_a_missing_key_store_stops_every_verb_and_nothing_is_deleted(
    stocked: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = state(stocked, tmp_path)
    nowhere = tmp_path / "elsewhere" / "keys.db"
    nowhere.parent.mkdir()
    monkeypatch.setenv("PRIVACY_SKILL_KEYSTORE_URL", f"sqlite:///{nowhere}")
    monkeypatch.setenv("PRIVACY_SKILL_MASTER_KEY", "bmV3IG1hc3RlciBrZXkgb2YgdGhpcnR5LXR3byBieXQ=")

    refused_everywhere(capsys, tmp_path, "keystore", "is missing or empty")

    assert not nowhere.exists(), "a missing key store is not created in its place"
    assert state(stocked, tmp_path) == before
    assert [r.transcript for r in stocked.recordings.list(USER)] == ["kept 2", "kept 1", "kept 0"]


def test_an_empty_key_store_file_stops_every_verb(
    stocked: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = state(stocked, tmp_path)
    empty = tmp_path / "elsewhere" / "keys.db"
    empty.parent.mkdir()
    empty.touch()
    monkeypatch.setenv("PRIVACY_SKILL_KEYSTORE_URL", f"sqlite:///{empty}")
    monkeypatch.setenv("PRIVACY_SKILL_MASTER_KEY", "bmV3IG1hc3RlciBrZXkgb2YgdGhpcnR5LXR3byBieXQ=")

    refused_everywhere(capsys, tmp_path, "keystore", "is missing or empty")

    assert empty.stat().st_size == 0
    assert state(stocked, tmp_path) == before


def test_another_deployments_key_store_stops_every_verb_and_serve(
    stocked: Services,
    other_data: Config,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    open_services(other_data).close()  # creates and binds the other key store
    from skill.store.binding import key_settings

    foreign = key_settings(other_data).keystore_url
    assert foreign is not None
    before = state(stocked, tmp_path)
    monkeypatch.setenv("PRIVACY_SKILL_KEYSTORE_URL", foreign)
    if other_data.master_key:
        monkeypatch.setenv("PRIVACY_SKILL_MASTER_KEY", other_data.master_key)
    else:
        monkeypatch.delenv("PRIVACY_SKILL_MASTER_KEY", raising=False)

    refused_everywhere(capsys, tmp_path, "keystore", "is not the one this database belongs to")

    served = subprocess.run(
        [CLI, "serve", "--port", "0", "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
        check=False,
    )
    assert served.returncode == 2
    assert "is not the one this database belongs to" in served.stderr
    assert "Traceback" not in served.stderr
    assert state(stocked, tmp_path) == before


def test_a_data_database_cannot_take_over_a_key_store_that_belongs_to_another(
    stocked: Services,
    other_data: Config,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The other way round: a new data database pointed at this deployment's key store."""
    from skill.store.binding import key_settings

    ours = Config.from_env(dict(os.environ))
    keystore_url = key_settings(ours).keystore_url
    assert keystore_url is not None
    monkeypatch.setenv("PRIVACY_SKILL_DATABASE_URL", other_data.database_url)
    monkeypatch.setenv("PRIVACY_SKILL_KEYSTORE_URL", keystore_url)
    code = main(["recordings", "list", "--user", USER, "--json"])
    error = json.loads(capsys.readouterr().err)
    assert code == 2 and error["error"] == "keystore"
    assert "belongs to another data database" in error["message"]


def test_the_wrong_master_key_stops_every_verb(
    stocked: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = state(stocked, tmp_path)
    monkeypatch.setenv("PRIVACY_SKILL_MASTER_KEY", "d3JvbmcgbWFzdGVyIGtleSBvZiB0aGlydHktdHdvIGI=")
    refused_everywhere(capsys, tmp_path, "keystore", "is not this key store's master key")
    assert state(stocked, tmp_path) == before


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_missing_or_public_key_file_stops_the_embedded_default(
    stocked: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "data" / "skill.keystore.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    key_file.chmod(0o644)
    assert main(["recordings", "list", "--user", USER]) == 2
    assert f"chmod 600 {key_file}" in capsys.readouterr().err
    key_file.rename(tmp_path / "aside.key")
    assert main(["recordings", "list", "--user", USER]) == 2
    assert f"the master key file {key_file} is missing" in capsys.readouterr().err
    assert not key_file.exists(), "a lost key file is not replaced by a new key"


@pytest.mark.parametrize("backend", ["postgresql"])
def test_postgresql_needs_the_key_store_and_master_key_set_explicitly(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("PRIVACY_SKILL_KEYSTORE_URL", "PRIVACY_SKILL_MASTER_KEY"):
        with monkeypatch.context() as without:
            without.delenv(name)
            assert main(["recordings", "list", "--user", USER, "--json"]) == 2
            error = json.loads(capsys.readouterr().err)
            assert error["error"] == "config"
            assert "PRIVACY_SKILL_KEYSTORE_URL" in error["message"]
            assert "PRIVACY_SKILL_MASTER_KEY" in error["message"]
