"""The benchmark suite: every figure the project measures, printed one a line or as JSON.

    python bench/run.py [--quick] [--json] [--only NAME ...]

Each benchmark is a function ``(quick: bool) -> dict[str, float]`` registered in BENCHMARKS by
name as ``"module:function"``; it is imported only when it runs, so one benchmark's
dependencies do not slow or break another. ``--quick`` shortens every timing loop (smoke
tests); figures from it are rough. Not part of the test run. What a benchmark has to say in
words (a skipped figure) it passes to ``bench.notes.note``; see bench/README.md.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

Benchmark = Callable[[bool], dict[str, float]]

# name -> "module:function"; add new benchmarks here.
BENCHMARKS: dict[str, str] = {
    "nlu": "bench.nlu_bench:nlu_per_second",
    "handler": "bench.handler_bench:handler_overhead",
    "scaling": "bench.scaling_bench:scaling",
    "sweep": "bench.sweep_bench:sweep_scaling",
    "pg_scaling": "bench.pg_bench:pg_scaling",
    "pgbouncer": "bench.pgbouncer_bench:pgbouncer_fanin",
    "verify": "bench.verify_bench:verify_overhead",
    "serve": "bench.serve_bench:serve_throughput",
    "cold_start": "bench.cold_start_bench:cold_start",
    "cold_start_data": "bench.cold_data_bench:cold_start_data",
    "cli": "bench.cli_bench:cli_start",
    "ingest": "bench.ingest_bench:ingest",
    "asr": "bench.asr_bench:asr_figures",
    "speech": "bench.speech_matrix:speech_figures",
    "nlu_accuracy": "bench.nlu_bench:nlu_accuracy",
}


def load(name: str) -> Benchmark:
    """The benchmark function registered as ``name``."""
    module_name, _, function = BENCHMARKS[name].partition(":")
    benchmark: Benchmark = getattr(importlib.import_module(module_name), function)
    return benchmark


def run(names: Sequence[str], quick: bool) -> dict[str, float]:
    """Run the named benchmarks in order; all their figures in one mapping."""
    figures: dict[str, float] = {}
    for name in names:
        figures.update(load(name)(quick))
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short timing loops (smoke test)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(BENCHMARKS),
        metavar="NAME",
        help=f"run only this benchmark (repeatable; one of {', '.join(sorted(BENCHMARKS))})",
    )
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:  # run as a script: make `bench` and `skill` importable
        sys.path.insert(0, str(ROOT))
    from bench import notes, report

    figures = run(args.only or list(BENCHMARKS), args.quick)
    said = notes.take()
    print(report.as_json(figures, said) if args.json else report.as_table(figures, said))
    return 0


if __name__ == "__main__":
    sys.exit(main())
