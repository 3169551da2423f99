"""The delete and summary scaling figures again, on PostgreSQL, when a server is reachable.

A database of the benchmark's own (``vp_bench_<pid>``) is created through the admin URL
(``PRIVACY_SKILL_BENCH_PG_ADMIN_URL``, default the local ``postgres`` superuser), migrated,
seeded, measured and dropped. Unreachable: no figures, and a note saying why.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bench.notes import note
from bench.scaling_bench import scaling_on
from skill.store.db import normalise_url

ADMIN_URL_ENV = "PRIVACY_SKILL_BENCH_PG_ADMIN_URL"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BIG = 5_000_000
"""The long history on PostgreSQL in the full run (issue 18: the delete must not slow down at
production sizes); the quick run keeps ``scaling_bench.BIG_QUICK``."""


def pg_scaling(quick: bool) -> dict[str, float]:
    """``pg_delete_scaling_ratio`` and ``pg_summary_scaling_ratio`` (with their medians)."""
    with scratch_database() as url:
        if url is None:
            return {}
        with tempfile.TemporaryDirectory(prefix="bench-pg-") as tmp:
            figures = scaling_on(url, Path(tmp) / "audio", quick, big=PG_BIG)
    return {f"pg_{key}": value for key, value in figures.items()}


@contextmanager
def scratch_database() -> Iterator[str | None]:
    """The URL of a new empty database, dropped afterwards; None (and a note) when the
    server cannot be reached."""
    admin_url = make_url(normalise_url(os.environ.get(ADMIN_URL_ENV) or DEFAULT_ADMIN_URL))
    admin = create_engine(
        admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    name = f"vp_bench_{os.getpid()}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        note(f"PostgreSQL figures skipped: {admin_url.render_as_string()} unreachable ({reason})")
        admin.dispose()
        yield None
        return
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
