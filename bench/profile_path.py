"""cProfile of the product path behind a figure, set up exactly as its benchmark sets it up.

    python bench/profile_path.py handler|summary|pg_summary|cold_start [--rows N] [-o FILE]

``handler``: WhatData through ``lambda_handler`` (10,000 recordings); ``summary`` /
``pg_summary``: ``RecordingService.summary`` for a user with ``--rows`` recordings on SQLite /
PostgreSQL; ``cold_start``: a whole fresh process importing ``lambda_function`` and answering
a LaunchRequest (add ``python -X importtime`` for the import tree). Prints the top functions
by cumulative time; ``-o`` also keeps the raw profile for ``snakeviz``/``pstats``.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CALLS = {"handler": 200, "summary": 3, "pg_summary": 10}


def _profile(action: Callable[[], object], calls: int) -> pstats.Stats:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        action()
    profiler.disable()
    return pstats.Stats(profiler)


def profile_handler() -> pstats.Stats:
    from bench.handler_bench import what_data_skill

    with what_data_skill() as (handler, what_data):
        events = [what_data() for _ in range(CALLS["handler"])]
        batch = iter(events)
        return _profile(lambda: handler(next(batch), None), len(events))


def profile_summary(database_url: str | None, rows: int) -> pstats.Stats:
    from bench.scaling_bench import BIG_USER, seeded

    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'skill.db'}"
        with seeded(url, Path(tmp) / "audio", rows) as services:
            services.recordings.summary(BIG_USER)  # warm: plans, caches
            calls = CALLS["summary" if database_url is None else "pg_summary"]
            return _profile(lambda: services.recordings.summary(BIG_USER), calls)


def profile_pg_summary(rows: int) -> pstats.Stats | None:
    from bench.notes import take
    from bench.pg_bench import scratch_database

    with scratch_database() as url:
        if url is None:
            print(*take(), sep="\n", file=sys.stderr)
            return None
        return profile_summary(url, rows)


def profile_cold_start(output: Path) -> pstats.Stats:
    from bench.cold_start_bench import PROGRAM, migrated_environment
    from skill.simulator.envelopes import Caller, launch_request, now_utc

    with migrated_environment() as env, tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "cold_start.py"
        script.write_text(PROGRAM.format(module="lambda_function"))
        event = json.dumps(launch_request(Caller(), now_utc()))
        command = [sys.executable, "-m", "cProfile", "-o", str(output), str(script), event]
        subprocess.run(command, env=env, cwd=ROOT, check=True)
    return pstats.Stats(str(output))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", choices=["handler", "summary", "pg_summary", "cold_start"])
    parser.add_argument("--rows", type=int, default=200_000, help="recordings of the user")
    parser.add_argument("-o", "--output", type=Path, help="keep the raw profile here")
    parser.add_argument("--top", type=int, default=30, help="functions to print")
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if args.path == "handler":
        stats: pstats.Stats | None = profile_handler()
    elif args.path == "summary":
        stats = profile_summary(None, args.rows)
    elif args.path == "pg_summary":
        stats = profile_pg_summary(args.rows)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            stats = profile_cold_start(args.output or Path(tmp) / "cold_start.prof")
    if stats is None:
        return 1
    if args.output and args.path != "cold_start":
        stats.dump_stats(args.output)
    stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
