"""The audio store: WAV files kept in ``PRIVACY_SKILL_AUDIO_DIR``, one per recording.

Files are named by a random id, never by anything a person said, and written
atomically (temporary file, fsync, rename) so a crash never leaves half a file
under a real name.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[0-9a-f]{32}\.wav$")


class AudioStore:
    """Copies audio in, hands out paths, and removes files for good."""

    def __init__(self, root: Path):
        self.root = root

    def put(self, source: Path) -> str:
        """Copy ``source`` into the store; returns the stored file's name."""
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"{uuid.uuid4().hex}.wav"
        tmp = self.root / f".{name}.tmp"
        try:
            with source.open("rb") as src, tmp.open("wb") as dst:
                shutil.copyfileobj(src, dst)
                dst.flush()
                os.fsync(dst.fileno())
            tmp.rename(self.root / name)
        finally:
            tmp.unlink(missing_ok=True)
        return name

    def path(self, name: str) -> Path:
        """Where a stored file lives; refuses names the store did not make."""
        if not _NAME.match(name):
            raise ValueError("not an audio store file name")
        return self.root / name

    def remove(self, names: Iterable[str]) -> int:
        """Delete stored files; returns how many were removed."""
        removed = 0
        for name in names:
            path = self.path(name)
            try:
                _overwrite(path)
                path.unlink()
                removed += 1
            except FileNotFoundError:
                continue
            except OSError as exc:
                log.error("could not remove audio file %s: %s", name, exc.strerror)
        return removed

    def names(self) -> set[str]:
        """Every stored file name (for sweeping orphans)."""
        if not self.root.is_dir():
            return set()
        return {p.name for p in self.root.iterdir() if _NAME.match(p.name)}


def _overwrite(path: Path) -> None:
    # Zero the bytes before unlinking, so another hard link or an open handle
    # cannot read the audio back; on copy-on-write or flash storage the README
    # explains what this can and cannot promise.
    remaining = path.stat().st_size
    block = b"\0" * 65536
    with path.open("r+b") as f:
        while remaining > 0:
            remaining -= f.write(block[: min(remaining, len(block))])
        f.flush()
        os.fsync(f.fileno())
