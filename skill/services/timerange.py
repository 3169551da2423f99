"""Local calendar days to UTC instants, honouring DST through zoneinfo."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``zone``, as UTC.

    Where a DST change skips midnight itself, zoneinfo resolves the wall time
    forward, which is the first instant that exists on that day.
    """
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def local_days(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC ``[start, end)`` covering the local days ``first`` to ``last`` inclusive."""
    if last < first:
        raise ValueError("last day is before the first")
    return local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone)
