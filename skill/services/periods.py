"""Retention periods: what a person may choose and the deployment default, as plain values
(no SQL: the skill's speech reads them)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from skill.errors import InputError

__all__ = [
    "CHOICES",
    "DONT_SAVE",
    "PERIODS",
    "Period",
    "UnknownPeriod",
    "default_period",
    "months_before",
    "shortest",
]

DONT_SAVE = "DONT_SAVE"


@dataclass(frozen=True)
class Period:
    """How long recordings are kept: ``months`` calendar months, ``days`` days, or (neither)
    until they are deleted."""

    id: str
    months: int | None = None
    days: int | None = None

    @property
    def forever(self) -> bool:
        return self.months is None and self.days is None

    def cutoff(self, now: datetime) -> datetime | None:
        """Recordings from before this instant are no longer kept; None: all are kept."""
        if self.months is not None:
            return months_before(now, self.months)
        if self.days is not None:
            return now - timedelta(days=self.days)
        return None


PERIODS = {
    "3_MONTHS": Period("3_MONTHS", months=3),
    "18_MONTHS": Period("18_MONTHS", months=18),
    "36_MONTHS": Period("36_MONTHS", months=36),
    "UNTIL_DELETED": Period("UNTIL_DELETED"),
}
"""The periods a person may choose, by their ``RETENTION_PERIOD`` value id."""
CHOICES = (*PERIODS, DONT_SAVE)
"""Every ``RETENTION_PERIOD`` value id."""


class UnknownPeriod(InputError):
    """A period id that is not one of :data:`CHOICES`."""

    def __init__(self, period: str):
        super().__init__(f"unknown retention period {period!r}; choose one of {', '.join(CHOICES)}")


def default_period(days: int | None) -> Period:
    """The deployment's default: 18 calendar months, or ``days`` days when set."""
    return PERIODS["18_MONTHS"] if days is None else Period(f"{days}_DAYS", days=days)


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` less ``months`` calendar months (UTC), the day clamped to the month."""
    moment = moment.astimezone(UTC)
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def shortest(periods: list[Period], now: datetime) -> Period:
    """The period that keeps recordings for the least time (the latest cutoff)."""
    limited = [p for p in periods if not p.forever]
    if not limited:
        return periods[0]
    return max(limited, key=lambda p: p.cutoff(now) or now)
