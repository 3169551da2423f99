"""What the skill costs per request, next to the smallest ask-sdk skill there is.

Product side: ``WhatDataIntent`` through ``lambda/lambda_function.py``'s ``lambda_handler``
(loaded by path, on a temporary SQLite file) for a user with 10,000 recordings, from a device
whose time zone the skill looks up in a local Settings API stub (and then caches per device,
as in production). Baseline: ``bench/minimal_skill.py`` answering a LaunchRequest through its
own ``sb.lambda_handler()``. Envelopes are built before each timed batch, not inside it.
"""

from __future__ import annotations

import importlib.util
import logging
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.minimal_skill import lambda_handler as minimal_handler
from bench.seeding import seed_older
from bench.timing import Sample, interleaved
from skill.config import Config
from skill.simulator.envelopes import Caller, intent_request, launch_request, now_utc
from skill.simulator.settings_stub import SettingsStub
from skill.store.db import open_engine, upgrade

ROOT = Path(__file__).resolve().parents[1]
USER = "amzn1.ask.account.BENCH-WHAT-DATA"
DEVICE = "amzn1.ask.device.BENCH-KITCHEN"
RECORDINGS = 10_000

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def handler_overhead(quick: bool) -> dict[str, float]:
    """``handler_overhead_ratio``: WhatData per request ÷ the minimal skill's LaunchRequest."""
    with what_data_skill() as (product, what_data):
        calls = 30 if quick else 50
        comparison = interleaved(
            _batch(product, what_data, calls),
            _batch(minimal_handler, lambda: launch_request(Caller(), now_utc()), calls),
            repeats=15 if quick else 41,
        )
    return comparison.figures("handler_overhead_ratio")


@contextmanager
def what_data_skill() -> Iterator[tuple[Handler, Callable[[], dict[str, Any]]]]:
    """The product's Lambda handler (``make_handler``, as ``lambda_handler`` uses) on a seeded
    database, answered once (so the device's
    time zone is cached), and a maker of fresh WhatData envelopes for the seeded user."""
    stub = SettingsStub(default_zone="Europe/Berlin")
    with tempfile.TemporaryDirectory(prefix="bench-handler-") as tmp, stub.running():
        url = f"sqlite:///{Path(tmp) / 'skill.db'}"
        engine = open_engine(url)
        upgrade(engine)
        seed_older(engine, USER, RECORDINGS, before=now_utc())
        engine.dispose()
        caller = Caller(user_id=USER, device_id=DEVICE, api_endpoint=stub.endpoint)

        def what_data() -> dict[str, Any]:
            return intent_request(caller, now_utc(), "WhatDataIntent")

        config = Config.from_env(
            {"PRIVACY_SKILL_DATABASE_URL": url, "PRIVACY_SKILL_AUDIO_DIR": str(Path(tmp) / "audio")}
        )
        with _root_log_level_kept():
            product: Handler = _load_lambda_function().make_handler(config)
            speech = str(product(what_data(), None))
            if f"{RECORDINGS:,}" not in speech and str(RECORDINGS) not in speech:
                raise RuntimeError(f"WhatData did not report {RECORDINGS} recordings: {speech}")
            yield product, what_data
        if stub.requests != 1:
            raise RuntimeError(f"expected one cached time zone lookup, saw {stub.requests}")


def _batch(handler: Handler, event: Callable[[], dict[str, Any]], calls: int) -> Sample:
    """Build ``calls`` fresh envelopes (untimed), then time answering them; seconds per call."""

    def sample() -> float:
        events = [event() for _ in range(calls)]
        started = time.perf_counter()
        for item in events:
            handler(item, None)
        return (time.perf_counter() - started) / calls

    return sample


def _load_lambda_function() -> ModuleType:
    """A fresh copy of ``lambda/lambda_function.py``, loaded by path as Lambda would."""
    spec = importlib.util.spec_from_file_location(
        "bench_lambda_function", ROOT / "lambda" / "lambda_function.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def _root_log_level_kept() -> Iterator[None]:
    """lambda_function sets the root logger to INFO at import; later benchmarks get it back."""
    root = logging.getLogger()
    level = root.level
    try:
        yield
    finally:
        root.setLevel(level)
