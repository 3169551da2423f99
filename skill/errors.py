"""The one base class of errors a person can act on, and what each kind means to a front end.

A bad option, a bad input file, a bad setting or an unreachable database is not a bug: the
command line prints one line (or one JSON object) and exits with the error's code; the web
service answers 4xx/503. Each error carries its ``kind`` and ``exit_code`` itself, so a front
end reports any of them without a list of exception types. Programming errors are not
``ProductError`` and still show a traceback.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = ["CheckFailed", "ConfigError", "InputError", "ProductError", "UsageError"]


class ProductError(Exception):
    """Something the person who ran the command can fix; the message says what."""

    kind: ClassVar[str] = "error"
    """A stable word for the kind of failure, printed as ``{"error": kind}`` under ``--json``."""
    exit_code: ClassVar[int] = 2
    """The command line's exit status: 2 for usage, input and configuration errors."""

    def details(self) -> list[str]:
        """Further lines (e.g. one per bad input line); none by default."""
        return []


class UsageError(ProductError):
    """A command line that does not say what to do (unknown option, missing argument)."""

    kind = "usage"


class InputError(ProductError):
    """An input (a file, a value on the command line) that cannot be used as it is."""

    kind = "input"


class ConfigError(ProductError):
    """A setting is present but unusable; the message names the variable."""

    kind = "config"


class CheckFailed(ProductError):
    """A check found problems (lint, replay, storage check): exit 1."""

    kind = "check"
    exit_code = 1
