"""Does deleting a day, or summarising, get slower as a person's history grows?

Two users share one database: one with a long history (1,000,000 older recordings; 200,000
when ``quick``) and one with 1,000. Each repeat re-seeds the 100 recordings of one local day
(untimed), then times ``RecordingService.delete_range`` over that day; summaries are timed
as they are. The ratio big ÷ small is what the targets bound (<= 2): deleting a day, or
answering "what data do you keep", should cost about the same whatever the history.
"""

from __future__ import annotations

import base64
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.seeding import seed_day, seed_older
from bench.timing import Sample, interleaved, per_call
from skill.config import Config
from skill.services import Services, open_services

BIG_USER = "amzn1.ask.account.BENCH-LONG-HISTORY"
SMALL_USER = "amzn1.ask.account.BENCH-SHORT-HISTORY"
BIG, BIG_QUICK, SMALL = 1_000_000, 200_000, 1_000
DAY_ROWS = 100
ZONE = ZoneInfo("Europe/Berlin")
DAY = date(2026, 11, 25)


def local_day(day: date = DAY, zone: ZoneInfo = ZONE) -> tuple[datetime, datetime]:
    """The UTC bounds ``[start, end)`` of ``day`` on a device in ``zone``."""
    start = datetime.combine(day, clock_time(), zone)
    end = datetime.combine(day + timedelta(days=1), clock_time(), zone)
    return start, end


def scaling(quick: bool) -> dict[str, float]:
    """``delete_scaling_ratio`` and ``summary_scaling_ratio`` on a temporary SQLite file."""
    with tempfile.TemporaryDirectory(prefix="bench-scaling-") as tmp:
        return scaling_on(f"sqlite:///{Path(tmp) / 'skill.db'}", Path(tmp) / "audio", quick)


def scaling_on(database_url: str, audio_dir: Path, quick: bool, big: int = BIG) -> dict[str, float]:
    """Both scaling figures on an empty database at ``database_url`` (migrated here), with
    ``big`` older recordings for the long history (``BIG_QUICK`` when ``quick``)."""
    with seeded(database_url, audio_dir, BIG_QUICK if quick else big) as services:
        repeats = 15 if quick else 31
        delete = interleaved(
            _delete_day(services, BIG_USER), _delete_day(services, SMALL_USER), repeats
        )
        summary = interleaved(
            per_call(lambda: services.recordings.summary(BIG_USER), 1 if quick else 3),
            per_call(lambda: services.recordings.summary(SMALL_USER), 20),
            repeats,
        )
    return delete.figures("delete_scaling_ratio") | summary.figures("summary_scaling_ratio")


@contextmanager
def seeded(database_url: str, audio_dir: Path, big: int) -> Iterator[Services]:
    """Services on ``database_url`` (migrated here) with ``BIG_USER``'s ``big`` and
    ``SMALL_USER``'s 1,000 recordings, all before :data:`DAY`."""
    config = Config(database_url=database_url, audio_dir=audio_dir, default_timezone=ZONE)
    if not database_url.startswith("sqlite"):  # a PostgreSQL database names its key store
        key = base64.b64encode(bytes(range(32))).decode()  # a benchmark's throwaway key
        keystore = f"sqlite:///{audio_dir.parent / 'bench.keystore.db'}"
        config = replace(config, keystore_url=keystore, master_key=key)
    services = open_services(config)
    try:
        start, _ = local_day()
        for user, count in ((BIG_USER, big), (SMALL_USER, SMALL)):
            seed_older(services.engine, user, count, before=start)
            # The seeded format must be what the service reads: count through it.
            seen = services.recordings.count(user, start - timedelta(days=3650), start)
            if seen != count:
                raise RuntimeError(f"seeded {count} recordings but the service counts {seen}")
        yield services
    finally:
        services.close()


def _delete_day(services: Services, user_id: str) -> Sample:
    start, end = local_day()

    def sample() -> float:
        seed_day(services.engine, user_id, start, end, DAY_ROWS)
        started = time.perf_counter()
        deletion = services.recordings.delete_range(user_id, start, end, channel="voice")
        elapsed = time.perf_counter() - started
        if deletion.count != DAY_ROWS:
            raise RuntimeError(f"deleted {deletion.count} recordings, expected {DAY_ROWS}")
        return elapsed

    return sample
