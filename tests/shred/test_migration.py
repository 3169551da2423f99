"""``db upgrade`` on a database from before encryption seals its rows, audio files and review
annotations under new keys and removes the plaintext (SQLite: the file is compacted;
PostgreSQL: the README's VACUUM FULL), and everything reads back the same."""

from __future__ import annotations

import time
import uuid
import wave
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import create_engine, insert, select, text

from skill.cli import main
from skill.config import Config
from skill.services import open_services
from skill.store.db import normalise_url, open_engine
from skill.store.schema import (
    recording_counts,
    recordings,
    review_annotations,
    review_items,
)
from tests.conftest import POSTGRES_ADMIN_URL, USER
from tests.shred.evidence import files_containing, postgres_files_containing, scratch_database

MIGRATIONS = Path(__file__).resolve().parents[2] / "skill" / "store" / "migrations"
T0 = datetime(2026, 10, 1, 9, tzinfo=UTC)
LEGACY_FILE = "0123456789abcdef0123456789abcdef.wav"


@pytest.fixture
def legacy_url(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database at revision 0003 (before encryption), which the environment points at."""
    if backend == "sqlite":
        (tmp_path / "data").mkdir(exist_ok=True)
        url = f"sqlite:///{tmp_path / 'data' / 'skill.db'}"
        monkeypatch.setenv("PRIVACY_SKILL_DATABASE_URL", url)
        yield url
        return
    with scratch_database() as url:
        monkeypatch.setenv("PRIVACY_SKILL_DATABASE_URL", url)
        yield url


def plant_legacy(url: str, audio_dir: Path, said: str, sound: bytes) -> None:
    """Plaintext rows, a plaintext WAV and a plaintext annotation, as release 0003 kept them."""
    engine = open_engine(url)
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
    audio_dir.mkdir(parents=True, exist_ok=True)
    with wave.open(str(audio_dir / LEGACY_FILE), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(sound * 20)
    with engine.begin() as conn:
        for i, audio in enumerate((LEGACY_FILE, None)):
            conn.execute(
                insert(recordings).values(
                    id=f"legacy-{i}",
                    user_id=USER,
                    recorded_at=T0,
                    transcript=f"{said} {i}",
                    audio_file=audio,
                    source="ingest",
                    ingested_at=T0,
                )
            )
        conn.execute(insert(recording_counts).values(user_id=USER, total=2, with_audio=1))
        conn.execute(
            insert(review_items).values(
                id=1, recording_id="legacy-0", user_id=USER, state="done", queued_at=T0
            )
        )
        conn.execute(
            insert(review_annotations).values(
                item_id=1,
                reviewer="rev",
                corrected_transcript=f"{said} corrected",
                label="ok",
                submitted_at=T0,
            )
        )
    engine.dispose()


def test_db_upgrade_seals_data_from_before_encryption(
    env: dict[str, str],
    legacy_url: str,
    backend: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    said = f"legacy secret {uuid.uuid4().hex}"
    sound = f"LEGACY-AUDIO-{uuid.uuid4().hex}".encode()
    audio = tmp_path / "audio"
    plant_legacy(legacy_url, audio, said, sound)
    assert files_containing(audio, sound), "precondition: the plaintext audio is there"
    if backend == "postgresql":  # what autovacuum does to any table that had inserts
        analyse = create_engine(normalise_url(legacy_url), isolation_level="AUTOCOMMIT")
        with analyse.connect() as conn:
            conn.execute(text("ANALYZE recordings, review_annotations"))
        analyse.dispose()
        assert postgres_files_containing(POSTGRES_ADMIN_URL, said.encode()), "precondition"

    assert main(["db", "upgrade"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [
        "database upgraded",
        "encrypted 2 recording(s), 1 audio file(s) and 1 annotation(s); "
        "their plaintext files are removed",
    ]

    services = open_services(Config.from_env())
    try:
        listed = services.recordings.list(USER)
        assert sorted(r.transcript for r in listed) == [f"{said} 0", f"{said} 1"]
        assert services.recordings.read_audio(USER, "legacy-0") is not None
        assert sound in (services.recordings.read_audio(USER, "legacy-0") or b"")
        annotation = services.review.annotation(1)
        assert annotation is not None and annotation.corrected_transcript == f"{said} corrected"
        assert services.recordings.summary(USER).with_audio == 1
        with services.engine.connect() as conn:
            stored = conn.execute(select(recordings.c.transcript)).scalars().all()
        assert not any(said in text for text in stored)
        assert services.storage.check().problems == 0
    finally:
        services.close()
    assert not (audio / LEGACY_FILE).exists()
    assert files_containing(audio, said.encode(), sound) == []
    if backend == "sqlite":
        assert files_containing(tmp_path / "data", said.encode(), sound) == []
        assert (
            out[2] == "the database file was compacted (VACUUM): no page of the plaintext is left"
        )
    else:
        assert out[2].startswith("PostgreSQL keeps the old row versions")
        assert "VACUUM FULL recordings, review_annotations, pg_statistic while" in out[2]
        # What the README says to run; then only pg_wal (recycled in time) and archives hold it.
        # VACUUM FULL keeps the row versions an open transaction may still see, and a
        # connection being set up anywhere on the server counts as one: tried again while
        # something else (another test run, a benchmark) uses the same server.
        maintenance = create_engine(normalise_url(legacy_url), isolation_level="AUTOCOMMIT")
        for _attempt in range(10):
            with maintenance.connect() as conn:
                conn.execute(text("VACUUM FULL recordings, review_annotations, pg_statistic"))
            left = postgres_files_containing(POSTGRES_ADMIN_URL, said.encode())
            left = [name for name in left if not name.startswith("pg_wal/")]
            if not left:
                break
            time.sleep(0.5)
        maintenance.dispose()
        assert left == []

    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out == "database is up to date\n"
