"""The periodic job: the retention sweep, then the storage repair, when due.

``serve`` runs it in a sweeper process of its own, the Lambda handler when an EventBridge
schedule invokes it, an operator from cron with ``privacy-skill retention sweep``. The
sweep's lease makes any number of these safe together: one runs, the others find it
running or not yet due.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from skill.services.retention import SweepResult

if TYPE_CHECKING:
    from skill.services.container import Services

__all__ = ["run_maintenance"]


def run_maintenance(services: Services, *, schedule: float | None = None) -> SweepResult:
    """Sweep (only when due, with ``schedule`` seconds between sweeps; else now), then
    repair storage (files a crash left, rows restored from a backup) if the sweep ran."""
    result = services.retention.sweep(schedule=schedule)
    if result.ran:
        services.storage.check(repair=True, channel="retention")
    return result
