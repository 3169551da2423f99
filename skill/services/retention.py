"""Retention: how long recordings are kept, per account and person, and the sweep that
enforces it (DESIGN.md §2, Retention).

Choices: 3, 18 or 36 calendar months, or until deleted; "don't save" is not a period but a
withdrawal of ``store_recordings`` (what is kept still follows the period). An account's
choice covers every speaker on it; a person's covers their recordings; for a person's
recordings the shortest applicable choice wins. Where nobody chose, the deployment default
applies: 18 calendar months, or ``PRIVACY_SKILL_RETENTION_DAYS`` days.

Calendar months are counted back from now in UTC, with the day clamped to the month's
length (31 May less 3 months is 28 or 29 February).

The sweep deletes through ``RecordingService.delete_older``, with every guarantee of a
deletion (keys destroyed first, audited with channel ``retention``). One process sweeps at a
time: a lease row names the holder and is renewed as it goes; a process that dies loses it
when it expires. Under a schedule the lease also says when the next sweep is due, so several
processes started together run one sweep between them.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection, Engine

from skill.services.audit import AuditLog
from skill.services.consent import ConsentChange, ConsentService
from skill.services.models import Channel
from skill.services.periods import (
    CHOICES,
    DONT_SAVE,
    PERIODS,
    Period,
    UnknownPeriod,
    default_period,
    months_before,
    shortest,
)
from skill.services.recordings import RecordingService
from skill.store import recordings as stored_recordings
from skill.store import retention as stored
from skill.store.db import reading
from skill.store.recordings import Selection

if TYPE_CHECKING:
    from skill.services.accounts import AccountService

log = logging.getLogger(__name__)

__all__ = [
    "CHOICES",
    "DONT_SAVE",
    "PERIODS",
    "Period",
    "RetentionChange",
    "RetentionService",
    "RetentionView",
    "SweepResult",
    "UnknownPeriod",
    "default_period",
    "months_before",
]

SWEEP_LEASE = "retention_sweep"
LEASE_SECONDS = 900
"""How long a sweep holds its lease without renewing it (it renews after each group)."""


Source = Literal["person", "account", "default"]


@dataclass(frozen=True)
class RetentionView:
    """What applies to an account's or a person's recordings, and why."""

    user_id: str
    person: str | None
    period: Period
    """The period that applies (the shortest applicable choice, else the default)."""
    source: Source
    """Whose choice it is: the person's, the account's, or the deployment's default."""
    chosen: str | None
    """The choice made at this level (the person's own, or the account's), if any."""
    saving: bool
    """Whether new recordings are stored (``store_recordings``); "don't save" turns it off."""
    default: Period

    def as_json(self, now: datetime) -> dict[str, Any]:
        cutoff = self.period.cutoff(now)
        return {
            "user_id": self.user_id,
            "person_id": self.person,
            "period": self.period.id,
            "source": self.source,
            "chosen": self.chosen,
            "saving": self.saving,
            "default": self.default.id,
            "deletes_before": cutoff.isoformat() if cutoff else None,
        }


@dataclass(frozen=True)
class RetentionChange:
    """What choosing did."""

    previous: str | None
    """The choice made at this level before, if any."""
    view: RetentionView
    """What applies now."""
    deleted: int = 0
    """Recordings deleted because the new period no longer keeps them."""
    resumed_saving: bool = False
    """Whether choosing a period turned storing back on (after "don't save")."""
    consent: ConsentChange | None = None
    """The ``store_recordings`` change, for "don't save" and for resuming."""


@dataclass
class SweepResult:
    """What a sweep deleted (or, in a dry run, would delete)."""

    users: int = 0
    """Accounts that lost recordings."""
    deleted: int = 0
    """Recordings deleted."""
    accounts_finished: int = 0
    """Account deletions (skill disabled) finished for a crash that interrupted them."""
    ran: bool = True
    """False when another process held the sweep (a scheduled sweep that was not due)."""
    dry_run: bool = False
    per_user: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {"users": self.users, "deleted": self.deleted}
        if self.dry_run:
            result["dry_run"] = True
        return result


@dataclass(frozen=True)
class _Group:
    """Recordings of one account's speaker that one period governs."""

    user_id: str
    person: str | None
    """The person, or None for the recordings of no recognised person."""
    period: Period
    cutoff: datetime

    def selection(self, ingested_before: datetime | None = None) -> Selection:
        return Selection(
            self.user_id,
            end=self.cutoff,
            person=self.person,
            unattributed=self.person is None,
            ingested_before=ingested_before,
        )


Progress = Callable[[int, int], None]


class RetentionService:
    """Choices per account and person, what they would delete, and the sweep."""

    def __init__(
        self,
        engine: Engine,
        recordings: RecordingService,
        consent: ConsentService,
        audit: AuditLog,
        default: Period,
        accounts: AccountService | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.engine = engine
        self.recordings = recordings
        self.consent = consent
        self.audit = audit
        self.default = default
        self.accounts = accounts
        self.clock = clock

    # -- what applies --------------------------------------------------------

    @staticmethod
    def period(period_id: str) -> Period:
        """The period with ``period_id`` (not ``DONT_SAVE``); ``UnknownPeriod`` otherwise."""
        try:
            return PERIODS[period_id]
        except KeyError:
            raise UnknownPeriod(period_id) from None

    def _effective(
        self, choices: dict[str | None, str], person: str | None
    ) -> tuple[Period, Source]:
        account = choices.get(None)
        own = choices.get(person) if person is not None else None
        applicable: list[tuple[Period, Source]] = []
        if own is not None:
            applicable.append((PERIODS[own], "person"))
        if account is not None:
            applicable.append((PERIODS[account], "account"))
        if not applicable:
            return self.default, "default"
        now = self.clock()
        best = shortest([p for p, _ in applicable], now)
        return next((p, s) for p, s in applicable if p == best)

    def view(self, user_id: str, *, person: str | None = None) -> RetentionView:
        """What applies to ``person``'s recordings (or, without one, to the account's
        recordings of no recognised person, which only the account's choice governs)."""
        with reading(self.engine) as conn:
            saving = self.consent.is_granted(user_id, "store_recordings", conn, person=person)
            return self.view_in(conn, user_id, person=person, saving=saving)

    def view_in(
        self, conn: Connection, user_id: str, *, person: str | None, saving: bool
    ) -> RetentionView:
        """:meth:`view` inside an existing transaction, where the caller has already read
        whether ``store_recordings`` is granted (``saving``)."""
        return self.view_from(user_id, stored.choices_of(conn, user_id), person, saving)

    def view_from(
        self, user_id: str, choices: dict[str | None, str], person: str | None, saving: bool
    ) -> RetentionView:
        """:meth:`view` from choices the caller read (the account's under None, and the
        person's: ``skill.store.overview`` reads both with the rest of "what data do you
        keep")."""
        period, source = self._effective(choices, person)
        return RetentionView(
            user_id, person, period, source, choices.get(person), saving, self.default
        )

    def _groups(
        self,
        conn: Connection,
        user_id: str,
        choices: dict[str | None, str],
        now: datetime,
        *,
        only: str | None = None,
    ) -> list[_Group]:
        """The account's speakers (``only``'s alone, when given) with the cutoff that applies
        to each; none for a speaker whose recordings are kept until deleted."""
        groups = []
        for speaker in stored_recordings.speakers(conn, user_id):
            if only is not None and speaker != only:
                continue
            period, _ = self._effective(choices, speaker)
            cutoff = period.cutoff(now)
            if cutoff is not None:
                groups.append(_Group(user_id, speaker, period, cutoff))
        return groups

    def would_delete(
        self, user_id: str, period_id: str, *, person: str | None = None, at: datetime | None = None
    ) -> int:
        """How many recordings choosing ``period_id`` (for ``person``, or the account) would
        delete now: those older than what would then apply to them."""
        if period_id == DONT_SAVE:
            return 0
        self.period(period_id)
        at = at or self.clock()
        with reading(self.engine) as conn:
            choices = {**stored.choices_of(conn, user_id), person: period_id}
            groups = self._groups(conn, user_id, choices, at, only=person)
            return sum(
                stored_recordings.count(conn, g.selection(ingested_before=at)) for g in groups
            )

    # -- choosing ------------------------------------------------------------

    def choose(
        self,
        user_id: str,
        period_id: str,
        *,
        channel: Channel,
        person: str | None = None,
        request_id: str | None = None,
        at: datetime | None = None,
    ) -> RetentionChange:
        """Record the choice for ``person`` (or the account) and apply it at once: what it no
        longer keeps is deleted (only what was stored by ``at``, the moment the person was
        told how many would go, with the cutoffs of that moment). ``DONT_SAVE`` withdraws
        ``store_recordings`` instead and deletes nothing; choosing a period after it grants
        ``store_recordings`` again."""
        if period_id == DONT_SAVE:
            return self.stop_saving(user_id, channel=channel, person=person, request_id=request_id)
        self.period(period_id)
        at = at or self.clock()
        with self.engine.begin() as conn:
            previous = stored.choices_of(conn, user_id).get(person)
            stored.set_choice(conn, user_id, person, period_id, self.clock())
            details = {"person": person} if person is not None else {}
            self.audit.record(
                conn,
                "retention_changed",
                user_id=user_id,
                channel=channel,
                request_id=request_id,
                period=period_id,
                previously=previous,
                **details,
            )
        resumed: ConsentChange | None = None
        if not self.consent.is_granted(user_id, "store_recordings", person=person):
            resumed = self.consent.set(
                user_id,
                "store_recordings",
                True,
                channel=channel,
                request_id=request_id,
                person=person,
            )
        deleted = self._apply(user_id, channel, request_id, at, only=person)
        return RetentionChange(
            previous,
            self.view(user_id, person=person),
            deleted=deleted,
            resumed_saving=resumed is not None,
            consent=resumed,
        )

    def _apply(
        self,
        user_id: str,
        channel: Channel,
        request_id: str | None,
        at: datetime,
        *,
        only: str | None,
    ) -> int:
        with reading(self.engine) as conn:
            groups = self._groups(conn, user_id, stored.choices_of(conn, user_id), at, only=only)
        deleted = 0
        for group in groups:
            deleted += self._delete(group, channel, request_id, ingested_before=at)
        return deleted

    def _delete(
        self,
        group: _Group,
        channel: Channel,
        request_id: str | None,
        *,
        ingested_before: datetime | None = None,
    ) -> int:
        deletion = self.recordings.delete_older(
            group.user_id,
            group.cutoff,
            channel=channel,
            period=group.period.id,
            request_id=request_id,
            person=group.person,
            unattributed=group.person is None,
            ingested_before=ingested_before,
        )
        return deletion.count

    def stop_saving(
        self,
        user_id: str,
        *,
        channel: Channel,
        person: str | None = None,
        request_id: str | None = None,
    ) -> RetentionChange:
        """ "Don't save my recordings": withdraw ``store_recordings`` (nothing is deleted:
        what is kept still follows its period, and can be deleted on its own)."""
        return self._saving(user_id, False, channel, person, request_id)

    def resume_saving(
        self,
        user_id: str,
        *,
        channel: Channel,
        person: str | None = None,
        request_id: str | None = None,
    ) -> RetentionChange:
        """ "Start saving my recordings again": grant ``store_recordings``."""
        return self._saving(user_id, True, channel, person, request_id)

    def _saving(
        self,
        user_id: str,
        granted: bool,
        channel: Channel,
        person: str | None,
        request_id: str | None,
    ) -> RetentionChange:
        change = self.consent.set(
            user_id,
            "store_recordings",
            granted,
            channel=channel,
            request_id=request_id,
            person=person,
        )
        view = self.view(user_id, person=person)
        resumed = granted and not change.was_granted
        return RetentionChange(view.chosen, view, resumed_saving=resumed, consent=change)

    # -- the sweep -----------------------------------------------------------

    def sweep(
        self,
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
        wait: float = 0.0,
        schedule: float | None = None,
    ) -> SweepResult:
        """Delete everything older than what applies to it, and finish interrupted account
        deletions. ``dry_run`` counts what would go and changes nothing.

        Only one process sweeps at a time. With ``schedule`` (seconds between sweeps) the
        sweep runs only when due, and the next one is due ``schedule`` seconds after it
        starts; without, it runs now, waiting up to ``wait`` seconds for a sweep another
        process is running (``ran`` is False if that one did not finish in time).
        """
        if dry_run:
            return self._plan_only()
        holder = f"{socket.gethostname()[:64]}:{os.getpid()}:{secrets.token_hex(4)}"
        started = self.clock()
        if not self._take(holder, due_only=schedule is not None, wait=wait):
            return SweepResult(ran=False)
        next_due = started + timedelta(seconds=schedule) if schedule else self.clock()
        try:
            result = SweepResult()
            if self.accounts is not None:
                result.accounts_finished = self.accounts.finish_pending()
            with reading(self.engine) as conn:
                plan = self._plan(conn, started)
            total = sum(count for _, count in plan)
            done = 0
            for group, count in plan:
                if not self._renew(holder):
                    log.warning("retention sweep: lease lost to another process; stopping")
                    break
                deleted = self._delete(group, "retention", None)
                if deleted:
                    result.per_user[group.user_id] = result.per_user.get(group.user_id, 0) + deleted
                    result.deleted += deleted
                done += count
                if progress is not None:
                    progress(min(done, total), total)
            result.users = len(result.per_user)
            if result.deleted or result.accounts_finished:
                log.info(
                    "retention sweep deleted %d recordings of %d accounts; %d account "
                    "deletions finished",
                    result.deleted,
                    result.users,
                    result.accounts_finished,
                )
            return result
        finally:
            with self.engine.begin() as conn:
                stored.release_lease(conn, SWEEP_LEASE, holder, next_due)

    def _plan_only(self) -> SweepResult:
        now = self.clock()
        result = SweepResult(dry_run=True)
        with reading(self.engine) as conn:
            plan = self._plan(conn, now)
            pending = stored.pending(conn, limit=10_000)
            for user in pending:
                result.per_user[user] = stored_recordings.total(conn, user)
        for group, count in plan:
            if group.user_id not in pending:
                result.per_user[group.user_id] = result.per_user.get(group.user_id, 0) + count
        result.per_user = {user: n for user, n in result.per_user.items() if n}
        result.users = len(result.per_user)
        result.deleted = sum(result.per_user.values())
        return result

    def _plan(self, conn: Connection, now: datetime) -> list[tuple[_Group, int]]:
        """Every group with recordings to delete, and how many (counted now)."""
        plan: list[tuple[_Group, int]] = []
        cutoff = self.default.cutoff(now)
        if cutoff is not None:
            for row in stored.default_groups(conn, cutoff):
                group = _Group(row.user_id, row.person_id, self.default, cutoff)
                plan.append((group, int(row.recordings)))
        for user_id in stored.users_with_choices(conn):
            choices = stored.choices_of(conn, user_id)
            for group in self._groups(conn, user_id, choices, now):
                count = stored_recordings.count(conn, group.selection())
                if count:
                    plan.append((group, count))
        return plan

    def _take(self, holder: str, *, due_only: bool, wait: float) -> bool:
        deadline = time.monotonic() + wait
        while True:
            now = self.clock()
            with self.engine.begin() as conn:
                until = now + timedelta(seconds=LEASE_SECONDS)
                if stored.take_lease(conn, SWEEP_LEASE, holder, now, until, due_only=due_only):
                    return True
            if due_only or time.monotonic() >= deadline:
                return False
            time.sleep(0.2)

    def _renew(self, holder: str) -> bool:
        with self.engine.begin() as conn:
            until = self.clock() + timedelta(seconds=LEASE_SECONDS)
            return stored.renew_lease(conn, SWEEP_LEASE, holder, until)

    def next_due(self) -> datetime | None:
        """When a scheduled sweep is next due (None: never run; due now)."""
        with reading(self.engine) as conn:
            lease = stored.lease_of(conn, SWEEP_LEASE)
        return None if lease is None else lease.expires_at
