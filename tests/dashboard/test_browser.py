"""The dashboard in a real browser: Debian's Chromium, headless, driven by Playwright, against
``privacy-skill serve`` in a subprocess; the code said through ``lambda_handler`` with real
envelopes, as Alexa would send it.

Chromium comes from the Makefile (``apt-get install chromium``), never a browser download.
Without it these tests fail under CI=true and are skipped elsewhere. Every test is bounded in
time (Playwright's timeouts, and an alarm per test). Screenshots of the main pages are saved
in ``tests/artifacts/dashboard/`` (git-ignored).
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import pytest
from sqlalchemy import select, update

from skill.services import Services, open_services
from skill.services.models import NewRecording
from skill.simulator.envelopes import Caller
from skill.simulator.settings_stub import SettingsStub
from skill.store.schema import dashboard_link_codes, recordings
from tests.conftest import OTHER_USER, ROOT, USER, Alexa, make_wav
from tests.web.conftest import DevPki, Served, pki, start_served, stop_served

__all__ = ["pki"]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-background-networking"]
ARTIFACTS = ROOT / "tests" / "artifacts" / "dashboard"
PUBLIC_URL = "http://dashboard.test"
STEP_MS = 10_000
"""Longest a page action waits (Playwright)."""
TEST_SECONDS = 90
"""Longest one test may take, whatever hangs."""
AUDIO = b"\x10\x20" * 4000
SAID: list[str] = []
"""Every code said to the skill in this module (none may reach the service's log)."""


@pytest.fixture(autouse=True)
def bounded() -> Iterator[None]:
    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise TimeoutError(f"a dashboard browser test ran past {TEST_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(TEST_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: make system-deps installs Debian's chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS, timeout=30_000
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, pki: DevPki) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("dashboard")
    running = start_served(tmp, pki, PRIVACY_SKILL_PUBLIC_URL=PUBLIC_URL)
    try:
        yield running
    finally:
        stop_served(running)


@pytest.fixture(scope="module")
def services(served: Served) -> Iterator[Services]:
    opened = open_services(served.config)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def settings_api() -> Iterator[SettingsStub]:
    stub = SettingsStub(default_zone="Europe/Berlin")
    with stub.running():
        yield stub


@pytest.fixture
def alexa(served: Served, lambda_module: ModuleType, settings_api: SettingsStub) -> Alexa:
    speaker = Alexa(lambda_module, served.config, Caller(user_id=USER))
    speaker.caller.api_endpoint = settings_api.endpoint
    speaker.now = datetime.now(UTC)
    return speaker


@pytest.fixture
def context(chromium: Any, served: Served) -> Iterator[Any]:
    """A browser profile of its own (its own cookies)."""
    made = chromium.new_context(base_url=served.url, viewport={"width": 1100, "height": 900})
    made.set_default_timeout(STEP_MS)
    yield made
    made.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def say_code(alexa: Alexa, code: str, user: str = USER) -> str:
    """ "link code ...", then "yes"; what the skill said last."""
    alexa.caller.user_id = user
    SAID.append(code)
    asked = alexa.intent("LinkDashboardIntent", {"code": code})
    if asked.directives != ["Dialog.ConfirmIntent"]:
        return asked.speech
    return alexa.confirm("LinkDashboardIntent", asked, slots={"code": code}).speech


def open_waiting(context: Any) -> tuple[Any, str]:
    page = context.new_page()
    page.goto("/privacy")
    code = page.locator("#link-code").inner_text().replace(" ", "")
    assert re.fullmatch(r"\d{6}", code)
    return page, code


def linked_page(context: Any, alexa: Alexa, user: str = USER) -> Any:
    page, code = open_waiting(context)
    assert say_code(alexa, code, user).startswith("Done.")
    page.get_by_role("heading", name="Your recordings").wait_for()
    return page


def ingest(services: Services, user: str, *items: tuple[str, timedelta, bool]) -> list[str]:
    """Recordings (transcript, how long ago, with audio) for ``user``; their ids."""
    now = datetime.now(UTC)
    wav = make_wav(ROOT / "tests" / "artifacts" / "dashboard-audio.wav", AUDIO)
    ids = [f"{user[-5:]}-{transcript.replace(' ', '-')}" for transcript, _, _ in items]
    services.recordings.ingest(
        [
            NewRecording(
                user_id=user,
                recorded_at=now - ago,
                transcript=transcript,
                device_id="amzn1.ask.device.KITCHEN0042",
                audio_file=wav if audio else None,
                id=rid,
            )
            for rid, (transcript, ago, audio) in zip(ids, items, strict=True)
        ]
    )
    return ids


def http(
    served: Served,
    path: str,
    *,
    cookie: str | None = None,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    sent = dict(headers or {})
    if cookie:
        sent["Cookie"] = f"vp_dashboard={cookie}"
    request = urllib.request.Request(served.url + path, data=data, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def cookie_of(context: Any) -> str:
    values = [c["value"] for c in context.cookies() if c["name"] == "vp_dashboard"]
    assert len(values) == 1
    value: str = values[0]
    return value


def test_a_person_links_reviews_deletes_chooses_downloads_and_signs_out(
    context: Any, alexa: Alexa, served: Served, services: Services
) -> None:
    ids = ingest(
        services,
        USER,
        ("turn on the kitchen lights", timedelta(hours=2), True),
        ("what is the weather tomorrow", timedelta(days=1), False),
        ("play the morning news", timedelta(days=200), False),
    )
    services.consent.set(USER, "human_review", True, channel="cli")
    with services.engine.connect() as conn:
        audio_file, key_id = conn.execute(
            select(recordings.c.audio_file, recordings.c.key_id).where(recordings.c.id == ids[0])
        ).one()
    sealed = Path(served.env["PRIVACY_SKILL_AUDIO_DIR"]) / audio_file
    assert sealed.exists()

    # Not linked: the code in large digits, and the sentence to say.
    page, code = open_waiting(context)
    assert "ask Voice Privacy to link code " + " ".join(code) in page.inner_text("main")
    shot(page, "1-link-code")
    assert say_code(alexa, code).startswith("Done. In a few seconds the page shows")
    page.get_by_role("heading", name="Your recordings").wait_for()  # the page noticed
    table = page.locator("table.recordings")
    assert table.locator("tbody tr").count() == 3
    first_row = table.locator("tbody tr").first
    assert "turn on the kitchen lights" in first_row.inner_text()  # newest first
    assert "device …EN0042" in first_row.inner_text()
    players = page.locator("audio")
    assert players.count() == 1  # only the recording with audio has a player
    source = players.first.get_attribute("src")
    assert source is not None
    played = page.request.get(source)
    assert played.status == 200 and played.headers["content-type"] == "audio/wav"
    assert played.body() == (ROOT / "tests" / "artifacts" / "dashboard-audio.wav").read_bytes()
    shot(page, "2-recordings")

    # Delete one through its row's control and the confirmation page.
    first_row.get_by_role("button", name=re.compile("^Delete the recording")).click()
    page.get_by_role("heading", name="Delete 1 recording?").wait_for()
    shot(page, "3-confirm-delete")
    page.get_by_role("button", name="Delete 1 recording").click()
    page.get_by_text("Deleted 1 recording.").wait_for()
    assert "turn on the kitchen lights" not in page.inner_text("main")
    with services.engine.connect() as conn:
        assert (
            conn.execute(select(recordings.c.id).where(recordings.c.id == ids[0])).first() is None
        )
    assert not sealed.exists()  # the audio bytes are gone from the audio store
    assert services.keys.fetch([key_id]) == {}  # and so is the key that opened them
    events = [e for e in services.audit.for_user(USER) if e.action == "recordings_deleted"]
    assert [(e.channel, e.details["count"]) for e in events] == [("web", 1)]

    # Human review off.
    page.get_by_role("link", name="Settings").click()
    assert "Human review is on" in page.inner_text("#review-state")
    page.get_by_role("button", name="Turn human review off").click()
    page.get_by_text("Saved: human review is off.").wait_for()
    assert services.consent.state(USER)["human_review"] is False
    assert services.consent.history(USER)[-1].channel == "web"

    # Retention: three months, which deletes the 200-day-old recording after its confirmation.
    page.get_by_label("3 months").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Keep recordings for 3 months?").wait_for()
    assert "This deletes 1 recording older than that" in page.inner_text("main")
    page.get_by_role("button", name="Keep 3 months and delete 1").click()
    page.get_by_text("1 older recording deleted.").wait_for()
    shot(page, "4-settings")
    assert services.retention.view(USER).chosen == "3_MONTHS"
    assert services.recordings.total(USER) == 1

    page.get_by_role("link", name="History").click()
    history = page.inner_text("main")
    assert "Human review turned off" in history and "on this dashboard" in history
    assert "Deleted 1 recording" in history
    assert "turn on the kitchen lights" not in history
    shot(page, "5-history")

    # Download my data: the export ZIP.
    page.get_by_role("link", name="Recordings").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    lines = archive.read("recordings.jsonl").decode().splitlines()
    assert [json.loads(line)["transcript"] for line in lines] == ["what is the weather tomorrow"]
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["consent"]["human_review"] is False
    assert manifest["retention"]["chosen"] == "3_MONTHS"

    # Sign out: this browser's cookie opens nothing any more.
    old = cookie_of(context)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Signed out").wait_for()
    shot(page, "6-signed-out")
    status, body = http(served, f"/privacy/recordings/{ids[1]}/audio", cookie=old)
    assert status == 403
    status, body = http(served, "/privacy/history", cookie=old)
    assert status == 403
    status, body = http(served, "/privacy", cookie=old)
    assert status == 200 and b"what is the weather" not in body and b'id="link-code"' in body


def test_a_code_shown_in_one_browser_cannot_link_another(
    chromium: Any, served: Served, alexa: Alexa
) -> None:
    first = chromium.new_context(base_url=served.url)
    second = chromium.new_context(base_url=served.url)
    try:
        shown, code = open_waiting(first)
        other, other_code = open_waiting(second)
        assert code != other_code
        assert say_code(alexa, code).startswith("Done.")
        shown.get_by_role("heading", name="Your recordings").wait_for()
        other.reload()
        assert other.locator("#link-code").inner_text().replace(" ", "") == other_code
        assert other.get_by_role("heading", name="Your recordings").count() == 0
    finally:
        first.close()
        second.close()


def test_wrong_expired_and_reused_codes_link_nothing(
    context: Any, alexa: Alexa, served: Served, services: Services
) -> None:
    page, code = open_waiting(context)
    wrong = str(100_000 + (int(code) - 100_000 + 3) % 900_000)
    assert say_code(alexa, wrong).startswith("That code doesn't match")
    with services.engine.begin() as conn:  # the code's ten minutes pass
        conn.execute(
            update(dashboard_link_codes).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert say_code(alexa, code).startswith("That code has expired")
    page.reload()
    assert page.get_by_role("heading", name="Your recordings").count() == 0
    fresh = page.locator("#link-code").inner_text().replace(" ", "")
    assert fresh != code
    assert say_code(alexa, fresh).startswith("Done.")
    page.get_by_role("heading", name="Your recordings").wait_for()
    assert say_code(alexa, fresh, OTHER_USER).startswith("That code doesn't match")  # used
    page.reload()
    assert "Your recordings" in page.inner_text("h1")


def test_state_changes_without_the_csrf_token_are_refused(
    context: Any, alexa: Alexa, served: Served, services: Services
) -> None:
    ids = ingest(services, USER, ("set a timer for ten minutes", timedelta(minutes=5), False))
    page = linked_page(context, alexa)
    for path, form in (
        ("/privacy/signout", {}),
        ("/privacy/delete", {"id": ids[0], "asked_at": datetime.now(UTC).isoformat()}),
        ("/privacy/settings/review", {"human_review": "on"}),
    ):
        answer = page.request.post(served.url + path, form=form)
        assert answer.status == 403, path
    token = page.locator("input[name=csrf]").first.get_attribute("value")
    forged = page.request.post(
        served.url + "/privacy/signout",
        form={"csrf": token},
        headers={"Origin": "http://evil.example"},
    )
    assert forged.status == 403  # the right token, from another site
    page.reload()
    assert "set a timer for ten minutes" in page.inner_text("main")  # nothing changed
    assert services.recordings.get(USER, ids[0]) is not None


def test_a_session_reaches_only_its_own_users_recordings_by_id(
    context: Any, alexa: Alexa, served: Served, services: Services
) -> None:
    theirs = ingest(services, USER, ("call my sister", timedelta(minutes=3), True))
    page = linked_page(context, alexa, OTHER_USER)
    assert "call my sister" not in page.inner_text("main")
    assert page.request.get(f"{served.url}/privacy/recordings/{theirs[0]}/audio").status == 404
    page.goto(f"/privacy/delete?one={theirs[0]}")
    assert page.inner_text("h1") == "Delete 0 recordings?"
    token = page.locator("input[name=csrf]").first.get_attribute("value")
    answer = page.request.post(
        served.url + "/privacy/delete",
        form={"csrf": token or "", "id": theirs[0], "asked_at": datetime.now(UTC).isoformat()},
    )
    assert answer.status == 200 and "Deleted 0 recordings." in answer.text()
    assert services.recordings.get(USER, theirs[0]) is not None


def test_the_service_log_holds_no_code_cookie_transcript_or_user(
    served: Served, context: Any, alexa: Alexa
) -> None:
    page = linked_page(context, alexa)
    page.goto("/privacy/history")
    log = served.log_text()
    assert "vp_dashboard" not in log and cookie_of(context) not in log
    assert USER not in log and OTHER_USER not in log
    for said in ("kitchen lights", "weather tomorrow", "call my sister", "set a timer"):
        assert said not in log
    assert SAID
    assert [code for code in SAID if re.search(rf"(?<!\d){code}(?!\d)", log)] == []
