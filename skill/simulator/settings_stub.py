"""A local stand-in for the Alexa Settings API, served over plain HTTP on loopback.

It answers ``GET /v2/devices/{deviceId}/settings/System.timeZone`` the way the
real API does (a JSON string such as ``"Europe/Berlin"``), so the skill's real
time zone lookup, with its real HTTP client and timeout, runs offline. The
request envelope's ``apiEndpoint`` points here.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_PATH = re.compile(r"^/v2/devices/(?P<device>[^/]+)/settings/System\.timeZone$")


class SettingsStub:
    """Serves device time zones; ``time_zones`` maps device id to IANA name."""

    def __init__(self, default_zone: str | None, access_token: str = "simulated-access-token"):
        self.default_zone = default_zone
        self.time_zones: dict[str, str] = {}
        self.access_token = access_token
        self.delay_seconds = 0.0
        self.requests = 0
        self._server: ThreadingHTTPServer | None = None

    @property
    def endpoint(self) -> str:
        if self._server is None:
            raise RuntimeError("settings stub is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stub.requests += 1
                if stub.delay_seconds:
                    threading.Event().wait(stub.delay_seconds)
                match = _PATH.match(self.path)
                if self.headers.get("Authorization") != f"Bearer {stub.access_token}":
                    self._send(403, {"message": "Access denied"})
                elif match is None:
                    self._send(404, {"message": "Not found"})
                else:
                    zone = stub.time_zones.get(match["device"], stub.default_zone)
                    if zone is None:
                        self._send(404, {"message": "Device has no time zone"})
                    else:
                        self._send(200, zone)

            def _send(self, status: int, body: object) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout); nothing to do

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep the simulator's output clean

        return Handler

    @contextmanager
    def running(self) -> Iterator[SettingsStub]:
        """Serve on 127.0.0.1 on a free port for the duration of the block."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
