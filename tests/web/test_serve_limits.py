"""``serve`` under hostile load and what it writes: slow clients, log hygiene, metrics."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from skill.services import open_services
from skill.simulator.envelopes import Caller, Session, intent_request, launch_request
from skill.simulator.signing import sign
from tests.conftest import USER, seed
from tests.web.conftest import DevPki, Served, start_served, stop_served

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"


@pytest.fixture
def served(tmp_path_factory: pytest.TempPathFactory, pki: DevPki) -> Iterator[Served]:
    served = start_served(tmp_path_factory.mktemp("served"), pki)
    yield served
    stop_served(served)


def trickle(served: Served, prefix: bytes, stop: threading.Event) -> None:
    """A client that sends ``prefix`` one byte every 0.2 s, until told to stop."""
    try:
        with socket.create_connection(("127.0.0.1", served.port), timeout=30) as conn:
            for byte in prefix:
                if stop.is_set():
                    return
                conn.sendall(bytes([byte]))
                time.sleep(0.2)
    except OSError:
        return  # the server closed it (the header deadline): that is fine


def test_slow_clients_do_not_starve_an_honest_request(served: Served) -> None:
    stop = threading.Event()
    slow_headers = b"POST /alexa HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 200
    slow_body = b"POST /alexa HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + b"{" * 5000
    clients = [
        threading.Thread(target=trickle, args=(served, slow_body if i % 2 else slow_headers, stop))
        for i in range(64)
    ]
    for client in clients:
        client.start()
    time.sleep(1.0)  # every slow client is connected and trickling
    try:
        endpoint = served.endpoint()
        for _ in range(5):
            started = time.monotonic()
            answer = endpoint.send_signed(launch_request(Caller(user_id=USER), datetime.now(UTC)))
            took = time.monotonic() - started
            assert answer.status == 200
            assert took < 1.0, f"an honest request took {took:.2f} s behind 64 slow clients"
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=5)


PLANTED = {
    "user": "amzn1.ask.account.PLANTEDUSER7F3A",
    "device": "amzn1.ask.device.PLANTEDDEVICE7F3A",
    "token": "PLANTEDTOKEN7F3A",
    "session": "amzn1.echo-api.session.PLANTEDSESSION7F3A",
    "slot": "PLANTEDSLOT7F3A",
    "transcript": "PLANTEDTRANSCRIPT7F3A",
}


def test_no_body_token_id_slot_or_transcript_reaches_the_log(served: Served) -> None:
    now = datetime.now(UTC)
    services = open_services(served.config)
    seed(
        services,
        PLANTED["user"],
        now - timedelta(hours=1),
        transcript=lambda i: PLANTED["transcript"],
    )
    services.close()
    caller = Caller(
        user_id=PLANTED["user"],
        device_id=PLANTED["device"],
        api_access_token=PLANTED["token"],
        api_endpoint="http://127.0.0.1:9",
    )
    session = Session(session_id=PLANTED["session"])
    endpoint = served.endpoint()
    events = [
        launch_request(caller, now, session),
        intent_request(caller, now, "WhatDataIntent", session=session),
        intent_request(
            caller, now, "DeleteRecordingsIntent", {"date": PLANTED["slot"]}, session=session
        ),
        intent_request(
            caller, now, "AMAZON.FallbackIntent", {"query": PLANTED["slot"]}, session=session
        ),
        intent_request(caller, now, PLANTED["slot"], session=session),
    ]
    for event in events:
        assert endpoint.send_signed(event).status == 200
    forged = json.dumps(events[1]).encode()
    assert endpoint.post(forged).status == 400  # unsigned
    assert (
        endpoint.post(b"\xef\xbb\xbf" + forged, sign(forged, served.pki.key, CERT_URL)).status
        == 400
    )
    huge_id = intent_request(caller, now, "WhatDataIntent", session=session)
    huge_id["request"]["requestId"] = "r" * 900_000
    assert endpoint.send_signed(huge_id).status == 200
    stop_served(served)

    log = served.log_text()
    assert '"alexa_request_id": "amzn1.echo-api.request' in log, "requests were logged"
    assert '"intent": "other"' in log, "an intent the skill does not know is logged as other"
    for name, marker in PLANTED.items():
        assert marker not in log, f"the {name} reached the log"
    longest = max(len(line) for line in log.splitlines())
    assert longest <= 2000, f"a log line of {longest} characters"


def metric(text: str, name: str, **labels: str) -> float:
    found = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            found += float(line.rsplit(" ", 1)[1])
    return found


def test_metrics_count_across_workers_without_personal_data(served: Served) -> None:
    endpoint = served.endpoint()
    launches = 12
    for _ in range(launches):  # a new connection each: both workers answer some
        assert (
            endpoint.send_signed(
                launch_request(Caller(user_id=PLANTED["user"]), datetime.now(UTC))
            ).status
            == 200
        )
    for _ in range(3):
        assert endpoint.post(b"{}").status == 400
    with socket.create_connection(("127.0.0.1", served.port)) as conn:
        conn.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    assert b" 200 " in head.split(b"\r\n")[0] and b"text/plain" in head
    text = body.decode()
    assert (
        metric(text, "privacy_skill_alexa_requests_total", request_type="LaunchRequest") == launches
    )
    assert (
        metric(text, "privacy_skill_http_requests_total", route="/alexa", status="200") == launches
    )
    assert metric(text, "privacy_skill_verification_failures_total", reason="unsigned") == 3
    assert metric(text, "privacy_skill_http_request_seconds_count", route="/alexa") == launches + 3
    assert PLANTED["user"] not in text and not re.search(r"amzn1\.ask\.account", text)
