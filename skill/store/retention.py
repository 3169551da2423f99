"""Retention choices, pending account deletions, maintenance leases, and the sweep's queries.

The sweep's queries select by ``recorded_at`` through ``ix_recordings_time`` (everything older
than the deployment default's cutoff, but for accounts and persons with a choice of their
own) or through ``ix_recordings_user_person_time`` (one account's or person's recordings older
than their cutoff), so its cost follows what it deletes and how many choices there are, not
the size of the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, delete, exists, func, select, update

from skill.store.rows import AnyRow
from skill.store.schema import (
    NO_PERSON,
    maintenance_leases,
    pending_account_deletions,
    recordings,
    retention_choices,
)
from skill.store.upsert import insert_or_ignore

__all__ = [
    "choices_of",
    "clear_choices",
    "default_groups",
    "finish_pending",
    "lease_of",
    "pending",
    "record_pending",
    "release_lease",
    "renew_lease",
    "set_choice",
    "take_lease",
    "users_with_choices",
]


def _key(person: str | None) -> str:
    return NO_PERSON if person is None else person


_CHOICES_OF = select(retention_choices.c.person_key, retention_choices.c.period).where(
    retention_choices.c.user_id == bindparam("user")
)  # built once: "what data do you keep" reads it on every request


def choices_of(conn: Connection, user_id: str) -> dict[str | None, str]:
    """The account's choice (key None) and every person's, by person id."""
    rows = conn.execute(_CHOICES_OF, {"user": user_id}).all()
    return {(None if row.person_key == NO_PERSON else row.person_key): row.period for row in rows}


def set_choice(
    conn: Connection, user_id: str, person: str | None, period: str | None, at: datetime
) -> None:
    """Record a choice; ``period`` None removes it (the default applies again)."""
    key = (retention_choices.c.user_id == user_id, retention_choices.c.person_key == _key(person))
    conn.execute(delete(retention_choices).where(*key))
    if period is not None:
        insert_or_ignore(
            conn,
            retention_choices,
            {"user_id": user_id, "person_key": _key(person), "period": period, "updated_at": at},
        )


def clear_choices(conn: Connection, user_id: str) -> int:
    """Remove every choice of the account and its persons; returns how many there were."""
    return int(
        conn.execute(delete(retention_choices).where(retention_choices.c.user_id == user_id))
        .rowcount
    )


def default_groups(conn: Connection, cutoff: datetime) -> Sequence[AnyRow]:
    """(``user_id``, ``person_id``, ``recordings``: how many) of the recordings older than
    ``cutoff`` on accounts where nobody chose a period (accounts with any choice are planned
    one by one). Reads only the rows older than ``cutoff`` (``ix_recordings_time``)."""
    chosen = exists().where(retention_choices.c.user_id == recordings.c.user_id)
    # Materialised first: left to itself, SQLite would rather scan (user, person, time) whole
    # to skip sorting the groups; the few old rows are all the sweep needs to read.
    old = (
        select(recordings.c.user_id, recordings.c.person_id)
        .where(recordings.c.recorded_at < cutoff, ~chosen)
        .cte("old")
        .prefix_with("MATERIALIZED")
    )
    return conn.execute(
        select(old.c.user_id, old.c.person_id, func.count().label("recordings"))
        .group_by(old.c.user_id, old.c.person_id)
        .order_by(old.c.user_id, old.c.person_id)
    ).all()


def users_with_choices(conn: Connection) -> list[str]:
    """Every account with a choice of its own or of one of its persons."""
    return list(
        conn.execute(
            select(retention_choices.c.user_id).distinct().order_by(retention_choices.c.user_id)
        ).scalars()
    )


# -- pending account deletions ---------------------------------------------------


def record_pending(conn: Connection, user_id: str, reason: str, at: datetime) -> None:
    """Note that the account's data must go (kept if already noted)."""
    insert_or_ignore(
        conn,
        pending_account_deletions,
        {"user_id": user_id, "requested_at": at, "reason": reason},
    )


def pending(conn: Connection, limit: int = 100) -> list[str]:
    """Accounts whose deletion was recorded and has not finished, oldest first."""
    return list(
        conn.execute(
            select(pending_account_deletions.c.user_id)
            .order_by(pending_account_deletions.c.requested_at)
            .limit(limit)
        ).scalars()
    )


def finish_pending(conn: Connection, user_id: str) -> None:
    """The account's deletion is complete."""
    conn.execute(
        delete(pending_account_deletions).where(pending_account_deletions.c.user_id == user_id)
    )


# -- leases ------------------------------------------------------------------------

IDLE = ""
"""The holder of a lease nobody holds; its ``expires_at`` is then when the job is next due."""
_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def take_lease(
    conn: Connection, name: str, holder: str, now: datetime, until: datetime, *, due_only: bool
) -> bool:
    """Take the lease ``name`` for ``holder`` until ``until``; returns whether it was taken.

    A lease whose ``expires_at`` has passed can always be taken: its job is due, or its
    holder died. Unless ``due_only``, a lease nobody holds can be taken before it is due
    (a sweep started by hand). The conditional UPDATE makes this atomic: of several
    processes trying at once, exactly one takes it.
    """
    insert_or_ignore(
        conn, maintenance_leases, {"name": name, "holder": IDLE, "expires_at": _NEVER}
    )
    lease = maintenance_leases.c
    free = lease.expires_at <= now
    if not due_only:
        free = free | (lease.holder == IDLE)
    taken = conn.execute(
        update(maintenance_leases)
        .where(lease.name == name, free)
        .values(holder=holder, expires_at=until)
    ).rowcount
    return bool(taken)


def renew_lease(conn: Connection, name: str, holder: str, until: datetime) -> bool:
    """Extend ``holder``'s lease; False when it is no longer theirs (it expired and was
    taken over)."""
    lease = maintenance_leases.c
    renewed = conn.execute(
        update(maintenance_leases)
        .where(lease.name == name, lease.holder == holder)
        .values(expires_at=until)
    ).rowcount
    return bool(renewed)


def release_lease(conn: Connection, name: str, holder: str, next_due: datetime) -> None:
    """Give the lease up (if ``holder`` has it); the job is next due at ``next_due``."""
    lease = maintenance_leases.c
    conn.execute(
        update(maintenance_leases)
        .where(lease.name == name, lease.holder == holder)
        .values(holder=IDLE, expires_at=next_due)
    )


def lease_of(conn: Connection, name: str) -> AnyRow | None:
    """The lease's ``holder`` and ``expires_at``, if it was ever taken."""
    lease = maintenance_leases.c
    return conn.execute(
        select(lease.holder, lease.expires_at).where(lease.name == name)
    ).first()
