"""The services container: the health check's database ping, and the services it makes on
first use."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from skill.config import Config
from skill.services import Services, open_services
from skill.store import dashboard as stored_dashboard
from skill.store.db import open_engine
from skill.store.schema import dashboard_sessions
from tests.conftest import USER, seed

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_ping_answers_when_the_database_is_up(services: Services) -> None:
    assert services.ping() is None


def test_ping_raises_when_the_database_is_unreachable(services: Services) -> None:
    unreachable = open_engine("postgresql://postgres@127.0.0.1:1/none")
    try:
        with pytest.raises(OperationalError):
            dataclasses.replace(services, engine=unreachable).ping()
    finally:
        unreachable.dispose()


# The review queue, the storage check and the dashboards are made on first use; their hooks
# are wired when the services open. These open fresh services that never touched them.


def test_a_withdrawal_purges_the_queue_through_services_that_never_used_the_queue(
    config: Config,
) -> None:
    first = open_services(config)
    try:
        first.consent.set(USER, "human_review", True, channel="cli")
        seed(first, USER, T0, T0 + timedelta(minutes=1))
        first.review.sample(1.0)
        assert first.review.stats()["pending"] == 2
    finally:
        first.close()
    fresh = open_services(config)
    try:
        change = fresh.consent.set(USER, "human_review", False, channel="voice")
        assert change.purged == 2
        assert fresh.review.stats()["pending"] == 0
    finally:
        fresh.close()


def test_disabling_the_skill_signs_out_dashboards_through_services_that_never_used_them(
    config: Config,
) -> None:
    first = open_services(config)
    try:
        session, _ = first.dashboard.start()
        with first.engine.begin() as conn:
            assert stored_dashboard.bind(
                conn, session.id, user_id=USER, person_id=None, timezone=None, at=T0
            )
    finally:
        first.close()
    fresh = open_services(config)
    try:
        deleted = fresh.accounts.skill_disabled(USER, persisted=False, policy="delete")
        assert not deleted.kept and not deleted.pending
        with fresh.engine.connect() as conn:
            theirs = select(func.count()).where(dashboard_sessions.c.user_id == USER)
            assert conn.execute(theirs).scalar() == 0
    finally:
        fresh.close()


def test_the_storage_check_made_on_first_use_repairs_with_the_containers_sealing(
    services: Services,
) -> None:
    assert services.storage is services.storage, "made once"
    assert services.storage.seal == services.seal_plaintext
    assert services.review is services.review and services.dashboard is services.dashboard
