"""Linking a browser by voice, through ``lambda_handler`` with real envelopes, on SQLite and
PostgreSQL: what the person hears, and which browser (if any) then shows their data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from skill.services import Services
from skill.services.dashboard import MAX_FAILURES
from skill.simulator.envelopes import intent_request
from skill.store.schema import audit_events, dashboard_link_codes, dashboard_sessions
from tests.conftest import OTHER_USER, USER, Alexa, seed
from tests.dashboard.conftest import code_on, link, text_of

WARNING = "A browser will show your voice history. Only say yes for a screen you are looking at."


def waiting_code(browser: FlaskClient) -> str:
    return code_on(text_of(browser.get("/privacy")))


def shows_recordings(browser: FlaskClient) -> bool:
    return "<h1>Your recordings</h1>" in text_of(browser.get("/privacy"))


def test_saying_the_code_and_yes_links_that_browser(
    browser: FlaskClient, speaker: Alexa, services: Services
) -> None:
    seed(services, USER, speaker.now - timedelta(hours=1), transcript=lambda i: "play jazz")
    code = waiting_code(browser)
    assert waiting_code(browser) == code  # a reload shows the same code
    asked, answered = link(speaker, code)
    assert asked.directives == ["Dialog.ConfirmIntent"]
    assert asked.speech.startswith(WARNING)
    assert " ".join(code) in asked.speech
    assert " ".join(code) in asked.raw["response"]["reprompt"]["outputSpeech"]["ssml"]
    assert answered.speech.startswith("Done. In a few seconds the page shows")
    assert answered.ends is True
    page = text_of(browser.get("/privacy"))
    assert "play jazz" in page
    events = [e for e in services.audit.for_user(USER) if e.action == "dashboard_linked"]
    assert [e.channel for e in events] == ["voice"]
    assert code not in str(events[0].details)


def test_no_without_yes_links_nothing(browser: FlaskClient, speaker: Alexa) -> None:
    code = waiting_code(browser)
    asked = speaker.intent("LinkDashboardIntent", {"code": code})
    denied = speaker.confirm("LinkDashboardIntent", asked, "DENIED", slots={"code": code})
    assert denied.speech == "Okay, I didn't link anything."
    assert not shows_recordings(browser)


def test_a_confirmation_with_no_question_asks_again(browser: FlaskClient, speaker: Alexa) -> None:
    code = waiting_code(browser)
    forged = speaker.intent("LinkDashboardIntent", {"code": code}, confirmation="CONFIRMED")
    assert forged.directives == ["Dialog.ConfirmIntent"]  # asked again, nothing linked
    assert not shows_recordings(browser)


def test_a_wrong_code_links_nothing(browser: FlaskClient, speaker: Alexa) -> None:
    code = waiting_code(browser)
    wrong = str(100_000 + (int(code) - 100_000 + 1) % 900_000)
    reply = speaker.intent("LinkDashboardIntent", {"code": wrong})
    assert reply.speech.startswith("That code doesn't match a page waiting to be linked")
    assert reply.directives == [] and reply.ends is True
    assert not shows_recordings(browser)


def test_an_expired_code_links_nothing(
    browser: FlaskClient, speaker: Alexa, services: Services
) -> None:
    code = waiting_code(browser)
    with services.engine.begin() as conn:  # ten minutes pass
        conn.execute(
            update(dashboard_link_codes).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    reply = speaker.intent("LinkDashboardIntent", {"code": code})
    assert reply.speech.startswith("That code has expired, so I didn't link anything.")
    assert not shows_recordings(browser)
    assert waiting_code(browser) != code  # the page shows a new one


def test_a_code_expiring_between_question_and_yes_links_nothing(
    browser: FlaskClient, speaker: Alexa, services: Services
) -> None:
    code = waiting_code(browser)
    asked = speaker.intent("LinkDashboardIntent", {"code": code})
    with services.engine.begin() as conn:
        conn.execute(
            update(dashboard_link_codes).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    answered = speaker.confirm("LinkDashboardIntent", asked, slots={"code": code})
    assert answered.speech.startswith("That code has expired")
    assert not shows_recordings(browser)


def test_a_used_code_cannot_link_again(app: Flask, speaker: Alexa) -> None:
    first = app.test_client()
    code = waiting_code(first)
    link(speaker, code)
    assert shows_recordings(first)
    speaker.caller.user_id = OTHER_USER
    asked = speaker.intent("LinkDashboardIntent", {"code": code})
    assert asked.speech.startswith("That code doesn't match")
    assert "amzn1.ask.account.BOB" not in text_of(first.get("/privacy"))


def test_the_code_links_only_the_browser_that_shows_it(app: Flask, speaker: Alexa) -> None:
    shown, other = app.test_client(), app.test_client()
    code = waiting_code(shown)
    other_code = waiting_code(other)
    assert other_code != code
    link(speaker, code)
    assert shows_recordings(shown)
    assert not shows_recordings(other)
    assert waiting_code(other) == other_code


def test_too_many_wrong_codes_stop_the_lookups(browser: FlaskClient, speaker: Alexa) -> None:
    code = waiting_code(browser)
    wrong = str(100_000 + (int(code) - 100_000 + 7) % 900_000)
    for _ in range(MAX_FAILURES):
        speaker.intent("LinkDashboardIntent", {"code": wrong})
    refused = speaker.intent("LinkDashboardIntent", {"code": code})  # the right one, too late
    assert refused.speech.startswith("Too many codes didn't match")
    assert not shows_recordings(browser)


def test_a_recognised_speaker_links_their_own_recordings_only(
    browser: FlaskClient, speaker: Alexa, services: Services
) -> None:
    hour = timedelta(hours=1)
    seed(services, USER, speaker.now - hour, transcript=lambda i: "anna asked", person="P-ANNA")
    seed(services, USER, speaker.now - 2 * hour, transcript=lambda i: "ben asked", person="P-BEN")
    seed(services, USER, speaker.now - 3 * hour, transcript=lambda i: "guest said")
    asked, answered = link(speaker, waiting_code(browser), person="P-ANNA")
    assert "isn't recognised" not in asked.speech
    assert answered.speech.startswith("Done. In a few seconds the page shows your recordings.")
    page = text_of(browser.get("/privacy"))
    assert "anna asked" in page and "ben asked" not in page and "guest said" not in page
    assert "1 recording of yours, out of 3 on this account" in page


def test_an_account_session_sees_unattributed_recordings_and_counts_the_rest(
    browser: FlaskClient, speaker: Alexa, services: Services
) -> None:
    now = speaker.now
    seed(services, USER, now - timedelta(hours=1), transcript=lambda i: "anna said", person="P-A")
    seed(services, USER, now - timedelta(hours=2), transcript=lambda i: "guest said")
    link(speaker, waiting_code(browser))
    page = text_of(browser.get("/privacy"))
    assert "guest said" in page and "anna said" not in page
    assert "1 more on this account were made by recognised voices" in page
    profile = text_of(browser.get("/privacy?voice=1"))
    assert "This voice profile has 1 recording." in profile and "anna said" not in profile


def test_the_confirmation_is_bound_to_the_speaker(browser: FlaskClient, speaker: Alexa) -> None:
    code = waiting_code(browser)
    speaker.caller.person_id = "P-ANNA"
    asked = speaker.intent("LinkDashboardIntent", {"code": code})
    speaker.caller.person_id = "P-BEN"  # someone else answers "yes"
    answered = speaker.confirm("LinkDashboardIntent", asked, slots={"code": code})
    assert answered.directives == ["Dialog.ConfirmIntent"]
    assert not shows_recordings(browser)


def test_without_a_public_url_the_skill_says_the_dashboard_is_not_set_up(
    alexa: Alexa, browser: FlaskClient
) -> None:
    reply = alexa.intent("LinkDashboardIntent", {"code": "481523"})
    assert reply.speech.startswith("The privacy dashboard isn't set up for this skill")
    assert reply.directives == []


def test_link_without_a_code_says_where_to_look_and_asks_for_it(speaker: Alexa) -> None:
    reply = speaker.intent("LinkDashboardIntent", {"code": None})
    assert reply.speech.startswith(
        "To see your recordings in a browser, open privacy.example.test slash privacy."
    )
    assert reply.directives == ["Dialog.ElicitSlot"]
    response = reply.raw["response"]
    (directive,) = response["directives"]
    assert directive["slotToElicit"] == "code"
    assert directive["updatedIntent"]["name"] == "LinkDashboardIntent"
    assert "six digits the page shows" in response["reprompt"]["outputSpeech"]["ssml"]
    assert reply.ends is False


def test_sign_out_by_voice_ends_the_dashboards(app: Flask, speaker: Alexa) -> None:
    phone, laptop = app.test_client(), app.test_client()
    link(speaker, waiting_code(phone))
    link(speaker, waiting_code(laptop))
    reply = speaker.intent("SignOutDashboardsIntent")
    assert reply.speech == (
        "Done. I signed out 2 dashboards. A page needs a new code to show anything again."
    )
    assert not shows_recordings(phone) and not shows_recordings(laptop)
    assert speaker.intent("SignOutDashboardsIntent").speech.startswith("No dashboard was")


def test_a_person_signs_out_only_their_dashboards(app: Flask, speaker: Alexa) -> None:
    hers, account = app.test_client(), app.test_client()
    link(speaker, waiting_code(hers), person="P-ANNA")
    link(speaker, waiting_code(account))
    speaker.caller.person_id = "P-ANNA"
    reply = speaker.intent("SignOutDashboardsIntent")
    assert reply.speech.startswith("Done. I signed out one dashboard of yours.")
    assert not shows_recordings(hers) and shows_recordings(account)


def test_disabling_the_skill_ends_the_users_dashboards(
    browser: FlaskClient, speaker: Alexa, services: Services
) -> None:
    link(speaker, waiting_code(browser))
    event = intent_request(speaker.caller, speaker.now, "X")  # reuse the envelope's shape
    event["request"] = {
        "type": "AlexaSkillEvent.SkillDisabled",
        "requestId": "amzn1.echo-api.request.disabled",
        "timestamp": event["request"]["timestamp"],
        "eventCreationTime": event["request"]["timestamp"],
        "body": {"userInformationPersistenceStatus": "NOT_PERSISTED"},
    }
    speaker.send(event)
    assert not shows_recordings(browser)
    with services.engine.connect() as conn:
        linked = select(func.count()).where(dashboard_sessions.c.user_id == USER)
        assert conn.execute(linked).scalar() == 0
        entries = conn.execute(
            select(audit_events.c.action).where(audit_events.c.user_id == USER)
        ).scalars()
        assert "account_deleted" in list(entries)
