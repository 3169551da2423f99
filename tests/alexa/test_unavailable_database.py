"""A database that is locked or gone: the skill answers in time with an apology, changes
nothing, and answers normally again once the database is back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from types import ModuleType

from sqlalchemy import create_engine

from skill.config import Config
from skill.services import Services
from skill.simulator.envelopes import Caller
from skill.store.db import normalise_url
from tests.conftest import USER, Alexa, seed

APOLOGY = "Sorry, something went wrong on my side, and nothing was changed. Please try again."
BUDGET = 6.0
"""Alexa waits about 8 s in all; the skill must have answered well before."""


@contextmanager
def locked(config: Config) -> Iterator[None]:
    """Another process holds the database: SQLite's write lock, or on PostgreSQL an exclusive
    lock on the recordings table (which blocks reads too)."""
    engine = create_engine(normalise_url(config.database_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("BEGIN IMMEDIATE")
        else:
            cursor.execute("BEGIN")
            cursor.execute("LOCK TABLE recordings IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            raw.rollback()
    engine.dispose()


def test_a_locked_database(
    alexa: Alexa, services: Services, config: Config, backend: str
) -> None:
    seed(services, USER, alexa.now - timedelta(hours=1))
    asked = alexa.intent("DeleteAllRecordingsIntent")
    assert asked.directives == ["Dialog.ConfirmIntent"]
    with locked(config):
        started = time.monotonic()
        reading = alexa.intent("WhatDataIntent")
        read_took = time.monotonic() - started
        deleting = alexa.confirm("DeleteAllRecordingsIntent", asked)
        delete_took = time.monotonic() - started - read_took
    if backend == "sqlite":
        assert reading.speech.startswith("I keep one recording on this account"), "reads never wait"
    else:
        assert reading.speech == APOLOGY
    assert deleting.speech == APOLOGY and deleting.ends is True
    assert read_took < BUDGET and delete_took < BUDGET
    assert services.recordings.total(USER) == 1
    assert alexa.intent("WhatDataIntent").speech.startswith("I keep one recording on this account")


def test_an_unreachable_postgresql_server(
    lambda_module: ModuleType, config: Config, settings_api: object
) -> None:
    gone = replace(config, database_url="postgresql://postgres@127.0.0.1:1/nothing")
    alexa = Alexa(lambda_module, gone, Caller(user_id=USER, device_id=None))
    started = time.monotonic()
    reply = alexa.intent("WhatDataIntent")
    assert time.monotonic() - started < BUDGET
    assert reply.speech == APOLOGY
    assert alexa.launch().speech.startswith("Voice Privacy here."), "no data needed: answered"
