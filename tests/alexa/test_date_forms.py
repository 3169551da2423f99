"""Every AMAZON.DATE form deletes exactly its local days, through the skill."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from skill.services import Services
from tests.conftest import USER, Alexa, seed

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # Thursday of ISO week 48


def noon(d: date) -> datetime:
    return datetime.combine(d, time(12), tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "first", "last", "spoken"),
    [
        ("2026-11-26", date(2026, 11, 26), date(2026, 11, 26), "today"),
        ("2026-11-25", date(2026, 11, 25), date(2026, 11, 25), "yesterday"),
        ("2026-W48", date(2026, 11, 23), date(2026, 11, 29), "this week"),
        ("2026-W47", date(2026, 11, 16), date(2026, 11, 22), "last week"),
        ("2026-W47-WE", date(2026, 11, 21), date(2026, 11, 22), "last weekend"),
        ("2026-10", date(2026, 10, 1), date(2026, 10, 31), "October"),
        ("2025", date(2025, 1, 1), date(2025, 12, 31), "2025"),
        ("201X", date(2010, 1, 1), date(2019, 12, 31), "the 2010s"),
        ("2026-SU", date(2026, 6, 1), date(2026, 8, 31), "summer 2026"),
        ("2025-WI", date(2025, 12, 1), date(2026, 2, 28), "winter 2025"),
    ],
)
def test_each_form_deletes_its_span_and_nothing_around_it(
    alexa: Alexa, services: Services, value: str, first: date, last: date, spoken: str
) -> None:
    inside = [noon(first), noon(last)]
    outside = [noon(first - timedelta(days=1)), noon(last + timedelta(days=1))]
    seed(services, USER, *inside, *outside)

    asked = alexa.intent("DeleteRecordingsIntent", {"date": value})
    assert f"from {spoken}" in asked.speech
    assert asked.directives == ["Dialog.ConfirmIntent"]
    alexa.confirm("DeleteRecordingsIntent", asked, slots={"date": value})

    remaining = sorted(r.recorded_at for r in services.recordings.list(USER))
    assert remaining == sorted(outside)
    assert f"There are {len(inside)} recordings" in asked.speech


def test_this_weekend_said_on_thursday_means_last_weekend(alexa: Alexa, services: Services) -> None:
    seed(services, USER, noon(date(2026, 11, 22)))
    asked = alexa.intent("DeleteRecordingsIntent", {"date": "2026-W48-WE"})
    assert asked.speech.startswith("I can only delete the past, so I'm taking that as last weekend")
    assert "one recording" in asked.speech
