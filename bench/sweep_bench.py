"""Does the retention sweep get slower as the table grows, when it deletes the same amount?

Two SQLite databases side by side: one holds 1,000,000 recent recordings (200,000 when
``quick``), the other 1,000, all within the last year, so the 18-month default keeps them.
Each repeat adds 500 recordings from 20 months ago to one account (untimed), then times
``RetentionService.sweep``, which must delete exactly those 500. The ratio big ÷ small is
what the target bounds (<= 2): the sweep reads what is older than its cutoff through
``ix_recordings_time`` and the accounts that chose, never the whole table.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.seeding import seed_day, seed_older
from bench.timing import Sample, interleaved
from skill.config import Config
from skill.services import Services, open_services

RECENT_USER = "amzn1.ask.account.BENCH-RECENT"
OLD_USER = "amzn1.ask.account.BENCH-OLD"
BIG, BIG_QUICK, SMALL = 1_000_000, 200_000, 1_000
DUE = 500


def sweep_scaling(quick: bool) -> dict[str, float]:
    """``sweep_scaling_ratio`` with its two medians."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-sweep-big-") as big_dir,
        tempfile.TemporaryDirectory(prefix="bench-sweep-small-") as small_dir,
        seeded(Path(big_dir), BIG_QUICK if quick else BIG) as big,
        seeded(Path(small_dir), SMALL) as small,
    ):
        repeats = 7 if quick else 15
        comparison = interleaved(_sweep(big), _sweep(small), repeats)
    return comparison.figures("sweep_scaling_ratio")


@contextmanager
def seeded(folder: Path, recent: int) -> Iterator[Services]:
    config = Config(
        database_url=f"sqlite:///{folder / 'skill.db'}",
        audio_dir=folder / "audio",
        default_timezone=UTC,  # type: ignore[arg-type]
    )
    services = open_services(config)
    try:
        now = datetime.now(UTC)
        seed_older(services.engine, RECENT_USER, recent, before=now, span=timedelta(days=365))
        yield services
    finally:
        services.close()


def _sweep(services: Services) -> Sample:
    def sample() -> float:
        start = datetime.now(UTC) - timedelta(days=610)
        seed_day(services.engine, OLD_USER, start, start + timedelta(days=1), DUE)
        started = time.perf_counter()
        result = services.retention.sweep()
        elapsed = time.perf_counter() - started
        if result.deleted != DUE:
            raise RuntimeError(f"the sweep deleted {result.deleted} recordings, expected {DUE}")
        return elapsed

    return sample
