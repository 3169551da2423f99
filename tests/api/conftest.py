"""The HTTP API over real HTTP: ``privacy-skill serve`` in a subprocess (the fixtures of
tests/web), keys made with the real ``api-keys create``, requests with urllib."""

from __future__ import annotations

import base64
import io
import json
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from skill.web.api.openapi import document
from tests.web.conftest import CLI, DevPki, Served, pki, start_served, stop_served

__all__ = ["ALL_SCOPES", "Client", "Reply", "cli", "make_key", "pki", "wav_bytes"]

ALL_SCOPES = "ingest,read,delete,consent,export,audit"
ALICE = "amzn1.ask.account.AHA.ALICE:1"
"""An Alexa-like user id with dots and a colon, as the API must take them URL-encoded."""
BOB = "amzn1.ask.account.AHA.BOB:2"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Conformance:
    """Holds every answer the tests get to the OpenAPI document: a documented status, its
    required headers, and a JSON body valid against the schema (what schemathesis checks
    too, here also for the answers only a scripted test reaches: deletions, 422s, ...)."""

    def __init__(self, spec: dict[str, Any]):
        self.spec = spec
        resource = Resource.from_contents(spec, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource("urn:api", resource)
        self.templates = [
            (re.compile("^" + re.sub(r"\{[a-z_]+\}", "[^/]+", path) + "$"), path)
            for path in spec["paths"]
        ]
        self._validators: dict[str, Draft202012Validator] = {}

    def check(self, method: str, path: str, reply: Reply) -> None:
        bare = urllib.parse.urlsplit(path).path
        template = next((t for pattern, t in self.templates if pattern.match(bare)), None)
        operation = (self.spec["paths"].get(template) or {}).get(method.lower())
        if operation is None:
            return  # not a documented operation (a path trick): only its status is asserted
        response = operation["responses"].get(str(reply.status))
        assert response is not None, f"{method} {template}: status {reply.status} undocumented"
        response = self._resolve(response)
        for name, header in (response.get("headers") or {}).items():
            if self._resolve(header).get("required"):
                assert name in reply.headers, f"{method} {template} {reply.status}: no {name}"
        content = response.get("content") or {}
        if "application/json" in content:
            assert reply.headers.get("Content-Type", "").startswith("application/json")
            self._validator(content["application/json"]["schema"]).validate(reply.json)
        elif "application/zip" in content:
            assert reply.headers.get("Content-Type") == "application/zip"

    def _validator(self, schema: dict[str, Any]) -> Draft202012Validator:
        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            self._validators[key] = Draft202012Validator(_absolute(schema), registry=self.registry)
        return self._validators[key]

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node


def _absolute(node: Any) -> Any:
    """``node`` with every local ``$ref`` pointing into the registered document."""
    if isinstance(node, dict):
        return {
            k: ("urn:api" + v if k == "$ref" and v.startswith("#") else _absolute(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_absolute(v) for v in node]
    return node


CONFORMANCE = Conformance(document())


class Client:
    """Requests to one served API with one key; every answer is checked against the
    OpenAPI document."""

    def __init__(self, served: Served, key: str | None):
        self.base = served.url + "/api/v1"
        self.key = key

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> Reply:
        sent = dict(headers or {})
        if self.key is not None:
            sent.setdefault("Authorization", f"Bearer {self.key}")
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            sent.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                reply = Reply(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            reply = Reply(error.code, dict(error.headers), error.read())
        CONFORMANCE.check(method, path, reply)
        return reply

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return self.request("POST", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return self.request("PUT", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.request("DELETE", path, **kwargs)


def user_path(user: str, rest: str = "", **query: str) -> str:
    """``/users/{user_id}/rest?query``, the user id URL-encoded as a client must."""
    path = f"/users/{urllib.parse.quote(user, safe='')}/{rest}".rstrip("/")
    return path + ("?" + urllib.parse.urlencode(query) if query else "")


def cli(served: Served, *args: str) -> subprocess.CompletedProcess[str]:
    """``privacy-skill ARGS`` on the served instance's database."""
    return subprocess.run(
        [CLI, *args], capture_output=True, text=True, env=served.env, check=False, timeout=60
    )


def make_key(served: Served, name: str, scopes: str = ALL_SCOPES, rate: int = 100_000) -> str:
    result = cli(served, "api-keys", "create", "--name", name, "--scope", scopes,
                 "--rate", str(rate), "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    key: str = json.loads(result.stdout)["key"]
    return key


def wav_bytes(payload: bytes) -> bytes:
    """A real (tiny) WAV file whose samples are ``payload``."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(payload)
    return out.getvalue()


def item(user: str, at: str, transcript: str, **fields: Any) -> dict[str, Any]:
    """One ingest item; ``audio=bytes`` becomes ``audio_wav_base64``."""
    audio = fields.pop("audio", None)
    record = {"user_id": user, "recorded_at": at, "transcript": transcript, **fields}
    if audio is not None:
        record["audio_wav_base64"] = base64.b64encode(audio).decode()
    return record


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, pki: DevPki) -> Iterator[Served]:
    """One served instance (SQLite, two workers) per test module."""
    running = start_served(tmp_path_factory.mktemp("api"), pki)
    yield running
    stop_served(running)


@pytest.fixture(scope="module")
def admin(served: Served) -> Client:
    """A client whose key has every scope and a high rate."""
    return Client(served, make_key(served, "admin"))


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    return document()
