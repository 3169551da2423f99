"""The schema as migrations build it, and the SQLite settings privacy depends on."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from skill.store.db import HEAD_REVISION, current_revision, open_engine, upgrade
from skill.store.schema import metadata

MIGRATIONS = Path(__file__).resolve().parents[2] / "skill" / "store" / "migrations"


def test_migrations_build_exactly_the_declared_schema(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'skill.db'}")
    assert current_revision(engine) is None
    assert upgrade(engine) is True
    assert current_revision(engine) == HEAD_REVISION
    assert upgrade(engine) is False  # idempotent
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    indexes = {i["name"] for i in inspect(engine).get_indexes("recordings")}
    assert "ix_recordings_user_time" in indexes


def test_head_revision_constant_matches_the_newest_migration() -> None:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD_REVISION


def test_sqlite_runs_with_wal_and_secure_delete(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'skill.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA secure_delete")).scalar() == 1


def test_postgres_processes_starting_together_migrate_once(postgres_url: str) -> None:
    import threading
    import uuid

    from sqlalchemy import create_engine

    from skill.store.db import normalise_url

    admin_url = postgres_url.rsplit("/", 1)[0] + "/postgres"
    name = f"privacy_skill_migrate_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = postgres_url.rsplit("/", 1)[0] + f"/{name}"
    results: list[bool | Exception] = []

    def start() -> None:
        engine = open_engine(url)
        try:
            results.append(upgrade(engine))
        except Exception as exc:
            results.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    try:
        assert all(isinstance(r, bool) for r in results), results
        engine = open_engine(url)
        assert current_revision(engine) == HEAD_REVISION
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
