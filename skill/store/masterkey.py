"""The master key: where it comes from, its id, and wrapping data keys with it.

Production takes it from ``PRIVACY_SKILL_MASTER_KEY`` (base64 of 32 bytes, from a secret
manager). The embedded default, a SQLite key store, may instead keep it in a key file beside
the key store, created with mode 0600 on first start. Either source may hold more than one key
(comma- or line-separated): the first wraps new data keys, every one unwraps, which is how old
and new keys coexist while ``keys rotate-master`` runs.

A key's id is an HMAC of a fixed label under the key (stdlib only, nothing to import): it
names the key in the key store and in ``info`` without revealing it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from skill.errors import ConfigError, ProductError
from skill.store import crypto

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "MasterKey",
    "MasterKeys",
    "UnknownMasterKey",
    "create_key_file",
    "key_file_for",
    "master_key_id",
    "parse_keys",
    "read_key_file",
    "write_key_file",
]

ENV = "PRIVACY_SKILL_MASTER_KEY"


class UnknownMasterKey(ProductError):
    """A data key is wrapped by a master key this process was not given."""

    kind = "keystore"


@dataclass(frozen=True)
class MasterKey:
    """One master key."""

    id: str
    """Its public id (16 hex digits)."""
    secret: bytes = field(repr=False)
    """The 32 key bytes; never printed."""


def master_key_id(secret: bytes) -> str:
    """The id of a master key: an HMAC-SHA256 of a fixed label, first 16 hex digits."""
    return hmac.new(secret, b"voice-privacy master key id", hashlib.sha256).hexdigest()[:16]


def parse_keys(text: str, where: str) -> list[MasterKey]:
    """Keys from base64 text, one per line or comma-separated (``#`` starts a comment)."""
    keys: list[MasterKey] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        for part in line.split(","):
            part = part.strip()
            if not part:
                continue
            try:
                secret = base64.b64decode(part, validate=True)
            except (binascii.Error, ValueError):
                secret = b""
            if len(secret) != crypto.KEY_BYTES:
                raise ConfigError(
                    f"{where}: a master key must be base64 of {crypto.KEY_BYTES} random bytes "
                    f"(make one with: head -c {crypto.KEY_BYTES} /dev/urandom | base64)"
                )
            keys.append(MasterKey(master_key_id(secret), secret))
    if not keys:
        raise ConfigError(f"{where}: no master key in it")
    return keys


def key_file_for(keystore_path: Path) -> Path:
    """Where the embedded default keeps its master key: beside the key store file."""
    return keystore_path.with_suffix(".key")


def read_key_file(path: Path) -> list[MasterKey]:
    """The keys in a key file, refused unless only its owner may read it."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise ConfigError(
            f"the master key file {path} is missing: the key store's keys cannot be opened "
            f"without it. Restore it from your backup, or set {ENV}"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the master key file {path}: {exc}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"the master key file {path} may be read by others; make it private: chmod 600 {path}"
        )
    return parse_keys(text, str(path))


def create_key_file(path: Path) -> MasterKey:
    """A new random master key in a new file that only its owner may read."""
    secret = crypto.new_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(base64.b64encode(secret).decode("ascii") + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    _sync_folder(path.parent)
    return MasterKey(master_key_id(secret), secret)


def write_key_file(path: Path, keys: list[MasterKey]) -> None:
    """Replace a key file atomically (first key current), keeping it private."""
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        for key in keys:
            handle.write(base64.b64encode(key.secret).decode("ascii") + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class MasterKeys:
    """The master keys a process holds. The first wraps new data keys; any unwraps.

    Keys from a key file are read again when a data key names a master key not held yet:
    a process started before ``keys rotate-master`` picks up the new key without a restart.
    """

    def __init__(self, keys: list[MasterKey], key_file: Path | None = None):
        if not keys:
            raise ValueError("at least one master key is needed")
        self._keys = list(keys)
        self.key_file = key_file
        """The key file the keys came from; None when they came from the environment."""
        self._ciphers: dict[str, AESGCM] = {}

    @property
    def current(self) -> MasterKey:
        """The key that wraps new data keys."""
        return self._keys[0]

    @property
    def ids(self) -> list[str]:
        """Every held key's id, the current one first."""
        return [key.id for key in self._keys]

    def get(self, master_id: str) -> MasterKey | None:
        """The held key with this id, if any."""
        return next((key for key in self._keys if key.id == master_id), None)

    def wrap(self, key_id: str, data_key: bytes) -> tuple[str, bytes]:
        """(master key id, wrapped data key) for storing ``data_key`` under ``key_id``."""
        current = self.current
        return current.id, crypto.seal(self._cipher(current), data_key, "data-key", key_id)

    def wrap_many(
        self, key_ids: Sequence[str], data_keys: Sequence[bytes]
    ) -> tuple[str, list[bytes]]:
        """:meth:`wrap` of each ``data_keys[i]`` stored under ``key_ids[i]``, at once: (the
        master key id all are wrapped by, the wrapped keys in order)."""
        current = self.current
        cipher = self._cipher(current)
        return current.id, crypto.seal_many(cipher, data_keys, "data-key", key_ids)

    def unwrap(self, key_id: str, master_id: str, wrapped: bytes) -> bytes:
        """The data key stored under ``key_id``; ``UnknownMasterKey`` when its master key is
        not held, ``crypto.Unreadable`` when the wrapped bytes do not open."""
        master = self.get(master_id)
        if master is None and self.key_file is not None:
            self.reload()
            master = self.get(master_id)
        if master is None:
            raise UnknownMasterKey(
                f"a data key is wrapped by master key {master_id}, which this process does "
                f"not have; give it in {ENV} (or the key file) until keys rotate-master finishes"
            )
        return crypto.unseal(self._cipher(master), wrapped, "data-key", key_id)

    def reload(self) -> None:
        """Read the key file again (after another process rotated the master key)."""
        if self.key_file is not None:
            self._keys = read_key_file(self.key_file)

    def with_target(self, target: MasterKey) -> MasterKeys:
        """These keys with ``target`` first: what re-wrapping during a rotation uses."""
        rest = [key for key in self._keys if key.id != target.id]
        return MasterKeys([target, *rest], self.key_file)

    def _cipher(self, key: MasterKey) -> AESGCM:
        cipher = self._ciphers.get(key.id)
        if cipher is None:
            cipher = self._ciphers[key.id] = crypto.aead(key.secret)
        return cipher
