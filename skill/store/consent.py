"""The consent tables: ``consent_events`` (the append-only ledger) and ``consent_state``
(its latest row per user and purpose, and the row that consent changes, review
sampling and review hand-outs lock)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, bindparam, insert, select, update
from sqlalchemy.exc import OperationalError

from skill.store.errors import LockNotAvailable
from skill.store.rows import AnyRow
from skill.store.schema import consent_events, consent_state
from skill.store.upsert import insert_or_ignore

_STATE = select(consent_state.c.purpose, consent_state.c.granted).where(
    consent_state.c.user_id == bindparam("user")
)
"""Every decided purpose of one user; built once, it runs on every "what data" answer."""


def _granted(user_id: str, purpose: str) -> Select[Any]:
    return select(consent_state.c.granted).where(
        consent_state.c.user_id == user_id, consent_state.c.purpose == purpose
    )


def current(conn: Connection, user_id: str, purpose: str) -> bool | None:
    """The user's state for ``purpose``; None when undecided or never asked."""
    granted: bool | None = conn.execute(_granted(user_id, purpose)).scalar()
    return granted


def decisions(conn: Connection, user_id: str) -> dict[str, bool | None]:
    """Every purpose the user has a state row for, and its state (None: undecided)."""
    return {purpose: granted for purpose, granted in conn.execute(_STATE, {"user": user_id})}


def lock(
    conn: Connection, user_id: str, purpose: str, *, exclusive: bool, nowait: bool
) -> AnyRow | None:
    """Lock the user's state row for ``purpose`` until ``conn`` commits and return it
    (``.granted``), or None when there is no row yet (nothing is locked then).

    Shared (``FOR SHARE``) unless ``exclusive``. With ``nowait`` a row another
    transaction holds raises ``LockNotAvailable`` instead of waiting. SQLite has no
    row locks: its write transactions already hold the database's write lock.
    """
    query = _granted(user_id, purpose).with_for_update(read=not exclusive, nowait=nowait)
    try:
        return conn.execute(query).first()
    except OperationalError as exc:
        if nowait and "lock" in str(exc.orig).lower():
            raise LockNotAvailable(user_id, purpose) from None
        raise


def ensure_row(conn: Connection, user_id: str, purpose: str, at: datetime) -> None:
    """Create the user's state row for ``purpose``, undecided, unless it exists."""
    insert_or_ignore(
        conn,
        consent_state,
        {"user_id": user_id, "purpose": purpose, "granted": None, "updated_at": at},
    )


def set_state(conn: Connection, user_id: str, purpose: str, granted: bool, at: datetime) -> None:
    """Record the latest decision on the user's (locked) state row."""
    conn.execute(
        update(consent_state)
        .where(consent_state.c.user_id == user_id, consent_state.c.purpose == purpose)
        .values(granted=granted, updated_at=at)
    )


def append_event(
    conn: Connection,
    *,
    user_id: str,
    purpose: str,
    granted: bool,
    at: datetime,
    channel: str,
    policy_version: str,
    request_id: str | None,
) -> None:
    """Add one decision to the ledger, in the same transaction as :func:`set_state`."""
    conn.execute(
        insert(consent_events).values(
            user_id=user_id,
            purpose=purpose,
            granted=granted,
            at=at,
            channel=channel,
            policy_version=policy_version,
            request_id=request_id,
        )
    )


def history(conn: Connection, user_id: str) -> Sequence[AnyRow]:
    """The user's ledger rows, oldest first."""
    return conn.execute(
        select(consent_events)
        .where(consent_events.c.user_id == user_id)
        .order_by(consent_events.c.id)
    ).all()


def latest_origin(conn: Connection, user_id: str, purpose: str) -> AnyRow | None:
    """``channel`` and ``request_id`` of the user's newest ledger row for ``purpose``."""
    return conn.execute(
        select(consent_events.c.channel, consent_events.c.request_id)
        .where(consent_events.c.user_id == user_id, consent_events.c.purpose == purpose)
        .order_by(consent_events.c.id.desc())
        .limit(1)
    ).first()
