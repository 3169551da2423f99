"""Failures the repositories report in their own terms, for the services to translate.

The services decide what a failure means to a person (``ConsentBusy``, ``ItemBusy``,
``DuplicateRecording``); recognising it among driver errors, which differ by backend,
is the store's job.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError


class LockNotAvailable(Exception):
    """A row lock could not be had without waiting: NOWAIT found it taken, or a
    ``lock_timeout`` ran out. The transaction must roll back."""


class DuplicateKey(Exception):
    """An insert hit a row that already exists (or broke another integrity rule);
    nothing of the statement was written."""


LOCK_NOT_AVAILABLE = "55P03"
"""PostgreSQL's SQLSTATE for NOWAIT and lock_timeout failures."""


@contextmanager
def reporting_lock_failures() -> Iterator[None]:
    """Inside the block, PostgreSQL's ``lock_not_available`` (a NOWAIT lock that is
    taken, a ``lock_timeout`` that ran out) raises ``LockNotAvailable``; other errors
    pass unchanged."""
    try:
        yield
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise LockNotAvailable() from None
        raise
