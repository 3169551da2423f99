"""Whole accounts: what disabling the skill does to a user's data.

When a person disables the skill and Alexa reports ``NOT_PERSISTED``, Alexa will give them a
new user id if they enable it again: the data kept under the old id could never be reached
or deleted by them again. Under the ``delete`` policy (the default) it goes: recordings,
audio, queue items and annotations (with the same guarantees as any deletion: keys
destroyed first), counts, retention choices and the current consent state. What stays is
what the law asks to keep and holds no content: the consent ledger and the audit log.

The deletion is first recorded as pending, in its own committed transaction, before the
event is acknowledged; a crash after that is finished by the next retention sweep. If even
that record cannot be written, the error propagates so that Alexa is not told the event was
handled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine

from skill.services.audit import AuditLog
from skill.services.models import Channel
from skill.services.recordings import RecordingService
from skill.store import consent as stored_consent
from skill.store import recordings as stored_recordings
from skill.store import retention as stored
from skill.store.db import reading

log = logging.getLogger(__name__)

__all__ = ["AccountDeletion", "AccountService"]

SKILL_DISABLED = "skill_disabled"

ForgetHook = Callable[[Connection, str], None]
"""Removes what another part of the product keeps about a user (inside the deletion's
transaction)."""


@dataclass(frozen=True)
class AccountDeletion:
    recordings: int
    """Recordings deleted."""
    kept: bool = False
    """True when nothing was deleted (the user id persists, or the policy keeps data)."""
    pending: bool = False
    """True when the deletion was recorded but could not finish now (the sweep will)."""


class AccountService:
    """Deleting everything kept about one user id."""

    def __init__(self, engine: Engine, recordings: RecordingService, audit: AuditLog):
        self.engine = engine
        self.recordings = recordings
        self.audit = audit
        self.forget_hooks: list[ForgetHook] = []

    def skill_disabled(
        self,
        user_id: str,
        *,
        persisted: bool,
        policy: str,
        request_id: str | None = None,
    ) -> AccountDeletion:
        """The person disabled the skill. Their data goes when the user id will not come
        back (``persisted`` False) and ``policy`` is ``delete``; otherwise it is kept."""
        if persisted or policy != "delete":
            with self.engine.begin() as conn:
                self.audit.record(
                    conn,
                    "skill_disabled",
                    user_id=user_id,
                    channel="event",
                    request_id=request_id,
                    persisted=persisted,
                    kept=True,
                )
            return AccountDeletion(0, kept=True)
        with self.engine.begin() as conn:  # if this fails, the event is not acknowledged
            stored.record_pending(conn, user_id, SKILL_DISABLED, datetime.now(UTC))
        try:
            return self.delete_account(user_id, channel="event", request_id=request_id)
        except Exception as error:  # recorded as pending: the next sweep finishes it
            log.error(
                "account deletion interrupted (%s); the next retention sweep finishes it",
                type(error).__name__,
            )
            return AccountDeletion(0, pending=True)

    def delete_account(
        self, user_id: str, *, channel: Channel, request_id: str | None = None
    ) -> AccountDeletion:
        """Delete everything kept about ``user_id`` but the ledger and the audit log, then
        mark any pending deletion of it finished."""
        deletion = self.recordings.delete_all(user_id, channel=channel, request_id=request_id)
        with self.engine.begin() as conn:
            choices = stored.clear_choices(conn, user_id)
            states = stored_consent.forget_state(conn, user_id)
            stored_recordings.forget_counts(conn, user_id)
            for hook in self.forget_hooks:
                hook(conn, user_id)
            stored.finish_pending(conn, user_id)
            self.audit.record(
                conn,
                "account_deleted",
                user_id=user_id,
                channel=channel,
                request_id=request_id,
                recordings=deletion.count,
                keys_destroyed=deletion.keys_destroyed,
                retention_choices=choices,
                consent_states=states,
            )
        return AccountDeletion(deletion.count)

    def pending(self) -> list[str]:
        """Accounts whose deletion was recorded and has not finished."""
        with reading(self.engine) as conn:
            return stored.pending(conn, limit=10_000)

    def finish_pending(self) -> int:
        """Finish every account deletion a crash interrupted; returns how many."""
        finished = 0
        for user_id in self.pending():
            self.delete_account(user_id, channel="event")
            finished += 1
        if finished:
            log.info("finished %d interrupted account deletions", finished)
        return finished
