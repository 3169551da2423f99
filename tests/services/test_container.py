"""The services container: the health check's database ping."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy.exc import OperationalError

from skill.services import Services
from skill.store.db import open_engine


def test_ping_answers_when_the_database_is_up(services: Services) -> None:
    assert services.ping() is None


def test_ping_raises_when_the_database_is_unreachable(services: Services) -> None:
    unreachable = open_engine("postgresql://postgres@127.0.0.1:1/none")
    try:
        with pytest.raises(OperationalError):
            dataclasses.replace(services, engine=unreachable).ping()
    finally:
        unreachable.dispose()
