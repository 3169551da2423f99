"""The audit log: consent changes, deletions and refusals, by range and count only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from skill.services.models import AuditEvent
from skill.store.db import reading
from skill.store.schema import audit_events


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
        conn.execute(
            insert(audit_events).values(
                at=datetime.now(UTC),
                user_id=user_id,
                action=action,
                channel=channel,
                request_id=request_id,
                details=details,
            )
        )

    def for_user(self, user_id: str) -> list[AuditEvent]:
        """Every entry about ``user_id``, oldest first."""
        query = (
            select(audit_events)
            .where(audit_events.c.user_id == user_id)
            .order_by(audit_events.c.id)
        )
        with reading(self.engine) as conn:
            return [
                AuditEvent(
                    id=row.id,
                    at=row.at,
                    user_id=row.user_id,
                    action=row.action,
                    channel=row.channel,
                    request_id=row.request_id,
                    details=dict(row.details),
                )
                for row in conn.execute(query)
            ]
