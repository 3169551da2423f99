"""The ``privacy-skill`` entry point: one parser from every area, dispatch by table, one error
path."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from skill.cli import (
    api_keys,
    consent,
    export,
    packaging,
    recordings,
    retention,
    review,
    serve,
    settings,
    simulator,
    storage,
    voice,
)
from skill.cli.args import Parser, ParserError, wants_json
from skill.cli.context import Context
from skill.cli.output import print_error
from skill.errors import ConfigError, ProductError
from skill.nlu.errors import InteractionModelError

__all__ = ["build_parser", "main"]


class _Version(argparse.Action):
    """``--version``: looked up only when asked for, so ``--help`` stays quick."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(f"privacy-skill {settings.version()}")
        parser.exit()


def build_parser() -> Parser:
    parser = Parser(
        prog="privacy-skill",
        description="Voice Privacy: control voice recordings and consent by voice. "
        "Operator commands over the same services the skill uses.",
        epilog="Settings: PRIVACY_SKILL_DATABASE_URL, PRIVACY_SKILL_AUDIO_DIR, "
        "PRIVACY_SKILL_DEFAULT_TIMEZONE, PRIVACY_SKILL_SKILL_ID; see `privacy-skill info`.",
    )
    parser.add_argument("--version", action=_Version)
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="COMMAND")
    recordings.register(verbs)
    consent.register(verbs)
    settings.register(verbs)
    simulator.register(verbs)
    serve.register(verbs)
    packaging.register(verbs)
    voice.register(verbs)
    review.register(verbs)
    storage.register(verbs)
    retention.register(verbs)
    api_keys.register(verbs)
    export.register(verbs)
    simulator.register_checks(verbs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit status (0, 1 for a failed check, 2 for an error)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    ctx = Context()
    as_json = "--json" in argv
    try:
        args = build_parser().parse_args(argv)
        as_json = wants_json(args)
        status: int = args.run(args, ctx)
        return status
    except ProductError as error:
        if isinstance(error, ParserError) and not as_json:
            print(error.usage, end="", file=sys.stderr)
        print_error(error.kind, str(error), error.details(), as_json=as_json)
        return error.exit_code
    except InteractionModelError as error:  # the NLU depends on nothing of ours: not a ProductError
        print_error("config", str(error), [], as_json=as_json)
        return ConfigError.exit_code
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
