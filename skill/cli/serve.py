"""The web service's verbs: ``serve`` (gunicorn) and ``dev-certs`` (local signing material)."""

from __future__ import annotations

import argparse
from pathlib import Path

from skill.cli.args import Verbs
from skill.cli.context import Context

__all__ = ["register"]


def register(verbs: Verbs) -> None:
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
    serve.set_defaults(run=_serve)

    certs = verbs.add_parser("dev-certs", help="write a local CA and signing key for offline tests")
    certs.add_argument("directory", type=Path, metavar="DIR")
    certs.set_defaults(run=_dev_certs)


def _serve(args: argparse.Namespace, ctx: Context) -> int:
    from skill.web.server import DEFAULT_WORKERS, serve

    serve(ctx.config, args.host, args.port, args.workers or DEFAULT_WORKERS, args.dev_trust)
    return 0


def _dev_certs(args: argparse.Namespace, ctx: Context) -> int:
    from skill.web.devcerts import write_dev_certs

    for path in write_dev_certs(args.directory):
        print(path)
    return 0
