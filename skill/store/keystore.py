"""The key store: one random data key per recording, wrapped by the master key, kept apart
from the data database (``PRIVACY_SKILL_KEYSTORE_URL``).

Destroying a key is what deleting content means: once its key is gone, a recording's
ciphertext is unreadable wherever a copy of it lies (WAL, free pages, dead tuples, orphan
files, backups of the data). The key store keeps a tombstone of every destroyed key id, so a
row restored from a backup is recognised as deleted, and keeps a lease per ingest in progress,
so keys written ahead of rows that never commit are found and swept.

On SQLite the store runs in rollback-journal mode (not WAL) with ``secure_delete`` and
``synchronous=FULL``: a destroyed key is overwritten with zeros in the file at commit, and the
journal that held the old page is deleted at commit too. Every write is one short
transaction, so a long ingest never holds the key store while a deletion waits.

Four small tables, created here rather than by Alembic (they live in another database):
``keystore_meta`` (the store's id, the data database it belongs to, its master key id),
``data_keys``, ``tombstones`` and ``leases``.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import sqlite3
import time
import uuid
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from skill.errors import ConfigError, ProductError
from skill.store.crypto import KEY_BYTES
from skill.store.db import (
    POOLER_SAFE_CONNECT_ARGS,
    READ_ONLY,
    display_url,
    insert_columns,
    normalise_url,
    reading,
)
from skill.store.masterkey import MasterKey, MasterKeys
from skill.store.schema import UTCDateTime
from skill.store.upsert import insert_many_or_ignore

log = logging.getLogger(__name__)

__all__ = [
    "Identity",
    "KeyState",
    "KeyStore",
    "KeyStoreError",
    "new_lease_id",
    "open_keystore_engine",
]

CHUNK = 500
"""Ids per ``IN (...)`` list: within SQLite's parameter limit."""
LEASE_TTL = timedelta(minutes=10)
"""A lease not renewed for this long belongs to a process that is gone."""
SCHEMA_VERSION = "1"
_CREATE_LOCK = 0x5652_4B53  # "VRKS": advisory lock id for creating a PostgreSQL key store

keystore_metadata = MetaData()

keystore_meta = Table(
    "keystore_meta",
    keystore_metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(256), nullable=False),
)
data_keys = Table(
    "data_keys",
    keystore_metadata,
    Column("key_id", String(32), primary_key=True),
    Column("wrapped", LargeBinary, nullable=False),
    Column("master_key_id", String(16), nullable=False),
    # The lease it was made under: while that lease is listed in ``leases``, the rows using
    # the key may not have committed yet. NULL, or a lease no longer listed: committed.
    Column("lease_id", String(32)),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_data_keys_lease", "lease_id"),
    Index("ix_data_keys_master", "master_key_id"),
)
tombstones = Table(
    "tombstones",
    keystore_metadata,
    Column("key_id", String(32), primary_key=True),
    Column("destroyed_at", UTCDateTime(), nullable=False),
)
leases = Table(
    "leases",
    keystore_metadata,
    Column("lease_id", String(32), primary_key=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("heartbeat_at", UTCDateTime(), nullable=False),
)

KeyState = Literal["live", "pending", "abandoned", "destroyed", "missing"]
"""``live``: committed (no lease, or a lease that has ended); ``pending``: written by an ingest
still running; ``abandoned``: written by an ingest whose process is gone (its lease is still
listed); ``destroyed``: tombstoned; ``missing``: neither."""


class KeyStoreError(ProductError):
    """The key store cannot be used as configured; nothing was changed. The message says why."""

    kind = "keystore"


@dataclass(frozen=True)
class Identity:
    """What a key store says about itself."""

    store_id: str
    """Its random id, recorded by the data database it belongs to."""
    data_db_id: str
    """The id of that data database."""
    master_key_id: str
    """The master key its data keys are wrapped by."""
    rotation_to: str | None
    """While ``keys rotate-master`` (or a new master key) is under way: the new key's id."""


# -- opening ---------------------------------------------------------------------


def open_keystore_engine(url: str, *, create: bool) -> Engine | None:
    """An engine for the key store at ``url``; None for a SQLite file that does not exist
    (created empty, mode 0600, only with ``create``)."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            "PRIVACY_SKILL_KEYSTORE_URL is not a database URL; use sqlite:///PATH or "
            "postgresql://USER@HOST:PORT/DB"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return create_engine(
            url,
            hide_parameters=True,
            pool_size=2,
            max_overflow=8,
            pool_timeout=10,
            pool_recycle=1800,
            pool_pre_ping=True,
            connect_args=POOLER_SAFE_CONNECT_ARGS,  # works behind pgbouncer (see db.py)
        )
    if backend != "sqlite" or not parsed.database or parsed.database == ":memory:":
        raise ConfigError(
            "PRIVACY_SKILL_KEYSTORE_URL must name a SQLite file (sqlite:///PATH) or a "
            "PostgreSQL database (postgresql://USER@HOST:PORT/DB)"
        )
    path = Path(parsed.database)
    if not path.parent.is_dir():
        raise ConfigError(f"PRIVACY_SKILL_KEYSTORE_URL: the folder {path.parent} does not exist")
    if not path.exists():
        if not create:
            return None
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    engine = create_engine(url, hide_parameters=True, connect_args={"timeout": 2})
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # Rollback journal, not WAL: a committed deletion is written into the file itself, and
    # the journal holding the page as it was is removed at commit.
    cursor.execute("PRAGMA journal_mode=DELETE")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=2000")  # writes here are short; voice answers in 6 s
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _now() -> datetime:
    return datetime.now(UTC)


def _new_key_id() -> str:
    """32 hex digits: the time in milliseconds, then 80 random bits. Ids that grow with time
    keep the key store's and the recordings' key index inserts at the end of their B-trees,
    which keeps a large ingest fast."""
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(10)}"


def _new_key_ids(count: int) -> list[str]:
    """``count`` ids as :func:`_new_key_id` makes them, the clock read once for all (and
    the random source once for all: 20 hex digits of it an id)."""
    stamp = f"{time.time_ns() // 1_000_000:012x}"
    digits = os.urandom(10 * count).hex()
    return [stamp + digits[start : start + 20] for start in range(0, len(digits), 20)]


def new_lease_id() -> str:
    """A new lease's id (see :meth:`KeyStore.open_lease` and ``create(opening=True)``)."""
    return uuid.uuid4().hex


_HOST = socket.gethostname()[:255]


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child nobody has reaped yet is a zombie: it runs no more
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]


class KeyStore:
    """Data keys: create (under a lease), fetch, destroy (with tombstones), sweep, re-wrap."""

    def __init__(self, engine: Engine, url: str, masters: MasterKeys):
        self.engine = engine
        self.url = url
        self.masters = masters

    @property
    def display_url(self) -> str:
        """The key store's URL fit to print."""
        return display_url(self.url)

    def close(self) -> None:
        self.engine.dispose()

    # -- identity ------------------------------------------------------------------

    @staticmethod
    def read_identity(engine: Engine, url: str) -> Identity | None:
        """The store's identity; None when it has none (an empty file or database)."""
        try:
            with reading(engine) as conn:
                if not engine.dialect.has_table(conn, "keystore_meta"):
                    return None
                rows = conn.execute(select(keystore_meta.c.name, keystore_meta.c.value))
                meta = {str(name): str(value) for name, value in rows}
        except DBAPIError as error:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else "unreachable"
            raise KeyStoreError(f"cannot open the key store {display_url(url)}: {reason}") from None
        if "store_id" not in meta:
            return None
        return Identity(
            meta["store_id"], meta["data_db_id"], meta["master_key_id"], meta.get("rotation_to")
        )

    @staticmethod
    def initialise(engine: Engine, url: str, data_db_id: str, master_key_id: str) -> Identity:
        """Create the tables and this store's identity, unless another process just did."""
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CREATE_LOCK})
            keystore_metadata.create_all(conn)
            rows = [
                {"name": "store_id", "value": uuid.uuid4().hex},
                {"name": "data_db_id", "value": data_db_id},
                {"name": "master_key_id", "value": master_key_id},
                {"name": "schema", "value": SCHEMA_VERSION},
            ]
            insert_many_or_ignore(conn, keystore_meta, rows)
        identity = KeyStore.read_identity(engine, url)
        assert identity is not None
        return identity

    def identity(self) -> Identity:
        found = self.read_identity(self.engine, self.url)
        if found is None:
            raise KeyStoreError(f"the key store {self.display_url} has lost its identity")
        return found

    def set_rotation(self, rotation_to: str | None, master_key_id: str | None = None) -> None:
        """Record a rotation under way (``rotation_to``), or its end (None, with the new
        ``master_key_id``)."""
        with self.engine.begin() as conn:
            conn.execute(delete(keystore_meta).where(keystore_meta.c.name == "rotation_to"))
            if rotation_to is not None:
                conn.execute(insert(keystore_meta).values(name="rotation_to", value=rotation_to))
            if master_key_id is not None:
                conn.execute(
                    update(keystore_meta)
                    .where(keystore_meta.c.name == "master_key_id")
                    .values(value=master_key_id)
                )

    def is_blank(self) -> bool:
        """True when the store holds neither a key nor a tombstone."""
        with reading(self.engine) as conn:
            key = conn.execute(select(data_keys.c.key_id).limit(1)).first()
            gone = conn.execute(select(tombstones.c.key_id).limit(1)).first()
        return key is None and gone is None

    # -- writing keys --------------------------------------------------------------

    def open_lease(self) -> str:
        """Start a lease for keys whose rows are about to be written."""
        lease_id = new_lease_id()
        with self.engine.begin() as conn:
            self._list_lease(conn, lease_id, _now())
        return lease_id

    @staticmethod
    def _list_lease(conn: Connection, lease_id: str, now: datetime) -> None:
        conn.execute(
            insert(leases).values(
                lease_id=lease_id, host=_HOST, pid=os.getpid(), started_at=now, heartbeat_at=now
            )
        )

    def create(
        self, lease_id: str, count: int, *, opening: bool = False
    ) -> list[tuple[str, bytes]]:
        """``count`` new data keys, stored wrapped under ``lease_id`` in one transaction
        (which renews the lease); returns (key id, key) pairs. With ``opening`` the same
        transaction starts the lease (``lease_id`` from :func:`new_lease_id`): the lease and
        its first keys are listed together or not at all, in one commit instead of two."""
        key_ids = _new_key_ids(count)
        material = os.urandom(KEY_BYTES * count)  # one read of the random source for all
        keys = [material[start : start + KEY_BYTES] for start in range(0, len(material), KEY_BYTES)]
        master_id, wrapped = self.masters.wrap_many(key_ids, keys)
        now = _now()
        # Wrapped before the transaction: the key store's write lock is held only to insert.
        with self.engine.begin() as conn:
            if opening:
                self._list_lease(conn, lease_id, now)
            else:
                self._renew(conn, lease_id, now)
            insert_columns(
                conn,
                data_keys,
                {
                    "key_id": key_ids,
                    "wrapped": wrapped,
                    "master_key_id": [master_id] * count,
                    "lease_id": [lease_id] * count,
                    "created_at": [now] * count,
                },
            )
        return list(zip(key_ids, keys, strict=True))

    def renew(self, lease_id: str) -> None:
        """Say the lease's process is still at work (see ``LEASE_TTL``), making no key."""
        with self.engine.begin() as conn:
            self._renew(conn, lease_id, _now())

    @staticmethod
    def _renew(conn: Connection, lease_id: str, now: datetime) -> None:
        conn.execute(update(leases).where(leases.c.lease_id == lease_id).values(heartbeat_at=now))

    def settle(self, lease_id: str, *, end: bool = True, unused: Collection[str] = ()) -> None:
        """The rows using the lease's keys have committed: the keys are ordinary keys now.
        With ``end`` the lease is over: its row is deleted, and its keys, which keep its id,
        count as committed from then on (one row deleted, not one updated per key: an ingest
        of a million lines made a million). Without it (the lease goes on), each of its keys
        is released. ``unused``: keys of the lease that never protected a row, forgotten in
        the same transaction (one commit less)."""
        with self.engine.begin() as conn:
            ids = list(unused)
            for chunk in _chunks(ids):
                conn.execute(delete(data_keys).where(data_keys.c.key_id.in_(chunk)))
            if end:
                conn.execute(delete(leases).where(leases.c.lease_id == lease_id))
            else:
                conn.execute(
                    update(data_keys).where(data_keys.c.lease_id == lease_id).values(lease_id=None)
                )

    def lease_keys(self, lease_id: str, after: str = "", limit: int = CHUNK) -> list[str]:
        """Key ids made under ``lease_id``, in id order, after ``after`` (asked of a listed
        lease: once a lease has ended, its keys are ordinary keys that keep its id)."""
        query = (
            select(data_keys.c.key_id)
            .where(data_keys.c.lease_id == lease_id, data_keys.c.key_id > after)
            .order_by(data_keys.c.key_id)
            .limit(limit)
        )
        with reading(self.engine) as conn:
            return list(conn.execute(query).scalars())

    def forget(self, key_ids: Collection[str]) -> None:
        """Delete keys that never protected a committed row (no tombstone needed)."""
        ids = list(key_ids)
        with self.engine.begin() as conn:
            for chunk in _chunks(ids):
                conn.execute(delete(data_keys).where(data_keys.c.key_id.in_(chunk)))

    def adopt(self, key_ids: Collection[str]) -> None:
        """Keys whose rows did commit after all (the process died before settling)."""
        ids = list(key_ids)
        with self.engine.begin() as conn:
            for chunk in _chunks(ids):
                conn.execute(
                    update(data_keys).where(data_keys.c.key_id.in_(chunk)).values(lease_id=None)
                )

    def end_lease(self, lease_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(leases).where(leases.c.lease_id == lease_id))

    def dead_leases(self) -> list[str]:
        """Leases whose process is gone (or has not renewed them for ``LEASE_TTL``)."""
        with reading(self.engine) as conn:
            found = conn.execute(select(leases)).all()
        now = _now()
        return [row.lease_id for row in found if not _lease_alive(row, now)]

    # -- reading -------------------------------------------------------------------

    def fetch(self, key_ids: Collection[str]) -> dict[str, bytes]:
        """The data keys of ``key_ids`` that exist (destroyed or missing ones are left out)."""
        ids = sorted(set(key_ids))
        found: dict[str, bytes] = {}
        if not ids:
            return found
        columns = (data_keys.c.key_id, data_keys.c.master_key_id, data_keys.c.wrapped)
        with reading(self.engine) as conn:
            rows = [
                row
                for chunk in _chunks(ids)
                for row in conn.execute(select(*columns).where(data_keys.c.key_id.in_(chunk)))
            ]
        for key_id, master_id, wrapped in rows:
            found[key_id] = self.masters.unwrap(key_id, master_id, bytes(wrapped))
        return found

    def states(self, key_ids: Collection[str]) -> dict[str, KeyState]:
        """What became of each key (see ``KeyState``)."""
        ids = sorted(set(key_ids))
        result: dict[str, KeyState] = dict.fromkeys(ids, "missing")
        if not ids:
            return result
        with reading(self.engine) as conn:
            held: dict[str, str | None] = {}
            gone: set[str] = set()
            for chunk in _chunks(ids):
                query = select(data_keys.c.key_id, data_keys.c.lease_id)
                rows = conn.execute(query.where(data_keys.c.key_id.in_(chunk)))
                held.update((key_id, lease) for key_id, lease in rows)
                query = select(tombstones.c.key_id).where(tombstones.c.key_id.in_(chunk))
                gone.update(conn.execute(query).scalars())
            lease_ids = sorted({lease for lease in held.values() if lease})
            listed, alive = self._listed_leases(conn, lease_ids)
        for key_id in ids:
            if key_id in held:
                lease = held[key_id]
                result[key_id] = (
                    "live"
                    if lease is None or lease not in listed
                    else ("pending" if lease in alive else "abandoned")
                )
            elif key_id in gone:
                result[key_id] = "destroyed"
        return result

    def _listed_leases(
        self, conn: Connection, lease_ids: Sequence[str]
    ) -> tuple[set[str], set[str]]:
        """Which of ``lease_ids`` are still listed (not ended), and which of those alive."""
        now = _now()
        listed: set[str] = set()
        alive: set[str] = set()
        for chunk in _chunks(lease_ids):
            rows = conn.execute(select(leases).where(leases.c.lease_id.in_(chunk))).all()
            listed.update(row.lease_id for row in rows)
            alive.update(row.lease_id for row in rows if _lease_alive(row, now))
        return listed, alive

    # -- destroying ----------------------------------------------------------------

    def destroy(self, key_ids: Collection[str]) -> int:
        """Destroy keys and tombstone their ids, in one committed transaction; returns how
        many keys existed. Once this returns, their content is unreadable everywhere."""
        ids = sorted(set(key_ids))
        if not ids:
            return 0
        now = _now()
        destroyed = 0
        with self.engine.begin() as conn:
            for chunk in _chunks(ids):
                destroyed += conn.execute(
                    delete(data_keys).where(data_keys.c.key_id.in_(chunk))
                ).rowcount
                rows = [{"key_id": key_id, "destroyed_at": now} for key_id in chunk]
                insert_many_or_ignore(conn, tombstones, rows)
        return destroyed

    # -- re-wrapping ---------------------------------------------------------------

    def count_not_under(self, master_id: str) -> int:
        """How many keys are wrapped by another master key than ``master_id``."""
        query = select(func.count()).where(data_keys.c.master_key_id != master_id)
        with reading(self.engine) as conn:
            return int(conn.execute(query).scalar_one())

    def rewrap(self, target: MasterKey, limit: int = CHUNK) -> int:
        """Re-wrap up to ``limit`` keys not yet under ``target``, in one transaction;
        returns how many (0: none are left)."""
        masters = self.masters.with_target(target)
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(data_keys.c.key_id, data_keys.c.master_key_id, data_keys.c.wrapped)
                .where(data_keys.c.master_key_id != target.id)
                .order_by(data_keys.c.key_id)
                .limit(limit)
            ).all()
            for key_id, master_id, wrapped in rows:
                key = masters.unwrap(key_id, master_id, bytes(wrapped))
                new_master, rewrapped = masters.wrap(key_id, key)
                conn.execute(
                    update(data_keys)
                    .where(data_keys.c.key_id == key_id)
                    .values(master_key_id=new_master, wrapped=rewrapped)
                )
        return len(rows)


def _lease_alive(row: Any, now: datetime) -> bool:
    if now - row.heartbeat_at > LEASE_TTL:
        return False
    if row.host != _HOST:
        return True
    return bool(row.pid == os.getpid() or _process_alive(row.pid))
