"""A Lambda cold start that reads data: the first WhatData from the unzipped deployment ZIP.

Product: the ZIP ``privacy-skill package-lambda`` writes (``build_lambda_zip`` for this
interpreter's Python, so it holds precompiled bytecode), unzipped into a folder, answering
"what data do you keep" for a user with 1,000 recordings in a fresh ``python -I -S`` process
(only the standard library and the unzipped folder on ``sys.path``, as the packaging tests
run it). The SQLite database is migrated, seeded and opened once beforehand (its key store
and master key file exist, as on any deployment after its first start), so migrations are not
timed. Peer: ``bench/minimal_skill.py`` as the ZIP's ``lambda_function.py``, with
``ask-sdk-core`` installed by the same pip command (Lambda's platform, wheels only), pruned,
precompiled and zipped by the same code, answering its LaunchRequest. Each sample is a whole
process, timed from spawn to exit; the first pair is an untimed warm-up (page cache).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from bench.notes import note
from bench.seeding import seed_older
from bench.timing import Sample, interleaved
from skill.packaging.lambda_zip import (
    _bytecode,
    _cached_install,
    build_lambda_zip,
    running_python,
    write_deterministic_zip,
)
from skill.simulator.envelopes import Caller, intent_request, launch_request, now_utc
from skill.simulator.settings_stub import SettingsStub

ROOT = Path(__file__).resolve().parents[1]
DEPS_CACHE = ROOT / ".cache" / "lambda-deps"
"""The folder ``privacy-skill package-lambda`` keeps its dependencies in by default."""
USER = "amzn1.ask.account.BENCH-COLD-DATA"
RECORDINGS = 1_000
PEER_REQUIREMENTS = "ask-sdk-core>=1.19,<2\n"

PROGRAM = (
    "import json, sys\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "import lambda_function\n"
    "response = lambda_function.lambda_handler(json.loads(sys.argv[2]), None)\n"
    "speech = response['response']['outputSpeech']['ssml']\n"
    "assert sys.argv[3] in speech, speech\n"
)


def cold_start_data(quick: bool) -> dict[str, float]:
    """``cold_start_data_ratio``: the ZIP's first WhatData ÷ the peer ZIP's first request."""
    stub = SettingsStub(default_zone="Europe/Berlin")  # the device's time zone, on loopback
    with tempfile.TemporaryDirectory(prefix="bench-cold-data-") as tmp:
        folder = Path(tmp)
        product = unpack(build_product(folder), folder / "product")
        peer = unpack(build_peer(folder), folder / "peer")
        env = data_environment(folder / "data")
        with stub.running():
            caller = Caller(user_id=USER, api_endpoint=stub.endpoint)
            what_data = intent_request(caller, now_utc(), "WhatDataIntent")
            comparison = interleaved(
                _process(product, what_data, f"{RECORDINGS:,} recordings", env),
                _process(peer, launch_request(Caller(), now_utc()), "Welcome.", env),
                repeats=9 if quick else 25,
            )
    note(
        "cold_start_data_ratio: both ZIPs with precompiled bytecode, run under python -I -S; "
        "the database was migrated and opened beforehand"
    )
    return comparison.figures("cold_start_data_ratio")


def build_product(folder: Path) -> Path:
    """The product's ZIP for this interpreter (so it can hold bytecode)."""
    report = build_lambda_zip(folder / "product.zip", running_python(), deps_cache=DEPS_CACHE)
    if not report.bytecode:
        raise RuntimeError("the product ZIP was built without bytecode")
    return report.path


def build_peer(folder: Path) -> Path:
    """The hello-world skill's ZIP: ask-sdk-core installed, pruned and precompiled as
    ``package-lambda`` does it, with ``bench/minimal_skill.py`` as its handler module."""
    requirements = folder / "peer-requirements.txt"
    requirements.write_text(PEER_REQUIREMENTS)
    deps = _cached_install(DEPS_CACHE, running_python(), requirements, 600.0, lambda _: None)
    files = [(p.relative_to(deps).as_posix(), p) for p in sorted(deps.rglob("*")) if p.is_file()]
    entries: list[tuple[str, Path | bytes]] = [
        ("lambda_function.py", ROOT / "bench" / "minimal_skill.py"),
        *files,
    ]
    sources = [(name, path) for name, path in entries if isinstance(path, Path)]
    entries += list(_bytecode(sources))
    output = folder / "peer.zip"
    write_deterministic_zip(output, entries)
    return output


def unpack(archive: Path, target: Path) -> Path:
    target.mkdir()
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(target)
    return target


def data_environment(data: Path) -> dict[str, str]:
    """The product's settings on a SQLite file migrated, seeded and opened once here."""
    from skill.config import Config
    from skill.services import open_services

    data.mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data),
        "PRIVACY_SKILL_DATABASE_URL": f"sqlite:///{data / 'skill.db'}",
        "PRIVACY_SKILL_AUDIO_DIR": str(data / "audio"),
    }
    services = open_services(Config.from_env(env))  # migrates; makes the key store and key
    try:
        seed_older(services.engine, USER, RECORDINGS, before=now_utc())
    finally:
        services.close()
    return env


def _process(root: Path, event: dict[str, Any], expect: str, env: dict[str, str]) -> Sample:
    arguments = [sys.executable, "-I", "-S", "-c", PROGRAM, str(root), json.dumps(event), expect]

    def sample() -> float:
        started = time.perf_counter()
        done = subprocess.run(arguments, env=env, cwd=root, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"cold start from {root.name} failed:\n{done.stderr[-2000:]}")
        return elapsed

    return sample
