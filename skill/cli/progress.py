"""Progress bars for long verbs (ingest, review sampling), on stderr and only on a terminal.

Off a terminal (a pipe, a CI log) the bars do nothing, so scripted output stays clean.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress

__all__ = ["Bars", "Counter", "progress_bars"]

Counter = Callable[[int, int], None]
"""Called with (done, total) as work goes on."""


class Bars:
    """Tasks on one live display; every method is a no-op off a terminal."""

    def __init__(self, progress: Progress | None):
        self._progress = progress

    def lines(self, handle: IO[str], description: str, total_bytes: int | None) -> Iterable[str]:
        """The file's lines, advancing a task by the bytes read."""
        progress = self._progress
        if progress is None or total_bytes is None:
            return handle
        task = progress.add_task(description, total=total_bytes)

        def read() -> Iterator[str]:
            for line in handle:
                progress.advance(task, len(line.encode("utf-8")))
                yield line

        return read()

    def counter(self, description: str) -> Counter | None:
        """A (done, total) callback for a service that reports progress; None off a terminal."""
        progress = self._progress
        if progress is None:
            return None
        task = progress.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return update


@contextmanager
def progress_bars() -> Iterator[Bars]:
    """A live display on stderr while the block runs (removed when it ends)."""
    if not sys.stderr.isatty():  # asked first: off a terminal, rich is not even imported
        yield Bars(None)
        return
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield Bars(None)
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description:>8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        yield Bars(progress)
