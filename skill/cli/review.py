"""The ``review`` verbs: sample, claim, submit, stats, list.

Only ``claim`` prints transcripts: it hands them to the reviewer who claimed them.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import TYPE_CHECKING

from skill.cli.args import Verbs, add_json
from skill.cli.context import Context
from skill.cli.output import print_json

if TYPE_CHECKING:
    from skill.services.review import ReviewService

__all__ = ["register"]


def register(verbs: Verbs) -> None:
    review = verbs.add_parser(
        "review", help="the human-review queue: sample, claim, submit, stats, list"
    )
    actions = review.add_subparsers(dest="action", required=True, metavar="ACTION")

    sample = actions.add_parser(
        "sample",
        help="decide once for each new recording; queue the selected ones of consenting users",
    )
    sample.add_argument(
        "--rate", type=float, required=True, help="share to select, above 0 and at most 1"
    )
    sample.add_argument("--seed", type=int, help="random seed, for a repeatable run")
    sample.add_argument(
        "--batch-size", type=int, default=1000, help="recordings per transaction (default 1000)"
    )
    add_json(sample, "print the counts as JSON")
    sample.set_defaults(run=_sample)

    claim = actions.add_parser("claim", help="hand out the oldest pending items to a reviewer")
    claim.add_argument("--reviewer", required=True, help="who reviews them")
    claim.add_argument("--count", type=int, default=1, help="how many (default 1)")
    add_json(claim, "print a JSON array")
    claim.set_defaults(run=_claim)

    submit = actions.add_parser("submit", help="record the annotation of a claimed item")
    submit.add_argument("--reviewer", required=True, help="who claimed it")
    submit.add_argument("--item", type=int, required=True, metavar="ID", help="item id")
    submit.add_argument("--transcript", required=True, help="the corrected transcript")
    submit.add_argument("--label", required=True, help="a short label, e.g. ok, misrecognised")
    add_json(submit)
    submit.set_defaults(run=_submit)

    stats = actions.add_parser("stats", help="how many items are pending, claimed and done")
    add_json(stats, "print {pending, claimed, done}")
    stats.set_defaults(run=_stats)

    listing = actions.add_parser("list", help="queue items with their users (never content)")
    listing.add_argument(
        "--state", metavar="STATE", help="only items in this state: pending, claimed or done"
    )
    listing.add_argument("--limit", type=int, default=None, help="at most this many")
    add_json(listing, "print a JSON array")
    listing.set_defaults(run=_list)


def _review(ctx: Context) -> ReviewService:
    return ctx.services.review


def _sample(args: argparse.Namespace, ctx: Context) -> int:
    from skill.cli.progress import progress_bars

    with progress_bars() as bars:
        result = _review(ctx).sample(
            args.rate, args.seed, args.batch_size, bars.counter("sampling")
        )
    if args.json:
        print_json(asdict(result))
    else:
        print(
            f"considered {result.considered} recording(s); queued {result.queued} for review; "
            f"{result.skipped_no_consent} selected but not queued (no consent to human review)"
        )
    return 0


def _claim(args: argparse.Namespace, ctx: Context) -> int:
    items = _review(ctx).claim(args.reviewer, args.count)
    if args.json:
        print_json([asdict(item) for item in items])
        return 0
    for item in items:
        audio = " [audio]" if item.has_audio else ""
        print(
            f"item {item.id}  {item.recorded_at:%Y-%m-%d %H:%M:%S}Z  "
            f"recording {item.recording_id}  user {item.user_id}{audio}"
        )
        print(f"    {item.transcript}")  # the reviewer's own copy, on their terminal
    print(f"claimed {len(items)} item(s)" if items else "no pending items")
    return 0


def _submit(args: argparse.Namespace, ctx: Context) -> int:
    _review(ctx).submit(args.item, args.reviewer, args.transcript, args.label)
    if args.json:
        print_json({"id": args.item, "state": "done"})
    else:
        print(f"item {args.item} done")
    return 0


def _stats(args: argparse.Namespace, ctx: Context) -> int:
    counts = _review(ctx).stats()
    if args.json:
        print_json(counts)
    else:
        for state, n in counts.items():
            print(f"{state}: {n}")
    return 0


def _list(args: argparse.Namespace, ctx: Context) -> int:
    items = _review(ctx).list_items(args.state, args.limit)
    if args.json:
        print_json([asdict(item) for item in items])
        return 0
    for item in items:
        who = f"  by {item.reviewer}" if item.reviewer else ""
        print(
            f"{item.id:>8}  {item.state:<7}  queued {item.queued_at:%Y-%m-%d %H:%M:%S}Z  "
            f"user {item.user_id}  recording {item.recording_id}{who}"
        )
    print(f"{len(items)} item(s)")
    return 0
