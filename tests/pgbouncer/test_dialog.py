"""A skill dialog through the Lambda handler, with the data database and a PostgreSQL key
store both reached through pgbouncer in transaction mode: "what data do you keep", then
"delete what I said today" with its confirmation, as a person would hear it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from skill.services import Services
from skill.store.db import open_engine
from tests.conftest import OTHER_USER, USER, Alexa, seed

pytestmark = pytest.mark.postgres


@pytest.fixture
def env(
    env: dict[str, str], pooled_keystore_url: str, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The usual test environment, with the key store in PostgreSQL behind pgbouncer too."""
    monkeypatch.setenv("PRIVACY_SKILL_KEYSTORE_URL", pooled_keystore_url)
    return {**env, "PRIVACY_SKILL_KEYSTORE_URL": pooled_keystore_url}


def _rows(url: str, query: str, **params: str) -> list[tuple[object, ...]]:
    engine = open_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(query), params)]
    finally:
        engine.dispose()


def test_what_data_then_delete_today_with_confirmation_through_pgbouncer(
    alexa: Alexa, services: Services, env: dict[str, str]
) -> None:
    assert ":5432/" not in env["PRIVACY_SKILL_DATABASE_URL"], "the data goes through pgbouncer"
    assert ":5432/" not in env["PRIVACY_SKILL_KEYSTORE_URL"], "so do the keys"
    now = alexa.now
    hours = (1, 2, 24)  # two today, one yesterday
    seed(services, USER, *(now - timedelta(hours=h) for h in hours))
    seed(services, OTHER_USER, now - timedelta(hours=1))
    keys_before = {row[0] for row in _rows(env["PRIVACY_SKILL_KEYSTORE_URL"], _KEYS)}
    today = {
        key
        for key, recorded_at in _rows(
            env["PRIVACY_SKILL_DATABASE_URL"],
            "SELECT key_id, recorded_at FROM recordings WHERE user_id = :user",
            user=USER,
        )
        if isinstance(recorded_at, datetime) and recorded_at > now - timedelta(hours=3)
    }

    assert "Voice Privacy here" in alexa.launch().speech
    told = alexa.intent("WhatDataIntent")
    assert told.speech.startswith("I keep 3 recordings on this account, from November 25th")
    asked = alexa.intent("DeleteRecordingsIntent", {"date": "2026-11-26"})
    assert asked.directives == ["Dialog.ConfirmIntent"]
    assert "There are 2 recordings from today on this account" in asked.speech
    done = alexa.confirm("DeleteRecordingsIntent", asked, slots={"date": "2026-11-26"})
    assert done.speech == "Done. I deleted 2 recordings from today on this account."
    assert alexa.intent("WhatDataIntent").speech.startswith("I keep one recording on this account")

    assert [r.recorded_at for r in services.recordings.list(USER)] == [now - timedelta(days=1)]
    assert services.recordings.total(OTHER_USER) == 1, "the other account is untouched"
    keys_after = {row[0] for row in _rows(env["PRIVACY_SKILL_KEYSTORE_URL"], _KEYS)}
    assert len(today) == 2 and today <= keys_before
    assert keys_after == keys_before - today, "exactly the deleted recordings' keys are gone"


_KEYS = "SELECT key_id FROM data_keys"
