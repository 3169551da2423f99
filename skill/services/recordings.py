"""The storage service: ingest, list, summarise and delete recordings.

Deleted means deleted: rows go in one transaction with their audit entry,
then the audio files are overwritten and removed and SQLite's WAL is
truncated, so no byte of the transcript or audio is left in a file we write.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine

from skill.errors import InputError
from skill.services.audit import AuditLog
from skill.services.consent import ConsentService
from skill.services.models import (
    Channel,
    Deletion,
    IngestResult,
    NewRecording,
    Recording,
    Summary,
)
from skill.store import recordings as stored
from skill.store.audio import AudioStore
from skill.store.db import purge_freed_pages, reading
from skill.store.errors import DuplicateKey
from skill.store.recordings import Selection
from skill.store.rows import to


class DuplicateRecording(InputError):
    """An ingested id is already stored."""


class RecordingService:
    """Recordings of every user; each call acts on exactly one user's data."""

    def __init__(
        self, engine: Engine, audio: AudioStore, consent: ConsentService, audit: AuditLog
    ):
        self.engine = engine
        self.audio = audio
        self.consent = consent
        self.audit = audit

    # -- ingestion -----------------------------------------------------------

    def ingest(
        self,
        items: Sequence[NewRecording],
        *,
        channel: Channel = "cli",
        progress: Callable[[int, int], None] | None = None,
    ) -> IngestResult:
        """Store all of ``items`` or none of them, in batched inserts in one transaction.

        Users who withdrew ``store_recordings`` have their items refused and
        counted (and audited), not stored; their consent is held (shared) until
        the commit, so a concurrent withdrawal is either seen or waits.
        ``progress(stored, total)`` is called after each batch.
        """
        refused: Counter[str] = Counter()
        copied: list[str] = []
        now = datetime.now(UTC)
        try:
            with self.engine.begin() as conn:
                allowed = {
                    user: self.consent.hold(conn, user, "store_recordings")
                    for user in sorted({item.user_id for item in items})
                }
                rows: list[dict[str, Any]] = []
                for item in items:
                    if not allowed[item.user_id]:
                        refused[item.user_id] += 1
                        continue
                    audio_name = self.audio.put(item.audio_file) if item.audio_file else None
                    if audio_name:
                        copied.append(audio_name)
                    rows.append(_row(item, audio_name, now))
                stored.insert_rows(conn, rows, progress)
                for user, count in refused.items():
                    self.audit.record(
                        conn, "ingest_refused", user_id=user, channel=channel, count=count
                    )
        except DuplicateKey:
            self.audio.remove(copied)
            raise DuplicateRecording(
                "a recording id in this file is already stored; nothing was ingested"
            ) from None
        except BaseException:
            self.audio.remove(copied)
            raise
        return IngestResult(len(rows), sum(refused.values()), dict(refused))

    # -- reading -------------------------------------------------------------

    def list(self, user_id: str, limit: int | None = None) -> list[Recording]:
        """The user's recordings, newest first."""
        with reading(self.engine) as conn:
            rows = stored.newest_first(conn, user_id, limit)
        return [to(Recording, row, has_audio=row.audio_file is not None) for row in rows]

    def count(self, user_id: str, start: datetime, end: datetime) -> int:
        """How many recordings fall in UTC ``[start, end)``."""
        with reading(self.engine) as conn:
            return stored.count(conn, Selection(user_id, start, end))

    def total(self, user_id: str) -> int:
        """How many recordings the user has (one key lookup)."""
        with reading(self.engine) as conn:
            return stored.total(conn, user_id)

    def newest(self, user_id: str) -> Recording | None:
        """The most recent recording, if any."""
        found = self.list(user_id, limit=1)
        return found[0] if found else None

    def summary(self, user_id: str, conn: Connection | None = None) -> Summary:
        """Count, audio count and time span in one statement of key lookups and index
        seeks: its cost does not grow with the user's history. Pass ``conn`` to read
        inside an existing transaction."""
        if conn is None:
            with reading(self.engine) as own:
                return self.summary(user_id, own)
        row = stored.summary(conn, user_id)
        # No counts row yet: nothing was ever ingested for the user.
        return to(Summary, row, total=int(row.total or 0), with_audio=int(row.with_audio or 0))

    # -- deletion ------------------------------------------------------------

    def delete_range(
        self,
        user_id: str,
        start: datetime,
        end: datetime,
        *,
        channel: Channel,
        request_id: str | None = None,
    ) -> Deletion:
        """Delete the user's recordings in UTC ``[start, end)``."""
        deletion = self._delete(
            Selection(user_id, start, end),
            "range",
            channel,
            request_id,
            range_start=start.isoformat(),
            range_end=end.isoformat(),
        )
        return Deletion(deletion.count, deletion.audio_files, start, end)

    def delete_one(
        self, user_id: str, recording_id: str, *, channel: Channel, request_id: str | None = None
    ) -> Deletion:
        """Delete one of the user's recordings by id (nothing if it is not theirs or gone)."""
        return self._delete(
            Selection(user_id, recording_id=recording_id),
            "one",
            channel,
            request_id,
            recording_id=recording_id,
        )

    def delete_all(
        self, user_id: str, *, channel: Channel, request_id: str | None = None
    ) -> Deletion:
        """Delete every recording the user has."""
        return self._delete(Selection(user_id), "all", channel, request_id)

    def _delete(
        self,
        which: Selection,
        scope: str,
        channel: Channel,
        request_id: str | None,
        **details: Any,
    ) -> Deletion:
        with self.engine.begin() as conn:
            # Rows first, then their queue items, each in id order (see lock_for_deletion):
            # a review sampler holding some commits first, and deletions never deadlock.
            review_count = stored.lock_for_deletion(conn, which)
            audio_names = stored.audio_names(conn, which)
            count = stored.delete_selected(conn, which, len(audio_names))
            self.audit.record(
                conn,
                "recordings_deleted",
                user_id=which.user_id,
                channel=channel,
                request_id=request_id,
                scope=scope,
                count=count,
                review_items=review_count,
                **details,
            )
        removed = self.audio.remove(audio_names)
        if count:
            purge_freed_pages(self.engine)
        return Deletion(count, removed)


def _row(item: NewRecording, audio_name: str | None, now: datetime) -> dict[str, Any]:
    """The ``recordings`` row (column -> value) that stores ``item``."""
    return {
        "id": item.id or secrets.token_hex(16),
        "user_id": item.user_id,
        "person_id": item.person_id,
        "device_id": item.device_id,
        "recorded_at": item.recorded_at,
        "transcript": item.transcript,
        "audio_file": audio_name,
        "source": "ingest",
        "ingested_at": now,
    }
