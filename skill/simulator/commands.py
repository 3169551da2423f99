"""The simulator's CLI verbs (`nlu`, `simulate`, `dialog`); skill/cli.py parses, these run."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rich.console import Console
from rich.text import Text

from skill.config import Config
from skill.services import Services
from skill.simulator.envelopes import now_utc
from skill.simulator.nlu import Nlu
from skill.simulator.repl import print_turn
from skill.simulator.setup import SimulatorOptions, TransportName, simulator


class SimulatorUsageError(ValueError):
    """A bad simulator option; the CLI prints it and exits 2."""


def add_session_options(parser: argparse.ArgumentParser, default_user: str) -> None:
    """Options shared by `simulate` and `dialog`."""
    parser.add_argument("--user", default=default_user, help="Alexa userId to act as")
    parser.add_argument("--time", help="pin the request time, ISO 8601 with offset")
    parser.add_argument("--timezone", help="the device time zone (default: the configured one)")
    parser.add_argument("--locale", default="en-US", help="interaction model locale")
    add_transport_options(parser)
    parser.add_argument(
        "--sign",
        metavar="DIR",
        type=Path,
        help="with --endpoint: sign requests with DIR/signing-key.pem (see dev-certs)",
    )


def add_transport_options(parser: argparse.ArgumentParser) -> None:
    """--lambda | --endpoint URL: how requests reach the skill (default: in process)."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--lambda",
        dest="use_lambda",
        action="store_true",
        help="go through lambda/lambda_function.py's lambda_handler",
    )
    where.add_argument(
        "--endpoint", metavar="URL", help="POST requests to a running skill endpoint"
    )


def transport_from(args: argparse.Namespace) -> TransportName:
    if args.use_lambda:
        return "lambda"
    return "endpoint" if args.endpoint else "in-process"


def options_from(args: argparse.Namespace, config: Config) -> SimulatorOptions:
    return SimulatorOptions(
        user_id=args.user,
        locale=args.locale,
        zone=zone_named(args.timezone) if args.timezone else config.default_timezone,
        time=parse_time(args.time) if args.time else None,
        transport=transport_from(args),
        endpoint=args.endpoint,
        sign_with=_signing_dir(args),
    )


def _signing_dir(args: argparse.Namespace) -> Path | None:
    if args.sign is None:
        return None
    if not args.endpoint:
        raise SimulatorUsageError("--sign goes with --endpoint URL")
    if not (args.sign / "signing-key.pem").is_file():
        raise SimulatorUsageError(
            f"{args.sign}/signing-key.pem not found; "
            f"create it with: privacy-skill dev-certs {args.sign}"
        )
    return Path(args.sign)


def zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SimulatorUsageError(
            f"{name!r} is not an IANA time zone (e.g. Europe/Berlin)"
        ) from None


def parse_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SimulatorUsageError(f"--time {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise SimulatorUsageError(f"--time {text!r} needs a UTC offset, e.g. 2026-11-26T15:00:00Z")
    return moment


def run_lint(args: argparse.Namespace) -> int:
    from pathlib import Path

    from skill.simulator.lint import has_errors, lint_file
    from skill.simulator.nlu import MODELS_DIR

    paths = [Path(p) for p in args.models] or sorted(MODELS_DIR.glob("*.json"))
    if not paths:
        raise SimulatorUsageError(f"no interaction models found in {MODELS_DIR}")
    findings = [finding for path in paths for finding in lint_file(path)]
    for finding in findings:
        print(finding)
    errors = sum(1 for f in findings if f.severity == "error")
    print(f"{len(paths)} model(s): {errors} error(s), {len(findings) - errors} warning(s)")
    return 1 if has_errors(findings) else 0


def run_replay(args: argparse.Namespace) -> int:
    from skill.simulator.replay import run_files

    console = Console(highlight=False)
    files = [Path(f) for f in args.files]
    return run_files(files, console, transport_from(args), args.endpoint)


def run_nlu(args: argparse.Namespace, config: Config) -> int:
    nlu = Nlu.for_locale(args.locale)
    moment = parse_time(args.time) if args.time else now_utc().astimezone(config.default_timezone)
    result = nlu.parse(args.utterance, moment.date())
    answer = {"request_type": result.request_type, "intent": result.intent, "slots": result.slots}
    if args.json:
        print(json.dumps(answer))
    else:
        print(
            f"{result.request_type} {result.intent or ''} {result.slots} score={result.score:.2f}"
        )
    return 0


def run_simulate(args: argparse.Namespace, config: Config, services: Services) -> int:
    console = Console(highlight=False)
    with simulator(options_from(args, config), services, config) as driver:
        for utterance in args.turns:
            turn = driver.say(utterance)
            if args.json:
                print(json.dumps(asdict(turn)))
            else:
                console.print(Text.assemble(("You: ", "bold cyan"), utterance))
                print_turn(console, turn)
                if not driver.session_open:
                    console.print(Text("(session ended)", style="dim"))
        ended = driver.end()
        if ended is not None and args.json:
            print(json.dumps(asdict(ended)))
    return 0


def run_dialog(args: argparse.Namespace, config: Config, services: Services) -> int:
    from skill.simulator.interactive import run_interactive

    return run_interactive(services, config, options_from(args, config))
