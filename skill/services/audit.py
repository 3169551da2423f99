"""The audit log: consent changes, deletions and refusals, by range and count only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine

from skill.services.models import AuditEvent
from skill.store import audit as stored
from skill.store.db import reading
from skill.store.rows import to


class AuditLog:
    """Writes entries inside the caller's transaction; reads them back per user."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def record(
        self,
        conn: Connection,
        action: str,
        *,
        user_id: str | None,
        channel: str,
        request_id: str | None = None,
        **details: Any,
    ) -> None:
        """Append an entry. ``details`` must hold ranges, counts and ids, never content."""
        stored.append(
            conn,
            at=datetime.now(UTC),
            user_id=user_id,
            action=action,
            channel=channel,
            request_id=request_id,
            details=details,
        )

    def for_user(self, user_id: str) -> list[AuditEvent]:
        """Every entry about ``user_id``, oldest first."""
        with reading(self.engine) as conn:
            rows = stored.for_user(conn, user_id)
        return [to(AuditEvent, row, details=dict(row.details)) for row in rows]
