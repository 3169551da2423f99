"""Sealing data from before encryption: plaintext rows, audio files and annotations.

``db upgrade`` (and the first process to open a database migrated to revision 0004) gives
every plaintext recording a new data key, seals its transcript, its audio file and its
annotations under it, and then zeroes and removes the plaintext files. Batches are short
transactions, safe to interrupt: the next run picks up where this one stopped, and a crash
leaves only sealed files that ``storage check --repair`` sweeps. Afterwards the caller
compacts the database (``VACUUM`` on SQLite) so no page of the old text survives.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from skill.store import crypto
from skill.store import recordings as stored
from skill.store import review as stored_review
from skill.store.audio import AudioStore
from skill.store.binding import PLAINTEXT_PENDING, read_meta, set_meta
from skill.store.db import reading
from skill.store.keystore import KeyStore

__all__ = ["SealResult", "seal_plaintext"]

BATCH = 200


@dataclass(frozen=True)
class SealResult:
    """What sealing did."""

    recordings: int
    """Rows sealed."""
    audio_files: int
    """Audio files sealed (their plaintext files removed)."""
    annotations: int
    """Review annotations sealed."""


def seal_plaintext(engine: Engine, keys: KeyStore, audio: AudioStore) -> SealResult:
    """Seal every row, file and annotation still in plaintext; see the module docstring."""
    from skill.services.storage import sweep_lease

    with reading(engine) as conn:
        waiting = stored.any_unsealed(conn) or stored_review.any_unsealed_annotations(conn)
        marked = PLAINTEXT_PENDING in read_meta(conn)
    if not waiting:  # the usual case: nothing to do, and nothing written
        if marked:
            with engine.begin() as conn:
                set_meta(conn, PLAINTEXT_PENDING, None)
        return SealResult(0, 0, 0)
    sealed = files = 0
    lease = keys.open_lease()
    try:
        while True:
            done, moved = _seal_batch(engine, keys, audio, lease)
            if not done:
                break
            sealed += done
            files += len(moved)
            keys.settle(lease, end=False)
            audio.remove(moved, overwrite=True)  # the row names the sealed copy now
    except BaseException:
        sweep_lease(engine, keys, audio, lease)
        raise
    keys.end_lease(lease)
    annotations = _seal_annotations(engine, keys)
    with engine.begin() as conn:
        set_meta(conn, PLAINTEXT_PENDING, None)
    return SealResult(sealed, files, annotations)


def _seal_batch(
    engine: Engine, keys: KeyStore, audio: AudioStore, lease: str
) -> tuple[int, list[str]]:
    """Seal one batch in one transaction; (rows sealed, plaintext files now unused)."""
    moved: list[str] = []
    with engine.begin() as conn:
        batch = stored.lock_unsealed(conn, BATCH)
        if not batch:
            return 0, moved
        made = keys.create(lease, len(batch))
        lost_audio: set[str] = set()
        for row, (key_id, key) in zip(batch, made, strict=True):
            name = None
            if row.audio_file is not None:
                try:
                    name = audio.put_stored(
                        row.audio_file, key_id=key_id, key=key, recording_id=row.id
                    )
                    moved.append(row.audio_file)
                except FileNotFoundError:
                    lost_audio.add(row.user_id)
            stored.seal_row(
                conn,
                row.id,
                transcript=crypto.seal_text(key, row.transcript, "transcript", row.id),
                key_id=key_id,
                audio_file=name,
            )
        if lost_audio:
            stored.recount(conn, lost_audio)
    return len(batch), moved


def _seal_annotations(engine: Engine, keys: KeyStore) -> int:
    count = 0
    while True:
        with engine.begin() as conn:
            batch = stored_review.lock_unsealed_annotations(conn, BATCH)
            if not batch:
                return count
            opened = keys.fetch([row.key_id for row in batch])
            for row in batch:
                key = opened.get(row.key_id)
                if key is None:  # the recording's key is destroyed: so is its annotation
                    stored_review.delete_items(conn, [row.item_id])
                    continue
                text = crypto.seal_text(
                    key, row.corrected_transcript, "annotation", row.recording_id
                )
                stored_review.seal_annotation(conn, row.item_id, sealed=text, key_id=row.key_id)
            count += len(batch)
