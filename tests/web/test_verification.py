"""Signed requests over real HTTP: a genuine one is answered; every forgery gets a 4xx."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.hashes import SHA1

from skill.config import Config
from skill.services import Services
from skill.web.devcerts import issue_leaf, new_authority, new_key, pem
from skill.web.trust import production_trust
from tests.conftest import USER, seed
from tests.web.conftest import DevPki, Endpoint, launch, what_data


def test_a_genuine_signed_request_is_answered(endpoint: Endpoint) -> None:
    answer = endpoint.send_signed(launch())
    assert answer.status == 200
    assert answer.body["response"]["outputSpeech"]["ssml"].startswith("<speak>Voice Privacy here.")


def test_no_signature_headers(endpoint: Endpoint) -> None:
    assert endpoint.post(json.dumps(launch()).encode()).status == 400


def test_body_altered_after_signing_changes_nothing(endpoint: Endpoint, services: Services) -> None:
    seed(services, USER, datetime.now(UTC))
    event = what_data()
    _, headers = endpoint.signed(event)
    event["request"]["intent"] = {
        "name": "DeleteAllRecordingsIntent",
        "confirmationStatus": "CONFIRMED",
        "slots": {},
    }
    assert endpoint.post(json.dumps(event).encode(), headers).status == 400
    assert services.recordings.total(USER) == 1


def test_signed_with_another_key(endpoint: Endpoint) -> None:
    assert endpoint.send_signed(launch(), key=new_key()).status == 400


def test_old_sha1_signature_header_only(endpoint: Endpoint, pki: DevPki) -> None:
    body = json.dumps(launch()).encode()
    signature = base64.b64encode(pki.key.sign(body, PKCS1v15(), SHA1())).decode()
    headers = {
        "SignatureCertChainUrl": "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "Signature": signature,
    }
    assert endpoint.post(body, headers).status == 400


@pytest.mark.parametrize(
    "url",
    [
        "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
        "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem",
        "https://notamazon.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem",
    ],
)
def test_bad_cert_urls(endpoint: Endpoint, url: str) -> None:
    assert endpoint.send_signed(launch(), cert_url=url).status == 400


@pytest.mark.parametrize(
    "url",
    [
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "HTTPS://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
    ],
)
def test_valid_cert_url_forms(endpoint: Endpoint, url: str) -> None:
    assert endpoint.send_signed(launch(), cert_url=url).status == 200


def test_expired_leaf(endpoint: Endpoint, pki: DevPki) -> None:
    key = new_key()
    past = datetime.now(UTC) - timedelta(days=30)
    leaf = issue_leaf(pki.authority, key, not_before=past - timedelta(days=365), not_after=past)
    url = pki.add_chain("expired.pem", pem(leaf, pki.authority.cert))
    assert endpoint.send_signed(launch(), key=key, cert_url=url).status == 400


def test_wrong_san(endpoint: Endpoint, pki: DevPki) -> None:
    key = new_key()
    leaf = issue_leaf(pki.authority, key, san="not-echo-api.example.com")
    url = pki.add_chain("wrong-san.pem", pem(leaf, pki.authority.cert))
    assert endpoint.send_signed(launch(), key=key, cert_url=url).status == 400


def test_untrusted_ca(endpoint: Endpoint, pki: DevPki) -> None:
    rogue = new_authority("Rogue CA")
    key = new_key()
    url = pki.add_chain("rogue.pem", pem(issue_leaf(rogue, key), rogue.cert))
    assert endpoint.send_signed(launch(), key=key, cert_url=url).status == 400


@pytest.mark.parametrize("offset", [timedelta(seconds=-200), timedelta(seconds=200)])
def test_timestamps_outside_150_seconds(endpoint: Endpoint, offset: timedelta) -> None:
    assert endpoint.send_signed(launch(now=datetime.now(UTC) + offset)).status == 400


def test_request_for_another_skill(make_endpoint: Any, config: Config) -> None:
    from dataclasses import replace

    endpoint = make_endpoint(replace(config, skill_id="amzn1.ask.skill.OURS"))
    assert endpoint.send_signed(launch(skill_id="amzn1.ask.skill.THEIRS")).status == 400
    assert endpoint.send_signed(launch(skill_id="amzn1.ask.skill.OURS")).status == 200


@pytest.mark.parametrize("body", [b"{not json", b"[1,2]", b'{"version": "1.0"}', b"\xff\xfe"])
def test_malformed_bodies(endpoint: Endpoint, body: bytes) -> None:
    assert endpoint.post(body, endpoint.signed(launch())[1]).status == 400


def test_oversized_body_gets_413_and_the_server_keeps_answering(endpoint: Endpoint) -> None:
    event = launch()
    event["padding"] = "x" * (1024 * 1024)
    body, headers = endpoint.signed(event)
    assert endpoint.post(body, headers).status == 413
    assert endpoint.send_signed(launch()).status == 200
    assert endpoint.get("/healthz").body == {"status": "ok", "database": "ok"}


def test_production_trust_without_network_refuses_quickly(make_endpoint: Any) -> None:
    endpoint = make_endpoint(trust=production_trust(fetch_timeout=2.0))
    started = time.monotonic()
    answer = endpoint.send_signed(launch())
    assert answer.status == 400
    assert time.monotonic() - started < 5
