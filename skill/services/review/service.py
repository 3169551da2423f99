"""The review service: sample, hand out, annotate, purge; counts and listings."""

from __future__ import annotations

import time

from sqlalchemy import Connection, Engine

from skill.services.audit import AuditLog
from skill.services.consent import ConsentService
from skill.services.models import Channel
from skill.services.review.handout import ItemBusy, Purged, annotate, hand_out_next, unavailable
from skill.services.review.models import (
    REVIEW_PURPOSE,
    STATES,
    Annotation,
    ClaimedItem,
    InvalidReviewRequest,
    ReviewError,
    ReviewItem,
    SampleProgress,
    SampleResult,
)
from skill.services.review.purge import latest_consent_origin, purge_open_items
from skill.services.review.sampling import run_sampling
from skill.store import crypto
from skill.store import review as stored
from skill.store.db import reading
from skill.store.keystore import KeyStore
from skill.store.rows import to

BUSY_PAUSE = 0.02
"""Seconds to wait before retrying items whose user's consent was being changed."""
BUSY_ROUNDS = 100
"""How many such pauses a call makes at most (about two seconds) before giving up."""


class ReviewService:
    """The human-review queue. Every hand-out and annotation re-checks consent under lock."""

    def __init__(self, engine: Engine, consent: ConsentService, audit: AuditLog, keys: KeyStore):
        self.engine = engine
        self.consent = consent
        self.audit = audit
        self.keys = keys

    def sample(
        self,
        rate: float,
        seed: int | None = None,
        batch_size: int = 1000,
        progress: SampleProgress | None = None,
        *,
        channel: Channel = "cli",
    ) -> SampleResult:
        """Give each recording not yet considered exactly one sampling decision.

        A selected recording is queued only if its user's ``human_review`` consent is
        granted at that moment. ``0 < rate <= 1``; ``seed`` makes the run repeatable.
        """
        return run_sampling(
            self.engine,
            self.consent,
            self.audit,
            rate=rate,
            seed=seed,
            batch_size=batch_size,
            progress=progress,
            channel=channel,
        )

    def claim(
        self, reviewer: str, count: int = 1, *, channel: Channel = "cli"
    ) -> list[ClaimedItem]:
        """Hand out up to ``count`` pending items, oldest first, one transaction each.

        Fewer come back when the queue runs out. Items of users whose consent turns
        out not to be granted are purged, not handed out.
        """
        _check_name("reviewer", reviewer, 128)
        if count < 1:
            raise InvalidReviewRequest(f"count must be at least 1, not {count}")
        handed: list[ClaimedItem] = []
        busy: set[int] = set()
        pauses = 0
        while len(handed) < count:
            try:
                with self.engine.begin() as conn:
                    step = hand_out_next(
                        conn,
                        self.consent,
                        self.audit,
                        self.keys,
                        reviewer,
                        skip=busy,
                        channel=channel,
                    )
            except ItemBusy as exc:
                busy.add(exc.item_id)  # its user's consent is changing: try the next one
                continue
            if isinstance(step, ClaimedItem):
                handed.append(step)
            elif step is None:
                if not busy or pauses >= BUSY_ROUNDS:
                    break
                # Only items whose user's consent is changing are left: let the
                # change commit (a withdrawal purges them), then look again.
                pauses += 1
                busy.clear()
                time.sleep(BUSY_PAUSE)
        return handed

    def submit(
        self,
        item_id: int,
        reviewer: str,
        corrected_transcript: str,
        label: str,
        *,
        channel: Channel = "cli",
    ) -> None:
        """Record the reviewer's annotation of an item they claimed and mark it done.

        Raises ``ItemUnavailable`` when the item was purged (withdrawal or deletion)
        and ``ItemNotClaimed`` when it is not claimed by ``reviewer``.
        """
        _check_name("reviewer", reviewer, 128)
        _check_name("label", label, 64)
        for _ in range(BUSY_ROUNDS + 1):
            try:
                with self.engine.begin() as conn:
                    purged = annotate(
                        conn,
                        self.consent,
                        self.audit,
                        self.keys,
                        item_id=item_id,
                        reviewer=reviewer,
                        corrected_transcript=corrected_transcript,
                        label=label,
                        channel=channel,
                    )
            except ItemBusy:
                time.sleep(BUSY_PAUSE)
                continue
            if isinstance(purged, Purged):
                raise unavailable(item_id)
            return
        raise ReviewError(
            f"item {item_id}: its user's consent is being changed right now; try again"
        )

    def annotation(self, item_id: int) -> Annotation | None:
        """A done item's annotation, its corrected transcript opened (None when there is
        none, or its recording was deleted)."""
        with reading(self.engine) as conn:
            row = stored.annotation(conn, item_id)
        if row is None or row.key_id is None:
            return None
        key = self.keys.fetch([row.key_id]).get(row.key_id)
        if key is None:
            return None
        text = crypto.open_text(key, row.corrected_transcript, "annotation", row.recording_id)
        return to(Annotation, row, corrected_transcript=text)

    def stats(self) -> dict[str, int]:
        """How many items are in each state: ``{"pending": n, "claimed": n, "done": n}``."""
        with reading(self.engine) as conn:
            return {**dict.fromkeys(STATES, 0), **stored.count_by_state(conn)}

    def list_items(self, state: str | None = None, limit: int | None = None) -> list[ReviewItem]:
        """Queue items, oldest first, optionally of one state. Never any content."""
        if state is not None and state not in STATES:
            raise InvalidReviewRequest(f"unknown state {state!r}; known: {', '.join(STATES)}")
        with reading(self.engine) as conn:
            return [to(ReviewItem, row) for row in stored.list_items(conn, state, limit)]

    def purge_on_withdrawal(
        self, conn: Connection, user_id: str, purpose: str, person: str | None = None
    ) -> int:
        """The consent service's withdrawal hook: purge the pending and claimed items the
        withdrawal covers (the person's, or the whole account's when ``person`` is None).

        Runs inside the withdrawal's transaction, after it took the consent row it changes
        exclusively, so no hand-out or sampling batch can slip in between.
        """
        if purpose != REVIEW_PURPOSE:
            return 0
        channel, request_id = latest_consent_origin(conn, user_id, purpose)
        return purge_open_items(
            conn,
            self.audit,
            user_id,
            reason="consent_withdrawn",
            channel=channel,
            request_id=request_id,
            person=person,
        )


def _check_name(what: str, value: str, longest: int) -> None:
    if not value.strip():
        raise InvalidReviewRequest(f"{what} must not be empty")
    if len(value) > longest:
        raise InvalidReviewRequest(f"{what} must be at most {longest} characters")
