"""The three deletion intents, end to end through lambda_handler with real envelopes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from skill.services import Services
from tests.conftest import OTHER_USER, USER, Alexa, seed

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # Thursday


def test_delete_today_asks_with_the_count_then_deletes_on_yes(
    alexa: Alexa, services: Services
) -> None:
    seed(
        services, USER, NOW - timedelta(hours=1), NOW - timedelta(hours=2), NOW - timedelta(days=1)
    )

    asked = alexa.intent("DeleteRecordingsIntent", {"date": "2026-11-26"})

    assert asked.directives == ["Dialog.ConfirmIntent"]
    assert asked.ends is False
    assert "There are 2 recordings from today on this account" in asked.speech
    assert services.recordings.total(USER) == 3, "nothing is deleted before the yes"

    done = alexa.confirm("DeleteRecordingsIntent", asked, slots={"date": "2026-11-26"})

    assert done.speech == "Done. I deleted 2 recordings from today on this account."
    assert done.ends is True
    assert [r.recorded_at for r in services.recordings.list(USER)] == [NOW - timedelta(days=1)]


def test_no_keeps_everything(alexa: Alexa, services: Services) -> None:
    seed(services, USER, NOW - timedelta(hours=1))
    asked = alexa.intent("DeleteRecordingsIntent", {"date": "2026-11-26"})
    kept = alexa.confirm("DeleteRecordingsIntent", asked, "DENIED", {"date": "2026-11-26"})
    assert kept.speech == "Okay, I didn't delete anything."
    assert services.recordings.total(USER) == 1


def test_nothing_to_delete_is_said_without_asking(alexa: Alexa, services: Services) -> None:
    seed(services, USER, NOW - timedelta(days=3))
    reply = alexa.intent("DeleteRecordingsIntent", {"date": "2026-11-26"})
    assert reply.directives == []
    assert (
        reply.speech
        == "There are no recordings from today on this account, so there's nothing to delete."
    )
    assert reply.ends is True


def test_missing_date_means_today(alexa: Alexa, services: Services) -> None:
    seed(services, USER, NOW - timedelta(minutes=5))
    reply = alexa.intent("DeleteRecordingsIntent", {"date": None})
    assert "one recording from today" in reply.speech
    assert reply.directives == ["Dialog.ConfirmIntent"]


def test_confirmation_deletes_what_was_described_even_after_midnight(
    alexa: Alexa, services: Services
) -> None:
    seed(services, USER, NOW - timedelta(hours=1))
    asked = alexa.intent("DeleteRecordingsIntent", {"date": "2026-11-26"})
    alexa.now = datetime(2026, 11, 27, 0, 0, 5, tzinfo=UTC)  # "yes" lands after midnight
    seed(services, USER, alexa.now)  # a new recording on the new day
    done = alexa.confirm("DeleteRecordingsIntent", asked, slots={"date": "2026-11-26"})
    assert done.speech == "Done. I deleted one recording from today on this account."
    assert [r.recorded_at for r in services.recordings.list(USER)] == [alexa.now]


def test_future_weekday_means_the_most_recent_past_one(alexa: Alexa, services: Services) -> None:
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    seed(services, USER, monday, monday + timedelta(days=7) - timedelta(days=14))
    # Alexa resolves "monday" said on Thursday to next Monday, November 30th.
    asked = alexa.intent("DeleteRecordingsIntent", {"date": "2026-11-30"})
    assert asked.speech.startswith(
        "I can only delete the past, so I'm taking that as Monday, November 23rd."
    )
    assert "There is one recording from Monday, November 23rd on this account." in asked.speech
    done = alexa.confirm("DeleteRecordingsIntent", asked, slots={"date": "2026-11-30"})
    assert (
        done.speech == "Done. I deleted one recording from Monday, November 23rd on this account."
    )
    assert services.recordings.total(USER) == 1


def test_future_year_is_not_deleted(alexa: Alexa, services: Services) -> None:
    seed(services, USER, NOW)
    reply = alexa.intent("DeleteRecordingsIntent", {"date": "2030"})
    assert reply.speech == "I can only delete recordings from the past, and that's in the future."
    assert services.recordings.total(USER) == 1


def test_unrecognised_date_asks_again(alexa: Alexa, services: Services) -> None:
    seed(services, USER, NOW)
    reply = alexa.intent("DeleteRecordingsIntent", {"date": "not-a-date"})
    assert reply.speech.startswith("Sorry, I didn't catch which day you mean.")
    assert reply.ends is False
    assert services.recordings.total(USER) == 1


def test_delete_last_asks_then_deletes_only_the_newest(alexa: Alexa, services: Services) -> None:
    seed(services, USER, NOW - timedelta(minutes=30), NOW - timedelta(minutes=2))
    seed(services, OTHER_USER, NOW - timedelta(minutes=1))
    asked = alexa.intent("DeleteLastRecordingIntent")
    assert asked.directives == ["Dialog.ConfirmIntent"]
    assert asked.speech == (
        "The most recent recording on this account is from today at 2:58 PM. Should I delete it?"
    )
    done = alexa.confirm("DeleteLastRecordingIntent", asked)
    assert done.speech == "Done. I deleted the most recent recording on this account."
    assert [r.recorded_at for r in services.recordings.list(USER)] == [NOW - timedelta(minutes=30)]
    assert services.recordings.total(OTHER_USER) == 1


def test_delete_last_with_nothing_stored(alexa: Alexa) -> None:
    reply = alexa.intent("DeleteLastRecordingIntent")
    assert reply.speech == "There are no recordings on this account, so there's nothing to delete."
    assert reply.directives == []


def test_delete_all_confirms_the_total_and_spares_other_users(
    alexa: Alexa, services: Services
) -> None:
    seed(services, USER, *(NOW - timedelta(days=d) for d in range(12)))
    seed(services, OTHER_USER, NOW)
    asked = alexa.intent("DeleteAllRecordingsIntent")
    assert asked.speech == (
        "There are 12 recordings on this account. "
        "Should I delete all 12 of them? This can't be undone."
    )
    denied = alexa.confirm("DeleteAllRecordingsIntent", asked, "DENIED")
    assert denied.speech == "Okay, I didn't delete anything."
    assert services.recordings.total(USER) == 12

    asked = alexa.intent("DeleteAllRecordingsIntent")
    done = alexa.confirm("DeleteAllRecordingsIntent", asked)
    assert (
        done.speech
        == "Done. I deleted 12 recordings. Nothing said on this account is stored anymore."
    )
    assert services.recordings.total(USER) == 0
    assert services.recordings.total(OTHER_USER) == 1


def test_voice_deletion_is_audited_with_range_and_count_only(
    alexa: Alexa, services: Services
) -> None:
    seed(services, USER, NOW - timedelta(hours=1), transcript=lambda i: "call the doctor")
    asked = alexa.intent("DeleteRecordingsIntent", {"date": "2026-11-26"})
    done = alexa.confirm("DeleteRecordingsIntent", asked, slots={"date": "2026-11-26"})
    assert done.speech.startswith("Done.")
    [event] = [e for e in services.audit.for_user(USER) if e.action == "recordings_deleted"]
    assert event.channel == "voice"
    assert event.request_id == alexa.sent[-1]["request"]["requestId"]
    assert event.details["count"] == 1
    assert event.details["range_start"] == "2026-11-26T00:00:00+00:00"
    assert event.details["range_end"] == "2026-11-27T00:00:00+00:00"
    assert "doctor" not in repr(event)
