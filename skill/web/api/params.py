"""Reading the API's inputs: path and query parameters and small JSON bodies, each checked
before anything uses it; a bad one is a 400 naming the parameter, never a value from it.

Texts (user ids, person ids, recording ids) must be non-empty, within the length the schema
stores, and free of control characters: a NUL would otherwise reach PostgreSQL, which refuses
it with an error that is not the caller's to see.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from skill.values import NotATimeZone, parse_aware_time, parse_zone
from skill.web.api.errors import ApiError, bad_request

__all__ = ["Query", "check_text", "json_body", "user_id"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
RFC3339 = (
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})?"
    "([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
"""The RFC 3339 times the API reads (fractions to microseconds); the OpenAPI document states
the same pattern."""
_RFC3339 = re.compile(RFC3339)


def rfc3339(value: str) -> datetime:
    """An RFC 3339 time as aware UTC; ``ValueError`` (or ``OverflowError``) otherwise."""
    if not _RFC3339.fullmatch(value):
        raise ValueError("not an RFC 3339 time")
    return parse_aware_time(value.upper()).astimezone(UTC)
LONGEST_ID = 512
"""Longest user or person id (as the schema stores them)."""
LONGEST_RECORDING_ID = 128
SMALL_BODY_BYTES = 64 * 1024
"""Largest body of a PUT (a consent or retention decision is a few dozen bytes)."""


def check_text(value: Any, field: str, longest: int = LONGEST_ID) -> str:
    """``value`` when it is a usable identifier; 400 naming ``field`` otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise bad_request(field, "must be a non-empty string")
    if len(value) > longest:
        raise bad_request(field, f"is longer than {longest} characters")
    if _CONTROL.search(value) or not _encodable(value):
        raise bad_request(field, "must not contain control characters")
    return value


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def user_id(value: str) -> str:
    """The ``{user_id}`` path parameter (an Alexa userId, URL-decoded by the server)."""
    return check_text(value, "user_id")


class Query:
    """The query string, with only the parameters an endpoint knows, each given once."""

    def __init__(self, args: MultiDict[str, str], known: Collection[str]):
        unknown = sorted(name for name in args if name not in known)
        if unknown:
            raise bad_request(
                unknown[0][:40], f"is not a parameter here (known: {', '.join(sorted(known))})"
            )
        for name in args:
            if len(args.getlist(name)) > 1:
                raise bad_request(name, "is given more than once")
        self.args = args

    def has(self, name: str) -> bool:
        return name in self.args

    def text(self, name: str, longest: int = LONGEST_ID) -> str | None:
        value = self.args.get(name)
        return None if value is None else check_text(value, name, longest)

    def time(self, name: str) -> datetime | None:
        value = self.args.get(name)
        if value is None:
            return None
        try:
            return rfc3339(value)
        except (ValueError, OverflowError):
            raise bad_request(
                name, "must be an RFC 3339 time with a UTC offset, e.g. 2026-11-26T15:00:00Z"
            ) from None

    def integer(self, name: str, low: int, high: int, default: int) -> int:
        value = self.args.get(name)
        if value is None:
            return default
        if not re.fullmatch(r"[0-9]{1,7}", value) or not low <= int(value) <= high:
            raise bad_request(name, f"must be a whole number from {low} to {high}")
        return int(value)

    def zone(self, name: str) -> ZoneInfo | None:
        value = self.args.get(name)
        if value is None:
            return None
        if len(value) > 64 or _CONTROL.search(value):
            raise bad_request(name, "must be an IANA time zone name, e.g. Europe/Berlin")
        try:
            return parse_zone(value)
        except NotATimeZone:
            raise bad_request(name, "must be an IANA time zone name, e.g. Europe/Berlin") from None


# -- cursors -----------------------------------------------------------------------------


def encode_position(at: datetime, rid: str) -> str:
    """An opaque cursor for a recordings listing: where the next page starts."""
    raw = json.dumps([at.isoformat(), rid], ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_position(cursor: str) -> tuple[datetime, str]:
    """The position a cursor from :func:`encode_position` names; 400 otherwise."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, rid = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        moment = parse_aware_time(at).astimezone(UTC)
        return moment, check_text(rid, "cursor", LONGEST_RECORDING_ID)
    except (ValueError, TypeError, OverflowError, RecursionError, binascii.Error):
        raise bad_request("cursor", "is not a cursor this API gave") from None
    except ApiError:
        raise bad_request("cursor", "is not a cursor this API gave") from None


def encode_audit_position(before: int) -> str:
    return base64.urlsafe_b64encode(f"a{before}".encode()).decode("ascii").rstrip("=")


def decode_audit_position(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    except (ValueError, binascii.Error, UnicodeError):
        raise bad_request("cursor", "is not a cursor this API gave") from None
    if not re.fullmatch(r"a[1-9][0-9]{0,17}", text):
        raise bad_request("cursor", "is not a cursor this API gave")
    return int(text[1:])


# -- bodies ------------------------------------------------------------------------------


def json_body(limit: int = SMALL_BODY_BYTES) -> Any:
    """The request body as JSON (``application/json``, UTF-8, within ``limit`` bytes)."""
    if request.mimetype != "application/json":
        raise ApiError(415, "send the body as application/json")
    request.max_content_length = limit
    try:
        body = request.get_data(cache=False)  # over the limit: werkzeug's 413
    except HTTPException:
        raise
    except Exception:  # the server's body reader (broken chunking, a client gone mid-body)
        raise bad_request(None, "the body could not be read") from None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request(None, "the body is not UTF-8") from None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise bad_request(None, "the body is not JSON") from None
