"""Recordings: ``ingest`` a JSONL file, ``recordings list`` and ``recordings delete``."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from skill.cli.args import Verbs, add_json, time_zone
from skill.cli.context import Context
from skill.cli.output import jsonable, print_json
from skill.errors import InputError

__all__ = ["register"]


def register(verbs: Verbs) -> None:
    ingest = verbs.add_parser("ingest", help="store recordings from a JSONL file (or - for stdin)")
    ingest.add_argument("file", help="JSONL file, one recording a line; - reads standard input")
    add_json(ingest)
    ingest.set_defaults(run=_ingest)

    recordings = verbs.add_parser("recordings", help="list or delete a user's recordings")
    actions = recordings.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="a user's recordings, newest first")
    listing.add_argument("--user", required=True, help="Alexa userId")
    listing.add_argument("--limit", type=int, default=None, help="at most this many")
    add_json(listing, "print a JSON array")
    listing.set_defaults(run=_list)

    delete = actions.add_parser("delete", help="delete a user's recordings")
    delete.add_argument("--user", required=True, help="Alexa userId")
    which = delete.add_mutually_exclusive_group(required=True)
    which.add_argument("--date", help="an AMAZON.DATE value: 2026-11-26, 2026-W48, 2026-11, ...")
    which.add_argument("--all", action="store_true", help="every recording of the user")
    delete.add_argument(
        "--timezone",
        type=time_zone,
        help="the user's time zone for --date (default: PRIVACY_SKILL_DEFAULT_TIMEZONE)",
    )
    add_json(delete)
    delete.set_defaults(run=_delete)


def _ingest(args: argparse.Namespace, ctx: Context) -> int:
    from skill.cli.progress import progress_bars
    from skill.services.ingest import parse_jsonl

    services = ctx.services
    with progress_bars() as bars:
        if args.file == "-":
            records = parse_jsonl(bars.lines(sys.stdin, "checking", None), Path.cwd())
        else:
            path = Path(args.file)
            if not path.is_file():
                raise InputError(f"{path}: no such file")
            with path.open(encoding="utf-8") as handle:
                lines = bars.lines(handle, "checking", path.stat().st_size)
                records = parse_jsonl(lines, path.parent)
        result = services.recordings.ingest(
            records, channel="cli", progress=bars.counter("storing")
        )
    if args.json:
        print_json(asdict(result))
    else:
        print(f"ingested {result.ingested} recording(s)")
        if result.refused:
            print(f"refused {result.refused} recording(s): their users withdrew store_recordings")
    return 0


def _list(args: argparse.Namespace, ctx: Context) -> int:
    items = ctx.services.recordings.list(args.user, limit=args.limit)
    if args.json:
        print_json([jsonable(asdict(item)) for item in items])
        return 0
    for item in items:
        audio = " [audio]" if item.has_audio else ""
        print(f"{item.recorded_at:%Y-%m-%d %H:%M:%S}Z  {item.id}{audio}  {item.transcript}")
    print(f"{len(items)} recording(s)")
    return 0


def _delete(args: argparse.Namespace, ctx: Context) -> int:
    recordings = ctx.services.recordings
    if args.all:
        deletion = recordings.delete_all(args.user, channel="cli")
    else:
        from skill.alexa.dates import UnusableDate, resolve_amazon_date
        from skill.services.timerange import local_days

        zone = args.timezone or ctx.config.default_timezone
        span = resolve_amazon_date(args.date, datetime.now(UTC).astimezone(zone).date())
        if isinstance(span, UnusableDate):
            raise InputError(f"--date {args.date!r}: {span.reason} AMAZON.DATE value")
        start, end = local_days(span.start, span.end, zone)
        deletion = recordings.delete_range(args.user, start, end, channel="cli")
    if args.json:
        print_json(jsonable(asdict(deletion)))
    else:
        print(f"deleted {deletion.count} recording(s) and {deletion.audio_files} audio file(s)")
    return 0
