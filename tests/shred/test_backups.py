"""A backup of the data taken before a deletion, restored afterwards and opened with the
current key store, brings nothing back: the deleted recordings' keys are destroyed, so no
verb can read them, ``storage check`` counts them, ``--repair`` removes them, and the counts
("what data do you keep") are right again; kept recordings read back intact."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from skill.cli import main
from skill.config import Config
from skill.services import Services, open_services
from skill.services.models import NewRecording
from tests.conftest import USER, make_wav
from tests.shred.evidence import files_containing, scratch_database

TODAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def back_up(backend: str, services: Services, tmp_path: Path) -> Path:
    """A backup of the data (not of the key store): the audio folder, and the database's
    files (SQLite) or a ``pg_dump`` (PostgreSQL)."""
    backup = tmp_path / "backup"
    shutil.copytree(tmp_path / "audio", backup / "audio")
    if backend == "sqlite":
        (backup / "db").mkdir()
        for name in ("skill.db", "skill.db-wal"):
            if (tmp_path / "data" / name).exists():
                shutil.copy2(tmp_path / "data" / name, backup / "db" / name)
    else:
        url = services.engine.url.render_as_string(hide_password=False)
        libpq = url.replace("postgresql+psycopg://", "postgresql://")
        subprocess.run(
            ["pg_dump", "-Fc", "-f", str(backup / "dump.pgc"), libpq], check=True, timeout=60
        )
    return backup


@contextmanager
def restored(
    backend: str, backup: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The backup restored beside the live data; the environment points at it, with the
    live key store."""
    monkeypatch.setenv("PRIVACY_SKILL_AUDIO_DIR", str(backup / "audio"))
    if backend == "sqlite":
        copy = tmp_path / "restored"
        shutil.copytree(backup / "db", copy)
        monkeypatch.setenv("PRIVACY_SKILL_DATABASE_URL", f"sqlite:///{copy / 'skill.db'}")
        live = tmp_path / "data" / "skill.keystore.db"
        monkeypatch.setenv("PRIVACY_SKILL_KEYSTORE_URL", f"sqlite:///{live}")
        yield
        return
    with scratch_database() as target:
        subprocess.run(
            ["pg_restore", "--no-owner", "-d", target, str(backup / "dump.pgc")],
            check=True,
            timeout=60,
        )
        monkeypatch.setenv("PRIVACY_SKILL_DATABASE_URL", target)
        yield


def test_a_backup_restored_after_a_deletion_reapplies_it(
    env: dict[str, str],
    services: Services,
    backend: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    gone = f"delete me {uuid.uuid4().hex}"
    kept = f"keep me {uuid.uuid4().hex}"
    sound = f"KEPT-AUDIO-{uuid.uuid4().hex}".encode()
    wav = make_wav(tmp_path / "in" / "kept.wav", sound * 30)
    services.recordings.ingest(
        [
            NewRecording(USER, TODAY + timedelta(hours=1), f"{gone} 1", audio_file=wav),
            NewRecording(USER, TODAY + timedelta(hours=2), f"{gone} 2"),
            NewRecording(USER, TODAY - timedelta(days=2), kept, audio_file=wav),
        ]
    )
    services.consent.set(USER, "human_review", True, channel="cli")
    backup = back_up(backend, services, tmp_path)
    code, out = run(
        capsys, "recordings", "delete", "--user", USER, "--date", TODAY.date().isoformat(), "--json"
    )
    assert code == 0 and json.loads(out)["keys_destroyed"] == 2
    with restored(backend, backup, tmp_path, monkeypatch):
        code, out = run(capsys, "recordings", "list", "--user", USER, "--json")
        listed = json.loads(out)
        assert [r["transcript"] for r in listed] == [kept]
        assert gone not in out

        code, out = run(capsys, "storage", "check", "--json")
        report = json.loads(out)
        assert code == 1
        assert report["rows_without_key"] == 2
        assert report["rows_without_key_by_reason"]["key_destroyed"] == 2
        assert report["orphan_audio_files"] == 0

        opened = open_services(Config.from_env())
        try:
            assert opened.recordings.summary(USER).total == 3, "counts before the repair"
            assert opened.review.sample(1.0).queued == 3
            code, out = run(
                capsys, "review", "claim", "--reviewer", "rev", "--count", "5", "--json"
            )
            assert [c["transcript"] for c in json.loads(out)] == [kept]
            assert opened.review.stats()["pending"] == 0, "deleted ones left the queue"

            code, out = run(capsys, "storage", "check", "--repair", "--json")
            assert code == 0 and json.loads(out)["repaired"] is True
            code, out = run(capsys, "storage", "check", "--json")
            assert code == 0 and json.loads(out)["rows_without_key"] == 0
            summary = opened.recordings.summary(USER)
            assert (summary.total, summary.with_audio) == (1, 1)
            [recording] = opened.recordings.list(USER)
            assert recording.transcript == kept
            assert sound in (opened.recordings.read_audio(USER, recording.id) or b"")
        finally:
            opened.close()
        backup_audio = tmp_path / "backup" / "audio"
        assert len(list(backup_audio.glob("*.wav"))) == 1, "the deleted audio went too"
        assert files_containing(tmp_path, gone.encode()) == []
