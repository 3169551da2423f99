"""The consent service: an append-only ledger, per account and per recognised person."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine

from skill.config import ConsentPolicy
from skill.errors import InputError
from skill.services.audit import AuditLog
from skill.services.models import PURPOSES, Channel, ConsentEvent
from skill.store import consent as stored
from skill.store.db import reading
from skill.store.errors import LockNotAvailable
from skill.store.rows import to
from skill.store.schema import NO_PERSON

if TYPE_CHECKING:
    from skill.store.rows import AnyRow

WithdrawalHook = Callable[[Connection, str, str, str | None], int]
"""Called in the withdrawal's transaction with (conn, user_id, purpose, person); returns the
items purged (the person's, or when person is None every item of the account)."""


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
    """State now (for a person's grant after an account-wide withdrawal: granted)."""
    purged: int = 0
    """Items removed by withdrawal hooks (e.g. queued human-review items)."""

    @property
    def changed(self) -> bool:
        return self.was_granted != self.granted


class ConsentService:
    """Grants, withdrawals and the current state, per user (account), person and purpose.

    A withdrawal covers everyone it names, a grant only whom it names. For person P:
    withdrawn if P's own latest decision is a withdrawal, or if an account-wide withdrawal is
    later than P's own latest grant; granted if P's own latest grant is later than any
    account-wide withdrawal, or if P has made no decision and the account's latest is a
    grant; otherwise the policy's default. The account's own state (``person`` None, which
    covers recordings of no recognised speaker) is its latest decision, else the default.
    """

    def __init__(self, engine: Engine, policy: ConsentPolicy, audit: AuditLog):
        self.engine = engine
        self.policy = policy
        self.audit = audit
        self.withdrawal_hooks: list[WithdrawalHook] = []

    def _check(self, purpose: str) -> None:
        if purpose not in PURPOSES:
            raise UnknownPurpose(f"unknown purpose {purpose!r}; known: {', '.join(PURPOSES)}")

    def _effective(self, purpose: str, account: Any, own: Any) -> bool:
        """The rule above, from the account's and the person's state rows."""
        if own is not None and own.granted is False:
            return False
        if own is not None and own.granted is True:
            withdrawn = account.withdrawn_seq if account is not None else None
            return withdrawn is None or withdrawn < own.decided_seq
        if account is not None and account.granted is not None:
            return bool(account.granted)
        return bool(self.policy.defaults.get(purpose, False))

    def is_granted(
        self,
        user_id: str,
        purpose: str,
        conn: Connection | None = None,
        *,
        person: str | None = None,
    ) -> bool:
        """Current state for the account or ``person``; pass ``conn`` to read inside an
        existing transaction."""
        return self.state(user_id, conn, person=person)[self._checked(purpose)]

    def _checked(self, purpose: str) -> str:
        self._check(purpose)
        return purpose

    def hold(
        self,
        conn: Connection,
        user_id: str,
        purpose: str,
        *,
        person: str | None = None,
        exclusive: bool = False,
        nowait: bool = False,
    ) -> bool:
        """Lock the consent that decides ``purpose`` for the account or ``person`` until
        ``conn`` commits; returns the state.

        The account's row is locked first, then the person's: the same order everywhere,
        so two of these never wait on each other in a cycle. Withdrawals take the row they
        change exclusively (the account's for the account, the person's for a person);
        review sampling and hand-outs share both, so a hand-out either commits before a
        withdrawal that covers it or sees it. On PostgreSQL, ``nowait`` raises
        ``ConsentBusy`` instead of waiting (a caller that already holds a queue item's row
        lock uses it, so the two never wait on each other). On SQLite every write
        transaction already holds the database's write lock.
        """
        self._check(purpose)
        account = self._held(conn, user_id, None, purpose, exclusive and person is None, nowait)
        own = self._held(conn, user_id, person, purpose, exclusive, nowait) if person else None
        return self._effective(purpose, account, own)

    def _held(
        self,
        conn: Connection,
        user_id: str,
        person: str | None,
        purpose: str,
        exclusive: bool,
        nowait: bool,
    ) -> AnyRow | None:
        row = self._lock(conn, user_id, person, purpose, exclusive, nowait)
        if row is None:
            # Lock first, insert only when missing: an upsert would wait on a row another
            # transaction updated, even under NOWAIT, and could deadlock with it.
            stored.ensure_row(conn, user_id, person, purpose, datetime.now(UTC))
            row = self._lock(conn, user_id, person, purpose, exclusive, nowait)
        return row

    @staticmethod
    def _lock(
        conn: Connection,
        user_id: str,
        person: str | None,
        purpose: str,
        exclusive: bool,
        nowait: bool,
    ) -> AnyRow | None:
        try:
            return stored.lock(conn, user_id, person, purpose, exclusive=exclusive, nowait=nowait)
        except LockNotAvailable:
            raise ConsentBusy(user_id) from None

    def state(
        self, user_id: str, conn: Connection | None = None, *, person: str | None = None
    ) -> dict[str, bool]:
        """Every purpose and whether it is granted now, for the account or ``person``
        (one query)."""
        if conn is None:
            with reading(self.engine) as own:
                return self.state(user_id, own, person=person)
        rows = stored.rows_of(conn, user_id, person)
        account = {r.purpose: r for r in rows if r.person_key == NO_PERSON}
        mine = {r.purpose: r for r in rows if person is not None and r.person_key == person}
        return self.state_from(account, mine)

    def state_from(self, account: Mapping[str, Any], mine: Mapping[str, Any]) -> dict[str, bool]:
        """Every purpose and whether it is granted, from state rows the caller read: the
        account's and the person's (empty for the account), by purpose; a row needs
        ``granted``, ``decided_seq`` and ``withdrawn_seq``."""
        return {p: self._effective(p, account.get(p), mine.get(p)) for p in PURPOSES}

    def set(
        self,
        user_id: str,
        purpose: str,
        granted: bool,
        *,
        channel: Channel,
        request_id: str | None = None,
        person: str | None = None,
    ) -> ConsentChange:
        """Record a grant or withdrawal for the account or ``person``. A withdrawal runs the
        withdrawal hooks in the same transaction (for the person's items only, or for the
        whole account's), so it is honoured before this returns."""
        self._check(purpose)
        with self.engine.begin() as conn:
            before = self.hold(conn, user_id, purpose, person=person, exclusive=True)
            now = datetime.now(UTC)
            seq = stored.append_event(
                conn,
                user_id=user_id,
                person=person,
                purpose=purpose,
                granted=granted,
                at=now,
                channel=channel,
                policy_version=self.policy.version,
                request_id=request_id,
            )
            stored.set_state(conn, user_id, person, purpose, granted=granted, at=now, seq=seq)
            after = self.hold(conn, user_id, purpose, person=person, exclusive=True)
            purged = 0
            if not granted:
                purged = sum(
                    hook(conn, user_id, purpose, person) for hook in self.withdrawal_hooks
                )
            details = {"person": person} if person is not None else {}
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
                **details,
            )
        return ConsentChange(purpose, before, after, purged)

    def history(self, user_id: str) -> list[ConsentEvent]:
        """The ledger for ``user_id``, oldest first."""
        with reading(self.engine) as conn:
            return [to(ConsentEvent, row) for row in stored.history(conn, user_id)]
