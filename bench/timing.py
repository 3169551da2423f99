"""Interleaved repeats: the product (A) and its baseline (B) measured in turn, A, B, A, B, ...

Interleaving spreads slow drifts of the machine (other processes, CPU frequency, page cache)
over both sides evenly; the median of each side then ignores the odd outlier.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

Sample = Callable[[], float]
"""Runs one repeat and returns the seconds it measured (set-up inside it is not counted)."""


@dataclass(frozen=True)
class Comparison:
    """Medians of a product measurement and of its baseline, in seconds."""

    product: float
    """Median seconds of the product side (the ratio's numerator)."""
    baseline: float
    """Median seconds of the baseline side (the ratio's denominator)."""

    @property
    def ratio(self) -> float:
        return self.product / self.baseline

    def figures(self, key: str) -> dict[str, float]:
        """``key`` (a ``*_ratio`` name) with the medians behind it, in milliseconds:
        ``handler_overhead_ratio`` -> ``handler_overhead_ms``, ``handler_overhead_baseline_ms``."""
        stem = key.removesuffix("_ratio")
        return {
            key: self.ratio,
            f"{stem}_ms": self.product * 1000,
            f"{stem}_baseline_ms": self.baseline * 1000,
        }


def interleaved(product: Sample, baseline: Sample, repeats: int, warmup: int = 1) -> Comparison:
    """Run ``warmup`` untimed pairs, then ``repeats`` pairs A, B; the median of each side."""
    for _ in range(warmup):
        product()
        baseline()
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeats):
        a.append(product())
        b.append(baseline())
    return Comparison(statistics.median(a), statistics.median(b))


def per_call(action: Callable[[], object], calls: int) -> Sample:
    """A sample that runs ``action`` ``calls`` times and returns the mean seconds per call."""

    def sample() -> float:
        started = time.perf_counter()
        for _ in range(calls):
            action()
        return (time.perf_counter() - started) / calls

    return sample
