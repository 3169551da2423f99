"""Moving the key store to a new master key (``privacy-skill keys rotate-master``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from skill.store.keystore import KeyStore, KeyStoreError
from skill.store.masterkey import read_key_file, write_key_file

__all__ = ["Rotation", "rotate_master"]


@dataclass(frozen=True)
class Rotation:
    """What a rotation did."""

    rewrapped: int
    """Data keys re-wrapped under the new master key."""
    master_key_id: str
    """The new master key's id."""
    key_file: Path | None
    """The key file that now holds the new key (embedded default); None when the key comes
    from ``PRIVACY_SKILL_MASTER_KEY``, which the operator must now change."""


def rotate_master(keys: KeyStore, new_key_file: Path) -> Rotation:
    """Re-wrap every data key under the key in ``new_key_file``.

    The key store records the move first, so processes without the new key refuse to start,
    and a key file (the embedded default) gets the new key in front of the old one. Keys are
    re-wrapped in short transactions until none is left under another master key; only then
    does the store name the new key as its master and the key file drop the old one. An
    interrupted run leaves both keys usable; running it again finishes the job.
    """
    target = read_key_file(new_key_file)[0]
    identity = keys.identity()
    if identity.rotation_to not in (None, target.id):
        raise KeyStoreError(
            f"a move to master key {identity.rotation_to} is unfinished; run keys rotate-master "
            "with that key first"
        )
    key_file = keys.masters.key_file
    keys.set_rotation(target.id)
    if key_file is not None:
        held = [key for key in read_key_file(key_file) if key.id != target.id]
        write_key_file(key_file, [target, *held])
    keys.masters = keys.masters.with_target(target)
    rewrapped = 0
    while done := keys.rewrap(target):
        rewrapped += done
    keys.set_rotation(None, master_key_id=target.id)
    if key_file is not None:
        write_key_file(key_file, [target])
    return Rotation(rewrapped, target.id, key_file)
