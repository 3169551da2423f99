"""Migrations through pgbouncer: from an empty database, with several processes at once.

The race is made certain, not hoped for: the test holds the migration lock while four
``privacy-skill db upgrade`` processes start, waits until all four are queued on it (each
has found the database empty), then lets go. Their locks are transaction-level, so each
waits inside a transaction on a pooled server connection and the lock ends with it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine, text

from skill.store.db import _MIGRATION_LOCK, HEAD_REVISION, normalise_url, open_engine
from skill.store.schema import metadata
from tests.conftest import TEST_MASTER_KEY
from tests.pgbouncer.conftest import scratch_database
from tests.pgbouncer.server import Pgbouncer

pytestmark = pytest.mark.postgres

CLI = str(Path(sys.executable).with_name("privacy-skill"))
PROCESSES = 4
BUDGET_SECONDS = 60
"""Longest any step may take before the test fails instead of hanging."""


def _waiting_for_advisory_lock(conn: Connection, database: str) -> int:
    query = text(
        "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
        "WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = :name"
    )
    return int(conn.execute(query, {"name": database}).scalar_one())


def test_processes_migrating_at_once_through_pgbouncer_all_succeed_and_migrate_once(
    pgbouncer: Pgbouncer, tmp_path: Path
) -> None:
    with (
        scratch_database("privacy_skill_race") as direct,
        scratch_database("privacy_skill_race_keys") as keys_direct,
    ):
        database = direct.rsplit("/", 1)[1]
        env = {
            **os.environ,
            "PRIVACY_SKILL_DATABASE_URL": pgbouncer.url(direct),
            "PRIVACY_SKILL_KEYSTORE_URL": pgbouncer.url(keys_direct),
            "PRIVACY_SKILL_MASTER_KEY": TEST_MASTER_KEY,
            "PRIVACY_SKILL_AUDIO_DIR": str(tmp_path / "audio"),
        }
        holder = create_engine(normalise_url(direct))
        with holder.connect() as lock:
            lock.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            processes = [
                subprocess.Popen(
                    [CLI, "db", "upgrade"],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(PROCESSES)
            ]
            try:
                deadline = time.monotonic() + BUDGET_SECONDS
                with holder.connect() as watch:
                    while _waiting_for_advisory_lock(watch, database) < PROCESSES:
                        watch.rollback()
                        exited = [p for p in processes if p.poll() is not None]
                        assert not exited, exited[0].communicate(timeout=5)
                        assert time.monotonic() < deadline, "the processes never queued"
                        time.sleep(0.05)
                lock.rollback()  # let them go: one migrates, the others find it done
                outputs = [p.communicate(timeout=BUDGET_SECONDS) for p in processes]
            finally:
                for process in processes:
                    if process.poll() is None:
                        process.kill()
                        process.wait(timeout=10)
        holder.dispose()

        for process, (stdout, stderr) in zip(processes, outputs, strict=True):
            assert process.returncode == 0, stderr
            assert stdout.splitlines()[0] in ("database upgraded", "database is up to date")

        engine = open_engine(direct)
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
            bound = conn.execute(
                text("SELECT value FROM storage_meta WHERE name = 'keystore_id'")
            ).all()
        engine.dispose()
        assert versions == [(HEAD_REVISION,)], "migrated once, to the newest revision"
        assert diff == [], "the schema is exactly the declared one"

        keys = open_engine(keys_direct)
        with keys.connect() as conn:
            identity = conn.execute(
                text("SELECT value FROM keystore_meta WHERE name = 'store_id'")
            ).all()
        keys.dispose()
        assert len(identity) == 1 and bound == identity, "one key store, bound to the data"

        listed = subprocess.run(
            [CLI, "recordings", "list", "--user", "amzn1.ask.account.ALICE", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=BUDGET_SECONDS,
            check=False,
        )
        assert listed.returncode == 0, listed.stderr
        assert listed.stdout.strip() == "[]"
