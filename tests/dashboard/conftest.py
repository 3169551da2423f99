"""Dashboard fixtures: the skill behind ``lambda_handler`` and the web app on the same
services (SQLite and PostgreSQL), and a browser-like client that keeps its cookie."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from skill.config import Config
from skill.services import Services
from skill.web.app import create_app
from skill.web.trust import dev_trust
from tests.conftest import USER, Alexa, Reply, both_backends
from tests.web.conftest import DevPki, pki

__all__ = ["PUBLIC_URL", "code_on", "link", "pki"]

backend = both_backends

PUBLIC_URL = "http://privacy.example.test"
CODE = re.compile(r'id="link-code"[^>]*>(\d{3}) (\d{3})<')


def code_on(page: str) -> str:
    """The six digits a waiting page shows."""
    found = CODE.search(page)
    assert found is not None, "no code on the page"
    return found.group(1) + found.group(2)


@pytest.fixture
def dash_config(config: Config) -> Config:
    return replace(config, public_url=PUBLIC_URL)


@pytest.fixture
def app(dash_config: Config, services: Services, pki: DevPki) -> Flask:
    return create_app(dash_config, services, trust=dev_trust(pki.directory))


@pytest.fixture
def browser(app: Flask) -> FlaskClient:
    """One browser: its cookie jar persists between requests."""
    return app.test_client()


@pytest.fixture
def speaker(alexa: Alexa, dash_config: Config) -> Alexa:
    """The skill, deployed with the dashboard's address."""
    alexa.configure(public_url=dash_config.public_url)
    return alexa


def link(speaker: Alexa, code: str, *, person: str | None = None) -> tuple[Reply, Reply]:
    """Say "link code ..." and then "yes"; the question and the answer."""
    speaker.caller.person_id = person
    asked = speaker.intent("LinkDashboardIntent", {"code": code})
    answered = speaker.confirm("LinkDashboardIntent", asked, slots={"code": code})
    return asked, answered


@pytest.fixture
def linked(browser: FlaskClient, speaker: Alexa) -> Iterator[FlaskClient]:
    """A browser linked to ``USER``'s account (no recognised voice)."""
    code = code_on(browser.get("/privacy").get_data(as_text=True))
    _, answered = link(speaker, code)
    assert answered.speech.startswith("Done."), answered.speech
    yield browser


def form_token(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def text_of(response: Any) -> str:
    return str(response.get_data(as_text=True))


__all__ += ["USER", "form_token", "text_of"]
