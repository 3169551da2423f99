"""How long the command line takes to start, next to a bare interpreter.

Each sample is a whole process, timed from spawn to exit: ``privacy-skill --help``
(``cli_start_ratio``), and a one-turn ``privacy-skill simulate "open voice privacy"``
(``simulate_turn_ratio``: the NLU compiled, the skill built and answering in process, a
Settings API stub on loopback, the reply printed). Baseline: ``python -c pass`` with the same
interpreter. The console script is the one ``make install`` puts in the virtual environment;
the simulator's database is a SQLite file migrated beforehand (a LaunchRequest reads no data).
Pairs are interleaved after an untimed warm-up.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.timing import Sample, interleaved

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).parent / "privacy-skill"


def cli_start(quick: bool) -> dict[str, float]:
    """``cli_start_ratio`` and ``simulate_turn_ratio``, with their medians."""
    from skill.config import Config
    from skill.services import open_services

    repeats = 9 if quick else 21
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        env = {
            **os.environ,
            "PRIVACY_SKILL_DATABASE_URL": f"sqlite:///{Path(tmp) / 'skill.db'}",
            "PRIVACY_SKILL_AUDIO_DIR": str(Path(tmp) / "audio"),
        }
        open_services(Config.from_env(env)).close()  # migrated (and its key store made) here
        bare = _process([sys.executable, "-c", "pass"], env, "")
        start = interleaved(_process([str(SCRIPT), "--help"], env, "usage:"), bare, repeats=repeats)
        simulate = interleaved(
            _process([str(SCRIPT), "simulate", "open voice privacy"], env, "Voice Privacy here"),
            bare,
            repeats=repeats,
        )
    return start.figures("cli_start_ratio") | simulate.figures("simulate_turn_ratio")


def _process(command: list[str], env: dict[str, str], expect: str) -> Sample:
    def sample() -> float:
        started = time.perf_counter()
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if done.returncode != 0 or expect not in done.stdout:
            raise RuntimeError(f"{command[1:]} failed:\n{done.stdout[-500:]}{done.stderr[-1500:]}")
        return elapsed

    return sample
