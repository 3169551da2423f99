"""Local days to UTC instants across DST changes and far-off zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from skill.services.timerange import local_days


@pytest.mark.parametrize(
    ("zone", "day", "start", "hours"),
    [
        ("UTC", date(2026, 11, 26), datetime(2026, 11, 26, tzinfo=UTC), 24),
        ("America/New_York", date(2026, 3, 8), datetime(2026, 3, 8, 5, tzinfo=UTC), 23),
        ("America/New_York", date(2026, 11, 1), datetime(2026, 11, 1, 4, tzinfo=UTC), 25),
        ("Pacific/Kiritimati", date(2026, 11, 26), datetime(2026, 11, 25, 10, tzinfo=UTC), 24),
        ("Australia/Lord_Howe", date(2026, 10, 4), datetime(2026, 10, 3, 13, 30, tzinfo=UTC), 23.5),
        ("America/Santiago", date(2026, 9, 6), datetime(2026, 9, 6, 4, tzinfo=UTC), 23),
    ],
)
def test_one_local_day(zone: str, day: date, start: datetime, hours: float) -> None:
    got_start, got_end = local_days(day, day, ZoneInfo(zone))
    assert got_start == start
    assert got_end - got_start == timedelta(hours=hours)


def test_several_days_and_bad_order() -> None:
    start, end = local_days(date(2026, 11, 23), date(2026, 11, 29), ZoneInfo("Europe/Berlin"))
    assert (start, end) == (
        datetime(2026, 11, 22, 23, tzinfo=UTC),
        datetime(2026, 11, 29, 23, tzinfo=UTC),
    )
    with pytest.raises(ValueError):
        local_days(date(2026, 11, 2), date(2026, 11, 1), ZoneInfo("UTC"))
