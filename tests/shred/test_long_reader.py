"""A reader holding a snapshot open during a voice deletion keeps the old pages (SQLite
cannot checkpoint the WAL; PostgreSQL keeps the dead tuples), so the deleted recordings'
ciphertext is still on disk after "Done". It opens with nothing: their keys, wrapped or
not, are in no file any more, and no plaintext ever was."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine

from skill.services import Services
from skill.services.models import NewRecording
from skill.store.db import normalise_url
from tests.conftest import POSTGRES_ADMIN_URL, USER, Alexa, make_wav
from tests.shred.evidence import capture, files_containing, postgres_files_containing


@contextmanager
def long_reader(services: Services, tmp_path: Path) -> Iterator[None]:
    """Another process's read transaction, open across the deletion."""
    if services.engine.dialect.name == "sqlite":
        conn = sqlite3.connect(tmp_path / "data" / "skill.db", isolation_level=None)
        conn.execute("BEGIN")
        conn.execute("SELECT count(*), max(transcript) FROM recordings").fetchall()
        try:
            yield
        finally:
            conn.execute("COMMIT")
            conn.close()
        return
    url = services.engine.url.render_as_string(hide_password=False)
    engine = create_engine(normalise_url(url))
    with engine.connect() as pg:
        pg.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ")
        pg.exec_driver_sql("SELECT count(*), max(transcript) FROM recordings").all()
        try:
            yield
        finally:
            pg.rollback()
    engine.dispose()


def on_disk(backend: str, tmp_path: Path, *needles: bytes) -> list[str]:
    found = files_containing(tmp_path / "data", *needles)
    found += files_containing(tmp_path / "audio", *needles)
    if backend == "postgresql":
        found += postgres_files_containing(POSTGRES_ADMIN_URL, *needles)
    return found


def test_after_a_voice_deletion_with_a_reader_open_nothing_deleted_can_be_opened(
    alexa: Alexa, services: Services, backend: str, tmp_path: Path
) -> None:
    said = f"the alarm code is {uuid.uuid4().hex}"
    sound = f"ALARM-AUDIO-{uuid.uuid4().hex}".encode()
    wav = make_wav(tmp_path / "in" / "a.wav", sound * 20)
    services.recordings.ingest(
        [
            NewRecording(USER, alexa.now - timedelta(hours=1), f"{said} 1", audio_file=wav),
            NewRecording(USER, alexa.now - timedelta(hours=2), f"{said} 2"),
        ]
    )
    deleted = capture(services, USER)
    services.recordings.ingest([NewRecording(USER, alexa.now - timedelta(days=3), "kept")])

    with long_reader(services, tmp_path):
        asked = alexa.intent("DeleteRecordingsIntent", {"date": "2026-11-26"})
        done = alexa.confirm("DeleteRecordingsIntent", asked, slots={"date": "2026-11-26"})
        assert done.speech == "Done. I deleted 2 recordings from today on this account."

        stale = on_disk(backend, tmp_path, *(s.transcript.encode() for s in deleted))
        assert stale, "the reader kept the old ciphertext on disk (the case this test is about)"
        assert on_disk(backend, tmp_path, said.encode(), sound) == [], "never plaintext"
        keys = [s.key for s in deleted] + [s.wrapped for s in deleted]
        assert on_disk(backend, tmp_path, *keys) == [], "no copy of their keys is left"
        assert services.keys.fetch([s.key_id for s in deleted]) == {}
        assert set(services.keys.states([s.key_id for s in deleted]).values()) == {"destroyed"}

    assert [r.transcript for r in services.recordings.list(USER)] == ["kept"]
