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
    lint.set_defaults(run=run_lint)

    replay = verbs.add_parser("replay", help="run scripted dialog tests (YAML); exit 1 on failure")
    replay.add_argument("files", nargs="+", metavar="FILE", help="replay files or folders of them")
    add_transport_options(replay)
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


def run_lint(args: argparse.Namespace, ctx: Context) -> int:
    from skill.nlu import MODELS_DIR
    from skill.simulator.lint import has_errors, lint_file

    paths = [Path(p) for p in args.models] or sorted(MODELS_DIR.glob("*.json"))
    if not paths:
        raise InputError(f"no interaction models found in {MODELS_DIR}")
    findings = [finding for path in paths for finding in lint_file(path)]
    for finding in findings:
        print(finding)
    errors = sum(1 for f in findings if f.severity == "error")
    print(f"{len(paths)} model(s): {errors} error(s), {len(findings) - errors} warning(s)")
    return 1 if has_errors(findings) else 0


def run_replay(args: argparse.Namespace, ctx: Context) -> int:
    from rich.console import Console

    from skill.simulator.replay import run_files

    files = [Path(f) for f in args.files]
    return run_files(files, Console(highlight=False), transport_from(args), args.endpoint)


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
    from dataclasses import asdict

    from rich.console import Console
    from rich.text import Text

    from skill.simulator.repl import print_turn
    from skill.simulator.setup import simulator

    console = Console(highlight=False)
    options = options_from(args, ctx.config)
    with simulator(options, ctx.services, ctx.config) as driver:
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


def run_dialog(args: argparse.Namespace, ctx: Context) -> int:
    from skill.simulator.interactive import run_interactive

    return run_interactive(ctx.services, ctx.config, options_from(args, ctx.config))
