"""A progress bar for `privacy-skill ingest` on a terminal: checking lines, then storing rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


class IngestProgress:
    """Two tasks on one bar display; does nothing when stderr is not a terminal."""

    def __init__(self, progress: Progress | None):
        self._progress = progress

    def lines(self, handle: IO[str], total_bytes: int | None) -> Iterable[str]:
        """Yield the file's lines while advancing 'checking' by the bytes read."""
        if self._progress is None or total_bytes is None:
            return handle
        task = self._progress.add_task("checking", total=total_bytes)
        progress = self._progress

        def read() -> Iterator[str]:
            for line in handle:
                progress.advance(task, len(line.encode("utf-8")))
                yield line

        return read()

    def storing(self) -> Callable[[int, int], None] | None:
        """A callback for RecordingService.ingest(progress=...)."""
        if self._progress is None:
            return None
        progress = self._progress
        task = progress.add_task("storing", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return update


@contextmanager
def ingest_progress() -> Iterator[IngestProgress]:
    console = Console(stderr=True)
    if not console.is_terminal:
        yield IngestProgress(None)
        return
    columns = (
        TextColumn("{task.description:>8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        yield IngestProgress(progress)
