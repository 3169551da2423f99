""" "I" means the speaker: person scope, the household scope, per-person consent, reading back,
and confirmations that delete exactly what they described. Real envelopes through the Lambda
handler, with ``context.System.person`` as Alexa sends it for a recognised voice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from skill.nlu import ResolvedValue, SlotResolution
from skill.services import Services
from skill.simulator.envelopes import DEFAULT_SKILL_ID, intent_request, resolutions_object
from tests.conftest import USER, Alexa, Reply, seed

ANN = "amzn1.ask.person.ANN"
BEN = "amzn1.ask.person.BEN"


@pytest.fixture
def household(alexa: Alexa, services: Services) -> Alexa:
    """Ann has two recordings from today, Ben one, and one was made by no recognised voice;
    Ann also has one from last week."""
    hour = timedelta(hours=1)
    seed(services, USER, alexa.now - 2 * hour, alexa.now - hour, person=ANN,
         transcript=lambda i: f"ann said thing {i}")  # fmt: skip
    seed(services, USER, alexa.now - 3 * hour, person=ANN, transcript=lambda i: "ann older")
    seed(services, USER, alexa.now - timedelta(days=8), person=ANN, transcript=lambda i: "old")
    seed(services, USER, alexa.now - 30 * timedelta(minutes=1), person=BEN,
         transcript=lambda i: "ben said this")  # fmt: skip
    seed(services, USER, alexa.now - 4 * hour, transcript=lambda i: "a guest said this")
    return alexa


def as_person(alexa: Alexa, person: str | None) -> Alexa:
    alexa.caller.person_id = person
    return alexa


def everyone(alexa: Alexa, name: str, slots: dict[str, str | None]) -> dict[str, Any]:
    """An intent with the scope slot resolved to EVERYONE, as Alexa sends a custom slot."""
    event = intent_request(alexa.caller, alexa.now, name, slots)
    slot = event["request"]["intent"]["slots"]["scope"] = {
        "name": "scope",
        "value": "everyone",
        "confirmationStatus": "NONE",
    }
    resolution = SlotResolution(
        "HOUSEHOLD_SCOPE", "ER_SUCCESS_MATCH", (ResolvedValue("everyone", "EVERYONE"),)
    )
    slot["resolutions"] = resolutions_object(resolution, DEFAULT_SKILL_ID)
    return event


def left(services: Services, person: str | None = None) -> list[str]:
    return sorted(r.transcript for r in services.recordings.list(USER, person=person))


def test_a_recognised_speaker_deletes_only_their_own(household: Alexa, services: Services) -> None:
    alexa = as_person(household, ANN)
    asked = alexa.intent("DeleteRecordingsIntent", {"date": "2026-11-26"})
    assert asked.speech == (
        "You have 3 recordings from today. Should I delete them? This can't be undone."
    )
    done = alexa.confirm("DeleteRecordingsIntent", asked, slots={"date": "2026-11-26"})
    assert done.speech == "Done. I deleted 3 recordings from today."
    assert left(services) == ["a guest said this", "ben said this", "old"]


def test_an_unrecognised_speaker_acts_on_the_whole_account(
    household: Alexa, services: Services
) -> None:
    asked = household.intent("DeleteRecordingsIntent", {"date": "2026-11-26"})
    assert asked.speech.startswith("There are 5 recordings from today on this account.")
    done = household.confirm("DeleteRecordingsIntent", asked, slots={"date": "2026-11-26"})
    assert done.speech == "Done. I deleted 5 recordings from today on this account."
    assert left(services) == ["old"]


def test_everyone_asked_for_by_a_recognised_speaker(household: Alexa, services: Services) -> None:
    alexa = as_person(household, ANN)
    asked = alexa.send(everyone(alexa, "DeleteRecordingsIntent", {"date": "2026-11-26"}))
    assert asked.speech.startswith("Everyone's recordings from today: there are 5.")
    confirm = everyone(alexa, "DeleteRecordingsIntent", {"date": "2026-11-26"})
    confirm["request"]["intent"]["confirmationStatus"] = "CONFIRMED"
    confirm["session"]["attributes"] = asked.attributes
    confirm["session"]["new"] = False
    done = alexa.send(confirm)
    assert done.speech == "Done. I deleted everyone's recordings from today, 5 recordings in all."
    assert left(services) == ["old"]


def test_delete_everything_of_a_person_and_of_everyone(
    household: Alexa, services: Services
) -> None:
    alexa = as_person(household, BEN)
    asked = alexa.intent("DeleteAllRecordingsIntent")
    assert asked.speech.startswith("You have one recording in total.")
    done = alexa.confirm("DeleteAllRecordingsIntent", asked)
    assert done.speech == "Done. I deleted one recording. Nothing you've said is stored anymore."
    assert "ben said this" not in left(services) and len(left(services)) == 5

    alexa = as_person(household, ANN)
    asked = alexa.send(everyone(alexa, "DeleteAllRecordingsIntent", {}))
    assert asked.speech.startswith("Everyone's recordings: there are 5 on this account.")


def test_what_data_for_a_person_gives_theirs_and_the_account_total(household: Alexa) -> None:
    reply = as_person(household, ANN).intent("WhatDataIntent")
    assert reply.speech.startswith(
        "I keep 4 recordings of yours, from November 18th to today, out of 6 on this account."
    )
    reply = as_person(household, "amzn1.ask.person.NEWCOMER").intent("WhatDataIntent")
    assert reply.speech.startswith(
        "I don't have any recordings of yours; there are 6 recordings on this account."
    )
    reply = as_person(household, None).intent("WhatDataIntent")
    assert reply.speech.startswith("I keep 6 recordings on this account, from November 18th")


def test_what_did_you_hear_reads_back_only_what_the_speaker_may_hear(
    household: Alexa, services: Services
) -> None:
    ann = as_person(household, ANN).intent("WhatDidYouHearIntent")
    assert ann.speech == "At 2:00 this afternoon I heard: ann said thing 1. Should I delete it?"
    assert ann.directives == ["Dialog.ConfirmIntent"] and ann.card is None
    ben = as_person(household, BEN).intent("WhatDidYouHearIntent")
    assert "ben said this" in ben.speech
    guest = as_person(household, None).intent("WhatDidYouHearIntent")
    assert guest.speech == "At 11:00 this morning I heard: a guest said this. Should I delete it?"


def test_an_unrecognised_speaker_never_hears_a_recognised_voice(
    alexa: Alexa, services: Services
) -> None:
    seed(
        services, USER, alexa.now - timedelta(minutes=5), person=ANN, transcript=lambda i: "secret"
    )
    reply = alexa.intent("WhatDidYouHearIntent")
    assert "secret" not in reply.speech
    assert reply.speech.startswith("I don't have any recordings I can read back to you.")


def test_a_yes_after_reading_back_deletes_that_recording_even_if_another_arrived(
    household: Alexa, services: Services
) -> None:
    alexa = as_person(household, ANN)
    asked = alexa.intent("WhatDidYouHearIntent")
    seed(services, USER, alexa.now, person=ANN, transcript=lambda i: "newer than the question")
    done = alexa.confirm("WhatDidYouHearIntent", asked)
    assert done.speech == "Done. I deleted it."
    assert "ann said thing 1" not in left(services, ANN)
    assert "newer than the question" in left(services, ANN)


def test_delete_what_i_just_said_binds_the_recording_it_named(
    household: Alexa, services: Services
) -> None:
    alexa = as_person(household, BEN)
    asked = alexa.intent("DeleteLastRecordingIntent")
    seed(services, USER, alexa.now, person=BEN, transcript=lambda i: "arrived after asking")
    done = alexa.confirm("DeleteLastRecordingIntent", asked)
    assert done.speech == "Done. I deleted your most recent recording."
    assert left(services, BEN) == ["arrived after asking"]


def test_a_range_confirmation_leaves_what_arrived_after_the_question(
    household: Alexa, services: Services
) -> None:
    alexa = as_person(household, ANN)
    asked = alexa.intent("DeleteRecordingsIntent", {"date": "2026-11-26"})
    seed(services, USER, alexa.now - timedelta(minutes=1), person=ANN, transcript=lambda i: "late")
    done = alexa.confirm("DeleteRecordingsIntent", asked, slots={"date": "2026-11-26"})
    assert done.speech == "Done. I deleted 3 recordings from today."
    assert left(services, ANN) == ["late", "old"]


@pytest.mark.parametrize(
    "change",
    ["another date", "another speaker", "no question saved"],
)
def test_a_confirmation_that_does_not_match_the_question_asks_again(
    household: Alexa, services: Services, change: str
) -> None:
    alexa = as_person(household, ANN)
    asked = alexa.intent("DeleteRecordingsIntent", {"date": "2026-11-26"})
    slots: dict[str, str | None] = {"date": "2026-11-26"}
    if change == "another date":
        slots = {"date": "2026-11-18"}
    elif change == "another speaker":
        alexa.caller.person_id = BEN
    else:
        asked = Reply.of({"response": {}})
    again = alexa.confirm("DeleteRecordingsIntent", asked, slots=slots)
    assert again.directives == ["Dialog.ConfirmIntent"], "asked, not deleted"
    assert len(left(services)) == 6


# --- consent per person -------------------------------------------------------------------


def review(services: Services, person: str | None) -> bool:
    return services.consent.state(USER, person=person)["human_review"]


def test_an_account_withdrawal_after_a_persons_grant_withdraws_them(services: Services) -> None:
    services.consent.set(USER, "human_review", True, channel="cli", person=ANN)
    assert review(services, ANN) is True
    services.consent.set(USER, "human_review", False, channel="cli")
    assert review(services, ANN) is False


def test_an_account_grant_after_a_persons_withdrawal_does_not_regrant_them(
    services: Services,
) -> None:
    services.consent.set(USER, "human_review", False, channel="cli", person=ANN)
    services.consent.set(USER, "human_review", True, channel="cli")
    assert review(services, ANN) is False
    assert review(services, BEN) is True, "a person with no decision follows the account"
    assert review(services, None) is True
    services.consent.set(USER, "human_review", True, channel="cli", person=ANN)
    assert review(services, ANN) is True, "the person's own later grant does"


def test_stop_human_review_from_a_person_withdraws_for_them_and_purges_their_items(
    alexa: Alexa, services: Services
) -> None:
    services.consent.set(USER, "human_review", True, channel="cli")
    seed(services, USER, alexa.now - timedelta(hours=1), person=ANN)
    seed(services, USER, alexa.now - timedelta(hours=1), person=BEN)
    seed(services, USER, alexa.now - timedelta(hours=1))
    assert services.review.sample(1.0).queued == 3
    reply = as_person(alexa, ANN).intent("StopHumanReviewIntent")
    assert reply.speech == (
        "Okay, human review is now off for you. No person will listen to your recordings. "
        "I also removed one recording that were waiting for review."
    )
    queued = [item for item in services.review.list_items()]
    assert len(queued) == 2
    assert review(services, ANN) is False and review(services, BEN) is True
    ledger = services.consent.history(USER)
    assert ledger[-1].person_id == ANN and ledger[-1].channel == "voice"

    reply = as_person(alexa, None).intent("StopHumanReviewIntent")
    assert reply.speech.startswith("Okay, human review is now off for this account.")
    assert services.review.list_items() == []
    assert review(services, BEN) is False


def test_review_sampling_honours_each_persons_consent(alexa: Alexa, services: Services) -> None:
    services.consent.set(USER, "human_review", True, channel="cli")
    services.consent.set(USER, "human_review", False, channel="cli", person=ANN)
    seed(services, USER, alexa.now - timedelta(hours=1), person=ANN)
    seed(services, USER, alexa.now - timedelta(hours=1), person=BEN)
    result = services.review.sample(1.0)
    assert (result.queued, result.skipped_no_consent) == (1, 1)
    [item] = services.review.claim("rita")
    assert item.transcript == "sample utterance 0" and item.recording_id != ""
    assert services.recordings.get(USER, item.recording_id).person_id == BEN  # type: ignore[union-attr]
