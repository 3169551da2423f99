"""The benchmark suite runs and reports its figures (how fast is not asserted: machines differ)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
BUDGET_SECONDS = 60  # a quick run takes about a second; this only stops a hung one


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", *args],
        capture_output=True,
        text=True,
        timeout=BUDGET_SECONDS,
        check=False,
        cwd=ROOT,
    )


def test_quick_json_run_reports_nlu_speed() -> None:
    done = _run("--json")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["nlu_per_second"] > 0
    assert figures["nlu_compile_seconds"] >= 0
    assert all(isinstance(value, float) for value in figures.values())


def test_quick_text_run_prints_every_figure() -> None:
    done = _run("--only", "nlu")
    assert done.returncode == 0, done.stderr
    names = [line.split()[0] for line in done.stdout.splitlines()]
    assert names == ["nlu_per_second", "nlu_compile_seconds"]
