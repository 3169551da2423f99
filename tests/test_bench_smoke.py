"""The benchmark runner starts, runs one benchmark and prints its figures (speed is not asserted:
machines differ). The full suite takes minutes and is not part of the test run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
BUDGET_SECONDS = 20  # `--quick --only nlu` takes a few seconds; this only stops a hung one


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--only", "nlu", *args],
        capture_output=True,
        text=True,
        timeout=BUDGET_SECONDS,
        check=False,
        cwd=ROOT,
    )


def test_quick_json_run_prints_one_object_of_numbers_and_notes() -> None:
    done = _run("--json")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    notes = figures.pop("notes")
    assert isinstance(notes, list)
    assert figures["nlu_per_second"] > 0
    assert figures["nlu_compile_seconds"] >= 0
    assert all(isinstance(value, float) for value in figures.values())


def test_quick_text_run_prints_every_figure() -> None:
    done = _run()
    assert done.returncode == 0, done.stderr
    names = [line.split()[0] for line in done.stdout.splitlines()]
    assert names == ["nlu_per_second", "nlu_compile_seconds"]


def test_every_registered_benchmark_can_be_imported() -> None:
    """A renamed product module or function breaks the suite here, not hours later."""
    sys.path.insert(0, str(ROOT))
    try:
        from bench.run import BENCHMARKS, load

        for name in BENCHMARKS:
            assert callable(load(name)), name
    finally:
        sys.path.remove(str(ROOT))
