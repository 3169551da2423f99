"""The dashboard's tables: browser sessions (by the hash of their cookie), pending link codes
(by their HMAC), and wrong-code attempts per Alexa user.

Every limit the dashboard enforces reads these rows, so it holds across gunicorn workers,
hosts and Lambda containers alike.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from skill.store.errors import DuplicateKey
from skill.store.rows import AnyRow
from skill.store.schema import (
    NO_PERSON,
    dashboard_link_codes,
    dashboard_link_failures,
    dashboard_sessions,
    recording_counts,
)

sessions = dashboard_sessions.c
codes = dashboard_link_codes.c
failures = dashboard_link_failures.c

# -- sessions ------------------------------------------------------------------------------


def add_session(conn: Connection, *, token_hash: str, csrf_token: str, at: datetime) -> int:
    """A new session waiting to be linked; returns its id."""
    result = conn.execute(
        insert(dashboard_sessions).values(
            token_hash=token_hash, csrf_token=csrf_token, created_at=at, seen_at=at
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def session_by_token(conn: Connection, token_hash: str) -> AnyRow | None:
    """The session whose cookie hashes to ``token_hash`` (all columns)."""
    return conn.execute(select(dashboard_sessions).where(sessions.token_hash == token_hash)).first()


def session_by_id(conn: Connection, session_id: int) -> AnyRow | None:
    return conn.execute(select(dashboard_sessions).where(sessions.id == session_id)).first()


def touch(conn: Connection, session_id: int, at: datetime) -> None:
    """The session was used at ``at`` (its idle timeout starts again)."""
    conn.execute(update(dashboard_sessions).where(sessions.id == session_id).values(seen_at=at))


def bind(
    conn: Connection,
    session_id: int,
    *,
    user_id: str,
    person_id: str | None,
    timezone: str | None,
    at: datetime,
) -> bool:
    """Link a waiting session to ``user_id`` (and ``person_id``); False when it is gone or
    already linked."""
    result = conn.execute(
        update(dashboard_sessions)
        .where(sessions.id == session_id, sessions.user_id.is_(None))
        .values(user_id=user_id, person_id=person_id, timezone=timezone, linked_at=at, seen_at=at)
    )
    return result.rowcount == 1


def delete_session(conn: Connection, session_id: int) -> int:
    """End one session (its code goes with it, by ON DELETE CASCADE)."""
    return conn.execute(delete(dashboard_sessions).where(sessions.id == session_id)).rowcount


def linked_ids(conn: Connection, user_id: str, person_id: str | None) -> list[int]:
    """The sessions linked to ``user_id``: only ``person_id``'s when given, else all."""
    query = select(sessions.id).where(sessions.user_id == user_id)
    if person_id is not None:
        query = query.where(sessions.person_id == person_id)
    return [int(i) for i in conn.execute(query.order_by(sessions.id)).scalars()]


def delete_sessions(conn: Connection, ids: Collection[int]) -> int:
    if not ids:
        return 0
    return conn.execute(delete(dashboard_sessions).where(sessions.id.in_(list(ids)))).rowcount


def delete_idle(conn: Connection, seen_before: datetime, created_before: datetime) -> int:
    """End every session unused since ``seen_before`` or started before ``created_before``."""
    return conn.execute(
        delete(dashboard_sessions).where(
            (sessions.seen_at < seen_before) | (sessions.created_at < created_before)
        )
    ).rowcount


# -- link codes ----------------------------------------------------------------------------


def code_of(conn: Connection, session_id: int) -> AnyRow | None:
    """The session's pending code (all columns), expired or not."""
    return conn.execute(select(dashboard_link_codes).where(codes.session_id == session_id)).first()


def add_code(
    conn: Connection,
    *,
    code_hash: str,
    session_id: int,
    nonce: str,
    secret_id: str,
    at: datetime,
    expires_at: datetime,
) -> None:
    """Store a pending code; a code (hash) another session is waiting with raises
    ``DuplicateKey`` (the caller's savepoint rolls back and it draws another)."""
    try:
        with conn.begin_nested():
            conn.execute(
                insert(dashboard_link_codes).values(
                    code_hash=code_hash,
                    session_id=session_id,
                    nonce=nonce,
                    secret_id=secret_id,
                    created_at=at,
                    expires_at=expires_at,
                )
            )
    except IntegrityError as exc:
        raise DuplicateKey("dashboard_link_codes") from exc


def delete_code_of(conn: Connection, session_id: int) -> None:
    conn.execute(delete(dashboard_link_codes).where(codes.session_id == session_id))


def delete_expired_codes(conn: Connection, now: datetime) -> int:
    return conn.execute(delete(dashboard_link_codes).where(codes.expires_at <= now)).rowcount


def pending_codes(conn: Connection, now: datetime) -> int:
    """How many codes are waiting to be said now (an index range scan)."""
    return int(
        conn.execute(
            select(func.count()).select_from(dashboard_link_codes).where(codes.expires_at > now)
        ).scalar_one()
    )


def codes_by_hash(
    conn: Connection, hashes: Sequence[str], *, lock: bool = False
) -> Sequence[AnyRow]:
    """The pending codes whose HMAC is one of ``hashes`` (all columns); ``lock`` holds them
    until ``conn`` commits."""
    query = select(dashboard_link_codes).where(codes.code_hash.in_(list(hashes)))
    if lock:
        query = query.with_for_update()
    return conn.execute(query).all()


def delete_code(conn: Connection, code_hash: str) -> bool:
    """Use up a code; False when another transaction used it first."""
    result = conn.execute(delete(dashboard_link_codes).where(codes.code_hash == code_hash))
    return result.rowcount == 1


# -- wrong codes ---------------------------------------------------------------------------


def add_failure(conn: Connection, user_id: str, at: datetime) -> None:
    conn.execute(insert(dashboard_link_failures).values(user_id=user_id, at=at))


def failures_since(conn: Connection, user_id: str, since: datetime) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(dashboard_link_failures)
            .where(failures.user_id == user_id, failures.at >= since)
        ).scalar_one()
    )


def delete_failures_before(conn: Connection, before: datetime) -> int:
    return conn.execute(
        delete(dashboard_link_failures).where(dashboard_link_failures.c.at < before)
    ).rowcount


# -- what a session may count --------------------------------------------------------------


def speaker_totals(conn: Connection, user_id: str) -> list[tuple[str | None, int]]:
    """(person, recordings) for each speaker the user has recordings of (None: of no
    recognised voice), in person order: key lookups in ``recording_counts``."""
    counts = recording_counts.c
    rows = conn.execute(
        select(counts.person_key, counts.total)
        .where(counts.user_id == user_id, counts.total > 0)
        .order_by(counts.person_key)
    ).all()
    return [(None if key == NO_PERSON else str(key), int(total)) for key, total in rows]


# -- a user's everything -------------------------------------------------------------------


def forget_user(conn: Connection, user_id: str) -> int:
    """Remove every session and wrong-code record of ``user_id``; returns the sessions."""
    conn.execute(delete(dashboard_link_failures).where(failures.user_id == user_id))
    return conn.execute(delete(dashboard_sessions).where(sessions.user_id == user_id)).rowcount
