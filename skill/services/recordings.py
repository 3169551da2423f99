"""The storage service: ingest, list, summarise and delete recordings.

Deleted means deleted, by cryptographic deletion: every recording's transcript, audio and
annotations are sealed under a data key of its own, kept in the key store. A deletion
destroys the keys first, in a committed key-store transaction, and only then removes rows
and files; from that moment the content is unreadable in every copy of the data database
(WAL, free pages, dead tuples), in every leftover file, and in every backup of the data.

Summaries and counts never open content, so "what data do you keep" does not touch the key
store or the cipher.
"""

from __future__ import annotations

import io
import logging
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Engine

from skill.services.audit import AuditLog
from skill.services.consent import ConsentService
from skill.services.ingest import IngestError, LineError
from skill.services.models import (
    Channel,
    Deletion,
    IngestResult,
    NewRecording,
    Recording,
    Summary,
)
from skill.store import crypto
from skill.store import recordings as stored
from skill.store.audio import AudioStore, NotARegularFile
from skill.store.db import purge_freed_pages, reading
from skill.store.errors import DuplicateKey
from skill.store.keystore import LEASE_TTL, KeyStore, new_lease_id
from skill.store.recordings import INSERT_BATCH, Selection
from skill.store.rows import AnyRow, to

log = logging.getLogger(__name__)

DELETE_CHUNK = 1000
"""Recordings per step of a deletion: their keys are destroyed, then rows and files go."""
PAGE = 500
"""Rows read per step of a listing."""


class DuplicateRecording(IngestError):
    """An ingested id is already stored (or repeats an earlier line); nothing was stored."""

    def __init__(self, errors: list[LineError]):
        super().__init__(
            errors, "a recording id in this file is already stored; nothing was ingested"
        )


class RecordingService:
    """Recordings of every user; each call acts on exactly one user's data."""

    def __init__(
        self,
        engine: Engine,
        audio: AudioStore,
        consent: ConsentService,
        audit: AuditLog,
        keys: KeyStore,
    ):
        self.engine = engine
        self.audio = audio
        self.consent = consent
        self.audit = audit
        self.keys = keys

    # -- ingestion -----------------------------------------------------------

    def ingest(
        self,
        items: Iterable[NewRecording],
        *,
        channel: Channel = "cli",
        progress: Callable[[int, int], None] | None = None,
        max_audio_bytes: int | None = None,
        left: Callable[[], int | None] | None = None,
    ) -> IngestResult:
        """Store all of ``items`` or none of them, in one transaction, batch by batch.

        ``items`` may be a stream (a ``JsonlReader``): it is read a batch at a time, never
        held whole. Data keys are made ahead of the batches that use them, in short key-store
        transactions (under a lease, opened with the first keys, so the keys of an ingest
        that never commits are swept); then each batch's content is sealed and inserted. On
        any failure (a bad line, a repeated id, a crash) nothing stays: the transaction rolls
        back, and the files and keys written for it are removed. Users who withdrew
        ``store_recordings`` have their items refused and counted (and audited); their
        consent is held (shared) until the commit. ``progress(done, total)`` is called after
        each batch. ``left()``: about how many items a stream has after those read so far
        (``JsonlReader.lines_left``), or None; it sizes the chunks of keys, so that few are
        made and none is wasted.
        """
        total = len(items) if isinstance(items, Sized) else None
        run = _Ingest(now=datetime.now(UTC))
        supply = _KeySupply(self.keys)
        committed = False
        try:
            with self.engine.begin() as conn:
                for batch in _batches(iter(items), INSERT_BATCH):
                    run.done += len(batch)
                    if total is not None:
                        ahead: int | None = total - run.done
                    else:
                        ahead = left() if left is not None else None
                    columns = self._seal_batch(conn, batch, supply, ahead, run, max_audio_bytes)
                    if columns is not None:
                        stored.insert_batch(conn, columns)
                    if progress is not None:
                        progress(run.done, total if total is not None else run.done)
                stored.add_counts(conn, run.counts())
                for user, count in run.refused.items():
                    self.audit.record(
                        conn, "ingest_refused", user_id=user, channel=channel, count=count
                    )
            committed = True
        except DuplicateKey:
            raise DuplicateRecording(self._repeats(run.current)) from None
        finally:
            if supply.lease is None:
                pass  # no key was made, no file written: nothing to settle or sweep
            elif committed:
                self.keys.settle(supply.lease, unused=supply.unused())  # (made, never used)
            else:
                from skill.services.storage import sweep_lease

                sweep_lease(self.engine, self.keys, self.audio, supply.lease)
        return IngestResult(run.stored, sum(run.refused.values()), dict(run.refused))

    def _seal_batch(
        self,
        conn: Connection,
        batch: Sequence[NewRecording],
        supply: _KeySupply,
        ahead: int | None,
        run: _Ingest,
        max_audio_bytes: int | None,
    ) -> dict[str, Sequence[Any]] | None:
        """The batch's rows, column by column (None when every item was refused)."""
        run.current = []
        for speaker in sorted({(i.user_id, i.person_id or "") for i in batch} - run.allowed.keys()):
            user, person = speaker
            run.allowed[speaker] = self.consent.hold(
                conn, user, "store_recordings", person=person or None
            )
        allowed = run.allowed
        kept = [item for item in batch if allowed[(item.user_id, item.person_id or "")]]
        if len(kept) < len(batch):
            for item in batch:
                if not allowed[(item.user_id, item.person_id or "")]:
                    run.refused[item.user_id] += 1
        if not kept:
            return None
        count = len(kept)
        made = secrets.token_hex(16 * count)  # the random source read once for the batch
        ids = [item.id or made[at * 32 : at * 32 + 32] for at, item in enumerate(kept)]
        pairs = supply.take(count, ahead)
        key_ids = [key_id for key_id, _ in pairs]
        keys = [key for _, key in pairs]
        audio_names: list[str | None] = [None] * count
        for at, item in enumerate(kept):
            if item.audio_file is not None or item.audio_bytes is not None:
                audio_names[at] = self._put_audio(item, key_ids[at], keys[at], ids[at],
                                                  max_audio_bytes)  # fmt: skip
        transcripts = [item.transcript for item in kept]
        run.current = [(item.line or 0, rid) for item, rid in zip(kept, ids, strict=True)]
        users = [item.user_id for item in kept]
        persons = [item.person_id for item in kept]
        run.add(users, persons, audio_names)
        return {
            "id": ids,
            "user_id": users,
            "person_id": persons,
            "device_id": [item.device_id for item in kept],
            "recorded_at": [item.recorded_at for item in kept],
            "transcript": crypto.seal_texts(keys, transcripts, "transcript", ids),
            "audio_file": audio_names,
            "source": ["ingest"] * count,
            "ingested_at": [run.now] * count,
            "key_id": key_ids,
        }

    def _put_audio(
        self, item: NewRecording, key_id: str, key: bytes, recording_id: str, limit: int | None
    ) -> str:
        line = item.line or 0
        try:
            if item.audio_bytes is not None:  # from a request body: sealed from memory
                return self.audio.put_stream(
                    io.BytesIO(item.audio_bytes), key_id=key_id, key=key,
                    recording_id=recording_id, limit=limit,
                )  # fmt: skip
            assert item.audio_file is not None
            return self.audio.put(
                item.audio_file, key_id=key_id, key=key, recording_id=recording_id, limit=limit
            )
        except crypto.TooLarge:
            reason = f"audio_file is larger than {limit} bytes (--max-audio-bytes)"
        except (NotARegularFile, OSError):
            reason = "audio_file could not be read"
        raise IngestError([LineError(line, reason)])

    def _repeats(self, batch: Sequence[tuple[int, str]]) -> list[LineError]:
        """Which lines of the batch that failed, (line, id) pairs, carry an id that is
        already stored or repeats an earlier one (read after the rollback, so only what was
        committed before this ingest counts as stored)."""
        with reading(self.engine) as conn:
            already = stored.stored_ids(conn, [rid for _, rid in batch])
        errors: list[LineError] = []
        first: dict[str, int] = {}
        for line, rid in batch:
            if rid in already:
                errors.append(LineError(line, "id is already stored"))
            elif rid in first:
                errors.append(LineError(line, f"id repeats the one on line {first[rid]}"))
            first.setdefault(rid, line)
        if not errors and batch:
            span = f"{batch[0][0]}-{batch[-1][0]}"
            errors.append(LineError(batch[0][0], f"an id on lines {span} repeats an earlier one"))
        return errors

    # -- reading -------------------------------------------------------------

    def list(
        self,
        user_id: str,
        limit: int | None = None,
        *,
        person: str | None = None,
        unattributed: bool = False,
    ) -> list[Recording]:
        """The user's recordings, newest first: ``person``'s only when given, only those of
        no recognised person when ``unattributed``. Recordings whose key was destroyed (rows
        restored from a backup after their deletion) are not among them."""
        which = Selection(user_id, person=person, unattributed=unattributed)
        return list(islice(self._readable(which, limit), limit))

    def _readable(self, which: Selection, limit: int | None) -> Iterator[Recording]:
        size = PAGE if limit is None else max(1, min(PAGE, limit))
        before: tuple[datetime, str] | None = None
        while True:
            with reading(self.engine) as conn:
                page = stored.newest_page(conn, which, before, size)
            if not page:
                return
            before = (page[-1].recorded_at, page[-1].id)
            keys = self.keys.fetch([row.key_id for row in page if row.key_id])
            for row in page:
                opened = self._open(row, keys)
                if opened is not None:
                    yield opened
            if len(page) < size:
                return
            size = PAGE

    def _open(self, row: AnyRow, keys: dict[str, bytes]) -> Recording | None:
        key = keys.get(row.key_id) if row.key_id else None
        if key is None:  # destroyed (deleted), missing, or never sealed: nothing to show
            return None
        try:
            transcript = crypto.open_text(key, row.transcript, "transcript", row.id)
        except crypto.Unreadable:
            log.error("recording %s does not open with its key; storage check", row.id)
            return None
        return to(Recording, row, transcript=transcript, has_audio=row.audio_file is not None)

    def get(self, user_id: str, recording_id: str) -> Recording | None:
        """One of the user's recordings, if it is theirs and readable."""
        with reading(self.engine) as conn:
            row = stored.one(conn, user_id, recording_id)
        if row is None or row.key_id is None:
            return None
        return self._open(row, self.keys.fetch([row.key_id]))

    def read_audio(self, user_id: str, recording_id: str) -> bytes | None:
        """The WAV file kept with one of the user's recordings, opened (for the person's own
        export); None when there is none or it was deleted."""
        with reading(self.engine) as conn:
            row = stored.one(conn, user_id, recording_id)
        if row is None or row.key_id is None or row.audio_file is None:
            return None
        key = self.keys.fetch([row.key_id]).get(row.key_id)
        if key is None:
            return None
        try:
            return self.audio.open(row.audio_file, key=key, recording_id=row.id)
        except FileNotFoundError:
            return None

    def count(
        self,
        user_id: str,
        start: datetime,
        end: datetime,
        *,
        person: str | None = None,
        ingested_before: datetime | None = None,
    ) -> int:
        """How many recordings fall in UTC ``[start, end)`` (``person``'s only, when given)."""
        which = Selection(user_id, start, end, person=person, ingested_before=ingested_before)
        with reading(self.engine) as conn:
            return stored.count(conn, which)

    def total(self, user_id: str, *, person: str | None = None) -> int:
        """How many recordings the user has, or ``person`` has (key lookups)."""
        with reading(self.engine) as conn:
            return self.total_in(conn, user_id, person=person)

    @staticmethod
    def total_in(conn: Connection, user_id: str, *, person: str | None = None) -> int:
        """:meth:`total` inside an existing transaction."""
        return stored.total(conn, user_id, person)

    def newest(
        self, user_id: str, *, person: str | None = None, unattributed: bool = False
    ) -> Recording | None:
        """The most recent recording (``person``'s, or of no recognised person), if any."""
        found = self.list(user_id, limit=1, person=person, unattributed=unattributed)
        return found[0] if found else None

    def summary(
        self, user_id: str, conn: Connection | None = None, *, person: str | None = None
    ) -> Summary:
        """Count, audio count and time span (of ``person``'s recordings, when given) in one
        statement of key lookups and index seeks: its cost does not grow with the user's
        history, and it opens no content. Pass ``conn`` to read inside an existing
        transaction."""
        if conn is None:
            with reading(self.engine) as own:
                return self.summary(user_id, own, person=person)
        row = stored.summary(conn, user_id, person)
        # No counts row yet: nothing was ever ingested for the user.
        return to(Summary, row, total=int(row.total or 0), with_audio=int(row.with_audio or 0))

    # -- deletion ------------------------------------------------------------

    def delete_range(
        self,
        user_id: str,
        start: datetime,
        end: datetime,
        *,
        channel: Channel,
        request_id: str | None = None,
        person: str | None = None,
        ingested_before: datetime | None = None,
    ) -> Deletion:
        """Delete the user's recordings in UTC ``[start, end)``: ``person``'s only when given,
        and only those ingested by ``ingested_before`` when given (what a confirmation
        described, not what arrived since)."""
        deletion = self._delete(
            Selection(user_id, start, end, person=person, ingested_before=ingested_before),
            "range",
            channel,
            request_id,
            range_start=start.isoformat(),
            range_end=end.isoformat(),
        )
        return Deletion(
            count=deletion.count,
            audio_files=deletion.audio_files,
            start=start,
            end=end,
            keys_destroyed=deletion.keys_destroyed,
            audio_left=deletion.audio_left,
        )

    def delete_one(
        self,
        user_id: str,
        recording_id: str,
        *,
        channel: Channel,
        request_id: str | None = None,
        person: str | None = None,
    ) -> Deletion:
        """Delete one of the user's recordings by id (nothing if it is not theirs, not
        ``person``'s when a person is given, or gone)."""
        return self._delete(
            Selection(user_id, recording_id=recording_id, person=person),
            "one",
            channel,
            request_id,
            recording_id=recording_id,
        )

    def delete_all(
        self,
        user_id: str,
        *,
        channel: Channel,
        request_id: str | None = None,
        person: str | None = None,
        ingested_before: datetime | None = None,
    ) -> Deletion:
        """Delete every recording the user has (``person`` has, when given; ingested by
        ``ingested_before``, when given)."""
        which = Selection(user_id, person=person, ingested_before=ingested_before)
        return self._delete(which, "all", channel, request_id)

    def delete_older(
        self,
        user_id: str,
        cutoff: datetime,
        *,
        channel: Channel,
        period: str,
        request_id: str | None = None,
        person: str | None = None,
        unattributed: bool = False,
        ingested_before: datetime | None = None,
    ) -> Deletion:
        """Delete the user's recordings from before ``cutoff`` that ``period`` (a retention
        period's id) no longer keeps: ``person``'s only, or only those of no recognised
        person when ``unattributed``, or all of them."""
        which = Selection(
            user_id,
            end=cutoff,
            person=person,
            unattributed=unattributed,
            ingested_before=ingested_before,
        )
        details: dict[str, Any] = {"range_end": cutoff.isoformat(), "period": period}
        if unattributed:
            details["unattributed"] = True
        return self._delete(which, "retention", channel, request_id, **details)

    def _delete(
        self,
        which: Selection,
        scope: str,
        channel: Channel,
        request_id: str | None,
        **details: Any,
    ) -> Deletion:
        """Every deletion path ends here: keys first (committed), then rows, then files.

        A step that fails after the keys are destroyed leaves only ciphertext nobody can
        open, which ``storage check --repair`` removes; so the deletion has happened when
        the keys are gone, and "Done" is true even if a file could not be removed.
        """
        count = keys_destroyed = removed = left = 0
        gone: Counter[tuple[str, str]] = Counter()
        gone_audio: Counter[tuple[str, str]] = Counter()
        if which.person is not None:
            details["person"] = which.person
        with self.engine.begin() as conn:
            # Rows first, then their queue items, each in id order (see lock_for_deletion):
            # a review sampler holding some commits first, and deletions never deadlock.
            review_count = stored.lock_for_deletion(conn, which)
            after = ""
            while chunk := stored.deletion_chunk(conn, which, after, DELETE_CHUNK):
                after = chunk[-1].id
                keys_destroyed += self.keys.destroy([r.key_id for r in chunk if r.key_id])
                count += stored.delete_ids(conn, [row.id for row in chunk])
                for row in chunk:
                    speaker = (which.user_id, stored.person_key(row.person_id))
                    gone[speaker] += 1
                    gone_audio[speaker] += row.audio_file is not None
                removal = self.audio.remove([row.audio_file for row in chunk if row.audio_file])
                removed += removal.removed
                left += removal.failed
            stored.subtract_counts(conn, {s: (n, gone_audio[s]) for s, n in gone.items()})
            self.audit.record(
                conn,
                "recordings_deleted",
                user_id=which.user_id,
                channel=channel,
                request_id=request_id,
                scope=scope,
                count=count,
                review_items=review_count,
                keys_destroyed=keys_destroyed,
                **details,
            )
        if count:
            purge_freed_pages(self.engine)
        return Deletion(
            count=count, audio_files=removed, keys_destroyed=keys_destroyed, audio_left=left
        )


class _Ingest:
    """One ingestion's running state."""

    def __init__(self, now: datetime):
        self.now = now
        self.allowed: dict[tuple[str, str], bool] = {}
        self.refused: Counter[str] = Counter()
        self.stored = 0
        self.done = 0
        """Items read so far (stored or refused)."""
        self.current: list[tuple[int, str]] = []
        """(line, id) of the batch being written, to say which line a repeated id is on."""
        self._per_speaker: Counter[tuple[str, str]] = Counter()
        self._with_audio: Counter[tuple[str, str]] = Counter()

    def add(
        self, users: Sequence[str], persons: Sequence[str | None], audio: Sequence[str | None]
    ) -> None:
        """Count a batch of stored rows (``users[i]``, ``persons[i]``, ``audio[i]``: one's)."""
        pairs = zip(users, persons, strict=True)
        speakers = [(user, stored.person_key(person)) for user, person in pairs]
        self._per_speaker.update(speakers)
        if any(name is not None for name in audio):
            self._with_audio.update(
                speaker for speaker, name in zip(speakers, audio, strict=True) if name is not None
            )
        self.stored += len(users)

    def counts(self) -> dict[tuple[str, str], tuple[int, int]]:
        return {speaker: (n, self._with_audio[speaker]) for speaker, n in self._per_speaker.items()}


KEY_CHUNK = 10_000
"""Most data keys made in one key-store transaction while ingesting. Each transaction is one
synchronous commit (an fsync, about 20 ms here); inserting this many keys holds the key
store's write lock for 70 to 150 ms here (the keys are wrapped before it is taken), short
beside the 2 s a deletion waits for it."""
RENEW_AFTER = LEASE_TTL / 4
"""An ingest that has made no key for this long renews its lease (a chunk of keys for
recordings with large audio files can take minutes to use)."""


class _KeySupply:
    """Data keys for an ingest, made under its lease ahead of the batches that use them.

    Every key-store commit is synchronous, and one per batch of rows was a large share of a
    large ingest's time; so keys are made in chunks of up to ``KEY_CHUNK``, sized by how many
    items are still ahead when that is known (the items' count, or the JSONL file's size),
    else doubling from one batch's worth. The lease is opened by the first chunk's
    transaction (a commit less; an ingest that stores nothing writes nothing). Keys left
    over at the end never sealed anything and are forgotten when the lease is settled; on a
    failure the lease's sweep removes every key no committed row names, these included.
    """

    def __init__(self, keys: KeyStore, most: int | None = None) -> None:
        self.keys = keys
        self.most = KEY_CHUNK if most is None else most
        self.lease: str | None = None
        """The lease, once its first keys were asked for (then it may be listed)."""
        self.made = 0
        self._ready: list[tuple[str, bytes]] = []
        self._renewed = time.monotonic()

    def take(self, count: int, ahead: int | None = None) -> list[tuple[str, bytes]]:
        """``count`` (key id, key) pairs, each handed out once; ``ahead``: about how many
        more will be asked for, when known."""
        short = count - len(self._ready)
        if short > 0:
            if ahead is None:
                wanted = max(short, min(self.made, self.most))
            else:  # with a little over the estimate: a commit costs hundreds of keys
                wanted = max(short, min(short + ahead + ahead // 64, self.most))
            self._make(wanted)
        elif self.lease is not None and self._since_renewed() > RENEW_AFTER.total_seconds():
            self.keys.renew(self.lease)
            self._renewed = time.monotonic()
        taken, self._ready = self._ready[:count], self._ready[count:]
        return taken

    def _make(self, count: int) -> None:
        opening = self.lease is None
        if opening:
            # Set first: if the commit fails uncertainly, the failure path still sweeps it.
            self.lease = new_lease_id()
        assert self.lease is not None
        self._ready.extend(self.keys.create(self.lease, count, opening=opening))
        self.made += count
        self._renewed = time.monotonic()

    def _since_renewed(self) -> float:
        return time.monotonic() - self._renewed

    def unused(self) -> list[str]:
        return [key_id for key_id, _ in self._ready]


def _batches(items: Iterator[NewRecording], size: int) -> Iterator[list[NewRecording]]:
    while batch := list(islice(items, size)):
        yield batch
