"""Crash-safe bookkeeping: find and repair what a crash, a restore or a lost file left.

``StorageService.check(repair=...)`` is what ``privacy-skill storage check`` runs, and what the
web service and the retention sweep call on start and on a schedule. It looks at three things:

- **Keys of ingests that never committed** (their process died): swept, with the audio files
  written under them. Keys whose rows did commit are kept.
- **Rows without a key**: a destroyed key (the row came back from a backup restored after its
  deletion) means the recording was deleted, so repair removes the row and corrects the user's
  counts. A key missing *without* a tombstone may mean a key store restored from an old
  backup, so such rows are only reported, and removed only with ``force``. Rows from before
  encryption are sealed.
- **Files**: audio files no row names (written before a crash, or left when a removal failed)
  are removed; rows whose audio file is gone forget it.

Everything runs in short transactions, so it can run beside the service.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from sqlalchemy import Engine

from skill.services.audit import AuditLog
from skill.services.models import Channel
from skill.store import recordings as stored
from skill.store.audio import AudioStore, key_id_of
from skill.store.db import reading
from skill.store.keystore import KeyStore

__all__ = ["StorageReport", "StorageService", "sweep_lease"]

PAGE = 500


@dataclass(frozen=True)
class StorageReport:
    """What a check found (before any repair) and whether it repaired it."""

    orphan_audio_files: int
    """Audio files no row names."""
    rows_without_key: int
    """Rows whose content cannot be opened: ``key_destroyed + key_missing + never_encrypted``."""
    rows_missing_audio: int
    """Rows that name an audio file which is gone."""
    key_destroyed: int
    """Of ``rows_without_key``: the key was destroyed, so the recording was deleted."""
    key_missing: int
    """Of ``rows_without_key``: no key and no tombstone (kept unless forced)."""
    never_encrypted: int
    """Of ``rows_without_key``: plaintext rows from before encryption (sealed on repair)."""
    abandoned_keys: int
    """Keys written for an ingest that never committed."""
    repaired: bool
    """Whether the check repaired what it found."""
    kept: int
    """Rows left alone by the repair (``key_missing`` without ``force``)."""

    @property
    def problems(self) -> int:
        """How many things the check found."""
        return (
            self.orphan_audio_files
            + self.rows_without_key
            + self.rows_missing_audio
            + self.abandoned_keys
        )

    @property
    def ok(self) -> bool:
        """Nothing found, or everything found repaired."""
        return self.problems == 0 or (self.repaired and self.kept == 0)

    def as_json(self) -> dict[str, object]:
        """The report as ``storage check --json`` prints it."""
        found = asdict(self)
        return {
            "orphan_audio_files": found["orphan_audio_files"],
            "rows_without_key": found["rows_without_key"],
            "rows_missing_audio": found["rows_missing_audio"],
            "rows_without_key_by_reason": {
                "key_destroyed": found["key_destroyed"],
                "key_missing": found["key_missing"],
                "never_encrypted": found["never_encrypted"],
            },
            "abandoned_keys": found["abandoned_keys"],
            "repaired": found["repaired"],
            "kept": found["kept"],
        }


def sweep_lease(
    engine: Engine, keys: KeyStore, audio: AudioStore, lease_id: str, *, repair: bool = True
) -> int:
    """Settle a lease whose process is gone (or whose ingest failed): keys some committed row
    names are kept; the others are forgotten with their audio files. Returns how many keys
    no row names."""
    abandoned = 0
    after = ""
    while True:
        page = keys.lease_keys(lease_id, after)
        if not page:
            break
        after = page[-1]
        with reading(engine) as conn:
            named = {row.key_id for row in stored.with_keys(conn, page)}
        unnamed = [key_id for key_id in page if key_id not in named]
        abandoned += len(unnamed)
        if repair:
            keys.adopt(named)
            files = [AudioStore.name_for(key_id) for key_id in unnamed]
            audio.remove([*files, *(f".{name}.tmp" for name in files)])
            keys.forget(unnamed)
    if repair:
        keys.end_lease(lease_id)
    return abandoned


@dataclass
class _RowFindings:
    destroyed: int = 0
    missing: int = 0
    unsealed: int = 0
    no_audio: int = 0
    kept: int = 0


class StorageService:
    """``check``: the storage check and repair (see the module docstring)."""

    def __init__(
        self,
        engine: Engine,
        keys: KeyStore,
        audio: AudioStore,
        audit: AuditLog,
        seal: Callable[[], object] | None = None,
    ):
        self.engine = engine
        self.keys = keys
        self.audio = audio
        self.audit = audit
        self.seal = seal
        """Seals rows from before encryption (set by the container)."""

    def check(
        self, repair: bool = False, force: bool = False, *, channel: Channel = "cli"
    ) -> StorageReport:
        """Find (and with ``repair``, repair) what is out of step; see the module docstring.
        ``force`` also removes rows whose key is missing without a tombstone."""
        abandoned = sum(
            sweep_lease(self.engine, self.keys, self.audio, lease, repair=repair)
            for lease in self.keys.dead_leases()
        )
        rows = self._rows(repair, force, channel)
        orphans = self._orphans(repair, unsealed=rows.unsealed > 0)
        if repair and rows.unsealed and self.seal is not None:
            self.seal()
        return StorageReport(
            orphan_audio_files=orphans,
            rows_without_key=rows.destroyed + rows.missing + rows.unsealed,
            rows_missing_audio=rows.no_audio,
            key_destroyed=rows.destroyed,
            key_missing=rows.missing,
            never_encrypted=rows.unsealed,
            abandoned_keys=abandoned,
            repaired=repair,
            kept=rows.kept if repair else 0,
        )

    def _rows(self, repair: bool, force: bool, channel: Channel) -> _RowFindings:
        found = _RowFindings()
        removed: Counter[str] = Counter()
        touched: set[str] = set()
        after = ""
        while True:
            with reading(self.engine) as conn:
                page = stored.scan(conn, after, PAGE)
            if not page:
                break
            after = page[-1].id
            states = self.keys.states([row.key_id for row in page if row.key_id])
            remove: list[str] = []
            no_audio: list[str] = []
            for row in page:
                if row.key_id is None:
                    found.unsealed += 1
                    continue
                state = states[row.key_id]
                if state == "destroyed" or (state == "missing" and force):
                    remove.append(row.id)
                    removed[row.user_id] += 1
                if state == "destroyed":
                    found.destroyed += 1
                elif state == "missing":
                    found.missing += 1
                    found.kept += 0 if force else 1
                elif row.audio_file and not self.audio.exists(row.audio_file):
                    no_audio.append(row.id)
                    found.no_audio += 1
            if repair and (remove or no_audio):
                touched |= {row.user_id for row in page if row.id in {*remove, *no_audio}}
                with self.engine.begin() as conn:
                    stored.delete_ids(conn, remove)
                    stored.drop_audio(conn, no_audio)
        if repair and touched:
            self._recount(sorted(touched), removed, channel)
        return found

    def _recount(self, users: Sequence[str], removed: Counter[str], channel: Channel) -> None:
        with self.engine.begin() as conn:
            stored.recount(conn, users)
            for user in users:
                self.audit.record(
                    conn,
                    "storage_repaired",
                    user_id=user,
                    channel=channel,
                    recordings_removed=removed[user],
                )

    def _orphans(self, repair: bool, *, unsealed: bool) -> int:
        orphans = 0
        names = self.audio.names()
        while True:
            chunk = [name for _, name in zip(range(PAGE), names, strict=False)]
            if not chunk:
                break
            found = self._unnamed(chunk, unsealed=unsealed)
            orphans += len(found)
            if repair:
                self.audio.remove(found)
        return orphans

    def _unnamed(self, names: Sequence[str], *, unsealed: bool) -> list[str]:
        """Which of ``names`` no row names and no running ingest is writing."""
        key_of = {name: key_id_of(name) or "" for name in names}
        # Key states before rows: an ingest commits its rows before it settles its keys, so
        # a key seen still pending here has its rows visible (or none at all) below.
        states = self.keys.states(list(key_of.values()))
        with reading(self.engine) as conn:
            named = {row.audio_file for row in stored.with_keys(conn, list(set(key_of.values())))}
            rest = [name for name in names if name not in named]
            if unsealed and rest:
                named |= stored.with_audio_files(conn, rest)
        return [
            name for name in names if name not in named and states.get(key_of[name]) != "pending"
        ]
