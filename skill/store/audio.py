"""The audio store: sealed audio files in ``PRIVACY_SKILL_AUDIO_DIR``, one per recording.

A file is named by its recording's data key id (``<key id>.wav``), never by anything a person
said, and holds only ciphertext (``crypto.seal_stream``): once the key is destroyed the file
is unreadable, wherever a copy of it went. Files are written to a temporary name, synced and
renamed, so a crash leaves no half file under a real name; because the name is the key id, a
file left behind by a crash is matched to its key by ``storage check`` without any other
record. (The names keep ``.wav``: what they hold, once opened, is the WAV file ingested.)
Files from before encryption were named by a random id of the same form; ``db upgrade`` seals
them into new files and zeroes and removes the old ones.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from skill.store import crypto

log = logging.getLogger(__name__)

__all__ = ["AudioStore", "NotARegularFile", "Removal", "key_id_of"]

_NAME = re.compile(r"^([0-9a-f]{32})\.wav$")
_PARTIAL = re.compile(r"^\.([0-9a-f]{32})\.wav\.tmp$")


class NotARegularFile(ValueError):
    """An audio source that is not a regular file (a device, a FIFO, a folder)."""


@dataclass(frozen=True)
class Removal:
    """What removing files did."""

    removed: int
    """Files unlinked."""
    failed: int
    """Files that could not be removed (they stay, sealed, for ``storage check --repair``)."""


def key_id_of(name: str) -> str | None:
    """The key id a stored (or partially written) file's name carries; None for other names."""
    match = _NAME.match(name) or _PARTIAL.match(name)
    return match.group(1) if match else None


class AudioStore:
    """Seals audio in, opens it for its owner, and removes files for good."""

    def __init__(self, root: Path):
        self.root = root

    @staticmethod
    def name_for(key_id: str) -> str:
        """The file name of the audio sealed under ``key_id``."""
        return f"{key_id}.wav"

    def put(
        self, source: Path, *, key_id: str, key: bytes, recording_id: str, limit: int | None
    ) -> str:
        """Seal the regular file ``source`` into the store; returns the stored name.

        ``crypto.TooLarge`` when it holds more than ``limit`` bytes; ``NotARegularFile`` when
        it is not a regular file (checked on the opened file, not on the name).
        """
        fd = os.open(source, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as src:
            if not stat.S_ISREG(os.fstat(src.fileno()).st_mode):
                raise NotARegularFile(str(source))
            return self.put_stream(
                src, key_id=key_id, key=key, recording_id=recording_id, limit=limit
            )

    def put_stream(
        self, source: IO[bytes], *, key_id: str, key: bytes, recording_id: str, limit: int | None
    ) -> str:
        """Seal what ``source`` holds into the store (audio that came in a request body: it
        is never written to disk unsealed); returns the stored name. ``crypto.TooLarge``
        when it holds more than ``limit`` bytes."""
        self.root.mkdir(parents=True, exist_ok=True)
        name = self.name_for(key_id)
        partial = self.root / f".{name}.tmp"
        try:
            out = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            with os.fdopen(out, "wb") as dst:
                crypto.seal_stream(key, recording_id, source, dst, limit)
                dst.flush()
                os.fsync(dst.fileno())
            partial.rename(self.root / name)
        finally:
            partial.unlink(missing_ok=True)
        return name

    def put_stored(self, name: str, *, key_id: str, key: bytes, recording_id: str) -> str:
        """Seal a plaintext file from before encryption into a new file (the old one stays
        for the caller to remove once the row names the new one)."""
        return self.put(
            self.path(name), key_id=key_id, key=key, recording_id=recording_id, limit=None
        )

    def open(self, name: str, *, key: bytes, recording_id: str) -> bytes:
        """The audio a stored file holds, opened with its key."""
        with self.path(name).open("rb") as handle:
            return b"".join(crypto.open_stream(key, recording_id, handle))

    def path(self, name: str) -> Path:
        """Where a stored file lives; refuses names the store did not make."""
        if key_id_of(name) is None:
            raise ValueError("not an audio store file name")
        return self.root / name

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def remove(self, names: Iterable[str], *, overwrite: bool = False) -> Removal:
        """Delete stored (or partial) files. A sealed file needs no more than unlinking once
        its key is destroyed; a plaintext file from before encryption is zeroed first, and
        with ``overwrite`` every file is."""
        removed = failed = 0
        for name in names:
            path = self.path(name)
            try:
                if overwrite or not self.is_sealed(name):
                    _overwrite(path)
                path.unlink()
                removed += 1
            except FileNotFoundError:
                continue
            except OSError as exc:
                failed += 1
                # No name: it is a key id. The file is sealed; storage check finds it again.
                log.error("could not remove an audio file: %s", exc.strerror)
        return Removal(removed, failed)

    def names(self) -> Iterator[str]:
        """Every stored or partially written file's name (for finding orphans)."""
        if not self.root.is_dir():
            return
        with os.scandir(self.root) as entries:
            for entry in entries:
                if key_id_of(entry.name) is not None:
                    yield entry.name

    def is_sealed(self, name: str) -> bool:
        """Whether a stored file holds sealed audio (not plaintext from before encryption)."""
        try:
            with self.path(name).open("rb") as handle:
                return handle.read(len(crypto.AUDIO_MAGIC)) == crypto.AUDIO_MAGIC
        except FileNotFoundError:
            return True


def _overwrite(path: Path) -> None:
    # Zero the bytes before unlinking, so another hard link or an open handle cannot read
    # plaintext audio back; on copy-on-write or flash storage the README says what this can
    # and cannot promise.
    remaining = path.stat().st_size
    block = b"\0" * 65536
    with path.open("r+b") as f:
        while remaining > 0:
            remaining -= f.write(block[: min(remaining, len(block))])
        f.flush()
        os.fsync(f.fileno())
