"""`replay --endpoint URL --sign DIR` against `privacy-skill serve --dev-trust`, as a new user
would try it: signed requests on the real clock, seeds and checks on the shared database."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

CLI = str(ROOT / ".venv" / "bin" / "privacy-skill")
REPLAYS = ROOT / "tests" / "replays"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, dict[str, str]]]:
    """`serve --dev-trust` on its own database, and the environment that shares it."""
    base = tmp_path_factory.mktemp("served")
    (base / "data").mkdir()
    env = os.environ.copy()
    env.update(
        PRIVACY_SKILL_DATABASE_URL=f"sqlite:///{base / 'data' / 'skill.db'}",
        PRIVACY_SKILL_AUDIO_DIR=str(base / "audio"),
        PRIVACY_SKILL_DEFAULT_TIMEZONE="UTC",
    )
    for name in ("SKILL_ID", "KEYSTORE_URL", "MASTER_KEY"):
        env.pop(f"PRIVACY_SKILL_{name}", None)
    certs = base / "certs"
    subprocess.run([CLI, "dev-certs", str(certs)], check=True, capture_output=True, env=env)
    subprocess.run([CLI, "db", "upgrade"], check=True, capture_output=True, env=env)
    port = free_port()
    process = subprocess.Popen(
        [CLI, "serve", "--port", str(port), "--workers", "2", "--dev-trust", str(certs)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("server did not start")
    yield url + "/alexa", certs, env
    process.terminate()
    process.wait(timeout=20)


def replay(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, "replay", *args], capture_output=True, text=True, timeout=120, env=env
    )


def test_a_signed_replay_seeds_plays_and_checks_the_shared_database(
    served: tuple[str, Path, dict[str, str]],
) -> None:
    url, certs, env = served
    result = replay(
        env,
        "--endpoint", url, "--sign", str(certs), "--shared-database",
        str(REPLAYS / "endpoint" / "signed_delete_today.yaml"),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith("1 passed, 0 failed")


def test_a_bst_file_runs_over_the_signed_endpoint(
    served: tuple[str, Path, dict[str, str]], tmp_path: Path
) -> None:
    url, certs, env = served
    junit = tmp_path / "bst.xml"
    result = replay(
        env, "--endpoint", url, "--sign", str(certs), "--junit", str(junit),
        str(REPLAYS / "bst" / "voice-privacy.test.yml"),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert junit.read_text().count("<testcase ") >= 7


def test_seed_needs_a_shared_database_and_a_pinned_time_needs_no_signing(
    served: tuple[str, Path, dict[str, str]],
) -> None:
    url, certs, env = served
    unshared = replay(
        env, "--endpoint", url, "--sign", str(certs),
        str(REPLAYS / "endpoint" / "signed_delete_today.yaml"),
    )  # fmt: skip
    assert unshared.returncode == 1
    assert "seed and after cannot be used with the endpoint transport" in unshared.stdout
    assert "--shared-database" in unshared.stdout

    pinned = replay(
        env, "--endpoint", url, "--sign", str(certs), "--shared-database",
        str(REPLAYS / "tokyo_local_day.yaml"),
    )  # fmt: skip
    assert pinned.returncode == 1
    assert "settings.time pins every request" in pinned.stdout
    assert "150 s" in pinned.stdout


def test_unsigned_requests_are_refused_by_the_verifying_server(
    served: tuple[str, Path, dict[str, str]],
) -> None:
    url, _, env = served
    result = replay(env, "--endpoint", url, str(REPLAYS / "bst" / "voice-privacy.test.yml"))
    assert result.returncode == 1
    assert "HTTP 400" in result.stdout and "Traceback" not in result.stdout + result.stderr
