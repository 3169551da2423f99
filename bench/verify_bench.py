"""What Alexa request verification adds to a request to the web service.

Two servers of ``create_app`` on one database, each gunicorn in a process of its own on
loopback (``bench/verify_server.py``), each reached over one keep-alive ``http.client``
connection: one with full verification against a dev CA (``skill.web.devcerts`` +
``dev_trust``: URL rules, chain, SAN, RSA signature, 150 s timestamp), one with
``verify=False``. (werkzeug's ``make_server`` always answers ``Connection: close``, so it
cannot serve keep-alive; gunicorn is also what ``privacy-skill serve`` runs.) Every request
is a fresh LaunchRequest, stamped now and signed just before it is sent (signing is Alexa's
work, so it is not timed); both sides get the same kind of signed request. The chain cache
is warm after the untimed first pair. LaunchRequest touches no data, so the verification
share is as large as it gets.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.timing import Sample, interleaved
from bench.verify_server import config_for
from skill.services import open_services
from skill.simulator.envelopes import Caller, launch_request, now_utc
from skill.simulator.signing import dev_signer
from skill.web.devcerts import write_dev_certs

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30.0

Signer = Callable[[bytes], dict[str, str]]


def verify_overhead(quick: bool) -> dict[str, float]:
    """``verify_overhead_ratio``: verified request time ÷ unverified, over loopback HTTP."""
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as tmp:
        directory = Path(tmp)
        write_dev_certs(directory / "certs")
        open_services(config_for(directory)).close()  # migrate once, before both servers
        signer = dev_signer(directory / "certs")
        calls = 30 if quick else 100
        with _server(directory, "on") as verified, _server(directory, "off") as unverified:
            comparison = interleaved(
                _requests(verified, signer, calls),
                _requests(unverified, signer, calls),
                repeats=15 if quick else 41,
            )
    return comparison.figures("verify_overhead_ratio")


def _requests(conn: http.client.HTTPConnection, signer: Signer, calls: int) -> Sample:
    caller = Caller()

    def sample() -> float:
        spent = 0.0
        for _ in range(calls):
            body = json.dumps(launch_request(caller, now_utc())).encode()
            headers = {"Content-Type": "application/json", **signer(body)}
            started = time.perf_counter()
            conn.request("POST", "/alexa", body, headers)
            response = conn.getresponse()
            data = response.read()
            spent += time.perf_counter() - started
            if response.status != 200:
                raise RuntimeError(f"/alexa answered {response.status}: {data[:200]!r}")
            if response.will_close:
                raise RuntimeError("the server closed the keep-alive connection")
        return spent / calls

    return sample


@contextmanager
def _server(directory: Path, verify: str) -> Iterator[http.client.HTTPConnection]:
    """Start ``bench/verify_server.py``; a keep-alive connection to it once it answers."""
    port = _free_port()
    log_path = directory / f"server-{verify}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.verify_server", str(directory), str(port), verify],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        conn = _connect_when_up(port, process, log_path)
        try:
            yield conn
        finally:
            conn.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _connect_when_up(
    port: int, process: subprocess.Popen[bytes], log_path: Path
) -> http.client.HTTPConnection:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return conn
        except OSError:
            conn.close()  # not listening yet: try again
            time.sleep(0.1)
            continue
        conn.close()
        time.sleep(0.1)
    raise RuntimeError(f"benchmark server did not start:\n{log_path.read_text()[-2000:]}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
