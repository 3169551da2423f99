""" "Today" is the device's local day, from the request time and the Settings API zone."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from skill.services import Services
from skill.simulator.settings_stub import SettingsStub
from tests.conftest import USER, Alexa, seed


def test_device_ahead_of_utc_deletes_its_own_today(
    alexa: Alexa, services: Services, settings_api: SettingsStub
) -> None:
    # 2026-11-26 23:30 UTC is already Friday 27th, 08:30 in Tokyo.
    settings_api.default_zone = "Asia/Tokyo"
    alexa.now = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
    tokyo_today = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)  # 00:30 on the 27th in Tokyo
    tokyo_yesterday = datetime(2026, 11, 26, 14, 30, tzinfo=UTC)  # 23:30 on the 26th in Tokyo
    seed(services, USER, tokyo_today, tokyo_yesterday)

    asked = alexa.intent("DeleteRecordingsIntent", {"date": "2026-11-27"})
    assert "one recording from today" in asked.speech
    alexa.confirm("DeleteRecordingsIntent", asked, slots={"date": "2026-11-27"})

    assert [r.recorded_at for r in services.recordings.list(USER)] == [tokyo_yesterday]
    assert settings_api.requests >= 1


def test_device_behind_utc(alexa: Alexa, services: Services, settings_api: SettingsStub) -> None:
    settings_api.default_zone = "America/Los_Angeles"
    alexa.now = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)  # still 21:00 on the 26th in LA
    evening = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)  # 20:00 on the 26th in LA
    morning_utc_same_day = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)  # 23:00 on the 25th in LA
    seed(services, USER, evening, morning_utc_same_day)

    asked = alexa.intent("DeleteRecordingsIntent", {"date": "2026-11-26"})
    alexa.confirm("DeleteRecordingsIntent", asked, slots={"date": "2026-11-26"})

    assert [r.recorded_at for r in services.recordings.list(USER)] == [morning_utc_same_day]


@pytest.mark.parametrize(
    ("day", "zone", "hours"),
    [
        ("2026-03-08", "America/New_York", 23),  # spring forward
        ("2026-11-01", "America/New_York", 25),  # fall back
        ("2026-03-29", "Europe/Berlin", 23),
    ],
)
def test_dst_days_cover_exactly_their_local_hours(
    alexa: Alexa, services: Services, settings_api: SettingsStub, day: str, zone: str, hours: int
) -> None:
    from zoneinfo import ZoneInfo

    settings_api.default_zone = zone
    local_midnight = datetime.fromisoformat(day).replace(tzinfo=ZoneInfo(zone))
    start = local_midnight.astimezone(UTC)
    end = start + timedelta(hours=hours)
    seed(services, USER, start - timedelta(seconds=1), start, end - timedelta(seconds=1), end)
    alexa.now = end + timedelta(days=2)

    asked = alexa.intent("DeleteRecordingsIntent", {"date": day})
    assert "2 recordings" in asked.speech
    alexa.confirm("DeleteRecordingsIntent", asked, slots={"date": day})

    remaining = sorted(r.recorded_at for r in services.recordings.list(USER))
    assert remaining == [start - timedelta(seconds=1), end]


def test_settings_api_down_falls_back_to_the_configured_zone(
    alexa: Alexa, services: Services, settings_api: SettingsStub
) -> None:
    alexa.configure(default_timezone=ZoneInfo("Asia/Tokyo"))
    alexa.caller.api_endpoint = "http://127.0.0.1:9"  # nothing listens on the discard port
    alexa.now = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)  # the 27th in Tokyo
    seed(services, USER, datetime(2026, 11, 26, 16, 0, tzinfo=UTC))  # the 27th in Tokyo

    reply = alexa.intent("DeleteRecordingsIntent", {"date": "2026-11-27"})
    assert "one recording from today" in reply.speech


def test_slow_settings_api_is_abandoned_quickly(
    alexa: Alexa, services: Services, settings_api: SettingsStub
) -> None:
    settings_api.default_zone = "Asia/Tokyo"
    settings_api.delay_seconds = 6.0
    seed(services, USER, alexa.now - timedelta(minutes=1))

    started = time.monotonic()
    reply = alexa.intent("WhatDataIntent")
    elapsed = time.monotonic() - started

    assert reply.speech.startswith("I keep one recording on this account")
    assert elapsed < 4.0, "Alexa gives up after ~8 s; the skill must answer well before"


def test_missing_device_uses_the_default_zone(alexa: Alexa, services: Services) -> None:
    alexa.caller.device_id = None
    seed(services, USER, alexa.now - timedelta(minutes=1))
    reply = alexa.intent("DeleteRecordingsIntent", {"date": "2026-11-26"})
    assert "one recording from today" in reply.speech


def test_a_failed_lookup_is_remembered_per_device(
    alexa: Alexa, services: Services, settings_api: SettingsStub
) -> None:
    """An unanswering Settings API costs one timeout per device, not one per request."""
    settings_api.default_zone = "Asia/Tokyo"
    settings_api.delay_seconds = 6.0
    seed(services, USER, alexa.now - timedelta(minutes=1))
    first = alexa.intent("WhatDataIntent")
    again = [alexa.intent("WhatDataIntent") for _ in range(3)]
    assert first.speech.startswith("I keep one recording on this account")
    assert all(reply.speech == first.speech for reply in again)
    assert settings_api.requests == 1, "the failed lookup was remembered"
