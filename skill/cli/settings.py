"""The deployment's own verbs: ``info`` (where the data is and what is configured) and
``db upgrade`` (schema migrations)."""

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
    upgrade = db_verbs.add_parser("upgrade", help="apply schema migrations")
    upgrade.set_defaults(run=_upgrade)


def _info(args: argparse.Namespace, ctx: Context) -> int:
    from skill.store.db import display_url

    config = ctx.config
    facts: dict[str, Any] = {
        "version": version(),
        "database_url": display_url(config.database_url),
        "audio_dir": str(config.audio_dir),
        "data_dir": None if config.data_dir is None else str(config.data_dir),
        "default_timezone": config.default_timezone.key,
        "skill_id": config.skill_id,
        "human_review_default": "on" if config.policy.defaults.get("human_review") else "off",
        "retention_days": config.retention_days,
    }
    if args.json:
        print_json(facts)
    else:
        width = max(len(key) for key in facts)
        for key, value in facts.items():
            print(f"{key:<{width}}  {'-' if value is None else value}")
    return 0


def _upgrade(args: argparse.Namespace, ctx: Context) -> int:
    from skill.store.db import open_database, upgrade

    ctx.config.ensure_data_dir()
    engine = open_database(ctx.config.database_url)
    try:
        ran = upgrade(engine)
    finally:
        engine.dispose()
    print("database upgraded" if ran else "database is up to date")
    return 0
