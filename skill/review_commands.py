"""The ``review`` CLI verbs: sample, claim, submit, stats, list. skill/cli.py wires them in.

Thin: parse, call the review service, print. ``--json`` prints machine-readable
output (DESIGN.md §4); without it, lines for a person. Only ``claim`` prints
transcripts: it hands them to the reviewer who claimed them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import asdict

from skill.json_output import print_json
from skill.services import Services
from skill.services.review import STATES, ReviewError, ReviewService, SampleResult


def add_arguments(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    sample.add_argument("--json", action="store_true", help="print the counts as JSON")

    claim = actions.add_parser("claim", help="hand out the oldest pending items to a reviewer")
    claim.add_argument("--reviewer", required=True, help="who reviews them")
    claim.add_argument("--count", type=int, default=1, help="how many (default 1)")
    claim.add_argument("--json", action="store_true", help="print a JSON array")

    submit = actions.add_parser("submit", help="record the annotation of a claimed item")
    submit.add_argument("--reviewer", required=True, help="who claimed it")
    submit.add_argument("--item", type=int, required=True, metavar="ID", help="item id")
    submit.add_argument("--transcript", required=True, help="the corrected transcript")
    submit.add_argument("--label", required=True, help="a short label, e.g. ok, misrecognised")
    submit.add_argument("--json", action="store_true", help="print the result as JSON")

    stats = actions.add_parser("stats", help="how many items are pending, claimed and done")
    stats.add_argument("--json", action="store_true", help="print {pending, claimed, done}")

    listing = actions.add_parser("list", help="queue items with their users (never content)")
    listing.add_argument("--state", choices=STATES, help="only items in this state")
    listing.add_argument("--limit", type=int, default=None, help="at most this many")
    listing.add_argument("--json", action="store_true", help="print a JSON array")


def run(args: argparse.Namespace, services: Services) -> int:
    """Carry out ``review ACTION``; errors a user can fix print one line and exit 2."""
    action: Callable[[argparse.Namespace, ReviewService], int] = _ACTIONS[args.action]
    try:
        return action(args, services.review)
    except (ReviewError, ValueError) as exc:
        print(f"privacy-skill: {exc}", file=sys.stderr)
        return 2


def _sample(args: argparse.Namespace, review: ReviewService) -> int:
    result = _sample_with_progress(args, review)
    if args.json:
        print_json(asdict(result))
    else:
        print(
            f"considered {result.considered} recording(s); queued {result.queued} for review; "
            f"{result.skipped_no_consent} selected but not queued (no consent to human review)"
        )
    return 0


def _sample_with_progress(args: argparse.Namespace, review: ReviewService) -> SampleResult:
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        return review.sample(args.rate, args.seed, args.batch_size)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("sampling", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return review.sample(args.rate, args.seed, args.batch_size, progress)


def _claim(args: argparse.Namespace, review: ReviewService) -> int:
    items = review.claim(args.reviewer, args.count)
    if args.json:
        print_json([asdict(item) for item in items])
        return 0
    for item in items:
        audio = " [audio]" if item.has_audio else ""
        print(
            f"item {item.id}  {item.recorded_at:%Y-%m-%d %H:%M:%S}Z  "
            f"recording {item.recording_id}  user {item.user_id}{audio}"
        )
        print(f"    {item.transcript}")
    print(f"claimed {len(items)} item(s)" if items else "no pending items")
    return 0


def _submit(args: argparse.Namespace, review: ReviewService) -> int:
    review.submit(args.item, args.reviewer, args.transcript, args.label)
    if args.json:
        print_json({"id": args.item, "state": "done"})
    else:
        print(f"item {args.item} done")
    return 0


def _stats(args: argparse.Namespace, review: ReviewService) -> int:
    counts = review.stats()
    if args.json:
        print_json(counts)
    else:
        for state, n in counts.items():
            print(f"{state}: {n}")
    return 0


def _list(args: argparse.Namespace, review: ReviewService) -> int:
    items = review.list_items(args.state, args.limit)
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


_ACTIONS: dict[str, Callable[[argparse.Namespace, ReviewService], int]] = {
    "sample": _sample,
    "claim": _claim,
    "submit": _submit,
    "stats": _stats,
    "list": _list,
}
