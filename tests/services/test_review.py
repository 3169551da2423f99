"""The human-review queue: sampling with consent, hand-outs, annotations and purges."""

from __future__ import annotations

import json
from dataclasses import asdict, fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from skill.config import Config, ConsentPolicy
from skill.services import Services, open_services
from skill.services.review import ItemNotClaimed, ItemUnavailable, ReviewItem
from skill.store.schema import audit_events, recordings, review_annotations, review_items
from tests.conftest import OTHER_USER, USER, make_wav, seed
from tests.services.test_deleted_means_deleted import stored

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
UNDECIDED = "amzn1.ask.account.CAROL"
SECRET = "my new door code is five five one two"


def times(n: int) -> list[datetime]:
    return [T0 + timedelta(minutes=i) for i in range(n)]


def grant(services: Services, *users: str) -> None:
    for user in users:
        services.consent.set(user, "human_review", True, channel="cli")


def recording_ids(services: Services, user: str) -> set[str]:
    return {r.id for r in services.recordings.list(user)}


def rows(services: Services, table: Any) -> list[Any]:
    with services.engine.connect() as conn:
        return list(conn.execute(select(table)))


def audit_without_user(services: Services, action: str) -> list[dict[str, Any]]:
    query = select(audit_events.c.details).where(
        audit_events.c.user_id.is_(None), audit_events.c.action == action
    )
    with services.engine.connect() as conn:
        return [dict(details) for (details,) in conn.execute(query)]


def queue(services: Services, user: str, n: int) -> list[int]:
    """Give ``user`` consent and ``n`` recordings, sample them all; their item ids."""
    grant(services, user)
    seed(services, user, *times(n))
    services.review.sample(1.0)
    return [item.id for item in services.review.list_items() if item.user_id == user]


# -- sampling -----------------------------------------------------------------


def test_rate_one_queues_exactly_the_recordings_of_consenting_users(services: Services) -> None:
    grant(services, USER)
    services.consent.set(OTHER_USER, "human_review", False, channel="voice")
    for user in (USER, OTHER_USER, UNDECIDED):
        seed(services, user, *times(3))

    result = services.review.sample(1.0)

    assert (result.considered, result.queued, result.skipped_no_consent) == (9, 3, 6)
    items = services.review.list_items()
    assert {item.recording_id for item in items} == recording_ids(services, USER)
    assert {item.user_id for item in items} == {USER}
    assert all(item.state == "pending" and item.reviewer is None for item in items)
    assert services.review.stats() == {"pending": 3, "claimed": 0, "done": 0}
    assert audit_without_user(services, "review_sampled") == [
        {"rate": 1.0, "considered": 9, "queued": 3, "skipped_no_consent": 6}
    ]


def test_each_recording_gets_exactly_one_decision(services: Services) -> None:
    seed(services, USER, *times(4))  # no consent yet: considered, not queued
    assert services.review.sample(1.0).considered == 4

    grant(services, USER)
    again = services.review.sample(1.0)
    assert (again.considered, again.queued) == (0, 0), "nothing is considered twice"

    seed(services, USER, T0 + timedelta(days=1))
    later = services.review.sample(1.0)
    assert (later.considered, later.queued) == (1, 1), "only the new recording"
    with services.engine.connect() as conn:
        undecided = conn.execute(
            select(func.count()).where(recordings.c.review_considered_at.is_(None))
        ).scalar_one()
    assert undecided == 0


def test_seeded_sampling_is_repeatable_whatever_the_batch_size(services: Services) -> None:
    grant(services, USER, OTHER_USER)
    seed(services, USER, *times(150))
    seed(services, OTHER_USER, *times(150))

    def run(batch_size: int) -> set[str]:
        services.review.sample(0.3, seed=42, batch_size=batch_size)
        chosen = {item.recording_id for item in services.review.list_items()}
        with services.engine.begin() as conn:  # forget the run
            conn.execute(review_items.delete())
            conn.execute(update(recordings).values(review_considered_at=None))
        return chosen

    first = run(37)
    assert 40 < len(first) < 140
    assert run(1000) == first
    assert run(37) == first


def test_a_small_rate_queues_about_that_share(services: Services) -> None:
    grant(services, USER)
    seed(services, USER, *(T0 + timedelta(seconds=i) for i in range(4000)))
    calls: list[tuple[int, int]] = []

    result = services.review.sample(0.05, progress=lambda done, total: calls.append((done, total)))

    assert result.considered == 4000 and result.skipped_no_consent == 0
    # 200 expected, standard deviation about 14: this window is more than 4 of them.
    assert 130 <= result.queued <= 270
    assert calls == [(0, 4000), (1000, 4000), (2000, 4000), (3000, 4000), (4000, 4000)]
    batches = audit_without_user(services, "review_sampled")
    assert [b["considered"] for b in batches] == [1000] * 4
    assert sum(b["queued"] for b in batches) == result.queued


@pytest.mark.parametrize("rate", [0, -0.1, 1.01, float("nan")])
def test_rate_must_be_above_zero_and_at_most_one(services: Services, rate: float) -> None:
    with pytest.raises(ValueError, match="rate"):
        services.review.sample(rate)


# -- hand-out and annotation ----------------------------------------------------


def test_claim_hands_out_oldest_first_with_what_a_reviewer_needs(
    services: Services, tmp_path: Path
) -> None:
    grant(services, USER)
    seed(services, USER, T0, audio=make_wav(tmp_path / "in" / "a.wav"))
    seed(services, USER, T0 + timedelta(hours=1), transcript=lambda i: "play some jazz")
    services.review.sample(1.0)
    seed(services, USER, T0 + timedelta(hours=2))
    services.review.sample(1.0)
    first_id, second_id, third_id = (item.id for item in services.review.list_items())

    claimed = services.review.claim("rev-ann", count=2)

    assert [c.id for c in claimed] == [first_id, second_id]
    assert {c.user_id for c in claimed} == {USER}
    by_time = {c.recorded_at: c for c in claimed}
    assert by_time[T0].has_audio and by_time[T0].transcript == "sample utterance 0"
    assert by_time[T0 + timedelta(hours=1)].transcript == "play some jazz"
    assert services.review.stats() == {"pending": 1, "claimed": 2, "done": 0}
    mine = services.review.list_items(state="claimed")
    assert [(i.id, i.reviewer) for i in mine] == [(first_id, "rev-ann"), (second_id, "rev-ann")]
    assert all(i.claimed_at is not None for i in mine)

    assert [c.id for c in services.review.claim("rev-bo", count=5)] == [third_id]
    assert services.review.claim("rev-bo") == []


def test_submit_records_the_annotation_for_the_claiming_reviewer_only(
    services: Services,
) -> None:
    first, second, third = queue(services, USER, 3)
    services.review.claim("rev-ann", count=2)

    with pytest.raises(ItemNotClaimed, match="another reviewer"):
        services.review.submit(first, "rev-bo", "fixed", "ok")
    with pytest.raises(ItemNotClaimed, match="not claimed"):
        services.review.submit(third, "rev-ann", "fixed", "ok")

    services.review.submit(first, "rev-ann", "turn on the lights", "misrecognised")

    assert services.review.stats() == {"pending": 1, "claimed": 1, "done": 1}
    [annotation] = rows(services, review_annotations)
    assert (annotation.item_id, annotation.reviewer) == (first, "rev-ann")
    opened = services.review.annotation(first)  # stored sealed: opened with its key
    assert opened is not None
    assert (opened.corrected_transcript, annotation.label) == (
        "turn on the lights",
        "misrecognised",
    )
    [done] = services.review.list_items(state="done")
    assert done.id == first and done.done_at is not None
    with pytest.raises(ItemNotClaimed, match="already done"):
        services.review.submit(first, "rev-ann", "again", "ok")
    assert second in [i.id for i in services.review.list_items(state="claimed")]


def test_list_items_has_user_ids_and_never_content(services: Services) -> None:
    queue(services, USER, 2)
    queue(services, OTHER_USER, 1)
    assert {f.name for f in fields(ReviewItem)} == {
        "id",
        "recording_id",
        "user_id",
        "state",
        "reviewer",
        "queued_at",
        "claimed_at",
        "done_at",
    }
    items = services.review.list_items()
    assert [i.user_id for i in items] == [USER, USER, OTHER_USER]
    assert "sample utterance" not in json.dumps([asdict(i) for i in items], default=str)
    assert len(services.review.list_items(limit=2)) == 2
    assert services.review.list_items(state="done") == []
    with pytest.raises(ValueError, match="unknown state"):
        services.review.list_items(state="lost")


def test_submit_after_a_withdrawal_says_the_item_is_no_longer_available(
    services: Services,
) -> None:
    [item] = queue(services, USER, 1)
    services.review.claim("rev-ann")
    services.consent.set(USER, "human_review", False, channel="voice")

    with pytest.raises(ItemUnavailable, match=f"item {item} is no longer available"):
        services.review.submit(item, "rev-ann", SECRET, "ok")
    assert rows(services, review_annotations) == []


def test_submit_after_the_recording_was_deleted_says_no_longer_available(
    services: Services,
) -> None:
    [item] = queue(services, USER, 1)
    services.review.claim("rev-ann")
    services.recordings.delete_all(USER, channel="voice")

    with pytest.raises(ItemUnavailable, match="no longer available"):
        services.review.submit(item, "rev-ann", SECRET, "ok")


# -- purges -----------------------------------------------------------------------


def test_deletion_removes_queue_items_and_annotations_with_their_text(
    services: Services, tmp_path: Path
) -> None:
    done, claimed, _pending = queue(services, USER, 3)
    queue(services, OTHER_USER, 1)
    services.review.claim("rev-ann", count=2)
    services.review.submit(done, "rev-ann", SECRET, "ok")
    assert stored(services, tmp_path, SECRET.encode()), "precondition: the correction is kept"

    deletion = services.recordings.delete_all(USER, channel="voice")

    assert deletion.count == 3
    assert {r.user_id for r in rows(services, review_items)} == {OTHER_USER}
    assert rows(services, review_annotations) == []
    assert stored(services, tmp_path, SECRET.encode()) == []
    event = next(e for e in services.audit.for_user(USER) if e.action == "recordings_deleted")
    assert event.details["review_items"] == 3
    assert claimed not in [i.id for i in services.review.list_items()]


def test_range_deletion_counts_only_the_items_it_removes(services: Services) -> None:
    grant(services, USER)
    seed(services, USER, T0, T0 + timedelta(days=2))
    services.review.sample(1.0)

    services.recordings.delete_range(USER, T0, T0 + timedelta(days=1), channel="cli")

    event = next(e for e in services.audit.for_user(USER) if e.action == "recordings_deleted")
    assert event.details["review_items"] == 1
    assert services.review.stats()["pending"] == 1


def test_withdrawal_by_voice_purges_that_users_pending_and_claimed_items_only(
    services: Services,
) -> None:
    done, claimed, pending = queue(services, USER, 3)
    theirs = queue(services, OTHER_USER, 2)
    services.review.claim("rev-ann", count=2)  # USER's first two
    services.review.submit(done, "rev-ann", "corrected words", "ok")

    change = services.consent.set(USER, "human_review", False, channel="voice", request_id="r-9")

    assert change.purged == 2
    remaining = {i.id: i for i in services.review.list_items()}
    assert claimed not in remaining and pending not in remaining
    assert remaining[done].state == "done", "annotated with consent, before the withdrawal"
    assert {i for i, item in remaining.items() if item.user_id == OTHER_USER} == set(theirs)

    events = services.audit.for_user(USER)
    actions = [e.action for e in events]
    assert actions.count("review_handout") == 2 and "review_submitted" in actions
    purge = next(e for e in events if e.action == "review_purged")
    assert (purge.channel, purge.request_id) == ("voice", "r-9")
    assert purge.details == {"reason": "consent_withdrawn", "count": 2}
    handout = next(e for e in events if e.action == "review_handout")
    assert set(handout.details) == {"item_id", "recording_id", "reviewer"}
    every_detail = json.dumps([e.details for e in events])
    assert "sample utterance" not in every_detail and "corrected words" not in every_detail


def test_withdrawing_another_purpose_leaves_the_queue_alone(services: Services) -> None:
    queue(services, USER, 2)
    change = services.consent.set(USER, "store_recordings", False, channel="voice")
    assert change.purged == 0 and services.review.stats()["pending"] == 2


def test_hand_out_purges_items_whose_consent_is_no_longer_granted(
    services: Services, config: Config
) -> None:
    # Queued under a policy that defaulted to review on; the person never decided.
    opted_in = open_services(
        replace(config, policy=ConsentPolicy({"human_review": True, "store_recordings": True}))
    )
    try:
        seed(opted_in, UNDECIDED, *times(2))
        assert opted_in.review.sample(1.0).queued == 2
    finally:
        opted_in.close()
    queue(services, USER, 1)

    # The deployment's default is now off: those two must never be handed out.
    claimed = services.review.claim("rev-ann", count=5)

    assert [c.user_id for c in claimed] == [USER]
    assert {i.user_id for i in services.review.list_items()} == {USER}
    [purge] = [e for e in services.audit.for_user(UNDECIDED) if e.action == "review_purged"]
    assert purge.details == {"reason": "consent_not_granted", "count": 2}


def test_reviewer_and_label_are_checked(services: Services) -> None:
    [item] = queue(services, USER, 1)
    with pytest.raises(ValueError, match="reviewer"):
        services.review.claim(" ")
    with pytest.raises(ValueError, match="count"):
        services.review.claim("rev-ann", count=0)
    services.review.claim("rev-ann")
    with pytest.raises(ValueError, match="label"):
        services.review.submit(item, "rev-ann", "text", "x" * 65)
