"""The product through pgbouncer in transaction-pooling mode, in front of the CI PostgreSQL.

One pgbouncer for the whole run (``server.running``: a free loopback port, 10 server
connections per database). Tests here get the data database, and where they ask for one a
PostgreSQL key store, as URLs that go through it. Missing pgbouncer or PostgreSQL is a skip
on a laptop and a failure under CI=true, as for the other PostgreSQL tests.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from skill.store.db import normalise_url, open_engine
from skill.store.schema import metadata
from tests.conftest import POSTGRES_ADMIN_URL
from tests.pgbouncer.server import Pgbouncer, PgbouncerUnavailable, running


def _unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pgbouncer() -> Iterator[Pgbouncer]:
    try:
        started = running(POSTGRES_ADMIN_URL)
        bouncer = started.__enter__()
    except PgbouncerUnavailable as exc:
        _unavailable(str(exc))
        raise  # not reached: skip and fail raise
    try:
        yield bouncer
    finally:
        started.__exit__(None, None, None)


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A new empty database on the CI server (its direct URL), dropped afterwards."""
    admin = create_engine(normalise_url(POSTGRES_ADMIN_URL), isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError as exc:
        admin.dispose()
        _unavailable(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc.orig}")
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def backend() -> str:
    """Tests borrowed from tests/services ask which database they run on."""
    return "postgresql"


@pytest.fixture
def database_url(postgres_url: str, pgbouncer: Pgbouncer) -> str:
    """The run's migrated PostgreSQL database, emptied, reached through pgbouncer: every
    test that builds its config from this (``env``, ``config``, ``services``) goes through
    the pooler."""
    engine = open_engine(postgres_url)
    with engine.begin() as conn:
        tables = ", ".join(t.name for t in metadata.sorted_tables)
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    engine.dispose()
    return pgbouncer.url(postgres_url)


@pytest.fixture
def pooled_keystore_url(pgbouncer: Pgbouncer) -> Iterator[str]:
    """An empty database for a PostgreSQL key store, reached through pgbouncer."""
    with scratch_database("privacy_skill_keys") as url:
        yield pgbouncer.url(url)
