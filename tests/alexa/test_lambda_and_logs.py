"""The Lambda entry point, and what reaches the logs during a whole dialog."""

from __future__ import annotations

import logging
from datetime import timedelta
from types import ModuleType

import pytest
from ask_sdk_core.exceptions import ApiClientException
from ask_sdk_model.services.api_client_request import ApiClientRequest

from skill.alexa.api_client import TimeoutApiClient
from skill.services import Services
from tests.conftest import USER, Alexa, seed


def test_skill_is_built_once_per_process(alexa: Alexa, lambda_module: ModuleType) -> None:
    alexa.launch()
    first = alexa.handler.skill
    alexa.intent("AMAZON.HelpIntent")
    assert first is not None and alexa.handler.skill is first


def test_no_transcript_or_slot_text_in_logs_over_a_whole_dialog(
    alexa: Alexa, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seed(
        services,
        USER,
        alexa.now - timedelta(minutes=3),
        transcript=lambda i: "my password is hunter two",
    )
    alexa.launch()
    alexa.intent("WhatDataIntent")
    asked = alexa.intent("DeleteRecordingsIntent", {"date": "2026-11-26"})
    alexa.confirm("DeleteRecordingsIntent", asked, slots={"date": "2026-11-26"})
    alexa.intent("StopHumanReviewIntent")
    alexa.session_ended()
    assert "request amzn1.echo-api.request" in caplog.text, "the requests were logged"
    assert "hunter" not in caplog.text
    assert "recordings from today" not in caplog.text, "no speech text in logs"


def test_api_client_refuses_plain_http_off_loopback() -> None:
    client = TimeoutApiClient(timeout=0.5)
    request = ApiClientRequest(url="http://api.example.com/v2/x", method="GET", headers=[])
    with pytest.raises(ApiClientException, match="must use https"):
        client.invoke(request)


def test_api_client_reports_unreachable_loopback_as_client_error() -> None:
    client = TimeoutApiClient(timeout=0.5)
    request = ApiClientRequest(url="http://127.0.0.1:9/v2/x", method="GET", headers=[])
    with pytest.raises(ApiClientException, match="failed"):
        client.invoke(request)
