"""Skill events with the envelopes Alexa's documentation shows ("Add Events to Your Skill"),
through the Lambda handler: disabling the skill with NOT_PERSISTED leaves no readable content
of that user anywhere; PERSISTED, the keep policy and every other event change nothing."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from skill.config import Config
from skill.services import Services
from skill.services.models import NewRecording
from skill.simulator import envelopes
from skill.simulator.envelopes import Caller
from skill.store.db import DatabaseError
from skill.store.schema import consent_events, consent_state, recordings, retention_choices
from tests.conftest import OTHER_USER, POSTGRES_ADMIN_URL, USER, Alexa, make_wav, seed
from tests.shred.evidence import capture, files_containing, postgres_files_containing

ANN = "amzn1.ask.person.ANN"


def skill_event(kind: str, user: str = USER, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """A skill event as Alexa sends it: no session, the user in context.System."""
    return envelopes.skill_event(Caller(user_id=user), datetime.now(UTC), kind, body)


def disabled(status: str, user: str = USER) -> dict[str, Any]:
    return skill_event(
        "AlexaSkillEvent.SkillDisabled", user, {"userInformationPersistenceStatus": status}
    )


def stored(services: Services, table: Any, user: str = USER) -> int:
    with services.engine.connect() as conn:
        return int(
            conn.execute(select(func.count()).where(table.c.user_id == user)).scalar_one()
        )


@pytest.fixture
def full_account(alexa: Alexa, services: Services, tmp_path: Path) -> dict[str, bytes]:
    """USER with recordings (one with audio, one of a recognised person), a queue item with an
    annotation, consent decisions and a retention choice; OTHER_USER with one recording."""
    said = f"my pin is {uuid.uuid4().hex}".encode()
    sound = f"VOICE-{uuid.uuid4().hex}".encode()
    wav = make_wav(tmp_path / "in" / "clip.wav", sound * 30)
    now = datetime.now(UTC)
    services.recordings.ingest(
        [
            NewRecording(USER, now - timedelta(hours=1), said.decode(), audio_file=wav),
            NewRecording(USER, now - timedelta(hours=2), f"{said.decode()} again", person_id=ANN),
        ]
    )
    seed(services, OTHER_USER, now - timedelta(hours=1))
    services.consent.set(USER, "human_review", True, channel="voice")
    services.consent.set(OTHER_USER, "human_review", True, channel="voice")
    services.review.sample(rate=1.0, seed=1)
    [item] = [i for i in services.review.claim("rita", count=5) if i.user_id == USER][:1]
    services.review.submit(item.id, "rita", f"{said.decode()} reviewed", "ok")
    services.retention.choose(USER, "36_MONTHS", channel="voice")
    return {"said": said, "sound": sound}


def test_disabled_not_persisted_deletes_everything_but_the_ledger(
    alexa: Alexa,
    services: Services,
    full_account: dict[str, bytes],
    backend: str,
    tmp_path: Path,
) -> None:
    sealed = capture(services, USER)
    ledger_before = stored(services, consent_events)

    reply = alexa.send(disabled("NOT_PERSISTED"))

    assert reply.raw["version"] == "1.0" and reply.raw["response"] == {}
    assert "sessionAttributes" not in reply.raw
    assert services.recordings.total(USER) == 0 and stored(services, recordings) == 0
    assert {i.user_id for i in services.review.list_items()} == {OTHER_USER}
    assert stored(services, consent_state) == 0 and stored(services, retention_choices) == 0
    assert stored(services, consent_events) == ledger_before, "the ledger stays"
    assert services.accounts.pending() == []
    # No content left to read: keys destroyed, no copy of them, no plaintext, no audio.
    assert services.keys.fetch([s.key_id for s in sealed]) == {}
    needles = [full_account["said"], full_account["sound"]]
    needles += [s.key for s in sealed] + [s.wrapped for s in sealed]
    found = files_containing(tmp_path / "data", *needles)
    found += files_containing(tmp_path / "audio", *needles)
    if backend == "postgresql":
        found += postgres_files_containing(POSTGRES_ADMIN_URL, *needles)
    assert found == []
    assert [p for p in (tmp_path / "audio").rglob("*") if p.is_file()] == []
    # The other account is whole; the audit says what happened, by count.
    assert services.recordings.total(OTHER_USER) == 1
    [entry] = [e for e in services.audit.for_user(USER) if e.action == "account_deleted"]
    assert entry.channel == "event" and entry.details["recordings"] == 2
    # After this, the same id starts again from nothing (the policy default).
    assert services.consent.state(USER) == {"human_review": False, "store_recordings": True}


def test_disabled_persisted_keeps_everything(
    alexa: Alexa, services: Services, full_account: dict[str, bytes]
) -> None:
    reply = alexa.send(disabled("PERSISTED"))
    assert reply.raw["response"] == {}
    assert services.recordings.total(USER) == 2
    assert services.retention.view(USER).chosen == "36_MONTHS"
    assert services.consent.state(USER)["human_review"] is True
    [entry] = [e for e in services.audit.for_user(USER) if e.action == "skill_disabled"]
    assert entry.details == {"persisted": True, "kept": True}


def test_the_keep_policy_keeps_data_even_when_not_persisted(
    alexa: Alexa, services: Services, full_account: dict[str, bytes]
) -> None:
    alexa.configure(on_disable="keep")
    assert alexa.send(disabled("NOT_PERSISTED")).raw["response"] == {}
    assert services.recordings.total(USER) == 2


EVENTS = {
    "AlexaSkillEvent.SkillEnabled": None,
    "AlexaSkillEvent.SkillPermissionAccepted": {
        "acceptedPermissions": [{"scope": "alexa::profile:email:read"}],
        "acceptedPersonPermissions": [{"scope": "alexa::profile:given_name:read"}],
    },
    "AlexaSkillEvent.SkillPermissionChanged": {
        "acceptedPermissions": [{"scope": "alexa::profile:email:read"}]
    },
    "AlexaSkillEvent.SkillAccountLinked": {"accessToken": "linked-account-token"},
    "AlexaSkillEvent.ProactiveSubscriptionChanged": {
        "subscriptions": [{"eventName": "AMAZON.MessageAlert.Activated"}]
    },
    "AlexaSkillEvent.SkillDisabled": None,  # no persistence status: kept
}


@pytest.mark.parametrize("kind", sorted(EVENTS))
def test_other_events_are_acknowledged_and_change_nothing(
    alexa: Alexa, services: Services, full_account: dict[str, bytes], kind: str
) -> None:
    reply = alexa.send(skill_event(kind, body=EVENTS[kind]))
    assert reply.raw["response"] == {}
    assert services.recordings.total(USER) == 2
    assert [e.action for e in services.audit.for_user(USER)].count("account_deleted") == 0


def test_when_the_deletion_cannot_even_be_recorded_the_event_is_not_acknowledged(
    alexa: Alexa, config: Config, services: Services, lambda_module: Any
) -> None:
    seed(services, USER, datetime.now(UTC))
    gone = replace(config, database_url="postgresql://postgres@127.0.0.1:1/nothing")
    handler = lambda_module.make_handler(gone)
    with pytest.raises(DatabaseError):  # a failed invocation: Alexa does not take it as handled
        handler(disabled("NOT_PERSISTED"), None)
    # Other events without speech still get their empty answer while the database is down.
    answer = handler(skill_event("AlexaSkillEvent.SkillEnabled"), None)
    assert answer["response"] == {}


def test_a_deletion_interrupted_after_it_was_recorded_is_finished_by_the_sweep(
    alexa: Alexa,
    services: Services,
    full_account: dict[str, bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Fault injection: the process "dies" between recording the deletion and doing it.
    def crash(*args: Any, **kwargs: Any) -> Any:
        raise OSError("the process went away")

    from skill.services.recordings import RecordingService

    monkeypatch.setattr(RecordingService, "delete_all", crash)
    assert alexa.send(disabled("NOT_PERSISTED")).raw["response"] == {}, "recorded: acknowledged"
    monkeypatch.undo()
    assert services.accounts.pending() == [USER]
    assert services.recordings.total(USER) == 2

    result = services.retention.sweep()

    assert result.accounts_finished == 1
    assert services.recordings.total(USER) == 0 and services.accounts.pending() == []
