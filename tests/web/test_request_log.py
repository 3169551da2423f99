"""The web service logs an Alexa request on one line: the HTTP side and the skill's answer."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from skill.config import Config
from skill.services import Services
from skill.simulator.signing import sign
from skill.web.app import create_app
from skill.web.trust import dev_trust
from tests.web.conftest import DevPki, what_data

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"


def _lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The request lines (skill.web's INFO records; its warnings say why a request was
    refused)."""
    return [
        json.loads(r.getMessage())
        for r in caplog.records
        if r.name == "skill.web" and r.levelno == logging.INFO
    ]


def test_an_alexa_request_is_one_line_with_its_answer(
    config: Config, services: Services, pki: DevPki, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    client = create_app(config, services, trust=dev_trust(pki.directory)).test_client()
    event = what_data()
    body = json.dumps(event).encode()
    answer = client.post("/alexa", data=body, headers=sign(body, pki.key, CERT_URL))
    assert answer.status_code == 200
    assert not [r for r in caplog.records if r.name == "skill.requests"], "no second line"
    (line,) = _lines(caplog)
    assert line["method"] == "POST"
    assert line["route"] == "/alexa"
    assert line["status"] == 200
    assert isinstance(line["ms"], float)
    assert line["alexa_request_id"] == event["request"]["requestId"]
    assert line["type"] == "IntentRequest"
    assert line["intent"] == "WhatDataIntent"
    assert line["directives"] == []
    assert line["end"] is True
    assert event["session"]["user"]["userId"] not in caplog.text


def test_other_routes_and_refused_requests_log_no_answer_fields(
    config: Config, services: Services, pki: DevPki, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    client = create_app(config, services, trust=dev_trust(pki.directory)).test_client()
    assert client.get("/healthz").status_code == 200
    assert client.post("/alexa", data=json.dumps(what_data()).encode()).status_code == 400
    health, refused = _lines(caplog)
    assert health == {**health, "route": "/healthz", "status": 200, "alexa_request_id": None}
    assert refused["status"] == 400 and refused["alexa_request_id"] is None
    assert not {"type", "intent", "directives", "end"} & (set(health) | set(refused))
