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

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Engine,
    Select,
    bindparam,
    delete,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError

from skill.services import counts
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
from skill.store.audio import AudioStore
from skill.store.db import bulk_insert, purge_freed_pages, reading
from skill.store.schema import recording_counts, recordings, review_items

INSERT_BATCH = 1000


class DuplicateRecording(ValueError):
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
                counts.add(conn, _per_user(rows))
                for start in range(0, len(rows), INSERT_BATCH):
                    bulk_insert(conn, recordings, rows[start : start + INSERT_BATCH])
                    if progress is not None:
                        progress(min(start + INSERT_BATCH, len(rows)), len(rows))
                for user, count in refused.items():
                    self.audit.record(
                        conn, "ingest_refused", user_id=user, channel=channel, count=count
                    )
        except IntegrityError:
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
        query = (
            select(recordings)
            .where(recordings.c.user_id == user_id)
            .order_by(recordings.c.recorded_at.desc(), recordings.c.id.desc())
            .limit(limit)
        )
        with reading(self.engine) as conn:
            return [_recording(row) for row in conn.execute(query)]

    def count(self, user_id: str, start: datetime, end: datetime) -> int:
        """How many recordings fall in UTC ``[start, end)``."""
        query = select(func.count()).where(*_in_range(user_id, start, end))
        with reading(self.engine) as conn:
            return int(conn.execute(query).scalar_one())

    def total(self, user_id: str) -> int:
        """How many recordings the user has (one key lookup)."""
        query = select(recording_counts.c.total).where(recording_counts.c.user_id == user_id)
        with reading(self.engine) as conn:
            return int(conn.execute(query).scalar() or 0)

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
        total, with_audio, first, last = conn.execute(_SUMMARY, {"user": user_id}).one()
        # min/max keep the column's type, so these arrive as aware UTC datetimes.
        return Summary(
            total=int(total or 0), with_audio=int(with_audio or 0), first=first, last=last
        )

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
            user_id, _in_range(user_id, start, end), "range", channel, request_id,
            range_start=start.isoformat(), range_end=end.isoformat(),
        )
        return Deletion(deletion.count, deletion.audio_files, start, end)

    def delete_one(
        self, user_id: str, recording_id: str, *, channel: Channel, request_id: str | None = None
    ) -> Deletion:
        """Delete one of the user's recordings by id (nothing if it is not theirs or gone)."""
        where = (recordings.c.user_id == user_id, recordings.c.id == recording_id)
        return self._delete(
            user_id, where, "one", channel, request_id, recording_id=recording_id
        )

    def delete_all(
        self, user_id: str, *, channel: Channel, request_id: str | None = None
    ) -> Deletion:
        """Delete every recording the user has."""
        return self._delete(
            user_id, (recordings.c.user_id == user_id,), "all", channel, request_id
        )

    def _delete(
        self,
        user_id: str,
        where: Sequence[ColumnElement[bool]],
        scope: str,
        channel: Channel,
        request_id: str | None,
        **details: Any,
    ) -> Deletion:
        with self.engine.begin() as conn:
            # Lock the rows first, in id order: a review sampler that holds some of
            # them commits first (then its new queue items are counted below), and
            # concurrent deletions never wait on each other in a cycle.
            conn.execute(
                select(func.count()).select_from(
                    select(recordings.c.id)
                    .where(*where)
                    .order_by(recordings.c.id)
                    .with_for_update()
                    .subquery()
                )
            )
            # Queue items and annotations go by ON DELETE CASCADE; lock them in id
            # order too (as a consent withdrawal's purge does) and count them.
            review_count = len(
                conn.execute(
                    select(review_items.c.id)
                    .where(review_items.c.recording_id.in_(select(recordings.c.id).where(*where)))
                    .order_by(review_items.c.id)
                    .with_for_update()
                ).all()
            )
            audio_names = [
                name
                for (name,) in conn.execute(
                    select(recordings.c.audio_file).where(
                        *where, recordings.c.audio_file.is_not(None)
                    )
                )
            ]
            count = conn.execute(delete(recordings).where(*where)).rowcount
            counts.subtract(conn, user_id, count, len(audio_names))
            self.audit.record(
                conn,
                "recordings_deleted",
                user_id=user_id,
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


def _summary_statement() -> Select[Any]:
    counts = recording_counts.c
    user: BindParameter[str] = bindparam("user")
    mine = recordings.c.user_id == user
    return select(
        select(counts.total).where(counts.user_id == user).scalar_subquery(),
        select(counts.with_audio).where(counts.user_id == user).scalar_subquery(),
        select(func.min(recordings.c.recorded_at)).where(mine).scalar_subquery(),
        select(func.max(recordings.c.recorded_at)).where(mine).scalar_subquery(),
    )


# Built once: the summary answers every "what data do you keep".
_SUMMARY = _summary_statement()


def _per_user(rows: Sequence[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    totals: Counter[str] = Counter()
    audio: Counter[str] = Counter()
    for row in rows:
        totals[row["user_id"]] += 1
        if row["audio_file"] is not None:
            audio[row["user_id"]] += 1
    return {user: (n, audio[user]) for user, n in totals.items()}


def _in_range(user_id: str, start: datetime, end: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        recordings.c.user_id == user_id,
        recordings.c.recorded_at >= start,
        recordings.c.recorded_at < end,
    )


def _row(item: NewRecording, audio_name: str | None, now: datetime) -> dict[str, Any]:
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


def _recording(row: Any) -> Recording:
    return Recording(
        id=row.id,
        user_id=row.user_id,
        recorded_at=row.recorded_at,
        transcript=row.transcript,
        device_id=row.device_id,
        person_id=row.person_id,
        has_audio=row.audio_file is not None,
        source=row.source,
    )
