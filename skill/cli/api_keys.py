"""The HTTP API's keys: ``api-keys create``, ``api-keys list`` and ``api-keys revoke``."""

from __future__ import annotations

import argparse
import sys

from skill.cli.args import Verbs, add_json
from skill.cli.context import Context
from skill.cli.output import print_json

__all__ = ["register"]

# Plain values, so that parsing the command line loads no database layer.
SCOPES = ("ingest", "read", "delete", "consent", "export", "audit")
DEFAULT_RATE = 600


def _rate(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 1_000_000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1 to 1000000")
    return int(text)


def register(verbs: Verbs) -> None:
    keys = verbs.add_parser("api-keys", help="keys for the HTTP API (/api/v1)")
    actions = keys.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser(
        "create", help="make a key and print it once (only its hash is stored)"
    )
    create.add_argument("--name", required=True, help="what audit entries will call the key")
    create.add_argument(
        "--scope",
        required=True,
        metavar="S[,S...]",
        help=f"what it may do: {', '.join(SCOPES)}",
    )
    create.add_argument(
        "--rate",
        type=_rate,
        default=DEFAULT_RATE,
        metavar="N",
        help=f"requests a minute it may make, and its burst (default {DEFAULT_RATE})",
    )
    add_json(create, 'print {"key", "name", "scopes", ...}')
    create.set_defaults(run=_create)

    listing = actions.add_parser("list", help="every key: name, scopes, created, revoked")
    add_json(listing, "print a JSON array")
    listing.set_defaults(run=_list)

    revoke = actions.add_parser("revoke", help="revoke a key: refused from its next request")
    revoke.add_argument("--name", required=True)
    add_json(revoke)
    revoke.set_defaults(run=_revoke)


def _create(args: argparse.Namespace, ctx: Context) -> int:
    from skill.services.api_keys import ApiKeyService, parse_scopes

    scopes = parse_scopes(args.scope)
    service = ApiKeyService(ctx.services.engine, ctx.services.audit)
    created = service.create(args.name, scopes, rate_per_minute=args.rate)
    if args.json:
        print_json({"key": created.secret, **created.key.as_json()})
        return 0
    print(created.secret)
    print(
        f"privacy-skill: key {created.key.name!r} with scopes {args.scope}: this is the only "
        "time it is shown; send it as Authorization: Bearer KEY",
        file=sys.stderr,
    )
    return 0


def _list(args: argparse.Namespace, ctx: Context) -> int:
    from skill.services.api_keys import ApiKeyService

    keys = ApiKeyService(ctx.services.engine, ctx.services.audit).list()
    if args.json:
        print_json([key.as_json() for key in keys])
        return 0
    for key in keys:
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}Z" if key.revoked_at else "active"
        scopes = ",".join(s for s in SCOPES if s in key.scopes)
        print(
            f"{key.name}  {scopes}  {key.rate_per_minute}/min  "
            f"created {key.created_at:%Y-%m-%d %H:%M}Z  {state}"
        )
    print(f"{len(keys)} key(s)")
    return 0


def _revoke(args: argparse.Namespace, ctx: Context) -> int:
    from skill.services.api_keys import ApiKeyService

    key = ApiKeyService(ctx.services.engine, ctx.services.audit).revoke(args.name)
    if args.json:
        print_json(key.as_json())
    else:
        print(f"revoked {key.name}")
    return 0
