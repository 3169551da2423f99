"""The storage service: what a user can list, count, summarise and delete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from skill.services import Services
from skill.services.models import NewRecording
from skill.services.recordings import DuplicateRecording
from tests.conftest import OTHER_USER, USER, make_wav, seed

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_list_summary_and_count_are_per_user(services: Services, tmp_path: Path) -> None:
    wav = make_wav(tmp_path / "in" / "a.wav")
    seed(services, USER, T0 - timedelta(days=10), T0 - timedelta(days=1))
    seed(services, USER, T0, audio=wav)
    seed(services, OTHER_USER, T0 - timedelta(days=400))

    listed = services.recordings.list(USER)
    assert [r.recorded_at for r in listed] == [T0, T0 - timedelta(days=1), T0 - timedelta(days=10)]
    assert [r.has_audio for r in listed] == [True, False, False]
    summary = services.recordings.summary(USER)
    assert (summary.total, summary.with_audio) == (3, 1)
    assert summary.first == T0 - timedelta(days=10) and summary.last == T0
    assert services.recordings.count(USER, T0 - timedelta(days=2), T0) == 1
    assert services.recordings.summary("amzn1.ask.account.NOBODY").total == 0


def test_range_deletion_is_half_open_and_leaves_other_users_alone(services: Services) -> None:
    start, end = T0, T0 + timedelta(days=1)
    seed(services, USER, start - timedelta(microseconds=1), start, end - timedelta(seconds=1), end)
    seed(services, OTHER_USER, start + timedelta(hours=1))

    deletion = services.recordings.delete_range(USER, start, end, channel="cli")

    assert deletion.count == 2
    remaining = sorted(r.recorded_at for r in services.recordings.list(USER))
    assert remaining == [start - timedelta(microseconds=1), end]
    assert services.recordings.total(OTHER_USER) == 1


def test_delete_one_only_touches_the_owner(services: Services) -> None:
    seed(services, OTHER_USER, T0)
    theirs = services.recordings.list(OTHER_USER)[0]
    assert services.recordings.delete_one(USER, theirs.id, channel="voice").count == 0
    assert services.recordings.total(OTHER_USER) == 1


def test_delete_all_removes_rows_and_audio_files(services: Services, tmp_path: Path) -> None:
    wav = make_wav(tmp_path / "in" / "a.wav")
    seed(services, USER, T0, T0 + timedelta(minutes=1), audio=wav)
    audio_dir = tmp_path / "audio"
    assert len(list(audio_dir.glob("*.wav"))) == 2

    deletion = services.recordings.delete_all(USER, channel="cli")

    assert (deletion.count, deletion.audio_files) == (2, 2)
    assert services.recordings.total(USER) == 0
    assert list(audio_dir.glob("*.wav")) == []
    assert wav.exists(), "the operator's source file is not ours to delete"


def test_ingest_with_a_known_id_is_refused_whole(services: Services, tmp_path: Path) -> None:
    wav = make_wav(tmp_path / "in" / "a.wav")
    services.recordings.ingest([NewRecording(USER, T0, "first", id="rec-1")])
    batch = [
        NewRecording(USER, T0, "new one", id="rec-2", audio_file=wav),
        NewRecording(USER, T0, "clash", id="rec-1"),
    ]
    with pytest.raises(DuplicateRecording) as refused:
        services.recordings.ingest(batch)
    assert [e.message for e in refused.value.errors] == ["id is already stored"]
    assert [r.id for r in services.recordings.list(USER)] == ["rec-1"]
    assert list((tmp_path / "audio").glob("*.wav")) == [], "copied audio is rolled back too"
    assert _key_count(services) == 1, "no key of the refused batch is left"
    services.recordings.ingest([NewRecording(USER, T0, "after", id="rec-3")])
    assert sorted(r.id for r in services.recordings.list(USER)) == ["rec-1", "rec-3"]


def test_ingest_repeating_an_id_of_its_own_is_refused_whole(services: Services) -> None:
    from skill.store.recordings import INSERT_BATCH

    items = [NewRecording(USER, T0, f"n{i}", id=f"rec-{i}") for i in range(INSERT_BATCH * 3)]
    items.append(NewRecording(USER, T0, "again", id="rec-7"))
    with pytest.raises(DuplicateRecording):
        services.recordings.ingest(items)
    assert services.recordings.total(USER) == 0
    assert _key_count(services) == 0, "keys made ahead for the ingest are gone too"


def _key_count(services: Services) -> int:
    from sqlalchemy import func, select

    from skill.store.keystore import data_keys

    with services.keys.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(data_keys)).scalar_one())


def test_withdrawn_storage_consent_refuses_and_counts(services: Services) -> None:
    services.consent.set(OTHER_USER, "store_recordings", False, channel="cli")
    result = services.recordings.ingest(
        [
            NewRecording(USER, T0, "kept"),
            NewRecording(OTHER_USER, T0, "refused"),
            NewRecording(OTHER_USER, T0, "refused too"),
        ]
    )
    assert (result.ingested, result.refused) == (1, 2)
    assert result.refused_users == {OTHER_USER: 2}
    assert services.recordings.total(OTHER_USER) == 0
    refusals = [e for e in services.audit.for_user(OTHER_USER) if e.action == "ingest_refused"]
    assert [e.details["count"] for e in refusals] == [2]


def test_bulk_ingest_reports_progress_by_batch(services: Services) -> None:
    from skill.store.recordings import INSERT_BATCH

    total = INSERT_BATCH * 2 + 5
    seen: list[tuple[int, int]] = []
    items = [NewRecording(USER, T0 + timedelta(seconds=i), f"item {i}") for i in range(total)]
    result = services.recordings.ingest(items, progress=lambda done, of: seen.append((done, of)))
    assert result.ingested == total == services.recordings.total(USER)
    assert seen == [(INSERT_BATCH, total), (2 * INSERT_BATCH, total), (total, total)]
    newest = services.recordings.list(USER, limit=1)[0]
    assert newest.recorded_at == T0 + timedelta(seconds=total - 1)


def test_counts_stay_in_step_with_every_ingest_and_deletion(
    services: Services, tmp_path: Path
) -> None:
    from sqlalchemy import func, select

    from skill.store.recordings import recount
    from skill.store.schema import recordings

    wav = make_wav(tmp_path / "c.wav")
    seed(services, USER, *(T0 + timedelta(hours=h) for h in range(5)))
    seed(services, USER, T0 + timedelta(days=1), audio=wav)
    seed(services, OTHER_USER, T0)
    services.recordings.delete_range(USER, T0, T0 + timedelta(hours=2), channel="cli")
    services.recordings.delete_one(USER, services.recordings.list(USER)[0].id, channel="cli")

    summary = services.recordings.summary(USER)
    with services.engine.connect() as conn:
        actual = conn.execute(
            select(func.count(), func.count(recordings.c.audio_file)).where(
                recordings.c.user_id == USER
            )
        ).one()
    assert (summary.total, summary.with_audio) == tuple(actual) == (3, 0)
    assert services.recordings.total(OTHER_USER) == 1

    with services.engine.begin() as conn:  # a repair from the table itself agrees
        recount(conn, [USER, OTHER_USER])
    assert services.recordings.summary(USER) == summary
