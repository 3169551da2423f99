"""The dashboard's HTTP contract, through Flask's client on SQLite and PostgreSQL: headers,
the cookie, timeouts, what the tables keep, and the export a session gets."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from skill.config import Config
from skill.services import Services
from skill.store.schema import dashboard_link_codes, dashboard_sessions
from skill.web.app import create_app
from skill.web.trust import dev_trust
from tests.conftest import USER, Alexa, seed
from tests.dashboard.conftest import code_on, link, text_of
from tests.web.conftest import DevPki


def test_every_answer_carries_the_security_headers(browser: FlaskClient) -> None:
    answer = browser.get("/privacy")
    policy = answer.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert "default-src 'none'" in policy and "'unsafe-inline'" not in policy
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Cache-Control"] == "no-store"
    assert browser.get("/privacy/history").headers["Referrer-Policy"] == "no-referrer"


def test_the_cookie_is_http_only_strict_and_holds_only_a_random_id(
    browser: FlaskClient, services: Services
) -> None:
    answer = browser.get("/privacy")
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/privacy" in cookie
    assert "Secure" not in cookie  # served over http here
    value = cookie.split(";")[0].split("=", 1)[1]
    code = code_on(text_of(answer))
    with services.engine.connect() as conn:
        stored = str(conn.execute(select(dashboard_sessions)).all())
        stored += str(conn.execute(select(dashboard_link_codes)).all())
    assert value not in stored and code not in stored  # only their hashes are kept


def test_over_https_the_cookie_is_secure(
    dash_config: Config, services: Services, pki: DevPki
) -> None:
    https = replace(dash_config, public_url="https://privacy.example.test")
    app = create_app(https, services, trust=dev_trust(pki.directory))
    assert "Secure" in app.test_client().get("/privacy").headers["Set-Cookie"]


def test_without_a_public_url_there_is_no_dashboard(
    config: Config, services: Services, pki: DevPki
) -> None:
    app = create_app(config, services, trust=dev_trust(pki.directory))
    answer = app.test_client().get("/privacy")
    assert answer.status_code == 404
    assert "The dashboard is not set up" in text_of(answer)
    assert "Set-Cookie" not in answer.headers


def test_arriving_from_another_site_reloads_before_a_session_is_made(
    browser: FlaskClient,
) -> None:
    answer = browser.get("/privacy", headers={"Sec-Fetch-Site": "cross-site"})
    assert '<meta http-equiv="refresh" content="0">' in text_of(answer)
    assert "Set-Cookie" not in answer.headers


def test_an_idle_session_ends_after_thirty_minutes(linked: FlaskClient, services: Services) -> None:
    assert linked.get("/privacy/history").status_code == 200
    with services.engine.begin() as conn:
        conn.execute(
            update(dashboard_sessions).values(seen_at=datetime.now(UTC) - timedelta(minutes=31))
        )
    assert linked.get("/privacy/history").status_code == 403
    with services.engine.connect() as conn:
        assert conn.execute(select(dashboard_sessions.c.user_id)).scalars().all() == []


def test_pages_of_a_linked_session_refuse_other_browsers(app: Flask, linked: FlaskClient) -> None:
    stranger = app.test_client()
    for path in ("/privacy/settings", "/privacy/history", "/privacy/export", "/privacy/delete"):
        assert stranger.get(path).status_code == 403, path
    assert linked.get("/privacy/settings").status_code == 200


def test_an_account_session_exports_only_recordings_of_no_recognised_voice(
    browser: FlaskClient, speaker: Alexa, services: Services
) -> None:
    hour = timedelta(hours=1)
    seed(services, USER, speaker.now - hour, transcript=lambda i: "anna asked", person="P-A")
    seed(services, USER, speaker.now - 2 * hour, transcript=lambda i: "guest said")
    link(speaker, code_on(text_of(browser.get("/privacy"))))
    answer = browser.get("/privacy/export")
    assert answer.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    lines = [json.loads(x) for x in archive.read("recordings.jsonl").decode().splitlines()]
    assert [line["transcript"] for line in lines] == ["guest said"]
    exported = [e for e in services.audit.for_user(USER) if e.action == "data_exported"]
    assert [(e.channel, e.details["recordings"]) for e in exported] == [("web", 1)]


def test_a_person_session_exports_that_persons_recordings(
    browser: FlaskClient, speaker: Alexa, services: Services
) -> None:
    hour = timedelta(hours=1)
    seed(services, USER, speaker.now - hour, transcript=lambda i: "anna asked", person="P-A")
    seed(services, USER, speaker.now - 2 * hour, transcript=lambda i: "guest said")
    link(speaker, code_on(text_of(browser.get("/privacy"))), person="P-A")
    archive = zipfile.ZipFile(io.BytesIO(browser.get("/privacy/export").data))
    lines = [json.loads(x) for x in archive.read("recordings.jsonl").decode().splitlines()]
    assert [line["transcript"] for line in lines] == ["anna asked"]


def test_a_range_deletion_states_its_count_and_deletes_what_it_described(
    linked: FlaskClient, services: Services
) -> None:
    now = datetime.now(UTC)
    # noon three days ago, so that an hour either side is the same day at any time of day
    noon = (now - timedelta(days=3)).replace(hour=12, minute=0, second=0, microsecond=0)
    seed(services, USER, noon, noon - timedelta(hours=1), now)
    day = noon.date().isoformat()
    page = text_of(linked.get(f"/privacy/delete?from={day}&to={day}"))
    assert "<h1>Delete 2 recordings?</h1>" in page
    token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    asked = page.split('name="asked_at" value="', 1)[1].split('"', 1)[0]
    seed(services, USER, noon - timedelta(minutes=30))  # arrives after the question
    answer = linked.post(
        "/privacy/delete", data={"csrf": token, "from": day, "to": day, "asked_at": asked}
    )
    assert answer.status_code == 303 and answer.headers["Location"].endswith("deleted=2")
    assert services.recordings.total(USER) == 2


def test_recordings_come_a_page_at_a_time_newest_first_and_by_date(
    linked: FlaskClient, services: Services
) -> None:
    now = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    times = [now - timedelta(days=i) for i in range(25)]
    seed(services, USER, *times, transcript=lambda i: f"utterance number {i:02d}")
    first = text_of(linked.get("/privacy"))
    assert first.count('class="transcript"') == 20
    assert first.index("utterance number 00") < first.index("utterance number 19")
    older = first.split('rel="next"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    second = text_of(linked.get(older.replace("&amp;", "&")))
    assert second.count('class="transcript"') == 5 and "utterance number 24" in second
    day = times[3].date().isoformat()
    one_day = text_of(linked.get(f"/privacy?from={day}&to={day}"))
    assert one_day.count('class="transcript"') == 1 and "utterance number 03" in one_day
    assert linked.get("/privacy?from=2026-13-01").status_code == 400
