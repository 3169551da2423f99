"""After a deletion returns, no byte of the transcript or audio is left.

On SQLite: in no file the project wrote (database, WAL, audio folder). On
PostgreSQL: in no row of any table, and in no audio file. Content is sealed, so "kept"
also means "still opens with a key from the key store" (tests/shred goes further: the
PostgreSQL data directory, backups, crashes).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from skill.services import Services
from skill.store import crypto
from skill.store.schema import metadata, recordings, review_annotations, review_items
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
    """Everywhere ``needle`` is still kept: as plain bytes in files on SQLite, rows on
    PostgreSQL, audio files; or as sealed content that still opens with its key."""
    places = files_containing(tmp_path / "audio", needle)
    if services.engine.dialect.name == "sqlite":
        places += files_containing(tmp_path / "data", needle)
    else:
        places += tables_containing(services, needle)
    return places + opened_containing(services, needle)


def opened_containing(services: Services, needle: bytes) -> list[str]:
    """Where ``needle`` is in content that opens with a key the key store still has."""
    with services.engine.connect() as conn:
        rows = conn.execute(
            select(
                recordings.c.id,
                recordings.c.key_id,
                recordings.c.transcript,
                recordings.c.audio_file,
            )
        ).all()
        notes = conn.execute(
            select(
                review_annotations.c.key_id,
                review_annotations.c.corrected_transcript,
                review_items.c.recording_id,
            ).join(review_items, review_items.c.id == review_annotations.c.item_id)
        ).all()
    keys = services.keys.fetch([r.key_id for r in [*rows, *notes] if r.key_id])
    found = []
    for row in rows:
        key = keys.get(row.key_id)
        if key is None:
            continue
        if needle in crypto.open_text(key, row.transcript, "transcript", row.id).encode():
            found.append("recordings.transcript (opened)")
        if row.audio_file and needle in services.recordings.audio.open(
            row.audio_file, key=key, recording_id=row.id
        ):
            found.append("audio (opened)")
    for note in notes:
        key = keys.get(note.key_id)
        if key is None:
            continue
        text = crypto.open_text(key, note.corrected_transcript, "annotation", note.recording_id)
        if needle in text.encode():
            found.append("review_annotations.corrected_transcript (opened)")
    return found


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
