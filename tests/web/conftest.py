"""A real web service on loopback, trusting a CA generated for each test session."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from werkzeug.serving import BaseWSGIServer, make_server

from skill.config import Config
from skill.services import Services
from skill.simulator.envelopes import Caller, intent_request, launch_request
from skill.simulator.signing import sign
from skill.web.app import create_app
from skill.web.devcerts import Authority, issue_leaf, new_authority, new_key, pem
from skill.web.trust import Trust, dev_trust
from tests.conftest import USER


@dataclass
class DevPki:
    """A CA, a signing key and its chain, written where --dev-trust reads them."""

    directory: Path
    authority: Authority
    key: RSAPrivateKey

    def add_chain(self, name: str, chain: bytes) -> str:
        (self.directory / name).write_bytes(chain)
        return f"https://s3.amazonaws.com/echo.api/{name}"


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    directory = tmp_path_factory.mktemp("dev-certs")
    authority = new_authority()
    key = new_key()
    (directory / "ca.pem").write_bytes(pem(authority.cert))
    (directory / "echo-api-cert.pem").write_bytes(pem(issue_leaf(authority, key), authority.cert))
    return DevPki(directory, authority, key)


@dataclass
class Answer:
    status: int
    body: dict[str, Any]


class Endpoint:
    """POSTs to the running service with real HTTP."""

    def __init__(self, url: str, pki: DevPki):
        self.url = url
        self.pki = pki

    def post(self, body: bytes, headers: dict[str, str] | None = None) -> Answer:
        request = urllib.request.Request(
            self.url + "/alexa",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return Answer(response.status, json.loads(response.read()))
        except urllib.error.HTTPError as error:
            return Answer(error.code, json.loads(error.read() or b"{}"))

    def signed(
        self,
        event: dict[str, Any],
        *,
        key: RSAPrivateKey | None = None,
        cert_url: str | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(event).encode()
        headers = sign(
            body,
            key or self.pki.key,
            cert_url or "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        )
        return body, headers

    def send_signed(self, event: dict[str, Any], **kwargs: Any) -> Answer:
        body, headers = self.signed(event, **kwargs)
        return self.post(body, headers)

    def get(self, path: str) -> Answer:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return Answer(response.status, json.loads(response.read()))
        except urllib.error.HTTPError as error:
            return Answer(error.code, json.loads(error.read() or b"{}"))


def serve_in_thread(app: Any) -> tuple[BaseWSGIServer, str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def make_endpoint(config: Config, services: Services, pki: DevPki) -> Iterator[Any]:
    servers: list[BaseWSGIServer] = []

    def make(config_: Config = config, trust: Trust | None = None) -> Endpoint:
        app = create_app(config_, services, trust=trust or dev_trust(pki.directory))
        server, url = serve_in_thread(app)
        servers.append(server)
        return Endpoint(url, pki)

    yield make
    for server in servers:
        server.shutdown()


@pytest.fixture
def endpoint(make_endpoint: Any) -> Endpoint:
    endpoint: Endpoint = make_endpoint()
    return endpoint


def launch(skill_id: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    caller = Caller(user_id=USER, device_id=None)
    if skill_id:
        caller.skill_id = skill_id
    return launch_request(caller, now or datetime.now(UTC))


def what_data(now: datetime | None = None) -> dict[str, Any]:
    return intent_request(
        Caller(user_id=USER, device_id=None), now or datetime.now(UTC), "WhatDataIntent"
    )
