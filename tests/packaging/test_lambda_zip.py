"""The Lambda ZIP runs the skill on a bare interpreter, holds only what Lambda needs, and is
reproducible.

The ZIP is built once per session for the running interpreter's Python version, so it can be
executed here: pip downloads the Lambda wheels from the package index (network needed).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from skill.packaging.lambda_zip import (
    BUILD_INFO_NAME,
    DEFAULT_LAMBDA_PYTHON,
    REQUIREMENTS_FILE,
    LambdaZipReport,
    PackagingError,
    build_lambda_zip,
    no_bytecode_reason,
    validate_python_version,
)
from skill.simulator.envelopes import Caller, intent_request, launch_request, now_utc

ROOT = Path(__file__).resolve().parents[2]
PYTHON_HERE = f"{sys.version_info.major}.{sys.version_info.minor}"
PIP_TIMEOUT = 300.0
NOT_FOR_LAMBDA = (
    *("flask", "flask_ask_sdk", "gunicorn"),
    *("rich", "yaml", "jsonschema", "pocketsphinx"),
)
"""Top-level packages only the web service, CLI or simulator use."""
NOT_LAMBDA_REQUIREMENTS = {
    # CLI and simulator
    "rich",
    "pyyaml",
    "jsonschema",
    # HTTPS web service: server, endpoint adapter, request signature verification (the
    # Lambda function needs cryptography too, for sealed content: it is in its requirements)
    "flask",
    "flask-ask-sdk",
    "ask-sdk-webservice-support",
    "gunicorn",
    "certifi",
    # offline voice loop (speak, listen, voice)
    "pocketsphinx",
    # the per-user data directory of the CLI (on Lambda the defaults live in /tmp)
    "platformdirs",
    # the web service's gevent workers and its /metrics
    "gevent",
    "prometheus-client",
}
"""pyproject dependencies that stay out of lambda/requirements.txt."""
LAMBDA_ONLY_REQUIREMENTS = {"tzdata", "psycopg"}

# Runs inside a bare interpreter (-I -S): the stdlib, then only the unpacked ZIP on sys.path.
RUNNER = r"""
import json, sys
root, events = sys.argv[1], json.loads(sys.argv[2])
leaked = [p for p in sys.path if "site-packages" in p or "dist-packages" in p]
assert not leaked, f"not isolated from installed packages: {leaked}"
sys.path.insert(0, root)
import lambda_function
responses = [lambda_function.lambda_handler(event, None) for event in events]
print(json.dumps({
    "responses": responses,
    "modules": sorted(sys.modules),
    "skill_from": sys.modules["skill"].__file__,
}))
"""


@dataclass(frozen=True)
class Built:
    report: LambdaZipReport
    """Built without a dependency cache: pip installs into a temporary folder."""
    unpacked: Path
    """The ZIP extracted into an otherwise empty folder."""
    scratch: Path
    """A folder for further builds of this session."""


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.mktemp("lambda-zip")
    report = build_lambda_zip(base / "skill.zip", PYTHON_HERE, pip_timeout=PIP_TIMEOUT)
    unpacked = base / "unpacked"
    unpacked.mkdir()
    with zipfile.ZipFile(report.path) as archive:
        archive.extractall(unpacked)
    return Built(report, unpacked, base)


@pytest.fixture(scope="session")
def deps_cache(built: Built) -> Path:
    """A dependency cache filled by one more build (pip runs again, from its own cache)."""
    cache = built.scratch / "deps-cache"
    build_lambda_zip(
        built.scratch / "cached.zip", PYTHON_HERE, deps_cache=cache, pip_timeout=PIP_TIMEOUT
    )
    return cache


def names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def caller() -> Caller:
    # The Settings API on a closed loopback port: the time zone lookup fails fast, UTC is used.
    return Caller(api_endpoint="http://127.0.0.1:9")


def lambda_env(data: Path) -> dict[str, str]:
    """The settings the handler runs with: its data in ``data``."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data),
        "PRIVACY_SKILL_DATABASE_URL": f"sqlite:///{data / 'x.db'}",
        "PRIVACY_SKILL_AUDIO_DIR": str(data / "audio"),
        "PRIVACY_SKILL_DEFAULT_TIMEZONE": "UTC",
    }


def run_lambda(unpacked: Path, data: Path, *events: dict[str, Any]) -> dict[str, Any]:
    """Start a fresh bare interpreter on the unpacked ZIP and answer ``events`` in order."""
    env = lambda_env(data)
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", RUNNER, str(unpacked), json.dumps(events)],
        capture_output=True,
        text=True,
        cwd=data,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def speech(response: dict[str, Any]) -> str:
    return str(response["response"]["outputSpeech"]["ssml"])


def test_handler_answers_a_launch_request_from_the_bare_zip(built: Built, tmp_path: Path) -> None:
    answer = run_lambda(built.unpacked, tmp_path, launch_request(caller(), now_utc()))
    assert "Voice Privacy here." in speech(answer["responses"][0])
    assert answer["skill_from"].startswith(str(built.unpacked)), "skill came from the ZIP"


def test_cold_start_on_a_migrated_database_imports_nothing_extra(
    built: Built, tmp_path: Path
) -> None:
    launch = run_lambda(built.unpacked, tmp_path, launch_request(caller(), now_utc()))
    assert "sqlalchemy" not in launch["modules"], "a LaunchRequest needs no database"
    first = run_lambda(
        built.unpacked, tmp_path, intent_request(caller(), now_utc(), "WhatDataIntent")
    )
    assert "alembic" in first["modules"], "a new database is migrated on first use"
    again = run_lambda(
        built.unpacked, tmp_path, intent_request(caller(), now_utc(), "WhatDataIntent")
    )
    assert "recordings" in speech(again["responses"][0]).lower()
    loaded = {name.split(".")[0] for name in again["modules"]}
    # "What data do you keep" opens no content: not even the cipher is imported.
    assert loaded.isdisjoint({*NOT_FOR_LAMBDA, "alembic", "cryptography"}), sorted(loaded)
    # Nor does it use the review queue, the storage check or the dashboards: the services
    # make them on first use.
    unused = {"skill.services.review", "skill.services.storage", "skill.services.dashboard"}
    assert unused.isdisjoint(again["modules"])
    # Nor a date slot's reading (only a deletion by date and CanFulfill read one).
    assert "skill.alexa.dates" not in again["modules"]
    # Nor the SDK's dialog directives: only a question (confirm, elicit) needs them.
    assert "ask_sdk_model.dialog" not in again["modules"]


def test_reading_a_recording_back_opens_it_with_the_zips_cryptography(
    built: Built, tmp_path: Path
) -> None:
    line = {"user_id": caller().user_id, "recorded_at": now_utc().isoformat(), "transcript": "hi"}
    (tmp_path / "in.jsonl").write_text(json.dumps(line) + "\n")
    subprocess.run(  # stored sealed, by the CLI, into the data folder the handler uses
        [str(ROOT / ".venv" / "bin" / "privacy-skill"), "ingest", str(tmp_path / "in.jsonl")],
        env={**os.environ, **lambda_env(tmp_path)},
        check=True,
        capture_output=True,
        timeout=120,
    )
    answer = run_lambda(
        built.unpacked, tmp_path, intent_request(caller(), now_utc(), "DeleteLastRecordingIntent")
    )
    assert "The most recent recording on this account is from today" in speech(
        answer["responses"][0]
    )
    assert "cryptography" in {name.split(".")[0] for name in answer["modules"]}


def test_zip_holds_the_handler_skill_subset_and_dependencies(built: Built) -> None:
    listed = names(built.report.path)
    assert "lambda_function.py" in listed
    assert "skill/store/migrations/versions/0001_initial.py" in listed
    assert "skill/store/migrations/script.py.mako" in listed
    assert {"skill", "ask_sdk_core", "ask_sdk_model", "sqlalchemy", "alembic"} <= set(
        built.report.packages
    )
    assert "cryptography" in built.report.packages, "sealed content is opened on Lambda too"
    assert any(name.startswith("sqlalchemy-") and ".dist-info/" in name for name in listed)
    assert built.report.python_version == PYTHON_HERE
    assert built.report.size == built.report.path.stat().st_size


def test_zip_leaves_out_what_lambda_never_runs(built: Built) -> None:
    listed = names(built.report.path)
    tops = {name.split("/")[0] for name in listed}
    assert tops.isdisjoint(NOT_FOR_LAMBDA)
    assert "bin" not in tops
    for excluded in (
        *("skill/web/", "skill/simulator/", "skill/voice/", "skill/packaging/"),
        *("skill/cli/", "skill/nlu/"),
    ):
        assert not any(name.startswith(excluded) for name in listed), excluded
    assert set(built.report.packages).isdisjoint(NOT_FOR_LAMBDA)


def test_zip_entries_are_normalised(built: Built) -> None:
    with zipfile.ZipFile(built.report.path) as archive:
        infos = archive.infolist()
        build_info = json.loads(archive.read(BUILD_INFO_NAME))
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} <= {0o100644, 0o100755}
    assert build_info["python_version"] == PYTHON_HERE


def test_building_again_gives_the_same_bytes(built: Built, deps_cache: Path) -> None:
    first = built.scratch / "cached.zip"
    assert first.read_bytes() == built.report.path.read_bytes(), "cached and fresh installs agree"
    messages: list[str] = []
    again = build_lambda_zip(
        built.scratch / "again.zip", PYTHON_HERE, messages.append, deps_cache=deps_cache
    )
    assert again.path.read_bytes() == built.report.path.read_bytes()
    assert any("reusing" in m for m in messages), "the second cached build skipped pip"
    assert any("MB" in m for m in messages), "the size was reported"


@pytest.mark.parametrize("version", ["3", "python3.14", "3.14.1", "4.0", "3.x", ""])
def test_python_version_must_be_3_x(version: str) -> None:
    with pytest.raises(PackagingError, match=r"of the form 3\.X"):
        validate_python_version(version)


def test_python_version_older_than_the_skill_supports_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PackagingError, match=r"too old: the skill needs 3\.11"):
        build_lambda_zip(tmp_path / "x.zip", "3.9")
    assert not (tmp_path / "x.zip").exists()


def test_default_python_is_a_lambda_runtime() -> None:
    assert validate_python_version(DEFAULT_LAMBDA_PYTHON) == DEFAULT_LAMBDA_PYTHON


def test_pip_failure_is_reported_with_its_error(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"{tmp_path / 'no-such-project'}\n")
    with pytest.raises(PackagingError, match="pip could not install") as caught:
        build_lambda_zip(tmp_path / "x.zip", PYTHON_HERE, requirements=requirements)
    assert "no-such-project" in str(caught.value), "pip's own error is shown"
    assert not (tmp_path / "x.zip").exists()


def _requirement_names(lines: list[str]) -> dict[str, str]:
    found = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if line:
            match = re.match(r"([A-Za-z0-9_.-]+)(\[[^]]*\])?\s*(.*)", line)
            assert match, line
            found[match.group(1).lower()] = match.group(3).replace(" ", "")
    return found


def test_lambda_requirements_follow_pyproject() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = _requirement_names(pyproject["project"]["dependencies"])
    lambda_reqs = _requirement_names(REQUIREMENTS_FILE.read_text().splitlines())
    for name, spec in lambda_reqs.items():
        if name not in LAMBDA_ONLY_REQUIREMENTS:
            assert wanted.get(name) == spec, f"{name}{spec} differs from pyproject.toml"
    missing = set(wanted) - set(lambda_reqs) - NOT_LAMBDA_REQUIREMENTS
    assert not missing, (
        f"pyproject dependencies {sorted(missing)} are neither in lambda/requirements.txt "
        "nor known to be for the CLI or web service only: "
        "decide whether the Lambda function needs them"
    )
    assert set(lambda_reqs).isdisjoint(NOT_LAMBDA_REQUIREMENTS)


def test_a_zip_for_this_python_holds_unchecked_bytecode_for_every_module(built: Built) -> None:
    """Lambda's code folder is read-only: without pycs every cold start compiles everything."""
    assert built.report.bytecode is True
    listed = set(names(built.report.path))
    modules = [n for n in listed if n.endswith(".py") and n.startswith(("skill/", "sqlalchemy/"))]
    missing = [m for m in modules if importlib.util.cache_from_source(m) not in listed]
    assert modules and missing == []
    with zipfile.ZipFile(built.report.path) as archive:
        header = archive.read(importlib.util.cache_from_source("skill/config.py"))[:8]
    assert header[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(header[4:8], "little") == 0b01, "hash-based, not checked against mtime"


def test_a_zip_for_another_python_says_why_it_has_no_bytecode() -> None:
    assert no_bytecode_reason(PYTHON_HERE) is None
    other = "3.12" if PYTHON_HERE != "3.12" else "3.13"
    reason = no_bytecode_reason(other)
    assert reason is not None and f"build with Python {other}" in reason
