"""A PostgreSQL key store (what production may use, in a cluster of its own)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from skill.cli import main
from skill.config import Config
from skill.services import open_services
from skill.services.models import NewRecording
from skill.store.db import normalise_url
from skill.store.keystore import data_keys, tombstones
from tests.conftest import TEST_MASTER_KEY, USER, make_wav
from tests.shred.evidence import scratch_database

T0 = datetime(2026, 11, 26, 9, tzinfo=UTC)


def test_keys_in_postgresql_are_created_used_and_destroyed(
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with scratch_database() as keystore_url:
        monkeypatch.setenv("PRIVACY_SKILL_KEYSTORE_URL", keystore_url)
        monkeypatch.setenv("PRIVACY_SKILL_MASTER_KEY", TEST_MASTER_KEY)
        services = open_services(Config.from_env())
        try:
            wav = make_wav(tmp_path / "in" / "a.wav")
            services.recordings.ingest(
                [
                    NewRecording(USER, T0, "first", audio_file=wav),
                    NewRecording(USER, T0 + timedelta(hours=1), "second"),
                ]
            )
            assert [r.transcript for r in services.recordings.list(USER)] == ["second", "first"]
            deletion = services.recordings.delete_range(
                USER, T0, T0 + timedelta(minutes=30), channel="cli"
            )
            assert (deletion.count, deletion.keys_destroyed, deletion.audio_files) == (1, 1, 1)
        finally:
            services.close()
        keys = create_engine(normalise_url(keystore_url))
        with keys.connect() as conn:
            assert conn.execute(select(func.count()).select_from(data_keys)).scalar_one() == 1
            assert conn.execute(select(func.count()).select_from(tombstones)).scalar_one() == 1
        keys.dispose()

        with scratch_database() as empty:
            monkeypatch.setenv("PRIVACY_SKILL_KEYSTORE_URL", empty)
            assert main(["recordings", "list", "--user", USER, "--json"]) == 2
            error = json.loads(capsys.readouterr().err)
            assert error["error"] == "keystore" and "is missing or empty" in error["message"]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_postgresql_key_store_needs_the_master_key_from_the_environment(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PRIVACY_SKILL_KEYSTORE_URL", "postgresql://postgres@127.0.0.1:5432/x")
    assert main(["recordings", "list", "--user", USER, "--json"]) == 2
    error = json.loads(capsys.readouterr().err)
    assert error["error"] == "config"
    assert "a PostgreSQL key store needs PRIVACY_SKILL_MASTER_KEY" in error["message"]
