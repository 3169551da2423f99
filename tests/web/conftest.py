"""A real web service on loopback, trusting a CA generated for each test session."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import threading
import time
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
from tests.conftest import ROOT, USER, env_for


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


# --- `privacy-skill serve` in a subprocess, shared by a module's tests -----------------------

CLI = str(ROOT / ".venv" / "bin" / "privacy-skill")
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
"""The application id the simulator's envelopes carry; the served skill accepts only it."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Served:
    """A running ``privacy-skill serve --dev-trust`` with its own database."""

    url: str
    port: int
    env: dict[str, str]
    config: Config
    pki: DevPki
    process: subprocess.Popen[bytes]
    log: Path

    def endpoint(self) -> Endpoint:
        return Endpoint(self.url, self.pki)

    def raw(self, data: bytes, timeout: float = 10.0) -> tuple[int, bytes]:
        """Send ``data`` as it is on a new connection; the status code and body of the answer
        (0 when the server closed the connection without one)."""
        answer = _exchange(("127.0.0.1", self.port), data, timeout)
        if not answer.startswith(b"HTTP/"):
            return 0, answer
        head, _, body = answer.partition(b"\r\n\r\n")
        return int(head.split(b" ", 2)[1]), body

    def alive(self) -> bool:
        return self.process.poll() is None and self.endpoint().get("/healthz").status == 200

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def _exchange(address: tuple[str, int], data: bytes, timeout: float) -> bytes:
    """Send ``data`` and read the answer as a real client does: stop sending once the server
    has answered (it may refuse a request before reading all of it)."""
    deadline = time.monotonic() + timeout
    sent, chunks = 0, []
    with socket.create_connection(address, timeout=timeout) as conn:
        conn.setblocking(False)
        while time.monotonic() < deadline:
            wants_write = [conn] if sent < len(data) else []
            readable, writable, _ = select.select([conn], wants_write, [], 0.5)
            if readable:
                try:
                    chunk = conn.recv(65536)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            elif writable:
                try:
                    sent += conn.send(data[sent : sent + 65536])
                except (BrokenPipeError, ConnectionResetError):
                    sent = len(data)
                if sent >= len(data):
                    with contextlib.suppress(OSError):
                        conn.shutdown(socket.SHUT_WR)
    return b"".join(chunks)


def start_served(
    tmp: Path, pki: DevPki, workers: int = 2, **settings: str
) -> Served:
    (tmp / "data").mkdir(parents=True, exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PRIVACY_SKILL_")},
        **env_for(tmp),
        "PRIVACY_SKILL_SKILL_ID": SKILL_ID,
        **settings,
    }
    port = free_port()
    log = tmp / "serve.log"
    process = subprocess.Popen(
        [CLI, "serve", "--port", str(port), "--workers", str(workers), "--dev-trust",
         str(pki.directory)],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env=env,
    )  # fmt: skip
    served = Served(
        f"http://127.0.0.1:{port}", port, env, Config.from_env(env), pki, process, log
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if served.alive():
                return served
        except OSError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    pytest.fail(f"server did not start: {log.read_text()}")


def stop_served(served: Served) -> None:
    if served.process.poll() is None:
        served.process.send_signal(signal.SIGTERM)
        try:
            served.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            served.process.kill()
            served.process.wait()
