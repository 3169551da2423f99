"""After a deletion returns, no byte of the transcript or audio is left.

On SQLite: in no file the project wrote (database, WAL, audio folder). On
PostgreSQL: in no row of any table (VACUUM and backups are the README's
subject), and in no audio file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from skill.services import Services
from skill.store.schema import metadata
from tests.conftest import OTHER_USER, USER, make_wav, seed

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
SECRET = "my bank pin is four four seven nine"
AUDIO = b"\x7fSECRET-AUDIO-BYTES\x7f" * 50
KEPT = "other person keeps this sentence"


def tables_containing(services: Services, needle: bytes) -> list[str]:
    found = []
    with services.engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            if any(needle.decode("latin-1") in repr(tuple(row)) for row in rows):
                found.append(table.name)
    return found


def stored(services: Services, tmp_path: Path, needle: bytes) -> list[str]:
    """Everywhere ``needle`` is still kept: files on SQLite, rows on PostgreSQL, audio files."""
    places = files_containing(tmp_path / "audio", needle)
    if services.engine.dialect.name == "sqlite":
        return places + files_containing(tmp_path / "data", needle)
    return places + tables_containing(services, needle)


def files_containing(root: Path, needle: bytes) -> list[str]:
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and needle in p.read_bytes()
    )


def test_range_deletion_leaves_no_transcript_or_audio_bytes(
    services: Services, tmp_path: Path
) -> None:
    wav = make_wav(tmp_path / "incoming" / "clip.wav", AUDIO)
    seed(
        services,
        USER,
        T0,
        T0 + timedelta(minutes=5),
        transcript=lambda i: f"{SECRET} {i}",
        audio=wav,
    )
    seed(services, OTHER_USER, T0, transcript=lambda i: KEPT)
    assert stored(services, tmp_path, SECRET.encode()), "precondition: the text is stored"
    assert stored(services, tmp_path, AUDIO[:40]), "precondition: the audio is stored"

    deleted = services.recordings.delete_range(USER, T0, T0 + timedelta(days=1), channel="voice")

    assert deleted.count == 2
    assert stored(services, tmp_path, SECRET.encode()) == []
    assert stored(services, tmp_path, AUDIO[:40]) == []
    assert services.recordings.list(OTHER_USER)[0].transcript == KEPT


def test_delete_all_with_long_transcripts_in_overflow_pages(
    services: Services, tmp_path: Path
) -> None:
    long_secret = ("a very private confession " * 400).strip()  # spills into overflow pages
    seed(
        services,
        USER,
        *(T0 + timedelta(seconds=i) for i in range(30)),
        transcript=lambda i: f"{long_secret} {i}",
    )
    marker = b"a very private confession"
    assert stored(services, tmp_path, marker)

    services.recordings.delete_all(USER, channel="cli")

    assert stored(services, tmp_path, marker) == []
