"""Skill events and the sweep over real HTTP: a skill event may be an hour old; a SkillDisabled
whose deletion cannot be recorded gets a 503 (so Alexa does not take it as handled); `serve`
sweeps on its schedule, and two servers on one database sweep once between them."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from skill.config import Config
from skill.services import Services, open_services
from skill.simulator import envelopes
from skill.simulator.envelopes import Caller, launch_request
from tests.conftest import OTHER_USER, USER, seed
from tests.web.conftest import DevPki, Endpoint, start_served, stop_served


def skill_event(kind: str, at: datetime, body: dict[str, Any] | None = None) -> dict[str, Any]:
    return envelopes.skill_event(Caller(user_id=USER), at, kind, body)


NOT_PERSISTED = {"userInformationPersistenceStatus": "NOT_PERSISTED"}


def test_a_skill_event_may_be_an_hour_old_a_spoken_request_may_not(endpoint: Endpoint) -> None:
    now = datetime.now(UTC)
    late = now - timedelta(minutes=40)
    assert endpoint.send_signed(skill_event("AlexaSkillEvent.SkillEnabled", late)).status == 200
    too_late = now - timedelta(minutes=70)
    refused = endpoint.send_signed(skill_event("AlexaSkillEvent.SkillEnabled", too_late))
    assert refused.status == 400
    assert refused.body["message"] == "request timestamp is more than an hour from now"
    spoken = endpoint.send_signed(launch_request(Caller(user_id=USER), late))
    assert spoken.status == 400
    assert spoken.body["message"] == "request timestamp is more than 150 seconds from now"


@contextmanager
def write_locked(database: Path) -> Iterator[None]:
    """Another process holds SQLite's write lock for as long as the block runs."""
    conn = sqlite3.connect(database, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def test_a_disabled_event_that_cannot_be_recorded_is_a_503_then_succeeds_on_retry(
    endpoint: Endpoint, services: Services, config: Config, tmp_path: Path
) -> None:
    seed(services, USER, datetime.now(UTC) - timedelta(hours=1))
    event = skill_event("AlexaSkillEvent.SkillDisabled", datetime.now(UTC), NOT_PERSISTED)

    with write_locked(tmp_path / "data" / "skill.db"):
        answer = endpoint.send_signed(event)
    assert answer.status == 503
    assert services.recordings.total(USER) == 1 and services.accounts.pending() == []

    retried = endpoint.send_signed(event)  # Alexa delivers it again
    assert retried.status == 200 and retried.body["response"] == {}
    assert services.recordings.total(USER) == 0


def old_recordings(config: Config, user: str, count: int) -> None:
    services = open_services(config, migrate=False)
    try:
        seed(services, user, *(datetime.now(UTC) - timedelta(days=700 + i) for i in range(count)))
    finally:
        services.close()


def wait_until(condition: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return bool(condition())


def test_serve_sweeps_on_its_schedule_and_two_servers_sweep_once(
    tmp_path: Path, pki: DevPki
) -> None:
    first = start_served(tmp_path, pki, workers=1, PRIVACY_SKILL_SWEEP_INTERVAL="10")
    second = start_served(tmp_path, pki, workers=1, PRIVACY_SKILL_SWEEP_INTERVAL="10")
    try:
        assert first.config.database_url == second.config.database_url, "one database"
        old_recordings(first.config, USER, 3)
        old_recordings(first.config, OTHER_USER, 2)
        services = open_services(first.config, migrate=False)
        try:
            gone = wait_until(
                lambda: services.recordings.total(USER) + services.recordings.total(OTHER_USER)
                == 0,
                30,
            )
            assert gone, "the sweeper deleted the recordings older than 18 months"
            time.sleep(11)  # another interval: the other server's sweeper had its turn
            for user, count in ((USER, 3), (OTHER_USER, 2)):
                deletions = [
                    e for e in services.audit.for_user(user) if e.action == "recordings_deleted"
                ]
                assert [(e.channel, e.details["count"]) for e in deletions] == [
                    ("retention", count)
                ]
        finally:
            services.close()
        children = [pid for served in (first, second) for pid in children_of(served.process.pid)]
        assert len(children) >= 4, "each server has its worker and its sweeper"
        log = first.log.read_text() + second.log.read_text()
        assert "retention sweeps every 10 seconds" in log
        assert "retention sweep: 5 recordings of 2 accounts deleted" in log
        assert USER not in log and "sample utterance" not in log
    finally:
        stop_served(first)
        stop_served(second)
    assert wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in children), 10), (
        "the sweepers and workers went with their servers"
    )


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found
