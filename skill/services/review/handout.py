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

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import OperationalError

from skill.services.audit import AuditLog
from skill.services.consent import ConsentBusy, ConsentService
from skill.services.review.models import (
    REVIEW_PURPOSE,
    ClaimedItem,
    ItemNotClaimed,
    ItemUnavailable,
)
from skill.services.review.purge import purge_open_items
from skill.store.schema import recordings, review_annotations, review_items

LOCK_TIMEOUT_MS = 100
"""Longest a hand-out or annotation waits for a lock while holding a queue item's lock."""
LOCK_NOT_AVAILABLE = "55P03"
"""PostgreSQL's SQLSTATE for NOWAIT and lock_timeout failures."""


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
    reviewer: str,
    *,
    skip: Collection[int],
    channel: str,
) -> ClaimedItem | Purged | None:
    """Claim the oldest pending item not in ``skip``; None when there is none.

    Raises ``ItemBusy`` when the user's consent is being changed (roll back).
    """
    query = select(review_items.c.id, review_items.c.user_id, review_items.c.recording_id).where(
        review_items.c.state == "pending"
    )
    if skip:
        query = query.where(review_items.c.id.not_in(skip))
    item = conn.execute(
        query.order_by(review_items.c.id).limit(1).with_for_update(skip_locked=True)
    ).first()
    if item is None:
        return None
    purged = _hold_consent(conn, consent, audit, item.id, item.user_id, channel)
    if purged:
        return purged
    now = datetime.now(UTC)
    conn.execute(
        update(review_items)
        .where(review_items.c.id == item.id)
        .values(state="claimed", reviewer=reviewer, claimed_at=now)
    )
    recording = conn.execute(
        select(recordings.c.recorded_at, recordings.c.transcript, recordings.c.audio_file).where(
            recordings.c.id == item.recording_id
        )
    ).one()
    audit.record(
        conn,
        "review_handout",
        user_id=item.user_id,
        channel=channel,
        item_id=item.id,
        recording_id=item.recording_id,
        reviewer=reviewer,
    )
    return ClaimedItem(
        id=item.id,
        recording_id=item.recording_id,
        user_id=item.user_id,
        recorded_at=recording.recorded_at,
        transcript=recording.transcript,
        has_audio=recording.audio_file is not None,
    )


def annotate(
    conn: Connection,
    consent: ConsentService,
    audit: AuditLog,
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
    item = conn.execute(
        select(review_items).where(review_items.c.id == item_id).with_for_update()
    ).first()
    if item is None:
        raise unavailable(item_id)
    if item.state == "done":
        raise ItemNotClaimed(f"item {item_id} is already done")
    if item.state != "claimed":
        raise ItemNotClaimed(f"item {item_id} is not claimed; claim it before submitting")
    if item.reviewer != reviewer:
        raise ItemNotClaimed(f"item {item_id} is claimed by another reviewer, not {reviewer!r}")
    purged = _hold_consent(conn, consent, audit, item.id, item.user_id, channel)
    if purged:
        return purged
    now = datetime.now(UTC)
    conn.execute(
        insert(review_annotations).values(
            item_id=item_id,
            reviewer=reviewer,
            corrected_transcript=corrected_transcript,
            label=label,
            submitted_at=now,
        )
    )
    conn.execute(
        update(review_items).where(review_items.c.id == item_id).values(state="done", done_at=now)
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
    conn: Connection,
    consent: ConsentService,
    audit: AuditLog,
    item_id: int,
    user_id: str,
    channel: str,
) -> Purged | None:
    """Share-lock the user's consent (NOWAIT) while holding the item's row lock.

    None when consent is granted; ``Purged`` when it is not.
    """
    if conn.dialect.name == "postgresql":
        # hold() first upserts the consent row, and on PostgreSQL that INSERT ... ON
        # CONFLICT waits for a withdrawal that has already updated the row, NOWAIT or
        # not. Holding the item's lock, that wait would be a deadlock (the withdrawal
        # waits for the item): bound every wait from here on instead.
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_MS}ms'")
    try:
        granted = consent.hold(conn, user_id, REVIEW_PURPOSE, nowait=True)
    except ConsentBusy:
        raise ItemBusy(item_id) from None
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise ItemBusy(item_id) from None
        raise
    if not granted:
        # Not withdrawn through the ledger's hook (e.g. the deployment's default
        # changed): purge now. Items other transactions hold are theirs to purge.
        count = purge_open_items(
            conn, audit, user_id, reason="consent_not_granted", channel=channel, skip_locked=True
        )
        return Purged(count)
    return None
