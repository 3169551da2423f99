"""The ``recordings`` table and its per-user totals in ``recording_counts``.

Every function here that adds or removes recordings keeps ``recording_counts`` in
step in the same transaction, so "how many do you keep" is one key lookup however
long a user's history is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Select,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from skill.store.db import bulk_insert
from skill.store.errors import DuplicateKey
from skill.store.rows import AnyRow
from skill.store.schema import recording_counts, recordings, review_items
from skill.store.upsert import upsert_add

INSERT_BATCH = 1000
"""Rows per INSERT statement when ingesting; progress is reported after each."""


@dataclass(frozen=True)
class Selection:
    """Which of one user's recordings a query acts on: all of them, those recorded in
    UTC ``[start, end)``, or the one with ``recording_id``."""

    user_id: str
    start: datetime | None = None
    end: datetime | None = None
    recording_id: str | None = None

    def where(self) -> tuple[ColumnElement[bool], ...]:
        clauses = [recordings.c.user_id == self.user_id]
        if self.start is not None:
            clauses.append(recordings.c.recorded_at >= self.start)
        if self.end is not None:
            clauses.append(recordings.c.recorded_at < self.end)
        if self.recording_id is not None:
            clauses.append(recordings.c.id == self.recording_id)
        return tuple(clauses)


# -- writing ---------------------------------------------------------------------


def insert_rows(
    conn: Connection,
    rows: Sequence[dict[str, Any]],
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Insert ``rows`` (column name -> value) and add them to their users' counts.

    Counts first, in user order (a fixed lock order), then the rows in batches of
    ``INSERT_BATCH``; ``progress(inserted, len(rows))`` after each batch. An id that
    is already stored raises ``DuplicateKey``; the caller's transaction must roll back.
    """
    try:
        add_counts(conn, _per_user(rows))
        for start in range(0, len(rows), INSERT_BATCH):
            bulk_insert(conn, recordings, list(rows[start : start + INSERT_BATCH]))
            if progress is not None:
                progress(min(start + INSERT_BATCH, len(rows)), len(rows))
    except IntegrityError as exc:
        raise DuplicateKey("recordings") from exc


def lock_for_deletion(conn: Connection, which: Selection) -> int:
    """Lock the selected recordings and their review queue items; returns how many
    queue items there are (they go with the recordings, by ON DELETE CASCADE).

    Recordings first, in id order: a review sampler that holds some of them commits
    first (its new queue items are then counted here), and concurrent deletions never
    wait on each other in a cycle. Then the queue items, in id order too, as a consent
    withdrawal's purge locks them.
    """
    conn.execute(
        select(func.count()).select_from(
            select(recordings.c.id)
            .where(*which.where())
            .order_by(recordings.c.id)
            .with_for_update()
            .subquery()
        )
    )
    queued = conn.execute(
        select(review_items.c.id)
        .where(review_items.c.recording_id.in_(select(recordings.c.id).where(*which.where())))
        .order_by(review_items.c.id)
        .with_for_update()
    ).all()
    return len(queued)


def audio_names(conn: Connection, which: Selection) -> list[str]:
    """The audio store names of the selected recordings that have audio."""
    query = select(recordings.c.audio_file).where(
        *which.where(), recordings.c.audio_file.is_not(None)
    )
    return [name for (name,) in conn.execute(query)]


def delete_selected(conn: Connection, which: Selection, with_audio: int) -> int:
    """Delete the selected recordings and take them off the user's counts; returns how
    many went. ``with_audio``: how many of them have audio (see :func:`audio_names`)."""
    count = conn.execute(delete(recordings).where(*which.where())).rowcount
    subtract_counts(conn, which.user_id, count, with_audio)
    return count


# -- reading ---------------------------------------------------------------------


def count(conn: Connection, which: Selection) -> int:
    """How many recordings are selected (an index range scan)."""
    return int(conn.execute(select(func.count()).where(*which.where())).scalar_one())


def total(conn: Connection, user_id: str) -> int:
    """How many recordings the user has, from ``recording_counts`` (one key lookup)."""
    query = select(recording_counts.c.total).where(recording_counts.c.user_id == user_id)
    return int(conn.execute(query).scalar() or 0)


def newest_first(conn: Connection, user_id: str, limit: int | None) -> Sequence[AnyRow]:
    """The user's recordings (all columns), newest first, at most ``limit`` of them."""
    return conn.execute(
        select(recordings)
        .where(recordings.c.user_id == user_id)
        .order_by(recordings.c.recorded_at.desc(), recordings.c.id.desc())
        .limit(limit)
    ).all()


def _summary_statement() -> Select[Any]:
    counts = recording_counts.c
    user: BindParameter[str] = bindparam("user")
    mine = recordings.c.user_id == user
    return select(
        select(counts.total).where(counts.user_id == user).scalar_subquery().label("total"),
        select(counts.with_audio)
        .where(counts.user_id == user)
        .scalar_subquery()
        .label("with_audio"),
        select(func.min(recordings.c.recorded_at)).where(mine).scalar_subquery().label("first"),
        select(func.max(recordings.c.recorded_at)).where(mine).scalar_subquery().label("last"),
    )


_SUMMARY = _summary_statement()
"""Built once: the summary answers every "what data do you keep"."""


def summary(conn: Connection, user_id: str) -> AnyRow:
    """``total``, ``with_audio`` (None when the user has no counts row), ``first`` and
    ``last`` (recorded_at, aware UTC, None without recordings), in one statement of key
    lookups and index seeks: its cost does not grow with the user's history."""
    return conn.execute(_SUMMARY, {"user": user_id}).one()


# -- recording_counts ------------------------------------------------------------


def add_counts(conn: Connection, per_user: Mapping[str, tuple[int, int]]) -> None:
    """Add (recordings, with audio) per user, creating rows as needed."""
    rows = [
        {"user_id": user, "total": n, "with_audio": audio}
        for user, (n, audio) in sorted(per_user.items())  # sorted: a fixed lock order
    ]
    upsert_add(conn, recording_counts, ["user_id"], rows, ["total", "with_audio"])


def subtract_counts(conn: Connection, user_id: str, total: int, with_audio: int) -> None:
    """Take deleted recordings off the user's counts."""
    if total == 0:
        return
    conn.execute(
        update(recording_counts)
        .where(recording_counts.c.user_id == user_id)
        .values(
            total=recording_counts.c.total - total,
            with_audio=recording_counts.c.with_audio - with_audio,
        )
    )


def recount(conn: Connection, user_ids: Iterable[str]) -> None:
    """Rebuild the users' counts from their recordings (after rows were written by other
    means than :func:`insert_rows`, e.g. a bulk load straight into the table)."""
    for user_id in sorted(set(user_ids)):
        conn.execute(delete(recording_counts).where(recording_counts.c.user_id == user_id))
        conn.execute(
            insert(recording_counts).from_select(
                ["user_id", "total", "with_audio"],
                select(recordings.c.user_id, func.count(), func.count(recordings.c.audio_file))
                .where(recordings.c.user_id == user_id)
                .group_by(recordings.c.user_id),
            )
        )


def _per_user(rows: Sequence[Mapping[str, Any]]) -> dict[str, tuple[int, int]]:
    totals: Counter[str] = Counter()
    audio: Counter[str] = Counter()
    for row in rows:
        totals[row["user_id"]] += 1
        if row["audio_file"] is not None:
            audio[row["user_id"]] += 1
    return {user: (n, audio[user]) for user, n in totals.items()}
