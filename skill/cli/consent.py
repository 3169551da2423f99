"""Consent and accountability: ``consent show``, ``consent set`` and ``audit``."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from skill.cli.args import Verbs, add_json, identifier
from skill.cli.context import Context
from skill.cli.output import jsonable, print_json
from skill.services.models import PURPOSES  # plain values: no database layer at parse time

__all__ = ["register"]


def register(verbs: Verbs) -> None:
    consent = verbs.add_parser("consent", help="show or change a user's consent")
    actions = consent.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="current consent per purpose")
    show.add_argument("--user", required=True, type=identifier, help="Alexa userId")
    show.add_argument("--person", help="a recognised person's consent (Alexa personId)")
    add_json(show, "print {purpose: granted}")
    show.set_defaults(run=_show)

    change = actions.add_parser("set", help="grant or withdraw a purpose")
    change.add_argument("--user", required=True, type=identifier, help="Alexa userId")
    change.add_argument(
        "--person", help="decide for one recognised person (default: the whole account)"
    )
    change.add_argument("--purpose", required=True, choices=PURPOSES)
    grant = change.add_mutually_exclusive_group(required=True)
    grant.add_argument("--grant", action="store_true")
    grant.add_argument("--withdraw", action="store_true")
    add_json(change)
    change.set_defaults(run=_set)

    audit = verbs.add_parser("audit", help="the audit log for a user (no content, ever)")
    audit.add_argument("--user", required=True, type=identifier, help="Alexa userId")
    add_json(audit, "print a JSON array")
    audit.set_defaults(run=_audit)


def _show(args: argparse.Namespace, ctx: Context) -> int:
    state = ctx.services.consent.state(args.user, person=args.person)
    if args.json:
        print_json(state)
    else:
        for purpose, granted in state.items():
            print(f"{purpose}: {'granted' if granted else 'withdrawn'}")
    return 0


def _set(args: argparse.Namespace, ctx: Context) -> int:
    change = ctx.services.consent.set(
        args.user, args.purpose, args.grant, channel="cli", person=args.person
    )
    if args.json:
        print_json(asdict(change))
    else:
        print(f"{args.purpose}: {'granted' if change.granted else 'withdrawn'}")
    return 0


def _audit(args: argparse.Namespace, ctx: Context) -> int:
    events = ctx.services.audit.for_user(args.user)
    if args.json:
        print_json([jsonable(asdict(e)) for e in events])
        return 0
    for e in events:
        details = " ".join(f"{k}={v}" for k, v in e.details.items())
        print(f"{e.at:%Y-%m-%d %H:%M:%S}Z  {e.action}  via {e.channel}  {details}")
    return 0
