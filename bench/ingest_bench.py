"""Ingest throughput and memory: ``privacy-skill ingest FILE`` next to a floor that does only
the unavoidable work (``bench/ingest_floor.py``), on SQLite and, when reachable, PostgreSQL.

The file: JSONL lines as the platform sends them (a user of 200, an RFC 3339 time with an
offset, a device, a transcript of about 60 characters, no audio), 1,000,000 lines (quick:
50,000). Each sample is a whole child process on databases migrated just before (untimed,
fresh for every sample, the key store a SQLite file beside them): the product is the CLI's
``main(["ingest", FILE, "--json"])``, the floor ``bench.ingest_floor``. Both read the same
file; the product's answer must say every line was ingested, and the floor's rows are
counted. ``ingest_ratio`` is the floor's median time ÷ the product's (product throughput as
a share of the floor's: higher is better), and ``ingest_peak_mb`` the product's largest
``VmHWM`` (its peak resident memory, read from ``/proc/self/status`` as it exits; the floor's
is ``ingest_floor_peak_mb``). ``pg_ingest_ratio``: the same on PostgreSQL (a database of the
benchmark's own, see ``bench/pg_bench.py``).
"""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.notes import note
from bench.timing import interleaved

ROOT = Path(__file__).resolve().parents[1]
LINES, LINES_QUICK = 1_000_000, 50_000
USERS = 200
PRODUCT = (
    "import sys\n"
    "from skill.cli import main\n"
    "from bench.ingest_floor import peak_kb\n"
    "code = main(['ingest', sys.argv[1], '--json'])\n"
    "print(f'VmHWM {peak_kb()}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)
_PEAK = re.compile(r"VmHWM (\d+)")


def ingest(quick: bool) -> dict[str, float]:
    """``ingest_ratio``, ``ingest_peak_mb`` and, on PostgreSQL, ``pg_ingest_ratio``."""
    from bench.pg_bench import scratch_database

    lines = LINES_QUICK if quick else LINES
    repeats = 3 if quick else 2
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        folder = Path(tmp)
        source = folder / "recordings.jsonl"
        write_file(source, lines)
        sqlite_url = lambda run: f"sqlite:///{run / 'skill.db'}"  # noqa: E731
        figures |= _compare(folder, source, lines, sqlite_url, repeats, "ingest")
        with scratch_database() as pg_url:
            if pg_url is not None:
                figures |= _compare(folder, source, lines, lambda _: pg_url, repeats, "pg_ingest")
    note(f"ingest: {lines:,} lines; ingest_ratio is throughput (floor time ÷ product time)")
    return figures


def write_file(path: Path, lines: int) -> None:
    """``lines`` recordings of ``USERS`` users over the last year, in time order."""
    rng = random.Random(18)
    start = datetime.now(UTC) - timedelta(days=365)
    step = timedelta(days=365) / lines
    words = ("turn", "on", "the", "kitchen", "lights", "please", "play", "some", "music")
    with path.open("w") as out:
        for i in range(lines):
            user = rng.randrange(USERS)
            record = {
                "user_id": f"amzn1.ask.account.BENCH-INGEST-{user:04d}",
                "recorded_at": (start + step * i).astimezone(UTC).isoformat(),
                "transcript": " ".join(rng.choice(words) for _ in range(10)),
                "device_id": f"amzn1.ask.device.BENCH-{user:04d}",
            }
            out.write(json.dumps(record) + "\n")


def _compare(
    folder: Path,
    source: Path,
    lines: int,
    data_url: Callable[[Path], str],
    repeats: int,
    stem: str,
) -> dict[str, float]:
    peaks: dict[str, list[int]] = {"product": [], "floor": []}
    runs = iter(range(1_000_000))
    shared = folder / f"{stem}-shared"  # PostgreSQL: one database, bound to one key store
    master_key = _master_key()

    def fresh() -> tuple[Path, dict[str, str]]:
        run = shared if stem.startswith("pg") else folder / f"{stem}-{next(runs)}"
        run.mkdir(exist_ok=True)
        env = {
            **os.environ,
            "PRIVACY_SKILL_DATABASE_URL": data_url(run),
            "PRIVACY_SKILL_AUDIO_DIR": str(run / "audio"),
            "PRIVACY_SKILL_KEYSTORE_URL": f"sqlite:///{run / 'keys.db'}",
            "PRIVACY_SKILL_MASTER_KEY": master_key,
        }
        _prepare(env, run / "keys.db")
        return run, env

    def product() -> float:
        _, env = fresh()
        command = [sys.executable, "-c", PRODUCT, str(source)]
        elapsed, done = _timed(command, env)
        answer = json.loads(done.stdout)
        if answer.get("ingested") != lines:
            raise RuntimeError(f"the product ingested {answer}, expected {lines}")
        peaks["product"].append(_peak(done.stderr))
        return elapsed

    def floor() -> float:
        run, env = fresh()
        url = env["PRIVACY_SKILL_DATABASE_URL"]
        command = [
            sys.executable,
            "-m",
            "bench.ingest_floor",
            str(source),
            url,
            str(run / "keys.db"),
        ]
        elapsed, done = _timed(command, env)
        if url.startswith("sqlite"):
            with sqlite3.connect(run / "skill.db") as conn:
                stored = conn.execute("SELECT count(*) FROM recordings").fetchone()[0]
            if stored != lines:
                raise RuntimeError(f"the floor stored {stored} rows, expected {lines}")
        peaks["floor"].append(_peak(done.stderr))
        return elapsed

    comparison = interleaved(floor, product, repeats=repeats, warmup=0)
    return {
        f"{stem}_ratio": comparison.product / comparison.baseline,  # floor time ÷ product time
        f"{stem}_ms": comparison.baseline * 1000,
        f"{stem}_floor_ms": comparison.product * 1000,
        f"{stem}_lines_per_second": lines / comparison.baseline,
        f"{stem}_peak_mb": max(peaks["product"]) / 1024,
        f"{stem}_floor_peak_mb": max(peaks["floor"]) / 1024,
    }


def _master_key() -> str:
    import base64

    return base64.b64encode(os.urandom(32)).decode()


def _prepare(env: dict[str, str], keystore: Path) -> None:
    """Migrate the data database and create its key store, as a first start would; on
    PostgreSQL, empty what an earlier sample stored (the database and key store are kept)."""
    from skill.config import Config
    from skill.services import open_services

    open_services(Config.from_env(env)).close()
    if env["PRIVACY_SKILL_DATABASE_URL"].startswith("postgresql"):
        with sqlite3.connect(keystore) as keys:
            keys.execute("DELETE FROM data_keys")
        sqlite3.connect(keystore).execute("VACUUM")
        from sqlalchemy import create_engine, text

        from skill.store.db import normalise_url

        engine = create_engine(normalise_url(env["PRIVACY_SKILL_DATABASE_URL"]))
        with engine.begin() as conn:  # the previous sample's rows: every sample starts empty
            conn.execute(text("TRUNCATE recordings, recording_counts CASCADE"))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE recordings"))
        engine.dispose()


def _timed(
    command: list[str], env: dict[str, str]
) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command[1:3]} failed:\n{done.stderr[-2000:]}")
    return elapsed, done


def _peak(stderr: str) -> int:
    found = _PEAK.findall(stderr)
    if not found:
        raise RuntimeError(f"no VmHWM reported:\n{stderr[-500:]}")
    return int(found[-1])
