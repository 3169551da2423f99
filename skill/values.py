"""Parsing the values people type and files carry: aware ISO 8601 times and IANA time zones.

One parser each, for the command line, the settings, ingestion and replay files alike. They
raise ``ValueError`` subclasses whose messages quote the value; callers add where it came from
("--time", "line 3: recorded_at", "settings.timezone").
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["NoOffset", "NotATime", "NotATimeZone", "parse_aware_time", "parse_zone"]

OFFSET_EXAMPLE = "2026-11-26T15:00:00Z"


class NotATime(ValueError):
    """The text is not an ISO 8601 (RFC 3339) date and time."""


class NoOffset(ValueError):
    """The time has no UTC offset, so it names no instant."""


class NotATimeZone(ValueError):
    """The name is not an IANA time zone."""


def parse_aware_time(text: str) -> datetime:
    """``2026-11-26T15:00:00Z`` or ``...+01:00`` as an aware datetime."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise NotATime(f"{text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise NoOffset(f"{text!r} needs a UTC offset, e.g. {OFFSET_EXAMPLE}")
    return moment


def parse_zone(name: str) -> ZoneInfo:
    """An IANA time zone by name (``Europe/Berlin``)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise NotATimeZone(f"{name!r} is not an IANA time zone (e.g. Europe/Berlin)") from None
