"""The data keys an ingest makes: in few key-store commits, sized by what is still ahead (a
file's size, a list's length), none left over; a failure at a chunk boundary leaves no row,
no key and no lease behind."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from skill.services import Services
from skill.services import recordings as service
from skill.services.ingest import AudioPolicy, JsonlReader
from skill.services.models import NewRecording
from skill.store.keystore import KeyStore, data_keys, leases
from skill.store.schema import recordings
from tests.conftest import USER

T0 = datetime(2026, 11, 26, 9, tzinfo=UTC)
CHUNK = 40
BATCH = 10


@pytest.fixture
def creates(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Small chunks and batches, and the size of every key chunk made."""
    monkeypatch.setattr(service, "KEY_CHUNK", CHUNK)
    monkeypatch.setattr(service, "INSERT_BATCH", BATCH)
    made: list[int] = []
    real = KeyStore.create

    def create(self: KeyStore, lease_id: str, count: int, **kw: bool) -> list[tuple[str, bytes]]:
        made.append(count)
        return real(self, lease_id, count, **kw)

    monkeypatch.setattr(KeyStore, "create", create)
    yield made


def jsonl(path: Path, lines: int) -> Path:
    with path.open("w") as out:
        for i in range(lines):
            moment = (T0 + timedelta(seconds=i)).isoformat()
            out.write(json.dumps({"user_id": USER, "recorded_at": moment, "transcript": f"s {i}"}))
            out.write("\n")
    return path


def ingest_file(services: Services, path: Path) -> int:
    with path.open("rb") as handle:
        reader = JsonlReader(handle, AudioPolicy.for_file(path.parent))
        return services.recordings.ingest(reader, left=reader.lines_left).ingested


def stored(services: Services) -> tuple[int, int, int]:
    """(rows, keys, leases)."""
    with services.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(recordings)).scalar_one()
    with services.keys.engine.connect() as conn:
        keys = conn.execute(select(func.count()).select_from(data_keys)).scalar_one()
        listed = conn.execute(select(func.count()).select_from(leases)).scalar_one()
    return int(rows), int(keys), int(listed)


@pytest.mark.parametrize(
    ("lines", "chunks"),
    [
        (1, [1]),  # one line: one key, and the lease opened in the same commit
        (BATCH, [BATCH]),
        (CHUNK, [CHUNK]),  # exactly a chunk: one commit, nothing left over
        (CHUNK + 1, [CHUNK, 1]),
        (3 * CHUNK + 7, [CHUNK, CHUNK, CHUNK, 7]),
    ],
)
def test_a_file_gets_its_keys_in_full_chunks_and_none_is_wasted(
    services: Services, tmp_path: Path, creates: list[int], lines: int, chunks: list[int]
) -> None:
    assert ingest_file(services, jsonl(tmp_path / "in.jsonl", lines)) == lines
    assert creates == chunks
    assert stored(services) == (lines, lines, 0)
    assert len(services.recordings.list(USER)) == lines


def test_an_empty_file_writes_nothing_to_the_key_store(
    services: Services, tmp_path: Path, creates: list[int]
) -> None:
    assert ingest_file(services, jsonl(tmp_path / "in.jsonl", 0)) == 0
    assert creates == [] and stored(services) == (0, 0, 0)


def test_a_list_gets_exact_chunks(services: Services, creates: list[int]) -> None:
    items = [NewRecording(USER, T0 + timedelta(seconds=i), f"s {i}") for i in range(CHUNK + 3)]
    assert services.recordings.ingest(items).ingested == CHUNK + 3
    assert creates == [CHUNK, 3] and stored(services) == (CHUNK + 3, CHUNK + 3, 0)


def test_a_stream_of_unknown_length_forgets_the_keys_it_did_not_use(
    services: Services, tmp_path: Path, creates: list[int]
) -> None:
    """Read from a pipe, the count ahead is unknown: chunks double, the spare keys go."""
    data = jsonl(tmp_path / "in.jsonl", 5 * BATCH + 3).read_bytes()
    reader = JsonlReader(io.BytesIO(data), AudioPolicy.for_file(tmp_path))
    assert reader.lines_left() is None
    assert services.recordings.ingest(reader, left=reader.lines_left).ingested == 5 * BATCH + 3
    assert creates == [BATCH, BATCH, 2 * BATCH, 4 * BATCH]
    assert stored(services) == (5 * BATCH + 3, 5 * BATCH + 3, 0)


def test_a_failure_making_the_second_chunk_leaves_nothing(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, creates: list[int]
) -> None:
    real = KeyStore.create
    calls: list[int] = []

    def failing(self: KeyStore, lease_id: str, count: int, **kw: bool) -> list[tuple[str, bytes]]:
        calls.append(count)
        if len(calls) == 2:
            raise OSError("the key store's disk is full")
        return real(self, lease_id, count, **kw)

    monkeypatch.setattr(KeyStore, "create", failing)
    with pytest.raises(OSError, match="disk is full"):
        ingest_file(services, jsonl(tmp_path / "in.jsonl", 2 * CHUNK))
    assert calls == [CHUNK, CHUNK]
    assert stored(services) == (0, 0, 0), "rows rolled back, the first chunk's keys swept"
    assert services.recordings.list(USER) == []


def test_a_bad_line_after_the_first_chunk_leaves_nothing(
    services: Services, tmp_path: Path, creates: list[int]
) -> None:
    path = jsonl(tmp_path / "in.jsonl", CHUNK + BATCH)
    with path.open("a") as out:
        out.write("{not json\n")
    with pytest.raises(service.IngestError):
        ingest_file(services, path)
    assert creates and stored(services) == (0, 0, 0)


def test_lines_left_is_estimated_from_the_file_size(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "in.jsonl", 100)
    with path.open("rb") as handle:
        reader = JsonlReader(handle, AudioPolicy.for_file(tmp_path))
        assert reader.lines_left() is None  # nothing read yet
        seen = iter(reader)
        for _ in range(25):
            next(seen)
        assert 70 <= (reader.lines_left() or 0) <= 80
        assert sum(1 for _ in seen) == 75
        assert reader.lines_left() == 0


def test_a_long_chunk_renews_the_lease_between_batches(
    services: Services, monkeypatch: pytest.MonkeyPatch, creates: list[int]
) -> None:
    """Batches that need no new key still tell the key store the ingest is alive, once
    ``RENEW_AFTER`` has passed since its last write (so no repair sweeps a running ingest)."""
    monkeypatch.setattr(service, "RENEW_AFTER", timedelta(0))
    renewed: list[str] = []
    real = KeyStore.renew

    def renew(self: KeyStore, lease_id: str) -> None:
        renewed.append(lease_id)
        real(self, lease_id)

    monkeypatch.setattr(KeyStore, "renew", renew)
    items = [NewRecording(USER, T0 + timedelta(seconds=i), f"s {i}") for i in range(3 * BATCH)]
    assert services.recordings.ingest(items).ingested == 3 * BATCH
    assert creates == [3 * BATCH] and len(renewed) == 2 and len(set(renewed)) == 1
    assert stored(services) == (3 * BATCH, 3 * BATCH, 0)
