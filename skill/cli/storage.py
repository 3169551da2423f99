"""The storage verbs: ``storage check [--repair [--force]]`` and ``keys rotate-master``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from skill.cli.args import Verbs, add_json
from skill.cli.context import Context
from skill.cli.output import print_json
from skill.errors import CheckFailed, UsageError

__all__ = ["register"]


def register(verbs: Verbs) -> None:
    storage = verbs.add_parser(
        "storage", help="find (and repair) what a crash, a restore or a lost file left behind"
    )
    actions = storage.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="count orphan audio files, rows without a key and rows whose audio is gone; "
        "exit 1 when any is found and not repaired",
    )
    check.add_argument(
        "--repair",
        action="store_true",
        help="remove deleted (key destroyed) rows and orphan files, sweep keys of ingests "
        "that never committed, seal plaintext rows",
    )
    check.add_argument(
        "--force",
        action="store_true",
        help="with --repair: also remove rows whose key is missing without a record of its "
        "destruction (after a key store restored from an old backup, they cannot be read)",
    )
    add_json(check, "print the counts as JSON")
    check.set_defaults(run=_check)

    keys = verbs.add_parser("keys", help="the key store's master key")
    key_actions = keys.add_subparsers(dest="action", required=True, metavar="ACTION")
    rotate = key_actions.add_parser(
        "rotate-master",
        help="re-wrap every data key under a new master key (safe to interrupt and run again)",
    )
    rotate.add_argument(
        "--new-key-file",
        type=Path,
        required=True,
        metavar="FILE",
        help="the new master key: base64 of 32 random bytes, in a file only you may read",
    )
    add_json(rotate)
    rotate.set_defaults(run=_rotate)


def _check(args: argparse.Namespace, ctx: Context) -> int:
    if args.force and not args.repair:
        raise UsageError("storage check: --force only goes with --repair")
    report = ctx.services.storage.check(repair=args.repair, force=args.force)
    if args.json:
        print_json(report.as_json())
    else:
        print(f"orphan audio files:  {report.orphan_audio_files}")
        print(f"rows without a key:  {report.rows_without_key}", end="")
        if report.rows_without_key:
            print(
                f" ({report.key_destroyed} deleted, {report.key_missing} key missing, "
                f"{report.never_encrypted} never encrypted)",
                end="",
            )
        print()
        print(f"rows missing audio:  {report.rows_missing_audio}")
        if report.abandoned_keys:
            print(f"keys of unfinished ingests: {report.abandoned_keys}")
        if report.repaired and report.problems:
            print(
                "repaired" + (f"; kept {report.kept} row(s) (see --force)" if report.kept else "")
            )
    if not report.ok:
        if not args.json:
            hint = "--repair --force" if report.repaired else "--repair"
            print(
                f"privacy-skill: problems found; run: privacy-skill storage check {hint}",
                file=sys.stderr,
            )
        return CheckFailed.exit_code
    return 0


def _rotate(args: argparse.Namespace, ctx: Context) -> int:
    from skill.services.keys import rotate_master

    result = rotate_master(ctx.services.keys, args.new_key_file)
    if args.json:
        print_json(
            {
                "rewrapped": result.rewrapped,
                "master_key_id": result.master_key_id,
                "key_file": None if result.key_file is None else str(result.key_file),
            }
        )
        return 0
    print(f"re-wrapped {result.rewrapped} data key(s) under master key {result.master_key_id}")
    if result.key_file is not None:
        print(f"the key file {result.key_file} now holds the new master key")
    else:
        print(
            "now set PRIVACY_SKILL_MASTER_KEY to the new key (the contents of "
            f"{args.new_key_file}) for every process, and retire the old one"
        )
    return 0
