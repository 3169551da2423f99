"""Removing a user's open queue items, inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import Connection, delete, select

from skill.services.audit import AuditLog
from skill.services.review.models import OPEN_STATES
from skill.store.schema import consent_events, review_items

_DELETE_CHUNK = 500


def purge_open_items(
    conn: Connection,
    audit: AuditLog,
    user_id: str,
    *,
    reason: str,
    channel: str,
    request_id: str | None = None,
    skip_locked: bool = False,
) -> int:
    """Delete the user's pending and claimed items and audit the count; returns it.

    The rows are locked in id order first, so two purges of one user, or a purge
    and a recording deletion (which locks items the same way), never wait on each
    other in a cycle. ``skip_locked`` leaves items another transaction holds to
    that transaction (a hand-out in progress re-checks consent itself).
    """
    query = (
        select(review_items.c.id)
        .where(review_items.c.user_id == user_id, review_items.c.state.in_(OPEN_STATES))
        .order_by(review_items.c.id)
        .with_for_update(skip_locked=skip_locked)
    )
    ids = list(conn.execute(query).scalars())
    for start in range(0, len(ids), _DELETE_CHUNK):
        chunk = ids[start : start + _DELETE_CHUNK]
        conn.execute(delete(review_items).where(review_items.c.id.in_(chunk)))
    audit.record(
        conn,
        "review_purged",
        user_id=user_id,
        channel=channel,
        request_id=request_id,
        reason=reason,
        count=len(ids),
    )
    return len(ids)


def latest_consent_origin(conn: Connection, user_id: str, purpose: str) -> tuple[str, str | None]:
    """Channel and request id of the user's newest ledger row for ``purpose``.

    A withdrawal hook runs after the ledger row is written, so this is the
    withdrawal's own channel ("voice", "cli", ...) and request id.
    """
    row = conn.execute(
        select(consent_events.c.channel, consent_events.c.request_id)
        .where(consent_events.c.user_id == user_id, consent_events.c.purpose == purpose)
        .order_by(consent_events.c.id.desc())
        .limit(1)
    ).first()
    return ("cli", None) if row is None else (str(row.channel), row.request_id)
