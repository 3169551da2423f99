"""The consent service: an append-only ledger; the current state is the latest row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

from skill.config import ConsentPolicy
from skill.errors import InputError
from skill.services.audit import AuditLog
from skill.services.models import PURPOSES, Channel, ConsentEvent
from skill.store import consent as stored
from skill.store.db import reading
from skill.store.errors import LockNotAvailable
from skill.store.rows import to

if TYPE_CHECKING:
    from skill.store.rows import AnyRow

WithdrawalHook = Callable[[Connection, str, str], int]
"""Called in the withdrawal's transaction with (conn, user_id, purpose); returns items purged."""


class UnknownPurpose(InputError):
    """A purpose outside the policy's list."""


class ConsentBusy(RuntimeError):
    """Another transaction is changing this user's consent right now; try again shortly."""


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

    def _or_default(self, purpose: str, granted: bool | None) -> bool:
        return bool(self.policy.defaults.get(purpose, False)) if granted is None else granted

    def is_granted(self, user_id: str, purpose: str, conn: Connection | None = None) -> bool:
        """Current state; pass ``conn`` to read inside an existing transaction."""
        self._check(purpose)
        if conn is None:
            with reading(self.engine) as own:
                granted = stored.current(own, user_id, purpose)
        else:
            granted = stored.current(conn, user_id, purpose)
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
        row = self._lock(conn, user_id, purpose, exclusive, nowait)
        if row is None:
            # Lock first, insert only when missing: an upsert would wait on a row another
            # transaction updated, even under NOWAIT, and could deadlock with it.
            stored.ensure_row(conn, user_id, purpose, datetime.now(UTC))
            row = self._lock(conn, user_id, purpose, exclusive, nowait)
        return self._or_default(purpose, row.granted if row is not None else None)

    @staticmethod
    def _lock(
        conn: Connection, user_id: str, purpose: str, exclusive: bool, nowait: bool
    ) -> AnyRow | None:
        try:
            return stored.lock(conn, user_id, purpose, exclusive=exclusive, nowait=nowait)
        except LockNotAvailable:
            raise ConsentBusy(user_id) from None

    def state(self, user_id: str, conn: Connection | None = None) -> dict[str, bool]:
        """Every purpose and whether it is granted now (one query)."""
        if conn is None:
            with reading(self.engine) as own:
                return self.state(user_id, own)
        decided = stored.decisions(conn, user_id)
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
            stored.set_state(conn, user_id, purpose, granted, now)
            stored.append_event(
                conn,
                user_id=user_id,
                purpose=purpose,
                granted=granted,
                at=now,
                channel=channel,
                policy_version=self.policy.version,
                request_id=request_id,
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
        with reading(self.engine) as conn:
            return [to(ConsentEvent, row) for row in stored.history(conn, user_id)]
