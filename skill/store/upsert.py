"""Insert-or-ignore and insert-or-add, the one place that picks the backend's INSERT.

Core's plain ``insert`` has no ON CONFLICT clause; SQLite and PostgreSQL each have
their own ``insert`` construct with the same ``on_conflict_*`` methods. Choosing by
``conn.dialect.name`` here keeps the dialect branch out of every repository.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite


def _insert(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    # Imported here, from the dialect already in use: importing both at the top would load
    # the PostgreSQL dialect into every SQLite process (a Lambda cold start, the CLI).
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


_IGNORING: dict[tuple[str, Table], postgresql.Insert | sqlite.Insert] = {}
"""INSERT ... ON CONFLICT DO NOTHING by backend and table, built once: building the statement
(and its cache key) each time cost three times what running it does, and an ingest runs one
for every speaker it has not met before."""


def _ignoring(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    key = (conn.dialect.name, table)
    statement = _IGNORING.get(key)
    if statement is None:
        statement = _IGNORING[key] = _insert(conn, table).on_conflict_do_nothing()
    return statement


def insert_or_ignore(conn: Connection, table: Table, values: Mapping[str, Any]) -> None:
    """Insert one row unless a row with the same key exists; the existing row stays as is.
    ``values`` (column name -> plain value) are bound as the statement's parameters."""
    conn.execute(_ignoring(conn, table), values)


def upsert_add(
    conn: Connection,
    table: Table,
    key: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    add_columns: Sequence[str],
) -> None:
    """Insert ``rows``; where one's ``key`` columns match an existing row, add its
    ``add_columns`` to that row's instead. Rows are written in the order given, so a
    caller that sorts them takes the row locks in a fixed order."""
    if not rows:
        return
    statement = _insert(conn, table)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c[name] for name in key],
            set_={name: table.c[name] + statement.excluded[name] for name in add_columns},
        ),
        rows,
    )


def insert_many_or_ignore(
    conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert ``rows``, skipping any whose key already exists."""
    if rows:
        conn.execute(_ignoring(conn, table), list(rows))
