"""One hand-out or one annotation, each inside the caller's transaction.

Here the lock order is a queue item's row first, then its user's consent row
(shared). A withdrawal takes them the other way round (consent exclusively, then
the user's items), so this side never waits for the consent lock: NOWAIT, and a
short lock_timeout on PostgreSQL. When a withdrawal holds it, this step gives up
(``ItemBusy``), its transaction rolls back and releases the item, and the
withdrawal goes on to purge it. Nothing waits in a cycle, and nothing is handed
out or annotated after its user's withdrawal has committed.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from skill.services.audit import AuditLog
from skill.services.consent import ConsentBusy, ConsentService
from skill.services.review.models import (
    REVIEW_PURPOSE,
    ClaimedItem,
    ItemNotClaimed,
    ItemUnavailable,
)
from skill.services.review.purge import purge_open_items
from skill.store import crypto
from skill.store import review as stored
from skill.store.errors import LockNotAvailable, reporting_lock_failures
from skill.store.keystore import KeyStore
from skill.store.rows import to

LOCK_TIMEOUT_MS = 100
"""Longest a hand-out or annotation waits for a lock while holding a queue item's lock."""


class ItemBusy(Exception):
    """The item's user's consent is being changed right now; roll back and retry later."""

    def __init__(self, item_id: int):
        super().__init__(item_id)
        self.item_id = item_id


@dataclass(frozen=True)
class Purged:
    """The item's user's consent was no longer granted: their open items were purged.

    The purge is part of the transaction; the caller commits it.
    """

    count: int
    """Items removed."""


def unavailable(item_id: int) -> ItemUnavailable:
    return ItemUnavailable(
        f"item {item_id} is no longer available: it was removed from the review queue "
        "because its user withdrew consent to human review or deleted the recording"
    )


def hand_out_next(
    conn: Connection,
    consent: ConsentService,
    audit: AuditLog,
    keys: KeyStore,
    reviewer: str,
    *,
    skip: Collection[int],
    channel: str,
) -> ClaimedItem | Purged | None:
    """Claim the oldest pending item not in ``skip``; None when there is none.

    Raises ``ItemBusy`` when the user's consent is being changed (roll back). An item whose
    recording's key was destroyed (a row restored from a backup) is removed, not handed out.
    """
    item = stored.lock_next_pending(conn, skip)
    if item is None:
        return None
    purged = _hold_consent(conn, consent, audit, item, channel)
    if purged:
        return purged
    recording = stored.content_for_review(conn, item.recording_id)
    key = keys.fetch([recording.key_id]).get(recording.key_id) if recording.key_id else None
    try:
        if key is None:
            raise crypto.Unreadable("no key")
        transcript = crypto.open_text(key, recording.transcript, "transcript", item.recording_id)
    except crypto.Unreadable:  # deleted (its key destroyed), or never to be opened again
        return _drop_unreadable(conn, audit, item.id, item.user_id, channel)
    stored.mark_claimed(conn, item.id, reviewer, datetime.now(UTC))
    audit.record(
        conn,
        "review_handout",
        user_id=item.user_id,
        channel=channel,
        item_id=item.id,
        recording_id=item.recording_id,
        reviewer=reviewer,
    )
    return to(
        ClaimedItem,
        recording,
        id=item.id,
        recording_id=item.recording_id,
        user_id=item.user_id,
        transcript=transcript,
        has_audio=recording.audio_file is not None,
    )


def _drop_unreadable(
    conn: Connection, audit: AuditLog, item_id: int, user_id: str, channel: str
) -> Purged:
    """Remove an item whose content can no longer be opened: its recording was deleted."""
    stored.delete_items(conn, [item_id])
    audit.record(
        conn,
        "review_purged",
        user_id=user_id,
        channel=channel,
        reason="content_deleted",
        count=1,
    )
    return Purged(1)


def annotate(
    conn: Connection,
    consent: ConsentService,
    audit: AuditLog,
    keys: KeyStore,
    *,
    item_id: int,
    reviewer: str,
    corrected_transcript: str,
    label: str,
    channel: str,
) -> Purged | None:
    """Store the annotation of a claimed item and mark it done; None when stored.

    Raises ``ItemUnavailable`` / ``ItemNotClaimed`` (nothing changed) or ``ItemBusy``
    (roll back, retry). ``Purged``: consent is gone; commit, then report unavailable.
    """
    # Waits if a withdrawal or deletion is removing the item; then sees it gone.
    item = stored.lock_item(conn, item_id)
    if item is None:
        raise unavailable(item_id)
    if item.state == "done":
        raise ItemNotClaimed(f"item {item_id} is already done")
    if item.state != "claimed":
        raise ItemNotClaimed(f"item {item_id} is not claimed; claim it before submitting")
    if item.reviewer != reviewer:
        raise ItemNotClaimed(f"item {item_id} is claimed by another reviewer, not {reviewer!r}")
    purged = _hold_consent(conn, consent, audit, item, channel)
    if purged:
        return purged
    key_id = stored.recording_key(conn, item.recording_id)
    key = keys.fetch([key_id]).get(key_id) if key_id else None
    if key_id is None or key is None:
        return _drop_unreadable(conn, audit, item.id, item.user_id, channel)
    stored.add_annotation(
        conn,
        item_id=item_id,
        reviewer=reviewer,
        corrected_transcript=crypto.seal_text(
            key, corrected_transcript, "annotation", item.recording_id
        ),
        label=label,
        at=datetime.now(UTC),
        key_id=key_id,
    )
    audit.record(
        conn,
        "review_submitted",
        user_id=item.user_id,
        channel=channel,
        item_id=item_id,
        recording_id=item.recording_id,
        reviewer=reviewer,
    )
    return None


def _hold_consent(
    conn: Connection, consent: ConsentService, audit: AuditLog, item: Any, channel: str
) -> Purged | None:
    """Share-lock the consent that covers the item (its user's, and its person's when it has
    one), NOWAIT, while holding the item's row lock.

    None when consent is granted; ``Purged`` when it is not.
    """
    item_id, user_id, person = item.id, item.user_id, item.person_id
    # hold() first upserts the consent row, and on PostgreSQL that INSERT ... ON
    # CONFLICT waits for a withdrawal that has already updated the row, NOWAIT or
    # not. Holding the item's lock, that wait would be a deadlock (the withdrawal
    # waits for the item): bound every wait from here on instead.
    stored.bound_lock_waits(conn, LOCK_TIMEOUT_MS)
    try:
        with reporting_lock_failures():
            granted = consent.hold(conn, user_id, REVIEW_PURPOSE, person=person, nowait=True)
    except (ConsentBusy, LockNotAvailable):
        raise ItemBusy(item_id) from None
    if not granted:
        # Not withdrawn through the ledger's hook (e.g. the deployment's default
        # changed): purge now. Items other transactions hold are theirs to purge.
        count = purge_open_items(
            conn,
            audit,
            user_id,
            reason="consent_not_granted",
            channel=channel,
            skip_locked=True,
            person=person,
        )
        return Purged(count)
    return None
