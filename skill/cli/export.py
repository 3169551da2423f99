"""``export --user U -o FILE``: everything kept about a user as one ZIP (the same archive as
``GET /api/v1/users/{user_id}/export``)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from skill.cli.args import Verbs, add_json, identifier
from skill.cli.context import Context
from skill.cli.output import print_json
from skill.errors import InputError

__all__ = ["register"]


def register(verbs: Verbs) -> None:
    export = verbs.add_parser(
        "export",
        help="a user's data as a ZIP: recordings (with audio), consent ledger, audit log "
        "(answers an access request)",
    )
    export.add_argument("--user", required=True, type=identifier, help="Alexa userId")
    export.add_argument("--person", help="only this recognised person's recordings")
    export.add_argument(
        "-o", "--output", required=True, metavar="ZIP", help="the file to write (- for stdout)"
    )
    add_json(export, "print what the archive holds as JSON")
    export.set_defaults(run=_export)


def _export(args: argparse.Namespace, ctx: Context) -> int:
    from skill.services.export import Exporter

    exporter = Exporter(ctx.services)
    if args.output == "-":
        if sys.stdout.isatty():
            raise InputError("-o -: standard output is a terminal; give a file name")
        summary = exporter.write(
            sys.stdout.buffer, args.user, person=args.person, channel="cli"
        )
        sys.stdout.buffer.flush()
    else:
        target = Path(args.output)
        if not target.parent.is_dir():
            raise InputError(f"-o {target}: the folder {target.parent} does not exist")
        partial = target.with_name(f".{target.name}.partial")
        # The archive holds the person's transcripts and audio: only its owner may read it.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                summary = exporter.write(out, args.user, person=args.person, channel="cli")
                out.flush()
                os.fsync(out.fileno())
            partial.replace(target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
    result = {
        "output": args.output,
        "recordings": summary.recordings,
        "audio_files": summary.audio_files,
        "consent_events": summary.consent_events,
        "audit_events": summary.audit_events,
        "audio_missing": summary.audio_missing,
    }
    if args.json:
        if args.output == "-":
            print(f"privacy-skill: {result}", file=sys.stderr)
        else:
            print_json(result)
    elif args.output != "-":
        print(
            f"wrote {args.output}: {summary.recordings} recording(s), {summary.audio_files} "
            f"audio file(s), {summary.consent_events} consent decision(s), "
            f"{summary.audit_events} audit entr{'y' if summary.audit_events == 1 else 'ies'}"
        )
    return 0
