"""Fixture chain: config -> services -> skill behind the real Lambda entry point.

Every test gets its own SQLite file and audio folder under tmp_path, and a
local Alexa Settings API on loopback for device time zones.
"""

from __future__ import annotations

import json
import os
import re
import uuid
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from skill.config import Config
from skill.services import Services, open_services
from skill.services.models import NewRecording
from skill.simulator.envelopes import (
    Caller,
    Session,
    intent_request,
    launch_request,
    session_ended_request,
)
from skill.simulator.settings_stub import SettingsStub
from skill.simulator.transports import load_lambda_module
from skill.store.db import normalise_url, open_engine, upgrade
from skill.store.schema import metadata

ROOT = Path(__file__).resolve().parents[1]
USER = "amzn1.ask.account.ALICE"
OTHER_USER = "amzn1.ask.account.BOB"


TEST_MASTER_KEY = "dGVzdCBtYXN0ZXIga2V5IG9mIDMyIGJ5dGVzIGxvbmc="
"""base64 of 32 bytes: the master key a PostgreSQL data database needs set explicitly."""


def env_for(tmp_path: Path, database_url: str | None = None) -> dict[str, str]:
    (tmp_path / "data").mkdir(exist_ok=True)
    env = {
        "PRIVACY_SKILL_DATABASE_URL": database_url or f"sqlite:///{tmp_path / 'data' / 'skill.db'}",
        "PRIVACY_SKILL_AUDIO_DIR": str(tmp_path / "audio"),
        "PRIVACY_SKILL_DEFAULT_TIMEZONE": "UTC",
    }
    if database_url is not None:  # PostgreSQL: the key store and master key are explicit
        env["PRIVACY_SKILL_KEYSTORE_URL"] = f"sqlite:///{tmp_path / 'data' / 'keystore.db'}"
        env["PRIVACY_SKILL_MASTER_KEY"] = TEST_MASTER_KEY
    return env


POSTGRES_ADMIN_URL = os.environ.get(
    "PRIVACY_SKILL_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, migrated once, dropped at the end.

    Missing PostgreSQL is a skip on a laptop and a failure under CI=true.
    """
    admin = create_engine(normalise_url(POSTGRES_ADMIN_URL), isolation_level="AUTOCOMMIT")
    name = f"privacy_skill_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = open_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def backend() -> str:
    """Which database the test runs on; tests/services and tests/alexa run on both."""
    return "sqlite"


def _each_backend(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


both_backends = pytest.fixture(params=["sqlite", "postgresql"])(_each_backend)
"""``backend = both_backends`` in a folder's conftest runs that folder's tests on both."""


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest) -> str | None:
    if backend == "sqlite":
        return None
    url: str = request.getfixturevalue("postgres_url")
    engine = open_engine(url)
    with engine.begin() as conn:  # a clean database for every test
        tables = ", ".join(t.name for t in metadata.sorted_tables)
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    engine.dispose()
    return url


@pytest.fixture
def env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str | None
) -> dict[str, str]:
    values = env_for(tmp_path, database_url)
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    unset = ("PRIVACY_SKILL_SKILL_ID", "PRIVACY_SKILL_KEYSTORE_URL", "PRIVACY_SKILL_MASTER_KEY")
    for name in unset:
        if name not in values:
            monkeypatch.delenv(name, raising=False)
    return values


@pytest.fixture
def config(env: dict[str, str], tmp_path: Path) -> Config:
    return Config.from_env(env, data_dir=tmp_path)


@pytest.fixture
def services(config: Config) -> Iterator[Services]:
    opened = open_services(config)
    yield opened
    opened.close()


def make_wav(path: Path, payload: bytes = b"\x01\x02" * 800) -> Path:
    """A real (tiny) WAV file whose sample bytes are ``payload``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(payload)
    return path


def seed(
    services: Services,
    user: str,
    *times: datetime,
    transcript: Callable[[int], str] = lambda i: f"sample utterance {i}",
    audio: Path | None = None,
    person: str | None = None,
) -> None:
    services.recordings.ingest(
        [
            NewRecording(
                user_id=user,
                recorded_at=t,
                transcript=transcript(i),
                audio_file=audio,
                person_id=person,
            )
            for i, t in enumerate(times)
        ]
    )


@pytest.fixture(scope="session")
def lambda_module() -> ModuleType:
    """lambda/lambda_function.py, loaded as Lambda loads it (and as ``simulate --lambda`` does)."""
    return load_lambda_module(ROOT / "lambda" / "lambda_function.py")


@pytest.fixture
def settings_api() -> Iterator[SettingsStub]:
    stub = SettingsStub(default_zone="UTC")
    with stub.running():
        yield stub


def speech_text(response: dict[str, Any], key: str = "outputSpeech") -> str:
    speech = (response.get("response") or {}).get(key) or {}
    if key == "reprompt":
        speech = speech.get("outputSpeech") or {}
    text = speech.get("ssml") or speech.get("text") or ""
    return re.sub(r"<[^>]+>", "", text).strip()


@dataclass
class Reply:
    """A response from the skill, with the parts tests look at."""

    raw: dict[str, Any]
    speech: str = ""
    directives: list[str] = field(default_factory=list)
    ends: bool | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, raw: dict[str, Any]) -> Reply:
        body = raw.get("response") or {}
        return cls(
            raw=raw,
            speech=speech_text(raw),
            directives=[d["type"] for d in body.get("directives") or []],
            ends=body.get("shouldEndSession"),
            attributes=raw.get("sessionAttributes") or {},
        )

    @property
    def card(self) -> dict[str, Any] | None:
        card: dict[str, Any] | None = (self.raw.get("response") or {}).get("card")
        return card


class Alexa:
    """Sends real request envelopes through a Lambda handler, as Alexa would."""

    def __init__(self, lambda_module: ModuleType, config: Config, caller: Caller):
        self.lambda_module = lambda_module
        self.handler = lambda_module.make_handler(config)
        self.config = config
        self.caller = caller
        self.now = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
        self.sent: list[dict[str, Any]] = []

    def configure(self, **settings: Any) -> None:
        """Deploy the skill again with some settings changed (a new Lambda handler)."""
        self.config = replace(self.config, **settings)
        self.handler = self.lambda_module.make_handler(self.config)

    def send(self, event: dict[str, Any]) -> Reply:
        self.sent.append(event)
        # Round-trip through JSON, as the Lambda runtime does.
        return Reply.of(self.handler(json.loads(json.dumps(event)), None))

    def launch(self) -> Reply:
        return self.send(launch_request(self.caller, self.now))

    def intent(
        self,
        name: str,
        slots: dict[str, str | None] | None = None,
        *,
        confirmation: str = "NONE",
        after: Reply | None = None,
    ) -> Reply:
        session = Session(new=after is None, attributes=after.attributes if after else {})
        return self.send(
            intent_request(
                self.caller,
                self.now,
                name,
                slots,
                session=session,
                confirmation=confirmation,
                dialog_state="IN_PROGRESS" if confirmation != "NONE" else None,
            )
        )

    def confirm(
        self,
        name: str,
        asked: Reply,
        answer: str = "CONFIRMED",
        slots: dict[str, str | None] | None = None,
    ) -> Reply:
        return self.intent(name, slots, confirmation=answer, after=asked)

    def session_ended(self) -> Reply:
        return self.send(session_ended_request(self.caller, self.now, Session(new=False)))


@pytest.fixture
def alexa(config: Config, lambda_module: ModuleType, settings_api: SettingsStub) -> Alexa:
    caller = Caller(user_id=USER, api_endpoint=settings_api.endpoint)
    return Alexa(lambda_module, config, caller)
