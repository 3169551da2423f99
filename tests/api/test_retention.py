"""Retention over real HTTP: what applies and why, a choice that deletes at once what it no
longer keeps (or only counts it, with dry_run), "don't save" and back, per person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.conftest import Client, item, user_path

USER = "amzn1.ask.account.RETAIN:1"
PERSON = "amzn1.ask.person.RETAIN.P"


def ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def retention(admin: Client, user: str = USER, **query: str) -> dict[str, Any]:
    reply = admin.get(user_path(user, "retention", **query))
    assert reply.status == 200, reply.body
    body: dict[str, Any] = reply.json
    return body


def choose(admin: Client, body: dict[str, Any], user: str = USER) -> dict[str, Any]:
    reply = admin.put(user_path(user, "retention"), body)
    assert reply.status == 200, reply.body
    answer: dict[str, Any] = reply.json
    return answer


def test_a_choice_applies_at_once_and_is_audited(admin: Client) -> None:
    before = retention(admin)
    cutoff = datetime.fromisoformat(before.pop("deletes_before"))
    assert before == {
        "person": None, "period": "18_MONTHS", "source": "default", "chosen": None,
        "saving": True, "default": "18_MONTHS",
    }  # fmt: skip
    assert timedelta(days=540) < datetime.now(UTC) - cutoff < timedelta(days=560)
    items = [item(USER, ago(1), "recent", id="r-new"), item(USER, ago(120), "older", id="r-mid"),
             item(USER, ago(400), "oldest", id="r-old")]  # fmt: skip
    assert admin.post("/recordings", {"recordings": items}).json["ingested"] == 3

    assert choose(admin, {"period": "3_MONTHS", "dry_run": True}) == {
        "period": "3_MONTHS", "would_delete": 2
    }  # fmt: skip
    assert len(admin.get(user_path(USER, "recordings")).json["recordings"]) == 3

    kept = choose(admin, {"period": "36_MONTHS"})
    assert (kept["deleted"], kept["previous"], kept["retention"]["source"]) == (0, None, "account")
    changed = choose(admin, {"period": "3_MONTHS"})
    assert (changed["deleted"], changed["previous"]) == (2, "36_MONTHS")
    assert changed["retention"]["period"] == "3_MONTHS"
    listed = admin.get(user_path(USER, "recordings")).json["recordings"]
    assert [r["id"] for r in listed] == ["r-new"]

    events = admin.get(user_path(USER, "audit")).json["events"]
    actions = [(e["action"], e["channel"]) for e in events]
    assert ("retention_changed", "api") in actions
    assert ("recordings_deleted", "api") in actions
    access = [e["details"] for e in events if e["action"] == "api_access"
              and e["details"]["operation"] == "retention.set"]  # fmt: skip
    assert [(a["period"], a["count"], a["key"]) for a in access] == [
        ("3_MONTHS", 2, "admin"), ("36_MONTHS", 0, "admin"), ("3_MONTHS", 2, "admin")
    ]  # fmt: skip


def test_dont_save_stops_storing_and_a_period_resumes_it(admin: Client) -> None:
    user = "amzn1.ask.account.NOSAVE.RET"
    stopped = choose(admin, {"period": "DONT_SAVE"}, user)
    assert stopped["retention"]["saving"] is False and stopped["deleted"] == 0
    pushed = {"recordings": [item(user, ago(1), "not kept")]}
    assert admin.post("/recordings", pushed).json == {"ingested": 0, "refused": 1}
    resumed = choose(admin, {"period": "UNTIL_DELETED"}, user)
    assert resumed["resumed_saving"] is True
    assert retention(admin, user)["saving"] is True
    assert retention(admin, user)["deletes_before"] is None
    assert admin.post("/recordings", pushed).json == {"ingested": 1, "refused": 0}


def test_a_persons_choice_is_theirs(admin: Client) -> None:
    user = "amzn1.ask.account.HOUSE.RET"
    choose(admin, {"period": "36_MONTHS"}, user)
    mine = choose(admin, {"period": "3_MONTHS", "person": PERSON}, user)
    assert (mine["retention"]["person"], mine["retention"]["source"]) == (PERSON, "person")
    assert retention(admin, user, person=PERSON)["period"] == "3_MONTHS"
    assert retention(admin, user)["period"] == "36_MONTHS"
    account = choose(admin, {"period": "UNTIL_DELETED"}, user)
    assert account["retention"]["period"] == "UNTIL_DELETED"
    assert retention(admin, user, person=PERSON)["period"] == "3_MONTHS"  # the shortest wins


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"period": "FOREVER"},
        {"period": "3_MONTHS", "dry_run": "yes"},
        {"period": "3_MONTHS", "colour": "blue"},
        {"period": "3_MONTHS", "person": ""},
        {"period": ["3_MONTHS"]},
        [],
    ],
)
def test_choices_that_say_nothing_usable_are_refused(admin: Client, body: Any) -> None:
    reply = admin.put(user_path("amzn1.ask.account.KEEP.RET", "retention"), body)
    assert reply.status == 400
    assert retention(admin, "amzn1.ask.account.KEEP.RET")["source"] == "default"
