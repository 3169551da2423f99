"""Printing a run: one JSON object, or a table with each ratio's target and whether it holds."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

TARGETS: dict[str, float] = {
    "handler_overhead_ratio": 3.0,
    "delete_scaling_ratio": 2.0,
    "summary_scaling_ratio": 2.0,
    "pg_delete_scaling_ratio": 1.5,
    "pg_summary_scaling_ratio": 2.0,
    "verify_overhead_ratio": 1.5,
    "cold_start_ratio": 1.2,
    "cold_start_data_ratio": 3.0,
    "cli_start_ratio": 4.0,
    "simulate_turn_ratio": 15.0,
    "ingest_peak_mb": 150.0,
    "asr_real_time_factor": 0.1,
}
"""Upper bounds from the issues; a figure at or below its target holds."""

FLOORS: dict[str, float] = {
    "serve_throughput_ratio": 0.75,
    "ingest_ratio": 0.8,
    "pg_ingest_ratio": 0.8,
}
"""Lower bounds (higher is better: throughput against a peer); at or above holds."""


def as_json(figures: Mapping[str, float], notes: Sequence[str]) -> str:
    """Every figure as a top-level number, plus ``notes`` (a list of strings, maybe empty)."""
    return json.dumps({**figures, "notes": list(notes)}, indent=2, sort_keys=True)


def as_table(figures: Mapping[str, float], notes: Sequence[str]) -> str:
    """One figure a line, in the order measured; ratios with a target say whether it holds."""
    width = max(map(len, figures), default=0)
    lines = []
    for name, value in figures.items():
        line = f"{name:<{width}}  {value:>12,.6g}"
        target = TARGETS.get(name)
        if target is not None:
            line += f"  target <= {target:g}  {'ok' if value <= target else 'MISSED'}"
        floor = FLOORS.get(name)
        if floor is not None:
            line += f"  target >= {floor:g}  {'ok' if value >= floor else 'MISSED'}"
        lines.append(line)
    lines.extend(f"note: {text}" for text in notes)
    return "\n".join(lines)
