"""How long a fresh process takes to answer its first request, as a Lambda cold start does.

Each sample is a whole ``python -c`` process, timed from spawn to exit: it imports the
handler module and answers one LaunchRequest. Product: ``lambda_function`` (from
``lambda/``) on a SQLite file migrated beforehand, so migrations are not in the measurement
(on Lambda they run once per schema change, not per cold start). Baseline:
``bench/minimal_skill.py``. Both processes get the same interpreter, environment and
``PYTHONPATH``; the first pair is an untimed warm-up (page cache, bytecode files).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.notes import note
from bench.timing import Sample, interleaved
from skill.simulator.envelopes import Caller, launch_request, now_utc
from skill.store.db import open_engine, upgrade

ROOT = Path(__file__).resolve().parents[1]
PROGRAM = (
    "import json, sys\n"
    "import {module} as handler\n"
    "response = handler.lambda_handler(json.loads(sys.argv[1]), None)\n"
    "assert response['response']['outputSpeech'], response\n"
)


def cold_start(quick: bool) -> dict[str, float]:
    """``cold_start_ratio``: the product's first-request process ÷ the minimal skill's."""
    with migrated_environment() as env:
        comparison = interleaved(
            _process("lambda_function", env),
            _process("bench.minimal_skill", env),
            repeats=9 if quick else 25,
        )
    note("cold_start_ratio: the SQLite database was migrated beforehand; migrations are not timed")
    return comparison.figures("cold_start_ratio")


@contextmanager
def migrated_environment() -> Iterator[dict[str, str]]:
    """Environment for both processes: ``PYTHONPATH`` reaching ``lambda_function`` and
    ``bench.minimal_skill``, and the product's settings, on a SQLite file migrated here."""
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'skill.db'}"
        engine = open_engine(url)
        upgrade(engine)  # migrated before: not part of any timed process
        engine.dispose()
        yield {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(str(p) for p in (ROOT / "lambda", ROOT)),
            "PRIVACY_SKILL_DATABASE_URL": url,
            "PRIVACY_SKILL_AUDIO_DIR": str(Path(tmp) / "audio"),
        }


def _process(module: str, env: dict[str, str]) -> Sample:
    def sample() -> float:
        event = json.dumps(launch_request(Caller(), now_utc()))
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", PROGRAM.format(module=module), event],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"{module} cold start failed:\n{done.stderr[-2000:]}")
        return elapsed

    return sample
