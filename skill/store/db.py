"""Opening the database: engine settings per backend, and schema migrations.

SQLite is tuned for a privacy product: WAL for concurrent readers,
``secure_delete`` so deleted rows are overwritten with zeros rather than left
in free pages, and a WAL checkpoint with TRUNCATE after deletions
(:func:`purge_freed_pages`) so no old page image survives in the ``-wal`` file.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from skill.errors import ProductError

log = logging.getLogger(__name__)

HEAD_REVISION = "0008"
"""The newest migration; kept here so start-up can skip importing Alembic when current."""

_MIGRATIONS = Path(__file__).parent / "migrations"

LOCK_WAIT_SECONDS = 3
"""Longest a statement waits for SQLite's write lock, a pooled connection or a PostgreSQL
connection: a voice request must answer (with an apology if need be) well within Alexa's ~8 s,
so a busy or unreachable database is an error after this, not a hang."""


class DatabaseError(ProductError):
    """The database cannot be opened or migrated; the message says what to do."""

    kind = "database"


SUPPORTED_BACKENDS = ("sqlite", "postgresql")

POOLER_SAFE_CONNECT_ARGS: dict[str, Any] = {"prepare_threshold": None}
"""psycopg connection settings for every PostgreSQL engine (data and key store), so the
product works behind a transaction-pooling proxy (pgbouncer, RDS Proxy) as well as directly.
psycopg 3 otherwise prepares a statement on the server after its fifth run on a connection;
a prepared statement is session state, and a pooler in transaction mode hands the next
transaction another server connection, where it is missing ("prepared statement "_pg3_0"
does not exist") or already taken ("... already exists"). pgbouncer 1.18 (Debian 12) cannot
track protocol-level prepared statements at all. Unprepared, each statement is parsed and
planned again: about 0.3 ms more per "what data do you keep" on a direct connection here,
nothing a voice request notices, and no setting that breaks the product behind a pooler."""


def normalise_url(url: str) -> str:
    """Accept libpq-style ``postgresql://`` URLs and pick the installed driver."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def display_url(url: str) -> str:
    """``url`` fit to print: any password replaced by ``***``."""
    try:
        return make_url(normalise_url(url)).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


def open_engine(url: str) -> Engine:
    """An engine for ``url``, with the pragmas and pool this product needs per backend.

    Nothing is created: a SQLite file's folder must exist (a typo in a path is an error, not a
    new empty database somewhere), and only SQLite and PostgreSQL URLs are accepted.
    """
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(
            "PRIVACY_SKILL_DATABASE_URL is not a database URL; use sqlite:///PATH or "
            "postgresql://USER@HOST:PORT/DB"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise DatabaseError(
            f"PRIVACY_SKILL_DATABASE_URL: {backend!r} databases are not supported; "
            "use sqlite:///PATH or postgresql://USER@HOST:PORT/DB"
        )
    if backend != "sqlite":
        # A small pool per process: gunicorn workers and Lambda containers each have one.
        engine = create_engine(
            url,
            hide_parameters=True,
            pool_size=5,
            max_overflow=10,
            pool_timeout=LOCK_WAIT_SECONDS,
            # An unreachable server is a quick error, not a TCP timeout of minutes.
            connect_args={"connect_timeout": LOCK_WAIT_SECONDS, **POOLER_SAFE_CONNECT_ARGS},
            pool_recycle=1800,
            pool_pre_ping=True,
        )
        event.listen(engine, "begin", _postgresql_on_begin)
        from skill.store.schema import add_postgresql_options

        add_postgresql_options()
        return engine
    if parsed.database and parsed.database != ":memory:":
        folder = Path(parsed.database).parent
        if not folder.is_dir():
            raise DatabaseError(
                f"PRIVACY_SKILL_DATABASE_URL: the folder {folder} does not exist; "
                "create it, or leave the variable unset to use the default data directory"
            )
    engine = create_engine(
        url, hide_parameters=True, connect_args={"timeout": LOCK_WAIT_SECONDS}
    )
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def open_database(url: str) -> Engine:
    """``open_engine(url)``, checked to answer: an unreachable server is one ``DatabaseError``
    line (no traceback, no password), not a failure on the first real query."""
    engine = open_engine(url)
    try:
        with reading(engine) as conn:  # a read: opening never takes SQLite's write lock
            ping(conn)
    except DBAPIError as error:
        engine.dispose()
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        raise DatabaseError(f"cannot open the database {display_url(url)}: {reason}") from None
    return engine


def _postgresql_on_begin(connection: Any) -> None:
    # Per transaction, not per session: a transaction-pooling proxy (pgbouncer) hands each
    # transaction any server connection, so no setting may outlive its transaction.
    connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT_SECONDS}s'")


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin,
    # so reads and writes in one `engine.begin()` block are one transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={LOCK_WAIT_SECONDS * 1000}")
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    # Writers take the write lock up front so a read-then-write transaction
    # cannot deadlock against another writer; readers (see `reading`) do not.
    if connection.get_execution_options().get(READ_ONLY):
        # A deferred BEGIN takes no lock and never waits, so it goes to the driver directly:
        # through exec_driver_sql it cost a statement's whole bookkeeping on every read
        # ("what data do you keep" is one read per request).
        connection.connection.dbapi_connection.execute("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


READ_ONLY = "privacy_skill_read_only"


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction: a consistent snapshot that never blocks writers."""
    with engine.connect() as conn:
        conn = conn.execution_options(**{READ_ONLY: True})
        with conn.begin():
            yield conn


def ping(conn: Connection) -> None:
    """Run a trivial query: raises when the database cannot be reached."""
    conn.execute(text("SELECT 1"))


def purge_freed_pages(engine: Engine) -> None:
    """After a deletion: fold the WAL into the database file and truncate it.

    ``secure_delete`` has zeroed the freed cells in the new page images; the
    old images, with the deleted text, still sit in the WAL until this runs.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        busy, _frames, _done = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        log.warning("WAL checkpoint was blocked by a reader; it completes on the next deletion")


def compact(engine: Engine) -> bool:
    """Rewrite a SQLite database without its free pages (``VACUUM``) and truncate its WAL,
    so no old page with text that was replaced survives in either file (after sealing rows
    from before encryption). False on PostgreSQL: there the README says what to run, and
    the sealed tables' planner statistics are taken again first (``ANALYZE``), since those
    the server took before hold sample values of the plaintext."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE recordings, review_annotations")
    if engine.dialect.name != "sqlite":
        return False
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute("VACUUM")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return True


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    with reading(engine) as conn:
        if not engine.dialect.has_table(conn, "alembic_version"):
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return None if row is None else str(row[0])


def upgrade(engine: Engine) -> bool:
    """Bring the schema to the newest migration; returns True if anything ran."""
    if current_revision(engine) == HEAD_REVISION:
        return False
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several processes may start at once (workers, Lambda containers): one migrates,
            # the others wait here (however long it takes) and then find nothing left to do.
            # A transaction-level lock, never pg_advisory_lock: it ends with the transaction
            # that holds it, so it cannot outlive a crash or stick to a pooled server
            # connection that a transaction pooler (pgbouncer) has handed to someone else.
            conn.exec_driver_sql("SET LOCAL lock_timeout = 0")
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return True


_MIGRATION_LOCK = 0x5652_5056  # "VPRV": this project's advisory lock id for migrations


def bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows (all with the same columns) at once: :func:`insert_columns` of
    rows given as column name -> value."""
    if rows:
        insert_columns(conn, table, {name: [row[name] for row in rows] for name in rows[0]})


def insert_columns(conn: Connection, table: Table, columns: Mapping[str, Sequence[Any]]) -> None:
    """Insert many rows at once, given by column (column name -> the rows' values, all of
    one length; no dict a row), as fast as the backend allows, inside ``conn``'s transaction;
    a row whose key exists raises ``IntegrityError``, as an INSERT would.

    Each column's bind processor is applied directly, column by column, once per run of
    the same value (a batch's ``ingested_at`` is one value): this skips per-row statement
    bookkeeping. SQLite: one driver-level ``executemany``. PostgreSQL: ``COPY ... FROM
    STDIN`` through psycopg, several times faster than multi-row INSERTs (and plain SQL
    to a transaction-pooling proxy).
    """
    names = list(columns)
    if not names or not columns[names[0]]:
        return
    if conn.dialect.name not in ("sqlite", "postgresql"):
        rows = [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]
        conn.execute(table.insert(), rows)
        return
    values = list(zip(*(_bound(conn, table.c[name], columns[name]) for name in names),
                      strict=True))  # fmt: skip
    listed = ", ".join(names)
    if conn.dialect.name == "sqlite":
        placeholders = ", ".join("?" for _ in names)
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({listed}) VALUES ({placeholders})", values)
        return
    sql = f"COPY {table.name} ({listed}) FROM STDIN"
    dbapi: Any = conn.connection.dbapi_connection  # psycopg's: its cursors copy
    try:
        with dbapi.cursor() as cursor, cursor.copy(sql) as copy:
            for value in values:
                copy.write_row(value)
    except conn.dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(sql, None, error, conn.dialect.loaded_dbapi.Error) from None


def _bound(conn: Connection, column: Any, values: Sequence[Any]) -> Sequence[Any]:
    """``values`` of ``column`` as the driver takes them (its type's bind processor)."""
    process = column.type.bind_processor(conn.dialect)
    if process is None:
        return values
    out: list[Any] = []
    last: Any = out  # matches no value
    done: Any = None
    for value in values:
        if value is not last:
            last, done = value, process(value)
        out.append(done)
    return out
