"""The ``api_keys`` and ``api_rate_limits`` tables: keys by name or public id, and the
per-key token buckets.

A bucket is changed only under its row's lock (``FOR UPDATE`` on PostgreSQL; SQLite's write
transactions already hold the database's write lock), so concurrent requests on any number of
workers each see the tokens the previous one left.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from skill.store.errors import DuplicateKey
from skill.store.rows import AnyRow
from skill.store.schema import api_keys, api_rate_limits
from skill.store.upsert import insert_or_ignore


def add(
    conn: Connection,
    *,
    name: str,
    key_id: str,
    secret_hash: str,
    scopes: str,
    rate_per_minute: int,
    created_at: datetime,
) -> None:
    """Store a new key; a name (or public id) already in use raises ``DuplicateKey``."""
    try:
        conn.execute(
            insert(api_keys).values(
                name=name,
                key_id=key_id,
                secret_hash=secret_hash,
                scopes=scopes,
                rate_per_minute=rate_per_minute,
                created_at=created_at,
            )
        )
    except IntegrityError as exc:
        raise DuplicateKey("api_keys") from exc


def by_key_id(conn: Connection, key_id: str) -> AnyRow | None:
    """The key whose public id is ``key_id`` (all columns), revoked or not."""
    return conn.execute(select(api_keys).where(api_keys.c.key_id == key_id)).first()


def by_name(conn: Connection, name: str) -> AnyRow | None:
    """The key named ``name`` (all columns), revoked or not."""
    return conn.execute(select(api_keys).where(api_keys.c.name == name)).first()


def every(conn: Connection) -> Sequence[AnyRow]:
    """Every key (all columns), oldest first."""
    return conn.execute(select(api_keys).order_by(api_keys.c.id)).all()


def revoke(conn: Connection, name: str, at: datetime) -> bool:
    """Mark the key named ``name`` revoked at ``at``; False when there is no such key or it
    was revoked already (its first revocation time stays)."""
    result = conn.execute(
        update(api_keys)
        .where(api_keys.c.name == name, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return result.rowcount == 1


def lock_bucket(conn: Connection, api_key_id: int, full: float, at: datetime) -> AnyRow:
    """The key's bucket (``tokens``, ``updated_at``), locked until ``conn`` commits; created
    with ``full`` tokens when the key has none yet.

    Lock first and insert only when missing, as the consent rows do: an upsert would wait on
    a row another transaction changed and gain nothing.
    """
    row = _locked(conn, api_key_id)
    if row is None:
        insert_or_ignore(
            conn, api_rate_limits, {"api_key_id": api_key_id, "tokens": full, "updated_at": at}
        )
        row = _locked(conn, api_key_id)
    assert row is not None  # inserted above, or by a transaction that committed first
    return row


def _locked(conn: Connection, api_key_id: int) -> AnyRow | None:
    return conn.execute(
        select(api_rate_limits.c.tokens, api_rate_limits.c.updated_at)
        .where(api_rate_limits.c.api_key_id == api_key_id)
        .with_for_update()
    ).first()


def set_bucket(conn: Connection, api_key_id: int, tokens: float, at: datetime) -> None:
    """Leave ``tokens`` in the key's (locked) bucket, as of ``at``."""
    conn.execute(
        update(api_rate_limits)
        .where(api_rate_limits.c.api_key_id == api_key_id)
        .values(tokens=tokens, updated_at=at)
    )
