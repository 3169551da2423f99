"""The consent service: an append-only ledger; the current state is the latest row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Select, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError

from skill.config import ConsentPolicy
from skill.services.audit import AuditLog
from skill.services.models import PURPOSES, Channel, ConsentEvent
from skill.store.db import reading
from skill.store.schema import consent_events, consent_state

WithdrawalHook = Callable[[Connection, str, str], int]
"""Called in the withdrawal's transaction with (conn, user_id, purpose); returns items purged."""


class UnknownPurpose(ValueError):
    """A purpose outside the policy's list."""


class ConsentBusy(RuntimeError):
    """Another transaction is changing this user's consent right now; try again shortly."""


_STATE = select(consent_state.c.purpose, consent_state.c.granted).where(
    consent_state.c.user_id == bindparam("user")
)
"""Every decided purpose of one user; built once, it runs on every "what data" answer."""


def _ensure_row(conn: Connection, user_id: str, purpose: str) -> None:
    """Create the user's consent_state row (undecided) if it is not there yet."""
    values = {
        "user_id": user_id,
        "purpose": purpose,
        "granted": None,
        "updated_at": datetime.now(UTC),
    }
    if conn.dialect.name == "postgresql":
        conn.execute(pg_insert(consent_state).values(values).on_conflict_do_nothing())
    else:
        conn.execute(sqlite_insert(consent_state).values(values).on_conflict_do_nothing())


@dataclass(frozen=True)
class ConsentChange:
    """The result of granting or withdrawing."""

    purpose: str
    """Which purpose."""
    was_granted: bool
    """State before."""
    granted: bool
    """State now."""
    purged: int = 0
    """Items removed by withdrawal hooks (e.g. queued human-review items)."""

    @property
    def changed(self) -> bool:
        return self.was_granted != self.granted


class ConsentService:
    """Grants, withdrawals and the current state, per user and purpose."""

    def __init__(self, engine: Engine, policy: ConsentPolicy, audit: AuditLog):
        self.engine = engine
        self.policy = policy
        self.audit = audit
        self.withdrawal_hooks: list[WithdrawalHook] = []

    def _check(self, purpose: str) -> None:
        if purpose not in PURPOSES:
            raise UnknownPurpose(f"unknown purpose {purpose!r}; known: {', '.join(PURPOSES)}")

    def _current(self, user_id: str, purpose: str) -> Select[Any]:
        return select(consent_state.c.granted).where(
            consent_state.c.user_id == user_id, consent_state.c.purpose == purpose
        )

    def _or_default(self, purpose: str, granted: bool | None) -> bool:
        return bool(self.policy.defaults.get(purpose, False)) if granted is None else granted

    def is_granted(self, user_id: str, purpose: str, conn: Connection | None = None) -> bool:
        """Current state; pass ``conn`` to read inside an existing transaction."""
        self._check(purpose)
        query = self._current(user_id, purpose)
        if conn is None:
            with reading(self.engine) as own:
                granted = own.execute(query).scalar()
        else:
            granted = conn.execute(query).scalar()
        return self._or_default(purpose, granted)

    def hold(
        self,
        conn: Connection,
        user_id: str,
        purpose: str,
        *,
        exclusive: bool = False,
        nowait: bool = False,
    ) -> bool:
        """Lock the user's consent for ``purpose`` until ``conn`` commits; returns the state.

        Withdrawals take it exclusively; review sampling and hand-outs share it, so a
        hand-out either commits before a withdrawal or sees it. On PostgreSQL,
        ``nowait`` raises ``ConsentBusy`` instead of waiting (a caller that already holds
        a queue item's row lock uses it, so the two never wait on each other). On SQLite
        every write transaction already holds the database's write lock.
        """
        self._check(purpose)
        query = self._current(user_id, purpose).with_for_update(read=not exclusive, nowait=nowait)
        row = self._lock(conn, query, user_id, nowait)
        if row is None:
            # Lock first, insert only when missing: an upsert would wait on a row another
            # transaction updated, even under NOWAIT, and could deadlock with it.
            _ensure_row(conn, user_id, purpose)
            row = self._lock(conn, query, user_id, nowait)
        return self._or_default(purpose, row[0] if row is not None else None)

    @staticmethod
    def _lock(conn: Connection, query: Select[Any], user_id: str, nowait: bool) -> Any:
        try:
            return conn.execute(query).first()
        except OperationalError as exc:
            if nowait and "lock" in str(exc.orig).lower():
                raise ConsentBusy(user_id) from None
            raise

    def state(self, user_id: str, conn: Connection | None = None) -> dict[str, bool]:
        """Every purpose and whether it is granted now (one query)."""
        if conn is None:
            with reading(self.engine) as own:
                return self.state(user_id, own)
        decided = {p: granted for p, granted in conn.execute(_STATE, {"user": user_id})}
        return {p: self._or_default(p, decided.get(p)) for p in PURPOSES}

    def set(
        self,
        user_id: str,
        purpose: str,
        granted: bool,
        *,
        channel: Channel,
        request_id: str | None = None,
    ) -> ConsentChange:
        """Record a grant or withdrawal. A withdrawal runs the withdrawal hooks in the
        same transaction, so it is honoured before this returns."""
        self._check(purpose)
        with self.engine.begin() as conn:
            before = self.hold(conn, user_id, purpose, exclusive=True)
            now = datetime.now(UTC)
            conn.execute(
                update(consent_state)
                .where(consent_state.c.user_id == user_id, consent_state.c.purpose == purpose)
                .values(granted=granted, updated_at=now)
            )
            conn.execute(
                insert(consent_events).values(
                    user_id=user_id,
                    purpose=purpose,
                    granted=granted,
                    at=now,
                    channel=channel,
                    policy_version=self.policy.version,
                    request_id=request_id,
                )
            )
            purged = 0
            if not granted:
                purged = sum(hook(conn, user_id, purpose) for hook in self.withdrawal_hooks)
            self.audit.record(
                conn,
                "consent_changed",
                user_id=user_id,
                channel=channel,
                request_id=request_id,
                purpose=purpose,
                granted=granted,
                previously=before,
                purged=purged,
            )
        return ConsentChange(purpose, before, granted, purged)

    def history(self, user_id: str) -> list[ConsentEvent]:
        """The ledger for ``user_id``, oldest first."""
        query = (
            select(consent_events)
            .where(consent_events.c.user_id == user_id)
            .order_by(consent_events.c.id)
        )
        with reading(self.engine) as conn:
            return [
                ConsentEvent(
                    user_id=row.user_id,
                    purpose=row.purpose,
                    granted=row.granted,
                    at=row.at,
                    channel=row.channel,
                    policy_version=row.policy_version,
                    request_id=row.request_id,
                )
                for row in conn.execute(query)
            ]
