"""The simulator's verbs: ``nlu``, ``simulate``, ``dialog``, ``lint`` and ``replay``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from skill.cli.args import Verbs, add_json, add_session_options, add_transport_options, aware_time
from skill.cli.context import Context
from skill.errors import InputError

if TYPE_CHECKING:
    from skill.config import Config
    from skill.simulator.setup import SimulatorOptions, TransportName

__all__ = ["options_from", "register"]

DEFAULT_MAX_FINDINGS = 50


def register(verbs: Verbs) -> None:
    dialog = verbs.add_parser("dialog", help="talk to the skill by typing (local simulator)")
    add_session_options(dialog, default_user="amzn1.ask.account.DEMO")
    dialog.set_defaults(run=run_dialog)

    simulate = verbs.add_parser(
        "simulate", help="send typed turns of one session to the skill and show the dialog"
    )
    simulate.add_argument("turns", nargs="+", metavar="TURN", help="what the person says, in order")
    add_json(simulate, "one JSON object per turn")
    add_session_options(simulate, default_user="amzn1.ask.account.SIMULATED")
    simulate.set_defaults(run=run_simulate)

    nlu = verbs.add_parser("nlu", help="how the interaction model understands an utterance")
    nlu.add_argument("utterance")
    add_json(nlu, "print {request_type, intent, slots}")
    nlu.add_argument("--locale", default="en-US", help="interaction model locale")
    nlu.add_argument(
        "--time", type=aware_time, help="reference time for dates, ISO 8601 with offset"
    )
    nlu.set_defaults(run=run_nlu)


def register_checks(verbs: Verbs) -> None:
    """``lint`` and ``replay``: checks that exit 1 when they find a problem."""
    lint = verbs.add_parser("lint", help="check interaction models for what Alexa would refuse")
    lint.add_argument(
        "models",
        nargs="*",
        metavar="MODEL.json",
        help="model files (default: every interaction_models/*.json)",
    )
    lint.add_argument(
        "--max-findings",
        type=_count,
        default=DEFAULT_MAX_FINDINGS,
        metavar="N",
        help=f"print at most N findings, then a count of the rest (default {DEFAULT_MAX_FINDINGS})",
    )
    lint.set_defaults(run=run_lint)

    replay = verbs.add_parser(
        "replay",
        help="run scripted dialog tests (project YAML or bespoken bst files); exit 1 on failure",
    )
    replay.add_argument("files", nargs="+", metavar="FILE", help="replay files or folders of them")
    add_transport_options(replay)
    replay.add_argument(
        "--sign",
        metavar="DIR",
        type=Path,
        help="with --endpoint: sign requests with DIR/signing-key.pem (see dev-certs); "
        "requests then carry the real clock",
    )
    replay.add_argument(
        "--shared-database",
        action="store_true",
        help="with --endpoint: the endpoint runs on this PRIVACY_SKILL_DATABASE_URL, so seed "
        "and after use it (each file as a fresh user of its own)",
    )
    replay.add_argument("--junit", type=Path, metavar="FILE", help="also write JUnit XML here")
    add_json(replay, "print one JSON object for the run instead of the report")
    replay.set_defaults(run=run_replay)


def transport_from(args: argparse.Namespace) -> TransportName:
    if args.use_lambda:
        return "lambda"
    return "endpoint" if args.endpoint else "in-process"


def options_from(args: argparse.Namespace, config: Config) -> SimulatorOptions:
    """The simulator set-up the session options describe."""
    from skill.simulator.setup import SimulatorOptions

    return SimulatorOptions(
        user_id=args.user,
        locale=args.locale,
        zone=args.timezone or config.default_timezone,
        time=args.time,
        transport=transport_from(args),
        endpoint=args.endpoint,
        sign_with=_signing_dir(args),
        person_id=args.person or None,
        in_session=bool(getattr(args, "in_session", False)),
    )


def _signing_dir(args: argparse.Namespace) -> Path | None:
    if args.sign is None:
        return None
    if not args.endpoint:
        raise InputError("--sign goes with --endpoint URL")
    if not (args.sign / "signing-key.pem").is_file():
        raise InputError(
            f"{args.sign}/signing-key.pem not found; "
            f"create it with: privacy-skill dev-certs {args.sign}"
        )
    return Path(args.sign)


def _count(text: str) -> int:
    """argparse type: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def run_lint(args: argparse.Namespace, ctx: Context) -> int:
    from skill.nlu import MODELS_DIR
    from skill.simulator.lint import has_errors, lint_file

    paths = [Path(p) for p in args.models] or sorted(MODELS_DIR.glob("*.json"))
    if not paths:
        raise InputError(f"no interaction models found in {MODELS_DIR}")
    findings = [finding for path in paths for finding in lint_file(path)]
    for finding in findings[: args.max_findings]:
        print(finding)
    if len(findings) > args.max_findings:
        rest = len(findings) - args.max_findings
        print(f"... and {rest:,} more finding(s) (--max-findings N shows more)")
    errors = sum(1 for f in findings if f.severity == "error")
    print(f"{len(paths)} model(s): {errors} error(s), {len(findings) - errors} warning(s)")
    return 1 if has_errors(findings) else 0


def run_replay(args: argparse.Namespace, ctx: Context) -> int:
    from rich.console import Console

    from skill.simulator.replay import ReplayTarget, run_files

    if (args.sign or args.shared_database) and not args.endpoint:
        raise InputError("--sign and --shared-database go with --endpoint URL")
    target = ReplayTarget(
        transport=transport_from(args),
        endpoint=args.endpoint,
        sign_with=_signing_dir(args),
        shared=ctx.config if args.shared_database else None,
    )
    files = [Path(f) for f in args.files]
    console = Console(highlight=False)
    return run_files(files, console, target=target, json_output=args.json, junit=args.junit)


def run_nlu(args: argparse.Namespace, ctx: Context) -> int:
    import json

    from skill.nlu import Nlu
    from skill.simulator.envelopes import now_utc

    nlu = Nlu.for_locale(args.locale)
    moment = args.time or now_utc().astimezone(ctx.config.default_timezone)
    result = nlu.parse(args.utterance, moment.date())
    answer = {"request_type": result.request_type, "intent": result.intent, "slots": result.slots}
    if args.json:
        print(json.dumps(answer))
    else:
        print(
            f"{result.request_type} {result.intent or ''} {result.slots} score={result.score:.2f}"
        )
    return 0


def run_simulate(args: argparse.Namespace, ctx: Context) -> int:
    import json

    from rich.console import Console
    from rich.text import Text

    from skill.simulator.repl import print_turn
    from skill.simulator.setup import simulator

    console = Console(highlight=False)
    options = options_from(args, ctx.config)
    # Opened when a turn first needs data: "open voice privacy" alone opens no database.
    with simulator(options, lambda: ctx.services, ctx.config) as driver:
        for utterance in args.turns:
            was_open = driver.session_open
            turn = driver.say(utterance)
            if args.json:
                print(json.dumps(turn.as_json()))
            else:
                console.print(Text.assemble(("You: ", "bold cyan"), utterance))
                print_turn(console, turn)
                if (was_open and not driver.session_open) or (turn.sent and not turn.session_open):
                    console.print(Text("(session ended)", style="dim"))
        ended = driver.finish()  # the script is over: the person says nothing more
        if ended is not None and args.json:
            print(json.dumps(ended.as_json()))
        elif ended is not None:
            if ended.speech:
                console.print(Text.assemble(("Alexa: ", "bold green"), ended.speech))
            console.print(Text(f"({ended.note})", style="dim"))
    return 0


def run_dialog(args: argparse.Namespace, ctx: Context) -> int:
    from skill.simulator.interactive import run_interactive

    return run_interactive(lambda: ctx.services, ctx.config, options_from(args, ctx.config))
