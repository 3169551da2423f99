"""Pages of one user's recordings and audit entries, for the HTTP API and the export.

Each page is one short read: a listing or an export of any length never holds a transaction
open (a long reader would keep SQLite's WAL from being truncated after a deletion).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, select

from skill.store.recordings import newest_page
from skill.store.rows import AnyRow
from skill.store.schema import audit_events, recordings


@dataclass(frozen=True)
class RecordingFilter:
    """Which of one user's recordings a listing shows."""

    user_id: str
    start: datetime | None = None
    """Recorded at or after (UTC)."""
    end: datetime | None = None
    """Recorded before (UTC)."""
    person: str | None = None
    """Only this recognised person's recordings."""
    unattributed: bool = False
    """Only recordings of no recognised person (when ``person`` is not given): what a
    dashboard linked without a recognised voice may show."""
    ingested_before: datetime | None = None
    """Only those ingested before this (an export leaves out what arrives while it runs)."""

    def where(self) -> list[ColumnElement[bool]]:
        clauses = [recordings.c.user_id == self.user_id]
        if self.start is not None:
            clauses.append(recordings.c.recorded_at >= self.start)
        if self.end is not None:
            clauses.append(recordings.c.recorded_at < self.end)
        if self.person is not None:
            clauses.append(recordings.c.person_id == self.person)
        elif self.unattributed:
            clauses.append(recordings.c.person_id.is_(None))
        if self.ingested_before is not None:
            clauses.append(recordings.c.ingested_at < self.ingested_before)
        return clauses


def recordings_page(
    conn: Connection, which: RecordingFilter, before: tuple[datetime, str] | None, limit: int
) -> Sequence[AnyRow]:
    """Up to ``limit`` selected recordings (all columns), newest first (by recorded_at, then
    id), after the position ``before`` (recorded_at, id) of the previous page's last row."""
    return newest_page(conn, which, before, limit)


def audit_newest(
    conn: Connection, user_id: str, before: int | None, limit: int
) -> Sequence[AnyRow]:
    """Up to ``limit`` audit entries about ``user_id``, newest first, with ids below
    ``before`` when given."""
    query = select(audit_events).where(audit_events.c.user_id == user_id)
    if before is not None:
        query = query.where(audit_events.c.id < before)
    return conn.execute(query.order_by(audit_events.c.id.desc()).limit(limit)).all()


def audit_oldest(conn: Connection, user_id: str, after: int, limit: int) -> Sequence[AnyRow]:
    """Up to ``limit`` audit entries about ``user_id``, oldest first, with ids above
    ``after``."""
    return conn.execute(
        select(audit_events)
        .where(audit_events.c.user_id == user_id, audit_events.c.id > after)
        .order_by(audit_events.c.id)
        .limit(limit)
    ).all()
