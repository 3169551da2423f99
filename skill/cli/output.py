"""What the verbs print: ``--json`` documents (dataclasses with datetimes as ISO 8601 text) and
errors, as one line for a person or one JSON object for a script."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

__all__ = ["jsonable", "print_error", "print_json"]


def jsonable(value: Any) -> Any:
    """``value`` with every datetime, at any depth, turned into ISO 8601 text."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def print_json(value: Any) -> None:
    """``value`` as indented JSON on stdout."""
    print(json.dumps(jsonable(value), indent=2, ensure_ascii=False))


def print_error(kind: str, message: str, details: list[str], *, as_json: bool) -> None:
    """An error on stderr: ``privacy-skill: message`` (then its detail lines, indented), or
    ``{"error": kind, "message": message, "details"?: [...]}`` under ``--json``."""
    if as_json:
        error: dict[str, Any] = {"error": kind, "message": message}
        if details:
            error["details"] = details
        print(json.dumps(error, ensure_ascii=False), file=sys.stderr)
        return
    print(f"privacy-skill: {message}", file=sys.stderr)
    for line in details:
        print(f"  {line}", file=sys.stderr)
