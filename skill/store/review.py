"""The review tables, ``review_items`` and ``review_annotations``, and the recordings'
``review_considered_at`` mark that sampling sets.

The lock order these queries serve is the services' (``skill.services.review``);
each function says which rows it locks and how.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, delete, func, insert, select, update

from skill.store.rows import AnyRow
from skill.store.schema import recordings, review_annotations, review_items

_DELETE_CHUNK = 500
"""Ids per DELETE when purging: keeps the ``IN (...)`` list within SQLite's parameter limit."""


def bound_lock_waits(conn: Connection, timeout_ms: int) -> None:
    """On PostgreSQL, make every lock wait from here to the end of the transaction give
    up after ``timeout_ms`` (``SET LOCAL lock_timeout``). SQLite has no row locks."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(timeout_ms)}ms'")


# -- hand-out and annotation -------------------------------------------------------


def lock_next_pending(conn: Connection, skip: Collection[int]) -> AnyRow | None:
    """Lock the oldest pending item (``id``, ``user_id``, ``person_id``, ``recording_id``)
    whose id is not in ``skip``. SKIP LOCKED: items other reviewers are being handed are
    stepped over."""
    query = select(
        review_items.c.id,
        review_items.c.user_id,
        review_items.c.person_id,
        review_items.c.recording_id,
    ).where(review_items.c.state == "pending")
    if skip:
        query = query.where(review_items.c.id.not_in(skip))
    return conn.execute(
        query.order_by(review_items.c.id).limit(1).with_for_update(skip_locked=True)
    ).first()


def lock_item(conn: Connection, item_id: int) -> AnyRow | None:
    """Lock one item (all columns); waits while a withdrawal or deletion removes it,
    and then finds nothing."""
    return conn.execute(
        select(review_items).where(review_items.c.id == item_id).with_for_update()
    ).first()


def mark_claimed(conn: Connection, item_id: int, reviewer: str, at: datetime) -> None:
    """Hand the (locked) item to ``reviewer``."""
    conn.execute(
        update(review_items)
        .where(review_items.c.id == item_id)
        .values(state="claimed", reviewer=reviewer, claimed_at=at)
    )


def content_for_review(conn: Connection, recording_id: str) -> AnyRow:
    """What a reviewer gets of a recording: ``recorded_at``, ``transcript`` (sealed),
    ``audio_file``, and ``key_id``, the data key that opens them."""
    return conn.execute(
        select(
            recordings.c.recorded_at,
            recordings.c.transcript,
            recordings.c.audio_file,
            recordings.c.key_id,
        ).where(recordings.c.id == recording_id)
    ).one()


def recording_key(conn: Connection, recording_id: str) -> str | None:
    """The data key id of a recording (None: not sealed, or gone)."""
    query = select(recordings.c.key_id).where(recordings.c.id == recording_id)
    key_id: str | None = conn.execute(query).scalar()
    return key_id


def annotation(conn: Connection, item_id: int) -> AnyRow | None:
    """An item's annotation (all columns) and its item's ``recording_id``."""
    return conn.execute(
        select(review_annotations, review_items.c.recording_id)
        .join(review_items, review_items.c.id == review_annotations.c.item_id)
        .where(review_annotations.c.item_id == item_id)
    ).first()


def add_annotation(
    conn: Connection,
    *,
    item_id: int,
    reviewer: str,
    corrected_transcript: str,
    label: str,
    at: datetime,
    key_id: str,
) -> None:
    """Store the annotation of a claimed item (``corrected_transcript`` sealed under the data
    key ``key_id``) and mark the item done."""
    conn.execute(
        insert(review_annotations).values(
            item_id=item_id,
            reviewer=reviewer,
            corrected_transcript=corrected_transcript,
            label=label,
            submitted_at=at,
            key_id=key_id,
        )
    )
    conn.execute(
        update(review_items).where(review_items.c.id == item_id).values(state="done", done_at=at)
    )


# -- purging -----------------------------------------------------------------------


def lock_user_items(
    conn: Connection,
    user_id: str,
    states: Collection[str],
    *,
    skip_locked: bool,
    person: str | None = None,
) -> list[int]:
    """Lock the user's items in ``states`` (``person``'s only, when given), in id order;
    returns their ids.

    The fixed order means two purges of one user, or a purge and a recording deletion
    (which locks items the same way), never wait on each other in a cycle.
    ``skip_locked`` leaves items another transaction holds to that transaction.
    """
    mine = [review_items.c.user_id == user_id, review_items.c.state.in_(states)]
    if person is not None:
        mine.append(review_items.c.person_id == person)
    query = (
        select(review_items.c.id)
        .where(*mine)
        .order_by(review_items.c.id)
        .with_for_update(skip_locked=skip_locked)
    )
    return list(conn.execute(query).scalars())


def delete_items(conn: Connection, item_ids: Sequence[int]) -> None:
    """Delete items by id (their annotations go by ON DELETE CASCADE)."""
    for start in range(0, len(item_ids), _DELETE_CHUNK):
        chunk = item_ids[start : start + _DELETE_CHUNK]
        conn.execute(delete(review_items).where(review_items.c.id.in_(chunk)))


# -- sampling ----------------------------------------------------------------------


def _unconsidered(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    # Matches the partial index ix_recordings_unconsidered.
    return (
        recordings.c.review_considered_at.is_(None),
        recordings.c.ingested_at <= cutoff,
    )


def count_unconsidered(conn: Connection, cutoff: datetime) -> int:
    """Recordings ingested up to ``cutoff`` that have no sampling decision yet."""
    return int(conn.execute(select(func.count()).where(*_unconsidered(cutoff))).scalar_one())


def lock_unconsidered(conn: Connection, cutoff: datetime, limit: int) -> Sequence[AnyRow]:
    """Lock up to ``limit`` of those recordings (``id``, ``user_id``, ``person_id``), oldest
    ingested first. SKIP LOCKED: a concurrent sampler or deletion is stepped around, not
    waited for."""
    return conn.execute(
        select(recordings.c.id, recordings.c.user_id, recordings.c.person_id)
        .where(*_unconsidered(cutoff))
        .order_by(recordings.c.ingested_at, recordings.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def enqueue(
    conn: Connection, picks: Sequence[tuple[str, str, str | None]], at: datetime
) -> None:
    """Queue (recording id, user id, person id) as pending items."""
    rows = [
        {
            "recording_id": recording_id,
            "user_id": user_id,
            "person_id": person_id,
            "state": "pending",
            "queued_at": at,
        }
        for recording_id, user_id, person_id in picks
    ]
    if rows:
        conn.execute(insert(review_items), rows)


def mark_considered(conn: Connection, recording_ids: Sequence[str], at: datetime) -> None:
    """Record that these recordings had their (only) sampling decision."""
    conn.execute(
        update(recordings).where(recordings.c.id.in_(recording_ids)).values(review_considered_at=at)
    )


# -- operators' views --------------------------------------------------------------


def count_by_state(conn: Connection) -> dict[str, int]:
    """How many items are in each state that has any."""
    query = select(review_items.c.state, func.count()).group_by(review_items.c.state)
    return {state: int(n) for state, n in conn.execute(query)}


def list_items(conn: Connection, state: str | None, limit: int | None) -> Sequence[AnyRow]:
    """Items (all columns), oldest first, optionally only those in ``state``."""
    query = select(review_items).order_by(review_items.c.id).limit(limit)
    if state is not None:
        query = query.where(review_items.c.state == state)
    return conn.execute(query).all()


# -- sealing annotations from before encryption ---------------------------------------


def any_unsealed_annotations(conn: Connection) -> bool:
    """Whether any annotation is still in plaintext (from before encryption)."""
    query = select(review_annotations.c.item_id).where(review_annotations.c.key_id.is_(None))
    return conn.execute(query.limit(1)).first() is not None


def lock_unsealed_annotations(conn: Connection, limit: int) -> Sequence[AnyRow]:
    """Up to ``limit`` plaintext annotations whose recording is sealed: ``item_id``,
    ``corrected_transcript``, ``recording_id`` and the recording's ``key_id``; locked."""
    return conn.execute(
        select(
            review_annotations.c.item_id,
            review_annotations.c.corrected_transcript,
            review_items.c.recording_id,
            recordings.c.key_id,
        )
        .join(review_items, review_items.c.id == review_annotations.c.item_id)
        .join(recordings, recordings.c.id == review_items.c.recording_id)
        .where(review_annotations.c.key_id.is_(None), recordings.c.key_id.is_not(None))
        .order_by(review_annotations.c.item_id)
        .limit(limit)
        .with_for_update()
    ).all()


def seal_annotation(conn: Connection, item_id: int, *, sealed: str, key_id: str) -> None:
    """Replace an annotation's plaintext with its sealed text."""
    conn.execute(
        update(review_annotations)
        .where(review_annotations.c.item_id == item_id)
        .values(corrected_transcript=sealed, key_id=key_id)
    )
