"""The packaging verbs: ``package-lambda`` (a deployable zip) and ``package-skill`` (an ASK
CLI project)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from skill.cli.args import Verbs, add_json
from skill.cli.context import Context

__all__ = ["register"]

DEFAULT_CACHE = Path(".cache") / "lambda-deps"


def register(verbs: Verbs) -> None:
    lam = verbs.add_parser("package-lambda", help="build a deployable AWS Lambda zip")
    lam.add_argument("-o", "--output", type=Path, required=True, metavar="ZIP")
    lam.add_argument(
        "--python-version",
        default=None,
        help="Lambda Python runtime, e.g. 3.12 (default: the newest Lambda runtime)",
    )
    lam.add_argument(
        "--cache",
        type=Path,
        default=DEFAULT_CACHE,
        help="reuse downloaded dependencies from this folder",
    )
    add_json(lam, "print the build report as JSON")
    lam.set_defaults(run=run_package_lambda)

    ask = verbs.add_parser("package-skill", help="write an ASK CLI project (ask deploy)")
    ask.add_argument("-o", "--output", type=Path, required=True, metavar="DIR")
    target = ask.add_mutually_exclusive_group()
    target.add_argument("--endpoint", metavar="URL", help="HTTPS endpoint instead of Lambda")
    target.add_argument(
        "--lambda-zip",
        type=Path,
        metavar="ZIP",
        help="use this package-lambda zip (default: build one)",
    )
    ask.add_argument("--python-version", default=None, help="Lambda Python runtime")
    ask.add_argument("--skill-name", default="Voice Privacy")
    ask.add_argument("--privacy-policy-url", default=None, help="the skill's privacy policy")
    ask.set_defaults(run=run_package_skill)


def run_package_lambda(args: argparse.Namespace, ctx: Context) -> int:
    from rich.console import Console

    from skill.packaging.lambda_zip import DEFAULT_LAMBDA_PYTHON, build_lambda_zip

    console = Console(stderr=True)
    with console.status("building the Lambda zip") as status:
        report = build_lambda_zip(
            args.output,
            args.python_version or DEFAULT_LAMBDA_PYTHON,
            progress=status.update,
            deps_cache=args.cache,
        )
    if args.json:
        print(
            json.dumps(
                {
                    "path": str(report.path),
                    "size": report.size,
                    "python_version": report.python_version,
                    "packages": list(report.packages),
                    "bytecode": report.bytecode,
                }
            )
        )
    else:
        print(
            f"{report.path}: {report.size / 1e6:.1f} MB for Python {report.python_version}, "
            f"{len(report.packages)} top-level packages"
            + (", with precompiled bytecode" if report.bytecode else ", no bytecode")
        )
    return 0


def run_package_skill(args: argparse.Namespace, ctx: Context) -> int:
    from rich.console import Console

    from skill.packaging.ask_project import (
        PLACEHOLDER_PRIVACY_URL,
        manifest_warnings,
        write_ask_project,
    )
    from skill.packaging.lambda_zip import DEFAULT_LAMBDA_PYTHON, build_lambda_zip

    console = Console(stderr=True)
    privacy_policy_url = args.privacy_policy_url or PLACEHOLDER_PRIVACY_URL
    if privacy_policy_url == PLACEHOLDER_PRIVACY_URL:
        console.print(
            "[yellow]warning:[/yellow] the manifest's privacy policy URL is a "
            "placeholder; pass --privacy-policy-url before certification"
        )
    with tempfile.TemporaryDirectory() as scratch:
        lambda_zip = args.lambda_zip
        if args.endpoint is None and lambda_zip is None:
            # Build the runtime's own wheels here rather than letting `ask deploy` pip-install
            # with whatever Python the deploying machine has.
            lambda_zip = Path(scratch) / "lambda.zip"
            with console.status("building the Lambda zip") as status:
                build_lambda_zip(
                    lambda_zip,
                    args.python_version or DEFAULT_LAMBDA_PYTHON,
                    progress=status.update,
                    deps_cache=DEFAULT_CACHE,
                )
        files = write_ask_project(
            args.output,
            endpoint=args.endpoint,
            skill_name=args.skill_name,
            privacy_policy_url=privacy_policy_url,
            lambda_zip=lambda_zip,
            python_version=args.python_version,
        )
    for warning in manifest_warnings(args.output / "skill-package" / "skill.json"):
        console.print(f"[yellow]warning:[/yellow] {warning}")
    print(
        f"wrote {len(files)} files to {args.output}; deploy with: cd {args.output} && ask deploy",
        file=sys.stdout,
    )
    return 0
