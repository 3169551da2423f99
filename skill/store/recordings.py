"""The ``recordings`` table and its totals per user and speaker in ``recording_counts``.

Every function here that adds or removes recordings keeps ``recording_counts`` in
step in the same transaction, so "how many do you keep" is a few key lookups however
long a user's history is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from skill.store.db import insert_columns
from skill.store.errors import DuplicateKey
from skill.store.rows import AnyRow
from skill.store.schema import NO_PERSON, recording_counts, recordings, review_items
from skill.store.upsert import upsert_add

INSERT_BATCH = 1000
"""Rows per INSERT statement when ingesting; progress is reported after each."""
_CHUNK = 500
"""Ids per ``IN (...)`` list: within SQLite's parameter limit."""


@dataclass(frozen=True)
class Selection:
    """Which of one user's recordings a query acts on: all of them, those recorded in
    UTC ``[start, end)``, or the one with ``recording_id``; of one recognised person
    (``person``) or of none (``unattributed``); ingested before ``ingested_before``."""

    user_id: str
    start: datetime | None = None
    end: datetime | None = None
    recording_id: str | None = None
    person: str | None = None
    unattributed: bool = False
    ingested_before: datetime | None = None

    def where(self) -> tuple[ColumnElement[bool], ...]:
        clauses = [recordings.c.user_id == self.user_id]
        if self.person is not None:
            clauses.append(recordings.c.person_id == self.person)
        elif self.unattributed:
            clauses.append(recordings.c.person_id.is_(None))
        if self.start is not None:
            clauses.append(recordings.c.recorded_at >= self.start)
        if self.end is not None:
            clauses.append(recordings.c.recorded_at < self.end)
        if self.recording_id is not None:
            clauses.append(recordings.c.id == self.recording_id)
        if self.ingested_before is not None:
            clauses.append(recordings.c.ingested_at <= self.ingested_before)
        return tuple(clauses)


def person_key(person_id: str | None) -> str:
    """The ``recording_counts`` key of a recording's speaker."""
    return NO_PERSON if person_id is None else person_id


# -- writing ---------------------------------------------------------------------


def insert_batch(conn: Connection, columns: Mapping[str, Sequence[Any]]) -> None:
    """Insert one batch of rows, given by column (column name -> the rows' values, in row
    order), counts not included (see :func:`add_counts`). An id already stored raises
    ``DuplicateKey``; the caller's transaction must roll back."""
    try:
        insert_columns(conn, recordings, columns)
    except IntegrityError as exc:
        raise DuplicateKey("recordings") from exc


def stored_ids(conn: Connection, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` are stored (committed, or written by this transaction)."""
    found: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        found.update(
            conn.execute(select(recordings.c.id).where(recordings.c.id.in_(chunk))).scalars()
        )
    return found


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


def deletion_chunk(conn: Connection, which: Selection, after: str, limit: int) -> Sequence[AnyRow]:
    """The next ``limit`` selected recordings (``id``, ``key_id``, ``audio_file``,
    ``person_id``) with an id above ``after``, in id order, locked."""
    return conn.execute(
        select(
            recordings.c.id, recordings.c.key_id, recordings.c.audio_file, recordings.c.person_id
        )
        .where(*which.where(), recordings.c.id > after)
        .order_by(recordings.c.id)
        .limit(limit)
        .with_for_update()
    ).all()


def delete_ids(conn: Connection, ids: Sequence[str]) -> int:
    """Delete recordings by id (their queue items and annotations go by ON DELETE CASCADE);
    returns how many went. Counts are the caller's (:func:`subtract_counts`, :func:`recount`)."""
    deleted = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        deleted += conn.execute(delete(recordings).where(recordings.c.id.in_(chunk))).rowcount
    return deleted


# -- reading ---------------------------------------------------------------------


def count(conn: Connection, which: Selection) -> int:
    """How many recordings are selected (an index range scan)."""
    return int(conn.execute(select(func.count()).where(*which.where())).scalar_one())


def total(conn: Connection, user_id: str, person: str | None = None) -> int:
    """How many recordings the user has (or ``person`` has), from ``recording_counts``."""
    counts = recording_counts.c
    if person is None:
        query = select(func.sum(counts.total)).where(counts.user_id == user_id)
    else:
        query = select(counts.total).where(counts.user_id == user_id, counts.person_key == person)
    return int(conn.execute(query).scalar() or 0)


class Filter(Protocol):
    """What picks recordings: a ``Selection``, or a listing's filter."""

    def where(self) -> Sequence[ColumnElement[bool]]: ...


def newest_page(
    conn: Connection, which: Filter, before: tuple[datetime, str] | None, limit: int
) -> Sequence[AnyRow]:
    """Up to ``limit`` of the selected recordings (all columns), newest first, older than
    ``before`` (recorded_at, id) when given: one page of a listing."""
    query = select(recordings).where(*which.where())
    if before is not None:
        at, rid = before
        query = query.where(
            (recordings.c.recorded_at < at)
            | ((recordings.c.recorded_at == at) & (recordings.c.id < rid))
        )
    return conn.execute(
        query.order_by(recordings.c.recorded_at.desc(), recordings.c.id.desc()).limit(limit)
    ).all()


def one(conn: Connection, user_id: str, recording_id: str) -> AnyRow | None:
    """One of the user's recordings (all columns), if it is theirs."""
    return conn.execute(
        select(recordings).where(recordings.c.user_id == user_id, recordings.c.id == recording_id)
    ).first()


def any_sealed(conn: Connection) -> bool:
    """Whether any recording names a data key."""
    query = select(recordings.c.key_id).where(recordings.c.key_id.is_not(None)).limit(1)
    return conn.execute(query).first() is not None


def summary_columns(of_person: bool) -> list[Any]:
    """``total``, ``with_audio``, ``first`` and ``last`` of the user's recordings (bound
    ``user``), or of one person's (bound ``person`` too), as labelled scalar subqueries: the
    summary's columns, which "what data do you keep" reads with more beside them."""
    counts = recording_counts.c
    user: BindParameter[str] = bindparam("user")
    person: BindParameter[str] = bindparam("person")
    rows: tuple[ColumnElement[bool], ...]
    mine: tuple[ColumnElement[bool], ...]
    total: ColumnElement[Any]
    with_audio: ColumnElement[Any]
    if of_person:
        rows = (counts.user_id == user, counts.person_key == person)
        mine = (recordings.c.user_id == user, recordings.c.person_id == person)
        total, with_audio = counts.total, counts.with_audio
    else:
        rows = (counts.user_id == user,)
        mine = (recordings.c.user_id == user,)
        total, with_audio = func.sum(counts.total), func.sum(counts.with_audio)
    return [
        select(total).where(*rows).scalar_subquery().label("total"),
        select(with_audio).where(*rows).scalar_subquery().label("with_audio"),
        select(func.min(recordings.c.recorded_at)).where(*mine).scalar_subquery().label("first"),
        select(func.max(recordings.c.recorded_at)).where(*mine).scalar_subquery().label("last"),
    ]


_SUMMARY = {of_person: select(*summary_columns(of_person)) for of_person in (False, True)}
"""Built once: the summaries answer every "what data do you keep" (the account's, or one
recognised person's)."""


def summary(conn: Connection, user_id: str, person: str | None = None) -> AnyRow:
    """``total``, ``with_audio`` (None when there is no counts row), ``first`` and ``last``
    (recorded_at, aware UTC, None without recordings) of the user's recordings, or of
    ``person``'s, in one statement of key lookups and index seeks: its cost does not grow
    with the user's history."""
    params = {"user": user_id, "person": person}
    return conn.execute(_SUMMARY[person is not None], params).one()


# -- recording_counts ------------------------------------------------------------


Counts = Mapping[tuple[str, str], tuple[int, int]]
"""(user id, person key) -> (recordings, of them with audio)."""


def add_counts(conn: Connection, per_speaker: Counts) -> None:
    """Add (recordings, with audio) per user and speaker, creating rows as needed."""
    rows = [
        {"user_id": user, "person_key": person, "total": n, "with_audio": audio}
        for (user, person), (n, audio) in sorted(per_speaker.items())  # a fixed lock order
    ]
    upsert_add(conn, recording_counts, ["user_id", "person_key"], rows, ["total", "with_audio"])


def subtract_counts(conn: Connection, per_speaker: Counts) -> None:
    """Take deleted recordings off their users' and speakers' counts."""
    for (user, person), (total, with_audio) in sorted(per_speaker.items()):
        if total == 0:
            continue
        conn.execute(
            update(recording_counts)
            .where(recording_counts.c.user_id == user, recording_counts.c.person_key == person)
            .values(
                total=recording_counts.c.total - total,
                with_audio=recording_counts.c.with_audio - with_audio,
            )
        )


def speakers(conn: Connection, user_id: str) -> list[str | None]:
    """The persons the user has recordings of (None: of no recognised person), from
    ``recording_counts``: key lookups, however many recordings there are."""
    counts = recording_counts.c
    keys = conn.execute(
        select(counts.person_key)
        .where(counts.user_id == user_id, counts.total > 0)
        .order_by(counts.person_key)
    ).scalars()
    return [None if key == NO_PERSON else key for key in keys]


def forget_counts(conn: Connection, user_id: str) -> None:
    """Remove the user's counts rows (their recordings are all gone)."""
    conn.execute(delete(recording_counts).where(recording_counts.c.user_id == user_id))


def recount(conn: Connection, user_ids: Iterable[str]) -> None:
    """Rebuild the users' counts from their recordings (after rows were written by other
    means than :func:`insert_rows`, e.g. a bulk load straight into the table)."""
    key = func.coalesce(recordings.c.person_id, NO_PERSON)
    for user_id in sorted(set(user_ids)):
        conn.execute(delete(recording_counts).where(recording_counts.c.user_id == user_id))
        conn.execute(
            insert(recording_counts).from_select(
                ["user_id", "person_key", "total", "with_audio"],
                select(
                    recordings.c.user_id, key, func.count(), func.count(recordings.c.audio_file)
                )
                .where(recordings.c.user_id == user_id)
                .group_by(recordings.c.user_id, key),
            )
        )


# -- storage check and sealing -----------------------------------------------------


def scan(conn: Connection, after: str, limit: int) -> Sequence[AnyRow]:
    """The next ``limit`` recordings (``id``, ``user_id``, ``key_id``, ``audio_file``) by id."""
    return conn.execute(
        select(recordings.c.id, recordings.c.user_id, recordings.c.key_id, recordings.c.audio_file)
        .where(recordings.c.id > after)
        .order_by(recordings.c.id)
        .limit(limit)
    ).all()


def with_keys(conn: Connection, key_ids: Sequence[str]) -> Sequence[AnyRow]:
    """The recordings (``key_id``, ``audio_file``) that name any of ``key_ids``."""
    found: list[AnyRow] = []
    for start in range(0, len(key_ids), _CHUNK):
        chunk = key_ids[start : start + _CHUNK]
        query = select(recordings.c.key_id, recordings.c.audio_file)
        found.extend(conn.execute(query.where(recordings.c.key_id.in_(chunk))).all())
    return found


def with_audio_files(conn: Connection, names: Sequence[str]) -> set[str]:
    """Which of the audio file ``names`` a recording names (a scan: for unsealed rows only)."""
    found: set[str] = set()
    for start in range(0, len(names), _CHUNK):
        chunk = names[start : start + _CHUNK]
        query = select(recordings.c.audio_file).where(recordings.c.audio_file.in_(chunk))
        found.update(conn.execute(query).scalars())
    return found


def users_of(conn: Connection, ids: Sequence[str]) -> set[str]:
    """The users the recordings ``ids`` belong to."""
    found: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        query = select(recordings.c.user_id).where(recordings.c.id.in_(chunk)).distinct()
        found.update(conn.execute(query).scalars())
    return found


def drop_audio(conn: Connection, ids: Sequence[str]) -> None:
    """Forget the audio of recordings whose file is gone."""
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        conn.execute(update(recordings).where(recordings.c.id.in_(chunk)).values(audio_file=None))


def any_unsealed(conn: Connection) -> bool:
    """Whether any recording is still in plaintext (from before encryption)."""
    query = select(recordings.c.id).where(recordings.c.key_id.is_(None)).limit(1)
    return conn.execute(query).first() is not None


def lock_unsealed(conn: Connection, limit: int) -> Sequence[AnyRow]:
    """Up to ``limit`` recordings from before encryption (``id``, ``user_id``, ``transcript``,
    ``audio_file``), locked."""
    return conn.execute(
        select(
            recordings.c.id, recordings.c.user_id, recordings.c.transcript, recordings.c.audio_file
        )
        .where(recordings.c.key_id.is_(None))
        .order_by(recordings.c.id)
        .limit(limit)
        .with_for_update()
    ).all()


def seal_row(
    conn: Connection, recording_id: str, *, transcript: str, key_id: str, audio_file: str | None
) -> None:
    """Replace a row's plaintext with its sealed transcript, key id and sealed audio file."""
    conn.execute(
        update(recordings)
        .where(recordings.c.id == recording_id)
        .values(transcript=transcript, key_id=key_id, audio_file=audio_file)
    )
