"""Web throughput: "what data do you keep" through ``privacy-skill serve``, next to a hello-world
flask-ask-sdk skill behind the same server.

Product: ``privacy-skill serve --dev-trust DIR`` (gunicorn, the gevent ``SkillWorker``, the
default number of workers, full request verification against a dev CA from
``skill.web.devcerts``) on a SQLite file holding 10,000 recordings of the asking user; the
device's time zone comes from a Settings API stub on loopback (looked up once per worker,
then cached). Peer: ``bench/hello_web.py``, the same server settings and the same
verification in front of a one-handler ``SkillBuilder``.

Load: 4 keep-alive connections on loopback, each sending its requests one after another
(a closed loop), from threads of this process. Every request is a fresh WhatData envelope,
stamped now and signed just before its window (signing is Alexa's work: not timed); the
requests are the same bytes for both servers' windows. A window is ``4 * per_connection``
requests; windows alternate product, peer, product, ... after an untimed pair (chain caches,
time zone lookups, pools). Figures: ``serve_throughput_ratio`` (product requests a second ÷
peer's, medians over windows; higher is better), and ``serve_p50_ratio``,
``serve_p99_ratio`` (product latency ÷ peer's, each the median over windows of the window's
percentile; lower is better), with the medians behind them.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.seeding import seed_older
from bench.verify_bench import _free_port
from skill.simulator.envelopes import Caller, intent_request, now_utc
from skill.simulator.settings_stub import SettingsStub
from skill.simulator.signing import dev_signer
from skill.web.devcerts import write_dev_certs

ROOT = Path(__file__).resolve().parents[1]
USER = "amzn1.ask.account.BENCH-SERVE"
DEVICE = "amzn1.ask.device.BENCH-SERVE"
RECORDINGS = 10_000
CONNECTIONS = 4
START_TIMEOUT = 60.0

HEALTH_CHECK = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"

Signer = Callable[[bytes], dict[str, str]]


def serve_throughput(quick: bool) -> dict[str, float]:
    """``serve_throughput_ratio``, ``serve_p50_ratio``, ``serve_p99_ratio``."""
    per_connection = 40 if quick else 150
    windows = 5 if quick else 11
    stub = SettingsStub(default_zone="Europe/Berlin")
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp, stub.running():
        folder = Path(tmp)
        env = _environment(folder)
        signer = dev_signer(folder / "certs")
        caller = Caller(user_id=USER, device_id=DEVICE, api_endpoint=stub.endpoint)
        product_cmd = [
            sys.executable, "-c", "from skill.cli import main; raise SystemExit(main())",
            "serve", "--host", "127.0.0.1", "--port", "{port}",
            "--dev-trust", str(folder / "certs"),
        ]  # fmt: skip
        peer_cmd = [sys.executable, "-m", "bench.hello_web", "{port}", str(folder / "certs")]
        with (
            _server(product_cmd, env, folder / "product.log") as product,
            _server(peer_cmd, env, folder / "peer.log") as peer,
        ):
            rates: dict[str, list[float]] = {"product": [], "peer": []}
            p50: dict[str, list[float]] = {"product": [], "peer": []}
            p99: dict[str, list[float]] = {"product": [], "peer": []}
            for window in range(windows + 1):
                requests = _signed(caller, signer, CONNECTIONS * per_connection)
                for side, port in (("product", product), ("peer", peer)):
                    rate, latencies = _window(port, requests)
                    if window == 0:
                        continue  # warm-up pair
                    rates[side].append(rate)
                    p50[side].append(_percentile(latencies, 50))
                    p99[side].append(_percentile(latencies, 99))
            if stub.requests > 2 * CONNECTIONS:  # the first few per worker, then cached
                raise RuntimeError(f"{stub.requests} time zone look-ups: the cache is not used")
    med = {k: {side: statistics.median(v) for side, v in d.items()} for k, d in
           (("rate", rates), ("p50", p50), ("p99", p99))}  # fmt: skip
    return {
        "serve_throughput_ratio": med["rate"]["product"] / med["rate"]["peer"],
        "serve_throughput_rps": med["rate"]["product"],
        "serve_throughput_baseline_rps": med["rate"]["peer"],
        "serve_p50_ratio": med["p50"]["product"] / med["p50"]["peer"],
        "serve_p50_ms": med["p50"]["product"] * 1000,
        "serve_p50_baseline_ms": med["p50"]["peer"] * 1000,
        "serve_p99_ratio": med["p99"]["product"] / med["p99"]["peer"],
        "serve_p99_ms": med["p99"]["product"] * 1000,
        "serve_p99_baseline_ms": med["p99"]["peer"] * 1000,
    }


def _environment(folder: Path) -> dict[str, str]:
    """Dev certificates, and a migrated SQLite file with the user's 10,000 recordings."""
    from skill.config import Config
    from skill.services import open_services

    write_dev_certs(folder / "certs")
    env = {
        **os.environ,
        "PRIVACY_SKILL_DATABASE_URL": f"sqlite:///{folder / 'skill.db'}",
        "PRIVACY_SKILL_AUDIO_DIR": str(folder / "audio"),
        # The hourly sweep would run once at start, inside a window; it is measured elsewhere.
        "PRIVACY_SKILL_SWEEP_INTERVAL": "off",
    }
    services = open_services(Config.from_env(env))
    try:
        seed_older(services.engine, USER, RECORDINGS, before=now_utc())
    finally:
        services.close()
    return env


def _signed(caller: Caller, signer: Signer, count: int) -> list[bytes]:
    """``count`` whole HTTP requests: fresh WhatData envelopes, each signed."""
    requests = []
    for _ in range(count):
        body = json.dumps(intent_request(caller, now_utc(), "WhatDataIntent")).encode()
        headers = {"Content-Type": "application/json", **signer(body)}
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        requests.append(
            (
                f"POST /alexa HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode()
            + body
        )
    return requests


def _window(port: int, requests: list[bytes]) -> tuple[float, list[float]]:
    """Send ``requests`` over ``CONNECTIONS`` keep-alive connections at once; requests a
    second over the whole window, and every request's latency in seconds."""
    share = [requests[i::CONNECTIONS] for i in range(CONNECTIONS)]
    sockets = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in share]
    latencies: list[list[float]] = [[] for _ in share]
    failures: list[BaseException] = []
    start = threading.Barrier(len(share) + 1)

    def client(index: int) -> None:
        try:
            conn = sockets[index]
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            reader = conn.makefile("rb")
            start.wait()
            for request in share[index]:
                began = time.perf_counter()
                conn.sendall(request)
                _read_response(reader)
                latencies[index].append(time.perf_counter() - began)
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(share))]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    for conn in sockets:
        conn.close()
    if failures:
        raise RuntimeError(f"a client failed: {failures[0]!r}")
    return len(requests) / elapsed, [x for part in latencies for x in part]


def _read_response(reader: object) -> None:
    """Read one HTTP/1.1 response; it must be a 200 that keeps the connection open."""
    status = reader.readline()  # type: ignore[attr-defined]
    length = None
    closes = False
    while True:
        line = reader.readline()  # type: ignore[attr-defined]
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "connection" and value.strip().lower() == "close":
            closes = True
    body = reader.read(length or 0)  # type: ignore[attr-defined]
    if not status.startswith(b"HTTP/1.1 200") or length is None:
        raise RuntimeError(f"answered {status!r}: {body[:200]!r}")
    if closes:
        raise RuntimeError("the server closed the keep-alive connection")
    if b"outputSpeech" not in body:
        raise RuntimeError(f"no speech in the answer: {body[:200]!r}")


def _percentile(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


@contextmanager
def _server(command: list[str], env: dict[str, str], log_path: Path) -> Iterator[int]:
    """Start a server on a free port; its port once ``/healthz`` answers; stopped after."""
    port = _free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [part.replace("{port}", str(port)) for part in command],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(port, process, log_path)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(port: int, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                conn.sendall(HEALTH_CHECK)
                if conn.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)
    raise RuntimeError(f"benchmark server did not start:\n{log_path.read_text()[-2000:]}")
