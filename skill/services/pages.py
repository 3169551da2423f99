"""One user's recordings and audit entries, a page at a time: the HTTP API's listings and the
export read through here.

Every page is one short read transaction and one key-store lookup, so a listing or an export
of any length holds nothing open between pages. A recording whose key is gone (deleted while
the listing ran, or restored from a backup after its deletion) is left out, as everywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from skill.services.models import AuditEvent, Recording
from skill.store import crypto
from skill.store import pages as stored
from skill.store.db import reading
from skill.store.keystore import KeyStore
from skill.store.pages import RecordingFilter
from skill.store.rows import AnyRow, to

__all__ = ["AuditPage", "Opened", "PagedReader", "RecordingFilter", "RecordingPage"]

log = logging.getLogger(__name__)

MAX_PAGE = 500
"""Most rows one page reads."""

Position = tuple[datetime, str]
"""Where a recordings listing goes on: (recorded_at, id) of the last row it read."""


@dataclass(frozen=True)
class RecordingPage:
    """One page of a recordings listing, newest first."""

    recordings: list[Recording]
    """The readable recordings of the page (at most the limit asked for)."""
    next: Position | None
    """Where the next page starts; None when this was the last."""


@dataclass(frozen=True)
class AuditPage:
    """One page of a user's audit entries, newest first."""

    events: list[AuditEvent]
    """The entries."""
    next: int | None
    """The id the next page goes on below; None when this was the last."""


@dataclass(frozen=True)
class Opened:
    """A recording opened for its owner's export: its content and what opens its audio."""

    recording: Recording
    """The recording, transcript included."""
    key: bytes
    """Its data key (to open its audio file)."""
    audio_file: str | None
    """Its sealed audio file's name in the audio store, if it has audio."""


class PagedReader:
    """Pages of one user's data, each read in its own short transaction."""

    def __init__(self, engine: Engine, keys: KeyStore):
        self.engine = engine
        self.keys = keys

    def recordings(
        self, which: RecordingFilter, before: Position | None, limit: int
    ) -> RecordingPage:
        """Up to ``limit`` readable recordings after ``before``, newest first."""
        limit = max(1, min(MAX_PAGE, limit))
        with reading(self.engine) as conn:
            rows = stored.recordings_page(conn, which, before, limit)
        found = [opened.recording for opened in self._open(rows)]
        last = (rows[-1].recorded_at, rows[-1].id) if len(rows) == limit else None
        return RecordingPage(found, last)

    def every_recording(self, which: RecordingFilter) -> Iterator[Opened]:
        """Every readable selected recording, newest first, a page at a time."""
        before: Position | None = None
        while True:
            with reading(self.engine) as conn:
                rows = stored.recordings_page(conn, which, before, MAX_PAGE)
            yield from self._open(rows)
            if len(rows) < MAX_PAGE:
                return
            before = (rows[-1].recorded_at, rows[-1].id)

    def _open(self, rows: Sequence[AnyRow]) -> Iterator[Opened]:
        keys = self.keys.fetch([row.key_id for row in rows if row.key_id])
        for row in rows:
            key = keys.get(row.key_id) if row.key_id else None
            if key is None:  # destroyed (deleted), missing, or never sealed: nothing to show
                continue
            try:
                transcript = crypto.open_text(key, row.transcript, "transcript", row.id)
            except crypto.Unreadable:
                log.error("recording %s does not open with its key; storage check", row.id)
                continue
            recording = to(
                Recording, row, transcript=transcript, has_audio=row.audio_file is not None
            )
            yield Opened(recording, key, row.audio_file)

    def audit(self, user_id: str, before: int | None, limit: int) -> AuditPage:
        """Up to ``limit`` of the user's audit entries with ids below ``before``, newest
        first."""
        limit = max(1, min(MAX_PAGE, limit))
        with reading(self.engine) as conn:
            rows = stored.audit_newest(conn, user_id, before, limit)
        events = [_event(row) for row in rows]
        return AuditPage(events, events[-1].id if len(events) == limit else None)

    def every_audit_event(self, user_id: str) -> Iterator[AuditEvent]:
        """Every audit entry about the user, oldest first, a page at a time."""
        after = 0
        while True:
            with reading(self.engine) as conn:
                rows = stored.audit_oldest(conn, user_id, after, MAX_PAGE)
            for row in rows:
                yield _event(row)
            if len(rows) < MAX_PAGE:
                return
            after = rows[-1].id


def _event(row: AnyRow) -> AuditEvent:
    return to(AuditEvent, row, details=dict(row.details))
