"""All three transports give the same answers: in process, through lambda_handler, over HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType
from typing import Any

import pytest

from skill.config import Config
from skill.services import Services
from skill.simulator.setup import SimulatorOptions, TransportName, simulator
from skill.simulator.transports import TransportError, over_http
from tests.conftest import USER, seed

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
TURNS = [  # each session the skill ends is reopened by naming the skill (session rules)
    "open voice privacy",
    "what data do you keep",
    "ask voice privacy to delete what i said today",
    "no",
    "ask voice privacy to delete what i said today",
    "yes",
    "ask voice privacy to stop human review",
]


@pytest.fixture
def http_skill(config: Config, lambda_module: ModuleType) -> Iterator[str]:
    """A Lambda handler behind a plain HTTP server on loopback."""
    lambda_handler = lambda_module.make_handler(config)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            answer = json.dumps(lambda_handler(json.loads(body), None)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            """Keep the test output clean."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/alexa"
    server.shutdown()
    server.server_close()


def dialog(
    transport: TransportName, services: Services, config: Config, endpoint: str | None = None
) -> list[str | None]:
    services.recordings.delete_all(USER, channel="cli")  # same starting data for every transport
    seed(services, USER, NOW - timedelta(hours=1), NOW - timedelta(days=2))
    options = SimulatorOptions(user_id=USER, time=NOW, transport=transport, endpoint=endpoint)
    with simulator(options, services, config) as driver:
        return [driver.say(turn).speech for turn in TURNS]


def test_three_transports_same_dialog(
    services: Services, config: Config, http_skill: str, lambda_module: ModuleType
) -> None:
    in_process = dialog("in-process", services, config)
    through_lambda = dialog("lambda", services, config)
    over_loopback = dialog("endpoint", services, config, http_skill)

    assert in_process == through_lambda == over_loopback
    assert in_process[3] == "Okay, I didn't delete anything."
    assert in_process[5] == "Done. I deleted one recording from today on this account."
    assert services.recordings.total(USER) == 1


def test_http_errors_are_reported() -> None:
    with pytest.raises(TransportError, match="could not be reached"):
        over_http("http://127.0.0.1:9/alexa", timeout=1)({"version": "1.0"})
