"""Removing a user's open queue items, inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import Connection

from skill.services.audit import AuditLog
from skill.services.review.models import OPEN_STATES
from skill.store import consent as stored_consent
from skill.store import review as stored


def purge_open_items(
    conn: Connection,
    audit: AuditLog,
    user_id: str,
    *,
    reason: str,
    channel: str,
    request_id: str | None = None,
    skip_locked: bool = False,
    person: str | None = None,
) -> int:
    """Delete the user's pending and claimed items (``person``'s only, when given) and audit
    the count; returns it.

    The rows are locked in id order first, so two purges of one user, or a purge
    and a recording deletion (which locks items the same way), never wait on each
    other in a cycle. ``skip_locked`` leaves items another transaction holds to
    that transaction (a hand-out in progress re-checks consent itself).
    """
    ids = stored.lock_user_items(
        conn, user_id, OPEN_STATES, skip_locked=skip_locked, person=person
    )
    stored.delete_items(conn, ids)
    details = {"person": person} if person is not None else {}
    audit.record(
        conn,
        "review_purged",
        user_id=user_id,
        channel=channel,
        request_id=request_id,
        reason=reason,
        count=len(ids),
        **details,
    )
    return len(ids)


def latest_consent_origin(conn: Connection, user_id: str, purpose: str) -> tuple[str, str | None]:
    """Channel and request id of the user's newest ledger row for ``purpose``.

    A withdrawal hook runs after the ledger row is written, so this is the
    withdrawal's own channel ("voice", "cli", ...) and request id.
    """
    row = stored_consent.latest_origin(conn, user_id, purpose)
    return ("cli", None) if row is None else (str(row.channel), row.request_id)
