"""The ``audit_events`` table: append an entry, read a user's entries back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from skill.store.rows import AnyRow
from skill.store.schema import audit_events


def append(
    conn: Connection,
    *,
    at: datetime,
    user_id: str | None,
    action: str,
    channel: str,
    request_id: str | None,
    details: dict[str, Any],
) -> None:
    """Add one entry in the caller's transaction, so it commits or rolls back with
    what it describes."""
    conn.execute(
        insert(audit_events).values(
            at=at,
            user_id=user_id,
            action=action,
            channel=channel,
            request_id=request_id,
            details=details,
        )
    )


def for_user(conn: Connection, user_id: str) -> Sequence[AnyRow]:
    """Every entry about ``user_id``, oldest first (by id: ``at`` may tie)."""
    return conn.execute(
        select(audit_events).where(audit_events.c.user_id == user_id).order_by(audit_events.c.id)
    ).all()
