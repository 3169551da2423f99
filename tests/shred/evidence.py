"""Looking for content where it must not be: every file of a folder, the PostgreSQL data
directory (pg_wal included), and the keys a recording was sealed with."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, select, text

from skill.services import Services
from skill.store.db import normalise_url
from skill.store.keystore import data_keys
from skill.store.schema import recordings
from tests.conftest import POSTGRES_ADMIN_URL


@contextmanager
def scratch_database() -> Iterator[str]:
    """The URL of a new empty PostgreSQL database, dropped afterwards."""
    name = f"privacy_skill_shred_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(POSTGRES_ADMIN_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def files_containing(root: Path, *needles: bytes) -> list[str]:
    """Every file under ``root`` holding any of ``needles``, as paths relative to it."""
    found = []
    for path in sorted(root.rglob("*")) if root.exists() else []:
        if path.is_file():
            data = path.read_bytes()
            if any(needle in data for needle in needles):
                found.append(str(path.relative_to(root)))
    return found


def _pg_files(admin_url: str) -> Iterator[tuple[str, bytes]]:
    """Every file of the PostgreSQL cluster: read from disk when this process may (CI runs
    as root beside the server), else through ``pg_read_binary_file`` as superuser."""
    engine = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("CHECKPOINT"))  # dirty pages into the table files
            data_dir = Path(conn.execute(text("SHOW data_directory")).scalar_one())
            if os.access(data_dir, os.R_OK | os.X_OK):
                for folder, _dirs, names in os.walk(data_dir):
                    for name in names:
                        path = Path(folder) / name
                        try:
                            yield str(path.relative_to(data_dir)), path.read_bytes()
                        except (FileNotFoundError, PermissionError):
                            continue  # a WAL segment recycled while we read
                return
            stack = [""]
            while stack:
                folder = stack.pop()
                names = conn.execute(text("SELECT pg_ls_dir(:d)"), {"d": folder or "."})
                for (name,) in names.all():
                    path = f"{folder}/{name}" if folder else name
                    info = conn.execute(
                        text("SELECT isdir FROM pg_stat_file(:p, true)"), {"p": path}
                    ).scalar()
                    if info:
                        stack.append(path)
                    elif info is not None:
                        data = conn.execute(
                            text("SELECT pg_read_binary_file(:p, 0, NULL, true)"), {"p": path}
                        ).scalar()
                        if data is not None:
                            yield path, bytes(data)
    finally:
        engine.dispose()


def postgres_files_containing(admin_url: str, *needles: bytes) -> list[str]:
    """Files of the PostgreSQL data directory (tables, pg_wal, ...) holding any needle."""
    return sorted(
        name for name, data in _pg_files(admin_url) if any(needle in data for needle in needles)
    )


@dataclass(frozen=True)
class Sealed:
    """What a recording was sealed with, captured while it existed."""

    recording_id: str
    key_id: str
    transcript: str
    """The sealed transcript as stored (base64)."""
    wrapped: bytes
    """The data key as the key store holds it."""
    key: bytes
    """The data key itself."""


def capture(services: Services, user_id: str) -> list[Sealed]:
    """The sealing material of every recording of ``user_id``."""
    with services.engine.connect() as conn:
        rows = conn.execute(
            select(recordings.c.id, recordings.c.key_id, recordings.c.transcript).where(
                recordings.c.user_id == user_id
            )
        ).all()
    with services.keys.engine.connect() as conn:
        wrapped = dict(
            conn.execute(
                select(data_keys.c.key_id, data_keys.c.wrapped).where(
                    data_keys.c.key_id.in_([row.key_id for row in rows])
                )
            ).all()
        )
    keys = services.keys.fetch([row.key_id for row in rows])
    return [
        Sealed(row.id, row.key_id, row.transcript, bytes(wrapped[row.key_id]), keys[row.key_id])
        for row in rows
    ]
