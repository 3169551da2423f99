"""Human review by voice, and the personal "what data do you keep" answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from skill.services import Services
from tests.conftest import OTHER_USER, USER, Alexa, make_wav, seed

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def test_stop_human_review_withdraws_in_the_ledger_before_answering(
    alexa: Alexa, services: Services
) -> None:
    services.consent.set(USER, "human_review", True, channel="web")

    reply = alexa.intent("StopHumanReviewIntent")

    assert reply.speech == (
        "Okay, human review is now off for this account. No person will listen to its recordings."
    )
    assert services.consent.state(USER)["human_review"] is False
    last = services.consent.history(USER)[-1]
    assert (last.purpose, last.granted, last.channel) == ("human_review", False, "voice")
    assert last.request_id == alexa.sent[-1]["request"]["requestId"]
    assert last.policy_version


def test_allow_then_stop_again_keeps_a_full_history(alexa: Alexa, services: Services) -> None:
    assert alexa.intent("StopHumanReviewIntent").speech.startswith(
        "Human review was already off for this account"
    )
    allowed = alexa.intent("AllowHumanReviewIntent")
    assert allowed.speech.startswith("Okay, human review is on for this account.")
    assert "stop human review" in allowed.speech
    assert alexa.intent("AllowHumanReviewIntent").speech.startswith("Human review is already on")
    alexa.intent("StopHumanReviewIntent")

    history = [(e.granted, e.channel) for e in services.consent.history(USER)]
    assert history == [(False, "voice"), (True, "voice"), (True, "voice"), (False, "voice")]
    assert services.consent.state(OTHER_USER)["human_review"] is False
    assert services.consent.history(OTHER_USER) == []
    changes = [
        e.details["granted"] for e in services.audit.for_user(USER) if e.action == "consent_changed"
    ]
    assert changes == [False, True, True, False]


def test_what_data_answers_from_real_data(alexa: Alexa, services: Services, tmp_path: Path) -> None:
    wav = make_wav(tmp_path / "in.wav")
    seed(services, USER, datetime(2026, 3, 3, 10, tzinfo=UTC), NOW - timedelta(days=2))
    seed(services, USER, NOW - timedelta(hours=1), audio=wav)
    seed(services, OTHER_USER, *(NOW for _ in range(5)))

    reply = alexa.intent("WhatDataIntent")

    assert reply.speech == (
        "I keep 3 recordings on this account, from March 3rd to today. One of them includes audio. "
        "Human review is off, so no person listens to them. "
        "Recordings on this account are kept for eighteen months, then deleted. "
        "To delete, say: delete what I said today, or: delete everything I've said."
    )
    assert reply.card is not None and reply.card["title"] == "Your voice data"
    content = reply.card["content"]
    assert "Recordings: 3" in content and "With audio: 1" in content
    assert "From: March 3, 2026" in content and "Human review: off" in content


def test_what_data_after_deleting_everything(alexa: Alexa, services: Services) -> None:
    seed(services, USER, NOW)
    asked = alexa.intent("DeleteAllRecordingsIntent")
    alexa.confirm("DeleteAllRecordingsIntent", asked)
    services.consent.set(USER, "human_review", True, channel="cli")
    reply = alexa.intent("WhatDataIntent")
    assert reply.speech.startswith(
        "I don't have any recordings on this account. Human review is on"
    )


def test_stop_human_review_says_how_many_queued_items_it_removed(
    alexa: Alexa, services: Services
) -> None:
    services.consent.set(USER, "human_review", True, channel="web")
    seed(services, USER, NOW - timedelta(hours=1), NOW - timedelta(hours=2))
    seed(services, OTHER_USER, NOW - timedelta(hours=1))
    services.consent.set(OTHER_USER, "human_review", True, channel="web")
    assert services.review.sample(rate=1.0, seed=1).queued == 3

    reply = alexa.intent("StopHumanReviewIntent")

    assert reply.speech == (
        "Okay, human review is now off for this account. No person will listen to its recordings. "
        "I also removed 2 recordings that were waiting for review."
    )
    assert {item.user_id for item in services.review.list_items()} == {OTHER_USER}
