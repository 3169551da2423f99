"""Choosing how long recordings are kept, by voice: real SetRetentionIntent envelopes (with
the entity resolution Alexa adds for RETENTION_PERIOD) through the Lambda handler, and what
is left in the database afterwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from skill.nlu import Nlu
from skill.services import Services
from skill.services.models import NewRecording
from skill.simulator.envelopes import Session, intent_request
from tests.conftest import OTHER_USER, USER, Alexa, Reply, seed

NLU = Nlu.for_locale("en-US")
ANN = "amzn1.ask.person.ANN"
BEN = "amzn1.ask.person.BEN"


def days_ago(*days: int) -> list[datetime]:
    now = datetime.now(UTC)
    return [now - timedelta(days=d) for d in days]


def ages(services: Services, person: str | None = None) -> list[int]:
    """How many days old each of the user's recordings is (of ``person``'s, when given)."""
    now = datetime.now(UTC)
    kept = services.recordings.list(USER, person=person)
    return sorted(round((now - r.recorded_at) / timedelta(days=1)) for r in kept)


def choose(
    alexa: Alexa, said: str | None, *, confirmation: str = "NONE", after: Reply | None = None
) -> Reply:
    """ "keep my recordings for {said}", as Alexa sends it (entity resolution included)."""
    resolution = NLU.resolution("SetRetentionIntent", "period", said) if said else None
    session = Session(new=after is None, attributes=after.attributes if after else {})
    return alexa.send(
        intent_request(
            alexa.caller,
            alexa.now,
            "SetRetentionIntent",
            {"period": said},
            session=session,
            confirmation=confirmation,
            dialog_state="IN_PROGRESS" if confirmation != "NONE" else None,
            resolutions={"period": resolution} if resolution else None,
        )
    )


def actions(services: Services, user: str = USER) -> list[tuple[str, str, object]]:
    return [
        (e.action, e.channel, e.details.get("count", e.details.get("period")))
        for e in services.audit.for_user(user)
        if e.action in ("retention_changed", "recordings_deleted", "consent_changed")
    ]


def test_a_shorter_period_says_how_many_would_go_and_deletes_exactly_those(
    alexa: Alexa, services: Services
) -> None:
    seed(services, USER, *days_ago(10, 80, 100, 400))
    seed(services, OTHER_USER, *days_ago(400))

    asked = choose(alexa, "three months")

    assert asked.directives == ["Dialog.ConfirmIntent"]
    assert asked.speech == (
        "Keeping recordings on this account for three months means deleting 2 recordings "
        "that are older than that, now. This can't be undone. Should I go ahead?"
    )
    assert ages(services) == [10, 80, 100, 400], "nothing goes before the yes"

    done = choose(alexa, "three months", confirmation="CONFIRMED", after=asked)

    assert done.speech == (
        "Okay. I deleted 2 recordings that were older. From now on, I keep this account's "
        "recordings for three months, then delete them."
    )
    assert done.ends is True
    assert ages(services) == [10, 80]
    assert services.recordings.total(OTHER_USER) == 1, "another account is never touched"
    assert actions(services) == [
        ("retention_changed", "voice", "3_MONTHS"),
        ("recordings_deleted", "voice", 2),
    ]
    data = alexa.intent("WhatDataIntent")
    assert (
        "Recordings on this account are kept for three months, as chosen for this account, "
        "then deleted." in data.speech
    )
    assert "Kept: three months" in (data.card or {})["content"]


def test_no_keeps_everything_and_the_old_period(alexa: Alexa, services: Services) -> None:
    seed(services, USER, *days_ago(10, 100))
    asked = choose(alexa, "three months")
    kept = choose(alexa, "three months", confirmation="DENIED", after=asked)
    assert kept.speech == (
        "Okay, nothing changed. I still keep this account's recordings for eighteen months."
    )
    assert ages(services) == [10, 100]
    assert services.retention.view(USER).period.id == "18_MONTHS"


def test_a_yes_to_no_question_asks_again_and_deletes_nothing(
    alexa: Alexa, services: Services
) -> None:
    seed(services, USER, *days_ago(10, 100))
    forged = choose(alexa, "three months", confirmation="CONFIRMED")
    assert forged.directives == ["Dialog.ConfirmIntent"]
    assert "means deleting one recording" in forged.speech
    assert ages(services) == [10, 100]
    assert services.retention.view(USER).chosen is None


def test_a_yes_to_another_period_asks_again(alexa: Alexa, services: Services) -> None:
    seed(services, USER, *days_ago(10, 100, 800))
    asked = choose(alexa, "eighteen months")
    assert "deleting one recording" in asked.speech
    other = choose(alexa, "three months", confirmation="CONFIRMED", after=asked)
    assert other.directives == ["Dialog.ConfirmIntent"], "the yes was for eighteen months"
    assert "deleting 2 recordings" in other.speech
    assert ages(services) == [10, 100, 800]


def test_a_period_that_deletes_nothing_is_set_at_once(alexa: Alexa, services: Services) -> None:
    seed(services, USER, *days_ago(1, 20))
    reply = choose(alexa, "3 months")
    assert reply.directives == []
    assert reply.speech == (
        "Okay. From now on, I keep this account's recordings for three months, then delete them."
    )
    assert services.retention.view(USER).period.id == "3_MONTHS"
    again = choose(alexa, "ninety days")
    assert again.speech == (
        "I already keep this account's recordings for three months. Nothing changed."
    )


def test_until_deleted_is_a_choice_the_person_makes(alexa: Alexa, services: Services) -> None:
    seed(services, USER, *days_ago(5, 2000))
    asked = choose(alexa, "until i delete them")
    assert asked.speech == (
        "Okay. From now on, I keep this account's recordings until you delete them."
    )
    assert services.retention.sweep().deleted == 0
    assert ages(services) == [5, 2000]
    data = alexa.intent("WhatDataIntent").speech
    assert "Recordings on this account are kept until you delete them." in data


def test_dont_save_stops_storing_then_asks_about_what_is_kept(
    alexa: Alexa, services: Services
) -> None:
    seed(services, USER, *days_ago(1, 2))
    asked = choose(alexa, "don't")  # "don't save my recordings"

    assert asked.speech == (
        "Okay, I won't save this account's new recordings. 2 recordings are still saved. "
        "Should I delete them too?"
    )
    assert asked.directives == ["Dialog.ConfirmIntent"]
    assert services.consent.state(USER)["store_recordings"] is False, "withdrawn before asking"
    refused = services.recordings.ingest([NewRecording(USER, days_ago(0)[0], "new")])
    assert (refused.ingested, refused.refused) == (0, 1)

    done = choose(alexa, "don't", confirmation="CONFIRMED", after=asked)
    assert done.speech == "Done. I deleted 2 recordings, and I won't save new ones."
    assert services.recordings.total(USER) == 0


def test_dont_save_and_keep_what_is_there(alexa: Alexa, services: Services) -> None:
    seed(services, USER, *days_ago(1, 2))
    asked = choose(alexa, "stop")  # "stop saving my recordings"
    kept = choose(alexa, "stop", confirmation="DENIED", after=asked)
    assert kept.speech == "Okay, I kept them. They're deleted after eighteen months."
    assert services.recordings.total(USER) == 2
    data = alexa.intent("WhatDataIntent").speech
    assert "You've turned off storing, so I don't keep new recordings." in data


def test_start_saving_again_and_choosing_a_period_both_turn_storing_back_on(
    alexa: Alexa, services: Services
) -> None:
    nothing = choose(alexa, "do not save")
    assert nothing.speech == (
        "Okay, I won't save this account's new recordings. There are none saved."
    )
    resumed = choose(alexa, None)  # "start saving my recordings again"
    assert resumed.speech == (
        "Okay, I'll save this account's recordings again, and keep them for eighteen months. "
        "To stop, say: don't save my recordings."
    )
    assert services.consent.state(USER)["store_recordings"] is True

    choose(alexa, "never")
    chosen = choose(alexa, "thirty six months")
    assert chosen.speech.startswith("Okay. I'll save new recordings again. From now on, I keep")
    assert services.consent.state(USER)["store_recordings"] is True
    stored = services.recordings.ingest([NewRecording(USER, days_ago(0)[0], "new")])
    assert stored.ingested == 1
    grants = [e.granted for e in services.consent.history(USER) if e.purpose == "store_recordings"]
    assert grants == [False, True, False, True]


def test_no_period_asks_for_one(alexa: Alexa, services: Services) -> None:
    asked = choose(alexa, None)  # "change how long you keep my recordings"
    assert asked.directives == ["Dialog.ElicitSlot"]
    assert asked.raw["response"]["directives"][0]["slotToElicit"] == "period"
    assert asked.speech.startswith(
        "I keep this account's recordings for eighteen months. How long should I keep them? "
        "You can say three months, eighteen months"
    )
    assert asked.ends is not True


def test_a_period_it_does_not_offer_is_asked_again(alexa: Alexa, services: Services) -> None:
    seed(services, USER, *days_ago(1, 30))
    reply = choose(alexa, "a week")
    assert reply.directives == ["Dialog.ElicitSlot"]
    assert reply.speech.startswith("Sorry, I can't keep recordings for that long.")
    assert services.recordings.total(USER) == 2 and services.retention.view(USER).chosen is None


@pytest.fixture
def household(alexa: Alexa, services: Services) -> Alexa:
    """Ann, Ben and a guest each have a recording from 100 days ago and one from 10."""
    for person in (ANN, BEN, None):
        seed(services, USER, *days_ago(10, 100), person=person)
    return alexa


def test_a_recognised_person_chooses_for_their_own_recordings(
    household: Alexa, services: Services
) -> None:
    household.caller.person_id = ANN
    asked = choose(household, "three months")
    assert asked.speech.startswith(
        "Keeping your recordings for three months means deleting one recording"
    )
    done = choose(household, "three months", confirmation="CONFIRMED", after=asked)
    assert "I keep your recordings for three months" in done.speech
    assert ages(services, ANN) == [10]
    assert ages(services, BEN) == [10, 100] and len(ages(services)) == 5
    assert services.retention.view(USER, person=ANN).source == "person"
    assert services.retention.view(USER, person=BEN).period.id == "18_MONTHS"


def test_for_a_persons_recordings_the_shortest_choice_wins(
    household: Alexa, services: Services
) -> None:
    asked = choose(household, "three months")  # nobody recognised: the whole account
    assert "means deleting 3 recordings" in asked.speech
    choose(household, "three months", confirmation="CONFIRMED", after=asked)
    assert ages(services) == [10, 10, 10]

    household.caller.person_id = ANN
    longer = choose(household, "thirty six months")
    assert longer.speech == (
        "Okay. From now on, I keep your recordings for thirty-six months, then delete them. "
        "This account keeps recordings only for three months, so yours go after that."
    )
    view = services.retention.view(USER, person=ANN)
    assert (view.period.id, view.source, view.chosen) == ("3_MONTHS", "account", "36_MONTHS")
    data = household.intent("WhatDataIntent").speech
    assert "Your recordings are kept for three months, as chosen for this account" in data


def test_a_persons_until_deleted_survives_the_sweep_others_do_not(
    household: Alexa, services: Services
) -> None:
    seed(services, USER, *days_ago(2000), person=ANN)
    seed(services, USER, *days_ago(2000), person=BEN)
    household.caller.person_id = ANN
    choose(household, "forever")
    result = services.retention.sweep()
    assert (result.users, result.deleted) == (1, 1)
    assert ages(services, ANN) == [10, 100, 2000]
    assert ages(services, BEN) == [10, 100]
