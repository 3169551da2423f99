"""``privacy-skill``: the operator's command line. Thin: parse, call a service, print."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from skill.config import Config, ConfigError
from skill.json_output import jsonable, print_json
from skill.packaging.lambda_zip import PackagingError
from skill.services import Services, open_services
from skill.services.consent import UnknownPurpose
from skill.services.ingest import IngestError, parse_jsonl
from skill.services.models import PURPOSES
from skill.services.recordings import DuplicateRecording
from skill.simulator.commands import SimulatorUsageError
from skill.simulator.nlu import InteractionModelError
from skill.simulator.transports import TransportError


class UsageError(ValueError):
    """Bad input on the command line; printed without a traceback, exit 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="privacy-skill",
        description="Voice Privacy: control voice recordings and consent by voice. "
        "Operator commands over the same services the skill uses.",
        epilog="Settings: PRIVACY_SKILL_DATABASE_URL, PRIVACY_SKILL_AUDIO_DIR, "
        "PRIVACY_SKILL_DEFAULT_TIMEZONE, PRIVACY_SKILL_SKILL_ID.",
    )
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="COMMAND")

    ingest = verbs.add_parser("ingest", help="store recordings from a JSONL file (or - for stdin)")
    ingest.add_argument("file", help="JSONL file, one recording a line; - reads standard input")
    ingest.add_argument("--json", action="store_true", help="print the result as JSON")

    recordings = verbs.add_parser("recordings", help="list or delete a user's recordings")
    rec_verbs = recordings.add_subparsers(dest="action", required=True, metavar="ACTION")
    rec_list = rec_verbs.add_parser("list", help="a user's recordings, newest first")
    rec_list.add_argument("--user", required=True, help="Alexa userId")
    rec_list.add_argument("--limit", type=int, default=None, help="at most this many")
    rec_list.add_argument("--json", action="store_true", help="print a JSON array")
    rec_delete = rec_verbs.add_parser("delete", help="delete a user's recordings")
    rec_delete.add_argument("--user", required=True, help="Alexa userId")
    which = rec_delete.add_mutually_exclusive_group(required=True)
    which.add_argument("--date", help="an AMAZON.DATE value: 2026-11-26, 2026-W48, 2026-11, ...")
    which.add_argument("--all", action="store_true", help="every recording of the user")
    rec_delete.add_argument(
        "--timezone",
        help="the user's time zone for --date (default: PRIVACY_SKILL_DEFAULT_TIMEZONE)",
    )
    rec_delete.add_argument("--json", action="store_true", help="print the result as JSON")

    consent = verbs.add_parser("consent", help="show or change a user's consent")
    con_verbs = consent.add_subparsers(dest="action", required=True, metavar="ACTION")
    con_show = con_verbs.add_parser("show", help="current consent per purpose")
    con_show.add_argument("--user", required=True, help="Alexa userId")
    con_show.add_argument("--json", action="store_true", help="print {purpose: granted}")
    con_set = con_verbs.add_parser("set", help="grant or withdraw a purpose")
    con_set.add_argument("--user", required=True, help="Alexa userId")
    con_set.add_argument("--purpose", required=True, choices=PURPOSES)
    grant = con_set.add_mutually_exclusive_group(required=True)
    grant.add_argument("--grant", action="store_true")
    grant.add_argument("--withdraw", action="store_true")
    con_set.add_argument("--json", action="store_true", help="print the result as JSON")

    audit = verbs.add_parser("audit", help="the audit log for a user (no content, ever)")
    audit.add_argument("--user", required=True, help="Alexa userId")
    audit.add_argument("--json", action="store_true", help="print a JSON array")

    db = verbs.add_parser("db", help="database maintenance")
    db_verbs = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    db_verbs.add_parser("upgrade", help="apply schema migrations")

    from skill.simulator.commands import add_session_options, add_transport_options

    dialog = verbs.add_parser("dialog", help="talk to the skill by typing (local simulator)")
    add_session_options(dialog, default_user="amzn1.ask.account.DEMO")

    simulate = verbs.add_parser(
        "simulate", help="send typed turns of one session to the skill and show the dialog"
    )
    simulate.add_argument("turns", nargs="+", metavar="TURN", help="what the person says, in order")
    simulate.add_argument("--json", action="store_true", help="one JSON object per turn")
    add_session_options(simulate, default_user="amzn1.ask.account.SIMULATED")

    nlu = verbs.add_parser("nlu", help="how the interaction model understands an utterance")
    nlu.add_argument("utterance")
    nlu.add_argument("--json", action="store_true", help="print {request_type, intent, slots}")
    nlu.add_argument("--locale", default="en-US", help="interaction model locale")
    nlu.add_argument("--time", help="reference time for dates, ISO 8601 with offset")
    serve = verbs.add_parser("serve", help="run the HTTPS skill endpoint (POST /alexa) on gunicorn")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    serve.add_argument("--workers", type=int, default=None, help="worker processes (default 2-4)")
    serve.add_argument(
        "--dev-trust",
        metavar="DIR",
        type=Path,
        help="trust only DIR/ca.pem from dev-certs instead of Amazon's chain (testing only)",
    )
    from skill.packaging.commands import add_arguments as add_packaging_verbs

    add_packaging_verbs(verbs)
    from skill.voice.commands import add_arguments as add_voice_verbs

    add_voice_verbs(verbs)
    from skill.review_commands import add_arguments as add_review_verbs

    add_review_verbs(verbs)
    certs = verbs.add_parser("dev-certs", help="write a local CA and signing key for offline tests")
    certs.add_argument("directory", type=Path, metavar="DIR")

    lint = verbs.add_parser("lint", help="check interaction models for what Alexa would refuse")
    lint.add_argument(
        "models",
        nargs="*",
        metavar="MODEL.json",
        help="model files (default: every interaction_models/*.json)",
    )
    replay = verbs.add_parser("replay", help="run scripted dialog tests (YAML); exit 1 on failure")
    replay.add_argument("files", nargs="+", metavar="FILE", help="replay files or folders of them")
    add_transport_options(replay)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = Config.from_env()
        if args.verb == "lint":
            from skill.simulator.commands import run_lint

            return run_lint(args)
        if args.verb == "replay":
            from skill.simulator.commands import run_replay

            return run_replay(args)
        if args.verb == "nlu":
            from skill.simulator.commands import run_nlu

            return run_nlu(args, config)
        if args.verb == "package-lambda":
            from skill.packaging.commands import run_package_lambda

            return run_package_lambda(args)
        if args.verb == "package-skill":
            from skill.packaging.commands import run_package_skill

            return run_package_skill(args)
        if args.verb == "dev-certs":
            from skill.web.devcerts import write_dev_certs

            for path in write_dev_certs(args.directory):
                print(path)
            return 0
        if args.verb == "serve":
            from skill.web.server import DEFAULT_WORKERS, serve

            serve(args.host, args.port, args.workers or DEFAULT_WORKERS, args.dev_trust)
            return 0
        if args.verb == "db":
            from skill.store.db import open_engine, upgrade

            ran = upgrade(open_engine(config.database_url))
            print("database upgraded" if ran else "database is up to date")
            return 0
        if args.verb in ("speak", "listen", "voice"):
            from skill.voice.commands import run_voice_verb

            return run_voice_verb(args, config)
        services = open_services(config)
        try:
            return _run(args, config, services)
        finally:
            services.close()
    except (
        UsageError,
        ConfigError,
        UnknownPurpose,
        DuplicateRecording,
        SimulatorUsageError,
        PackagingError,
        InteractionModelError,
        TransportError,
    ) as exc:
        print(f"privacy-skill: {exc}", file=sys.stderr)
        return 2
    except IngestError as exc:
        print("privacy-skill: the file was refused; nothing was ingested:", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace, config: Config, services: Services) -> int:
    if args.verb == "ingest":
        return _ingest(args, services)
    if args.verb == "recordings" and args.action == "list":
        items = services.recordings.list(args.user, limit=args.limit)
        if args.json:
            print_json([jsonable(asdict(item)) for item in items])
        else:
            for item in items:
                audio = " [audio]" if item.has_audio else ""
                print(f"{item.recorded_at:%Y-%m-%d %H:%M:%S}Z  {item.id}{audio}  {item.transcript}")
            print(f"{len(items)} recording(s)")
        return 0
    if args.verb == "recordings" and args.action == "delete":
        return _delete(args, config, services)
    if args.verb == "consent" and args.action == "show":
        state = services.consent.state(args.user)
        if args.json:
            print_json(state)
        else:
            for purpose, granted in state.items():
                print(f"{purpose}: {'granted' if granted else 'withdrawn'}")
        return 0
    if args.verb == "consent" and args.action == "set":
        change = services.consent.set(args.user, args.purpose, args.grant, channel="cli")
        if args.json:
            print_json(asdict(change))
        else:
            print(f"{args.purpose}: {'granted' if change.granted else 'withdrawn'}")
        return 0
    if args.verb == "audit":
        events = services.audit.for_user(args.user)
        if args.json:
            print_json([jsonable(asdict(e)) for e in events])
        else:
            for e in events:
                details = " ".join(f"{k}={v}" for k, v in e.details.items())
                print(f"{e.at:%Y-%m-%d %H:%M:%S}Z  {e.action}  via {e.channel}  {details}")
        return 0
    if args.verb == "review":
        from skill.review_commands import run as run_review

        return run_review(args, services)
    if args.verb == "dialog":
        from skill.simulator.commands import run_dialog

        return run_dialog(args, config, services)
    if args.verb == "simulate":
        from skill.simulator.commands import run_simulate

        return run_simulate(args, config, services)
    raise UsageError(f"unknown command {args.verb}")


def _ingest(args: argparse.Namespace, services: Services) -> int:
    from skill.ingest_progress import ingest_progress

    with ingest_progress() as bar:
        if args.file == "-":
            records = parse_jsonl(bar.lines(sys.stdin, None), Path.cwd())
        else:
            path = Path(args.file)
            if not path.is_file():
                raise UsageError(f"{path}: no such file")
            with path.open(encoding="utf-8") as handle:
                records = parse_jsonl(bar.lines(handle, path.stat().st_size), path.parent)
        result = services.recordings.ingest(records, channel="cli", progress=bar.storing())
    if args.json:
        print_json(asdict(result))
    else:
        print(f"ingested {result.ingested} recording(s)")
        if result.refused:
            print(f"refused {result.refused} recording(s): their users withdrew store_recordings")
    return 0


def _delete(args: argparse.Namespace, config: Config, services: Services) -> int:
    if args.all:
        deletion = services.recordings.delete_all(args.user, channel="cli")
    else:
        from skill.alexa.dates import UnusableDate, resolve_amazon_date
        from skill.services.timerange import local_days

        zone = _zone(args.timezone) if args.timezone else config.default_timezone
        span = resolve_amazon_date(args.date, datetime.now(UTC).astimezone(zone).date())
        if isinstance(span, UnusableDate):
            raise UsageError(f"--date {args.date!r}: {span.reason} AMAZON.DATE value")
        start, end = local_days(span.start, span.end, zone)
        deletion = services.recordings.delete_range(args.user, start, end, channel="cli")
    if args.json:
        print_json(jsonable(asdict(deletion)))
    else:
        print(f"deleted {deletion.count} recording(s) and {deletion.audio_files} audio file(s)")
    return 0


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"{name!r} is not an IANA time zone (e.g. Europe/Berlin)") from None




if __name__ == "__main__":
    sys.exit(main())
