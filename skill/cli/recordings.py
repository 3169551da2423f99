"""Recordings: ``ingest`` a JSONL file, ``recordings list`` and ``recordings delete``."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from skill.cli.args import Verbs, add_json, identifier, time_zone
from skill.cli.context import Context
from skill.cli.output import jsonable, print_json
from skill.errors import InputError

__all__ = ["register"]


def _positive(text: str) -> int:
    """argparse type: a whole number above zero."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not above zero")
    return value


def register(verbs: Verbs) -> None:
    from skill.services.ingest import IngestLimits

    defaults = IngestLimits()
    ingest = verbs.add_parser("ingest", help="store recordings from a JSONL file (or - for stdin)")
    ingest.add_argument("file", help="JSONL file, one recording a line; - reads standard input")
    ingest.add_argument(
        "--audio-root",
        metavar="DIR",
        type=Path,
        help="also accept audio_file paths inside DIR (default: only inside the file's folder)",
    )
    ingest.add_argument(
        "--max-audio-bytes",
        type=_positive,
        default=defaults.audio_bytes,
        metavar="N",
        help=f"largest audio file accepted (default {defaults.audio_bytes}: 20 MB)",
    )
    ingest.add_argument(
        "--max-transcript-chars",
        type=_positive,
        default=defaults.transcript_chars,
        metavar="N",
        help=f"longest transcript accepted (default {defaults.transcript_chars})",
    )
    ingest.add_argument(
        "--max-line-bytes",
        type=_positive,
        default=defaults.line_bytes,
        metavar="N",
        help=f"longest JSONL line accepted (default {defaults.line_bytes}: 1 MB)",
    )
    add_json(ingest)
    ingest.set_defaults(run=_ingest)

    recordings = verbs.add_parser("recordings", help="list or delete a user's recordings")
    actions = recordings.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="a user's recordings, newest first")
    listing.add_argument("--user", required=True, type=identifier, help="Alexa userId")
    listing.add_argument("--person", help="only this recognised person's (Alexa personId)")
    listing.add_argument("--limit", type=_positive, default=None, help="at most this many")
    add_json(listing, "print a JSON array")
    listing.set_defaults(run=_list)

    delete = actions.add_parser("delete", help="delete a user's recordings")
    delete.add_argument("--user", required=True, type=identifier, help="Alexa userId")
    delete.add_argument("--person", help="only this recognised person's (Alexa personId)")
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
    from skill.services.ingest import AudioPolicy, IngestLimits, JsonlReader

    limits = IngestLimits(args.max_audio_bytes, args.max_transcript_chars, args.max_line_bytes)
    if args.audio_root is not None and not args.audio_root.is_dir():
        raise InputError(f"--audio-root {args.audio_root}: no such folder")
    if args.file == "-":
        handle: IO[bytes] = sys.stdin.buffer
        folder, size = Path.cwd(), None
    else:
        path = Path(args.file)
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        handle, folder, size = path.open("rb"), path.parent, path.stat().st_size
    services = ctx.services
    try:
        with progress_bars() as bars:
            read = bars.counter("ingesting")
            reader = JsonlReader(
                handle,
                AudioPolicy.for_file(folder, args.audio_root),
                limits,
                progress=None if read is None else lambda done: read(done, size or done),
            )
            # Streamed: the file is read a batch at a time and stored in one transaction.
            result = services.recordings.ingest(
                reader, channel="cli", max_audio_bytes=limits.audio_bytes, left=reader.lines_left
            )
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()
    if args.json:
        print_json(asdict(result))
    else:
        print(f"ingested {result.ingested} recording(s)")
        if result.refused:
            print(f"refused {result.refused} recording(s): their users withdrew store_recordings")
    return 0


def _list(args: argparse.Namespace, ctx: Context) -> int:
    items = ctx.services.recordings.list(args.user, limit=args.limit, person=args.person)
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
        deletion = recordings.delete_all(args.user, channel="cli", person=args.person)
    else:
        from skill.alexa.dates import UnusableDate, resolve_amazon_date
        from skill.services.timerange import local_days

        zone = args.timezone or ctx.config.default_timezone
        span = resolve_amazon_date(args.date, datetime.now(UTC).astimezone(zone).date())
        if isinstance(span, UnusableDate):
            raise InputError(f"--date {args.date!r}: {span.reason} AMAZON.DATE value")
        start, end = local_days(span.start, span.end, zone)
        deletion = recordings.delete_range(
            args.user, start, end, channel="cli", person=args.person
        )
    if args.json:
        print_json(jsonable(asdict(deletion)))
    else:
        print(f"deleted {deletion.count} recording(s) and {deletion.audio_files} audio file(s)")
    if deletion.audio_left:
        # Their keys are destroyed, so what is left is unreadable; say so, and how to tidy up.
        print(
            f"privacy-skill: {deletion.audio_left} audio file(s) could not be removed; their "
            "keys are destroyed, so they hold nothing readable. Run: privacy-skill storage "
            "check --repair",
            file=sys.stderr,
        )
    return 0
