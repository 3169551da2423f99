"""The consent tables: ``consent_events`` (the append-only ledger) and ``consent_state`` (per
user, person and purpose: the latest decision and the latest withdrawal, by ledger id; the
rows that consent changes, review sampling and review hand-outs lock).

A person's row has their ``person_id`` as ``person_key``; the account's row has ``NO_PERSON``.
What a person's consent *is*, from the two rows, is the services' rule
(``skill.services.consent``), not this module's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.exc import OperationalError

from skill.store.errors import LockNotAvailable
from skill.store.rows import AnyRow
from skill.store.schema import NO_PERSON, consent_events, consent_state
from skill.store.upsert import insert_or_ignore

__all__ = [
    "append_event",
    "ensure_row",
    "history",
    "latest_origin",
    "lock",
    "row",
    "rows_of",
    "set_state",
]

_COLUMNS = (
    consent_state.c.purpose,
    consent_state.c.person_key,
    consent_state.c.granted,
    consent_state.c.decided_seq,
    consent_state.c.withdrawn_seq,
)


def _key(person: str | None) -> str:
    return NO_PERSON if person is None else person


_ONE = select(*_COLUMNS).where(
    consent_state.c.user_id == bindparam("user"),
    consent_state.c.person_key == bindparam("key"),
    consent_state.c.purpose == bindparam("purpose"),
)
"""One state row. Built once, with its locking variants (``_LOCKING``): an ingest holds the
consent of every speaker it meets, and building a statement costs more than running it."""
_LOCKING = {
    (read, nowait): _ONE.with_for_update(read=read, nowait=nowait)
    for read in (False, True)
    for nowait in (False, True)
}


def _params(user_id: str, person: str | None, purpose: str) -> dict[str, str]:
    return {"user": user_id, "key": _key(person), "purpose": purpose}


def row(conn: Connection, user_id: str, person: str | None, purpose: str) -> AnyRow | None:
    """The state row of the user's account (``person`` None) or of one person, if any."""
    return conn.execute(_ONE, _params(user_id, person, purpose)).first()


# Built once: every "what data do you keep" and every sampling reads these, and building a
# statement (and its cache key) costs more than running it.
_ROWS_OF = {
    False: select(*_COLUMNS).where(
        consent_state.c.user_id == bindparam("user"),
        consent_state.c.person_key == NO_PERSON,
    ),
    True: select(*_COLUMNS).where(
        consent_state.c.user_id == bindparam("user"),
        consent_state.c.person_key.in_([NO_PERSON, bindparam("person")]),
    ),
}


def rows_of(conn: Connection, user_id: str, person: str | None) -> Sequence[AnyRow]:
    """Every state row of the account and, when given, of ``person`` (``purpose``,
    ``person_key``, ``granted``, ``decided_seq``, ``withdrawn_seq``): what every purpose's
    state for that speaker follows from (one index range)."""
    statement = _ROWS_OF[person is not None]
    return conn.execute(statement, {"user": user_id, "person": person}).all()


def lock(
    conn: Connection,
    user_id: str,
    person: str | None,
    purpose: str,
    *,
    exclusive: bool,
    nowait: bool,
) -> AnyRow | None:
    """Lock one state row until ``conn`` commits and return it, or None when there is no
    row yet (nothing is locked then).

    Shared (``FOR SHARE``) unless ``exclusive``. With ``nowait`` a row another
    transaction holds raises ``LockNotAvailable`` instead of waiting. SQLite has no
    row locks: its write transactions already hold the database's write lock.
    """
    query = _LOCKING[(not exclusive, nowait)]
    try:
        return conn.execute(query, _params(user_id, person, purpose)).first()
    except OperationalError as exc:
        if nowait and "lock" in str(exc.orig).lower():
            raise LockNotAvailable(user_id, purpose) from None
        raise


def ensure_row(
    conn: Connection, user_id: str, person: str | None, purpose: str, at: datetime
) -> None:
    """Create the state row, undecided, unless it exists."""
    insert_or_ignore(
        conn,
        consent_state,
        {
            "user_id": user_id,
            "person_key": _key(person),
            "purpose": purpose,
            "granted": None,
            "updated_at": at,
        },
    )


def set_state(
    conn: Connection,
    user_id: str,
    person: str | None,
    purpose: str,
    *,
    granted: bool,
    at: datetime,
    seq: int,
) -> None:
    """Record the decision with ledger id ``seq`` on the (locked) state row."""
    values: dict[str, Any] = {"granted": granted, "updated_at": at, "decided_seq": seq}
    if not granted:
        values["withdrawn_seq"] = seq
    conn.execute(
        update(consent_state)
        .where(
            consent_state.c.user_id == user_id,
            consent_state.c.person_key == _key(person),
            consent_state.c.purpose == purpose,
        )
        .values(**values)
    )


def forget_state(conn: Connection, user_id: str) -> int:
    """Remove the user's current-state rows (the ledger stays: it is the record the law
    asks for, and holds no content); returns how many went."""
    removed = conn.execute(delete(consent_state).where(consent_state.c.user_id == user_id))
    return int(removed.rowcount)


def append_event(
    conn: Connection,
    *,
    user_id: str,
    person: str | None,
    purpose: str,
    granted: bool,
    at: datetime,
    channel: str,
    policy_version: str,
    request_id: str | None,
) -> int:
    """Add one decision to the ledger (in the same transaction as :func:`set_state`);
    returns its id, which orders decisions."""
    result = conn.execute(
        insert(consent_events).values(
            user_id=user_id,
            person_id=person,
            purpose=purpose,
            granted=granted,
            at=at,
            channel=channel,
            policy_version=policy_version,
            request_id=request_id,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def history(conn: Connection, user_id: str) -> Sequence[AnyRow]:
    """The user's ledger rows (the account's and every person's), oldest first."""
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
