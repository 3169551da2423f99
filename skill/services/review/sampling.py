"""Sampling: one random decision per recording, a queue item only with consent.

Each batch is one transaction: lock a batch of not-yet-considered recordings
(oldest first, through the partial index ``ix_recordings_unconsidered``; on
PostgreSQL ``SKIP LOCKED`` so a concurrent sampler or deletion is stepped
around, never waited for), draw a decision for each, take a shared lock on the
consent of every selected recording's user (in user order, so samplers never
wait on each other in a cycle), queue the selected recordings whose user's
consent is granted, and mark the whole batch considered.

A withdrawal takes the same consent row exclusively, so it either commits
before the batch reads the consent (the batch sees it withdrawn) or waits until
the batch commits and then purges what the batch queued.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine

from skill.services.audit import AuditLog
from skill.services.consent import ConsentService
from skill.services.review.models import (
    REVIEW_PURPOSE,
    InvalidReviewRequest,
    SampleProgress,
    SampleResult,
)
from skill.store import review as stored
from skill.store.db import reading

MAX_BATCH = 10_000
"""Upper bound on batch_size: keeps every ``IN (...)`` list within SQLite's parameter limit."""


@dataclass
class _Run:
    """One sampling run's settings and running totals."""

    rate: float
    """Share of recordings to select, 0 < rate <= 1."""
    rng: random.Random
    """The decisions' source, seeded for repeatable runs."""
    batch_size: int
    """Recordings per transaction."""
    cutoff: datetime
    """Only recordings ingested up to the run's start are considered, so a run ends."""
    channel: str
    """Audit channel."""
    considered: int = 0
    """Recordings decided so far."""
    queued: int = 0
    """Items queued so far."""
    skipped: int = 0
    """Selected but not queued for lack of consent, so far."""


def run_sampling(
    engine: Engine,
    consent: ConsentService,
    audit: AuditLog,
    *,
    rate: float,
    seed: int | None,
    batch_size: int,
    progress: SampleProgress | None,
    channel: str,
) -> SampleResult:
    """Give every unconsidered recording its sampling decision; see the module docstring."""
    if not 0 < rate <= 1:
        raise InvalidReviewRequest(f"the sampling rate must be above 0 and at most 1, not {rate}")
    if not 1 <= batch_size <= MAX_BATCH:
        raise InvalidReviewRequest(
            f"batch_size must be between 1 and {MAX_BATCH}, not {batch_size}"
        )
    run = _Run(rate, random.Random(seed), batch_size, datetime.now(UTC), channel)
    with reading(engine) as conn:
        total = stored.count_unconsidered(conn, run.cutoff)
    if progress:
        progress(0, total)
    while True:
        with engine.begin() as conn:
            decided = _sample_batch(conn, consent, audit, run)
        if not decided:
            break
        if progress:
            progress(run.considered, max(total, run.considered))
    return SampleResult(run.considered, run.queued, run.skipped)


def _sample_batch(conn: Connection, consent: ConsentService, audit: AuditLog, run: _Run) -> int:
    """Decide one batch inside ``conn``'s transaction; returns how many were decided."""
    batch = stored.lock_unconsidered(conn, run.cutoff, run.batch_size)
    if not batch:
        return 0
    selected = [row for row in batch if run.rng.random() < run.rate]
    granted = {
        (user, person): consent.hold(conn, user, REVIEW_PURPOSE, person=person or None)
        for user, person in sorted({(row.user_id, row.person_id or "") for row in selected})
    }
    now = datetime.now(UTC)
    items = [
        (row.id, row.user_id, row.person_id)
        for row in selected
        if granted[(row.user_id, row.person_id or "")]
    ]
    stored.enqueue(conn, items, now)
    stored.mark_considered(conn, [row.id for row in batch], now)
    skipped = len(selected) - len(items)
    audit.record(
        conn,
        "review_sampled",
        user_id=None,
        channel=run.channel,
        rate=run.rate,
        considered=len(batch),
        queued=len(items),
        skipped_no_consent=skipped,
    )
    run.considered += len(batch)
    run.queued += len(items)
    run.skipped += skipped
    return len(batch)
