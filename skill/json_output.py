"""`--json` output for the CLI verbs: dataclass dicts with datetimes as ISO 8601 text."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any


def jsonable(value: Any) -> Any:
    """``value`` with every datetime, at any depth, turned into ISO 8601 text."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def print_json(value: Any) -> None:
    print(json.dumps(jsonable(value), indent=2, ensure_ascii=False))
