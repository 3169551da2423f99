"""Keeping ``recording_counts`` in step with ``recordings``, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import Connection, delete, func, insert, select, update

from skill.store.schema import recording_counts, recordings


def add(conn: Connection, per_user: Mapping[str, tuple[int, int]]) -> None:
    """Add (recordings, with audio) per user, creating rows as needed."""
    if not per_user:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    rows = [
        {"user_id": user, "total": total, "with_audio": audio}
        for user, (total, audio) in sorted(per_user.items())  # sorted: a fixed lock order
    ]
    statement = upsert(recording_counts)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[recording_counts.c.user_id],
            set_={
                "total": recording_counts.c.total + statement.excluded.total,
                "with_audio": recording_counts.c.with_audio + statement.excluded.with_audio,
            },
        ),
        rows,
    )


def subtract(conn: Connection, user_id: str, total: int, with_audio: int) -> None:
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
    means than the service, e.g. a bulk load straight into the table)."""
    for user_id in sorted(set(user_ids)):
        conn.execute(delete(recording_counts).where(recording_counts.c.user_id == user_id))
        conn.execute(
            insert(recording_counts).from_select(
                ["user_id", "total", "with_audio"],
                select(
                    recordings.c.user_id, func.count(), func.count(recordings.c.audio_file)
                )
                .where(recordings.c.user_id == user_id)
                .group_by(recordings.c.user_id),
            )
        )
