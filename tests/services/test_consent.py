"""The consent ledger: opt-in defaults, append-only history, withdrawal hooks."""

from __future__ import annotations

import pytest

from skill.config import Config, ConsentPolicy
from skill.services import Services, open_services
from skill.services.consent import UnknownPurpose
from tests.conftest import OTHER_USER, USER


def test_default_policy_is_opt_in_for_human_review(services: Services) -> None:
    assert services.consent.state(USER) == {"human_review": False, "store_recordings": True}


def test_ledger_keeps_every_change_in_order(services: Services) -> None:
    services.consent.set(USER, "human_review", True, channel="web", request_id="r1")
    services.consent.set(USER, "human_review", False, channel="voice", request_id="r2")
    services.consent.set(USER, "store_recordings", False, channel="cli")
    history = services.consent.history(USER)
    assert [(e.purpose, e.granted, e.channel, e.request_id) for e in history] == [
        ("human_review", True, "web", "r1"),
        ("human_review", False, "voice", "r2"),
        ("store_recordings", False, "cli", None),
    ]
    assert all(e.policy_version == "2026-11" for e in history)
    assert history[0].at <= history[1].at <= history[2].at
    assert services.consent.state(USER) == {"human_review": False, "store_recordings": False}
    assert services.consent.state(OTHER_USER)["store_recordings"] is True


def test_configured_default_applies_until_the_person_decides(config: Config) -> None:
    from dataclasses import replace

    opted_in = replace(
        config, policy=ConsentPolicy(defaults={"human_review": True, "store_recordings": True})
    )
    services = open_services(opted_in)
    try:
        assert services.consent.is_granted(USER, "human_review") is True
        change = services.consent.set(USER, "human_review", False, channel="voice")
        assert (change.was_granted, change.granted) == (True, False)
        assert services.consent.is_granted(USER, "human_review") is False
    finally:
        services.close()


def test_withdrawal_hooks_run_in_the_same_transaction(services: Services) -> None:
    calls: list[tuple[str, str]] = []

    def purge(conn: object, user: str, purpose: str, person: str | None) -> int:
        calls.append((user, purpose))
        return 3

    services.consent.withdrawal_hooks.append(purge)
    assert services.consent.set(USER, "human_review", True, channel="cli").purged == 0
    change = services.consent.set(USER, "human_review", False, channel="cli")
    assert change.purged == 3 and calls == [(USER, "human_review")]
    [*_, audit] = services.audit.for_user(USER)
    assert audit.details["purged"] == 3


def test_unknown_purpose_is_refused(services: Services) -> None:
    with pytest.raises(UnknownPurpose):
        services.consent.set(USER, "advertising", True, channel="cli")
    assert services.consent.history(USER) == []
