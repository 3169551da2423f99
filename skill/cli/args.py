"""Argument parsing shared by the areas: the parser class, common options and value types.

Argument values are checked while parsing, so a bad ``--time`` or ``--timezone`` is a usage
error that names the option, whichever verb it was given to.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn, TypeAlias
from zoneinfo import ZoneInfo

from skill.errors import UsageError
from skill.values import parse_aware_time, parse_zone

__all__ = [
    "Parser",
    "ParserError",
    "Verbs",
    "add_json",
    "add_session_options",
    "add_transport_options",
    "aware_time",
    "identifier",
    "time_zone",
]

Verbs: TypeAlias = "argparse._SubParsersAction[Parser]"
"""Where an area adds its verbs: what ``add_subparsers()`` returns."""


class ParserError(UsageError):
    """argparse found the command line unusable; ``usage`` is the verb's usage line."""

    def __init__(self, message: str, usage: str) -> None:
        super().__init__(message)
        self.usage = usage


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises ``ParserError`` instead of exiting, so ``main`` reports
    usage errors like every other error (and as JSON under ``--json``)."""

    def error(self, message: str) -> NoReturn:
        raise ParserError(f"{self.prog}: {message}", self.format_usage())


def aware_time(text: str) -> datetime:
    """argparse type: an ISO 8601 time with a UTC offset."""
    try:
        return parse_aware_time(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def time_zone(name: str) -> ZoneInfo:
    """argparse type: an IANA time zone name."""
    try:
        return parse_zone(name)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


IDENTIFIER_LONGEST = 512
"""The longest user or person id the schema stores (as ``ingest`` checks them)."""


def identifier(text: str) -> str:
    """argparse type: an Alexa userId or personId: not empty or blank, no NUL, at most
    ``IDENTIFIER_LONGEST`` characters. (An empty ``--user`` would otherwise read and change an
    account nobody has.)"""
    if not text or text.isspace():
        raise argparse.ArgumentTypeError("must not be empty")
    if "\0" in text:
        raise argparse.ArgumentTypeError("must not contain a NUL character")
    if len(text) > IDENTIFIER_LONGEST:
        raise argparse.ArgumentTypeError(f"is longer than {IDENTIFIER_LONGEST} characters")
    return text


def add_json(parser: argparse.ArgumentParser, what: str = "print the result as JSON") -> None:
    parser.add_argument("--json", action="store_true", help=what)


def add_session_options(parser: argparse.ArgumentParser, default_user: str) -> None:
    """Who talks to the skill, when, from where, and how it is reached (simulate, dialog,
    listen, voice)."""
    parser.add_argument(
        "--user", type=identifier, default=default_user, help="Alexa userId to act as"
    )
    parser.add_argument(
        "--person", help="Alexa personId of a recognised speaker (default: not recognised)"
    )
    parser.add_argument(
        "--time", type=aware_time, help="pin the request time, ISO 8601 with offset"
    )
    parser.add_argument(
        "--timezone", type=time_zone, help="the device time zone (default: the configured one)"
    )
    parser.add_argument("--locale", default="en-US", help="interaction model locale")
    parser.add_argument(
        "--in-session",
        action="store_true",
        help="start inside an open session: the first turn needs no invocation name",
    )
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


def wants_json(args: Any) -> bool:
    """Whether the verb was asked for JSON output."""
    return bool(getattr(args, "json", False))
