"""Retention: ``retention show``, ``retention set`` and ``retention sweep``."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from skill.cli.args import Verbs, add_json, identifier
from skill.cli.context import Context
from skill.cli.output import print_json
from skill.services.periods import CHOICES  # plain values: no database layer at parse time

__all__ = ["register"]

SWEEP_WAIT_SECONDS = 600.0
"""How long ``retention sweep`` waits for a sweep another process is running."""


def register(verbs: Verbs) -> None:
    retention = verbs.add_parser(
        "retention", help="how long recordings are kept, and the sweep that deletes older ones"
    )
    actions = retention.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="the period that applies to an account or a person")
    show.add_argument("--user", required=True, type=identifier, help="Alexa userId")
    show.add_argument("--person", help="a recognised person (Alexa personId)")
    add_json(show)
    show.set_defaults(run=_show)

    change = actions.add_parser(
        "set",
        help="choose a period; deletes at once what it no longer keeps",
        description="Choose how long recordings are kept, for the account or one person. "
        "What the new period no longer keeps is deleted at once (see --dry-run). DONT_SAVE "
        "stops storing new recordings and deletes nothing.",
    )
    change.add_argument("--user", required=True, type=identifier, help="Alexa userId")
    change.add_argument("--person", help="choose for one recognised person (default: account)")
    change.add_argument("--period", required=True, choices=CHOICES)
    change.add_argument(
        "--dry-run", action="store_true", help="say how many recordings would go; change nothing"
    )
    add_json(change)
    change.set_defaults(run=_set)

    sweep = actions.add_parser(
        "sweep",
        help="delete every recording older than its retention",
        description="Delete every recording older than the retention that applies to it, and "
        "finish account deletions a crash interrupted. Safe to run from cron while `serve` "
        "sweeps too: one process sweeps at a time (this one waits for another to finish).",
    )
    sweep.add_argument(
        "--dry-run", action="store_true", help="count what would be deleted; delete nothing"
    )
    add_json(sweep, 'print {"users", "deleted"}')
    sweep.set_defaults(run=_sweep)


def _show(args: argparse.Namespace, ctx: Context) -> int:
    view = ctx.services.retention.view(args.user, person=args.person)
    data = view.as_json(datetime.now(UTC))
    if args.json:
        print_json(data)
        return 0
    who = f"person {args.person}" if args.person else "the account"
    print(f"period: {view.period.id} ({_whose(view.source)})")
    print(f"saving new recordings: {'on' if view.saving else 'off'}")
    if data["deletes_before"]:
        print(f"the sweep deletes {who}'s recordings from before {data['deletes_before']}")
    else:
        print(f"{who}'s recordings are kept until deleted")
    return 0


def _whose(source: str) -> str:
    return {
        "person": "the person's choice",
        "account": "the account's choice",
        "default": "the deployment default",
    }[source]


def _set(args: argparse.Namespace, ctx: Context) -> int:
    retention = ctx.services.retention
    if args.dry_run:
        count = retention.would_delete(args.user, args.period, person=args.person)
        if args.json:
            print_json({"period": args.period, "would_delete": count})
        else:
            print(f"{args.period} would delete {count} recording(s)")
        return 0
    change = retention.choose(args.user, args.period, channel="cli", person=args.person)
    data = {
        **change.view.as_json(datetime.now(UTC)),
        "chosen": args.period,
        "previous": change.previous,
        "deleted": change.deleted,
        "resumed_saving": change.resumed_saving,
    }
    if args.json:
        print_json(data)
        return 0
    if args.period == "DONT_SAVE":
        print("storing new recordings: off (what is kept follows its period)")
    else:
        print(f"period: {args.period}; deleted {change.deleted} recording(s)")
        if change.view.period.id != args.period:
            print(f"note: {change.view.period.id} applies, the account's shorter choice")
        if change.resumed_saving:
            print("storing new recordings: on again")
    return 0


def _sweep(args: argparse.Namespace, ctx: Context) -> int:
    from skill.cli.progress import progress_bars

    retention = ctx.services.retention
    if args.dry_run:
        result = retention.sweep(dry_run=True)
    else:
        with progress_bars() as bars:
            result = retention.sweep(
                progress=bars.counter("sweeping"), wait=SWEEP_WAIT_SECONDS
            )
        if not result.ran:
            print(
                "another process has been sweeping for over "
                f"{SWEEP_WAIT_SECONDS:.0f} seconds; nothing done",
                file=sys.stderr,
            )
            return 1
    if args.json:
        print_json(result.as_json())
        return 0
    verb = "would delete" if args.dry_run else "deleted"
    print(f"{verb} {result.deleted} recording(s) of {result.users} account(s)")
    if result.accounts_finished:
        print(f"finished {result.accounts_finished} interrupted account deletion(s)")
    return 0
