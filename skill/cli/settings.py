"""The deployment's own verbs: ``info`` (where the data and keys are and what is configured)
and ``db upgrade`` (schema migrations, and sealing data from before encryption)."""

from __future__ import annotations

import argparse
from typing import Any

from skill.cli.args import Verbs, add_json
from skill.cli.context import Context
from skill.cli.output import print_json

__all__ = ["register", "version"]


def version() -> str:
    """The installed package's version."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("voice-privacy-skill")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def register(verbs: Verbs) -> None:
    info = verbs.add_parser("info", help="the version and the resolved settings: where data lives")
    add_json(info, "print the settings as a JSON object")
    info.set_defaults(run=_info)

    db = verbs.add_parser("db", help="database maintenance")
    db_verbs = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    upgrade = db_verbs.add_parser(
        "upgrade", help="apply schema migrations; encrypt data stored before encryption"
    )
    upgrade.set_defaults(run=_upgrade)


def _info(args: argparse.Namespace, ctx: Context) -> int:
    from skill.store.binding import key_settings, master_key_id
    from skill.store.db import display_url

    config = ctx.config
    keys = key_settings(config)
    facts: dict[str, Any] = {
        "version": version(),
        "database_url": display_url(config.database_url),
        "audio_dir": str(config.audio_dir),
        "data_dir": None if config.data_dir is None else str(config.data_dir),
        "default_timezone": config.default_timezone.key,
        "skill_id": config.skill_id,
        "human_review_default": "on" if config.policy.defaults.get("human_review") else "off",
        "retention_days": config.retention_days,
        "keystore_url": None if keys.keystore_url is None else display_url(keys.keystore_url),
        "master_key_id": master_key_id(config),
        "master_key_file": None if keys.key_file is None else str(keys.key_file),
    }
    if args.json:
        print_json(facts)
    else:
        width = max(len(key) for key in facts)
        for key, value in facts.items():
            print(f"{key:<{width}}  {'-' if value is None else value}")
    return 0


def _upgrade(args: argparse.Namespace, ctx: Context) -> int:
    from skill.services import open_services
    from skill.store.db import open_database, upgrade

    ctx.config.ensure_data_dir()
    engine = open_database(ctx.config.database_url)
    try:
        ran = upgrade(engine)
        postgres = engine.dialect.name == "postgresql"
    finally:
        engine.dispose()
    # Then the key store (created on first use) and the sealing of data from before encryption.
    services = open_services(ctx.config, migrate=False, seal=False)
    try:
        sealed = services.seal_plaintext()
    finally:
        services.close()
    print("database upgraded" if ran else "database is up to date")
    if sealed.recordings or sealed.annotations:
        print(
            f"encrypted {sealed.recordings} recording(s), {sealed.audio_files} audio file(s) "
            f"and {sealed.annotations} annotation(s); their plaintext files are removed"
        )
        if postgres:
            print(
                "PostgreSQL keeps the old row versions until they are rewritten: run "
                "VACUUM FULL recordings, review_annotations, pg_statistic while no other "
                "transaction is open; and expire backups and WAL archives from before now "
                "(see the README)"
            )
        else:
            print("the database file was compacted (VACUUM): no page of the plaintext is left")
    return 0
