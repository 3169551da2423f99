"""The generic row mapper and the dialect-aware upserts the repositories share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from skill.store.db import open_engine, upgrade
from skill.store.rows import to
from skill.store.schema import recording_counts
from skill.store.upsert import insert_or_ignore, upsert_add


@dataclass(frozen=True)
class Pair:
    name: str
    size: int


def test_to_takes_fields_from_columns_and_overrides_and_ignores_other_columns() -> None:
    assert to(Pair, {"name": "a", "size": 1, "extra": "x"}) == Pair("a", 1)
    assert to(Pair, {"name": "a", "size": 1}, size=5) == Pair("a", 5)
    assert to(Pair, {"name": "a"}, size=2) == Pair("a", 2)
    with pytest.raises(KeyError, match="size"):
        to(Pair, {"name": "a"})


def test_upserts_ignore_or_add_to_existing_rows(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'skill.db'}")
    upgrade(engine)
    with engine.begin() as conn:
        key = {"person_key": ""}
        insert_or_ignore(
            conn, recording_counts, {"user_id": "u", **key, "total": 1, "with_audio": 0}
        )
        insert_or_ignore(
            conn, recording_counts, {"user_id": "u", **key, "total": 9, "with_audio": 9}
        )
        upsert_add(
            conn,
            recording_counts,
            ["user_id", "person_key"],
            [
                {"user_id": "u", **key, "total": 2, "with_audio": 1},
                {"user_id": "v", **key, "total": 3, "with_audio": 0},
            ],
            ["total", "with_audio"],
        )
        upsert_add(conn, recording_counts, ["user_id", "person_key"], [], ["total"])
        rows = conn.execute(select(recording_counts).order_by(recording_counts.c.user_id)).all()
    assert [tuple(row) for row in rows] == [("u", "", 3, 1), ("v", "", 3, 0)]
    engine.dispose()
