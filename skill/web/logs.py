"""Logging for ``serve``: one format, every line bounded.

Every handler of the service (the app's, gunicorn's error log) writes through
``BoundedFormatter``: a record, its traceback included, never takes more than ``MAX_LINE``
characters, so no request can turn into a megabyte of log. What goes into the records is kept
free of content at the source (ids bounded, no bodies, no speech, no exception messages from
the skill).
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["MAX_LINE", "BoundedFormatter", "logging_config", "skip_unused_record_fields"]

MAX_LINE = 2000


class BoundedFormatter(logging.Formatter):
    """A formatter whose output is at most ``MAX_LINE`` characters per record."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if len(text) <= MAX_LINE:
            return text
        return text[: MAX_LINE - 16] + " ...(truncated)"


def skip_unused_record_fields() -> None:
    """Stop filling in what every log record carries but no format of ours shows: the
    caller's file and line (a walk up the stack per record), and the thread, process and
    multiprocessing names. These are the switches the logging HOWTO's "Optimization" section
    names; ``serve`` sets them before its workers fork, as every request logs a line."""
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def logging_config() -> dict[str, Any]:
    """gunicorn's ``logconfig_dict``: the root logger and gunicorn's error log to stderr, bounded;
    no access log (the app logs each request itself, without bodies)."""
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "bounded",
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "bounded": {
                "()": BoundedFormatter,
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            }
        },
        "handlers": {"stderr": handler},
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }
