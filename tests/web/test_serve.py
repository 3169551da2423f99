"""`privacy-skill serve` on gunicorn, driven by the simulator with signed requests."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from skill.config import Config
from skill.services import open_services
from skill.simulator.envelopes import Caller, intent_request
from tests.conftest import ROOT, USER, seed
from tests.web.conftest import DevPki, start_served, stop_served

CLI = str(ROOT / ".venv" / "bin" / "privacy-skill")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def server(
    env: dict[str, str], tmp_path: Path
) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    certs = tmp_path / "certs"
    subprocess.run([CLI, "dev-certs", str(certs)], check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen(
        [CLI, "serve", "--port", str(port), "--workers", "2", "--dev-trust", str(certs)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=os.environ.copy(),
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"server did not start: {process.communicate()[0]}")
    yield url, certs, process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_dev_certs_files(tmp_path: Path) -> None:
    out = subprocess.run(
        [CLI, "dev-certs", str(tmp_path / "c")], check=True, capture_output=True, text=True
    ).stdout
    names = sorted(Path(line).name for line in out.split())
    assert names == ["ca-key.pem", "ca.pem", "echo-api-cert.pem", "signing-key.pem"]
    assert (tmp_path / "c" / "signing-key.pem").stat().st_mode & 0o077 == 0


def test_signed_dialog_against_the_real_server_then_graceful_stop(
    server: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    url, certs, process = server
    result = subprocess.run(
        [
            CLI,
            "simulate",
            "--json",
            "--endpoint",
            url + "/alexa",
            "--sign",
            str(certs),
            "open voice privacy",
            "stop human review",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    turns = [json.loads(line) for line in result.stdout.splitlines()]
    assert turns[0]["speech"].startswith("Voice Privacy here.")
    assert turns[1]["speech"].startswith("Human review was already off for this account")

    unsigned = subprocess.run(
        [CLI, "simulate", "--endpoint", url + "/alexa", "open voice privacy"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert unsigned.returncode == 2 and "HTTP 400" in unsigned.stderr

    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=20)
    assert process.returncode == 0
    assert "DEV TRUST" in output
    assert "request refused" in output and "Traceback" not in output


def test_serve_with_a_missing_dev_trust_folder_says_so(env: dict[str, str], tmp_path: Path) -> None:
    result = subprocess.run(
        [CLI, "serve", "--dev-trust", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "no ca.pem there" in result.stderr


def test_serve_repairs_storage_before_answering(
    env: dict[str, str], tmp_path: Path, pki: DevPki
) -> None:
    """A backup restored after a deletion brings the deleted rows back: serve removes them
    (their keys are gone) before it answers, so counts are right from the first request."""
    config = Config.from_env(env)
    services = open_services(config)
    now = datetime.now(UTC)
    seed(services, USER, now - timedelta(hours=1), now - timedelta(hours=2))
    services.close()
    database = Path(config.database_url.removeprefix("sqlite:///"))
    backup = tmp_path / "backup.db"
    shutil.copyfile(database, backup)
    services = open_services(config)
    services.recordings.delete_all(USER, channel="cli")
    services.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, database)  # the restore

    served = start_served(tmp_path / "served", pki, **env)
    try:
        answer = served.endpoint().send_signed(
            intent_request(
                Caller(user_id=USER, device_id=None), datetime.now(UTC), "WhatDataIntent"
            )
        )
    finally:
        stop_served(served)
    assert answer.status == 200
    assert answer.body["response"]["outputSpeech"]["ssml"].startswith(
        "<speak>I don't have any recordings on this account."
    )
    report = subprocess.run(
        [CLI, "storage", "check", "--json"], capture_output=True, text=True, env=env, check=False
    )
    assert report.returncode == 0 and json.loads(report.stdout)["rows_without_key"] == 0
