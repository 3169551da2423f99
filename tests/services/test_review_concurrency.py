"""The review queue under real concurrency, on PostgreSQL only.

Every worker is a thread with its own services (own engine, own connections),
as separate processes would be. Loops are bounded; the file runs in seconds.

How "after the withdrawal" is measured: audit ids come from one sequence and
are drawn inside the transactions. A hand-out writes its audit row while it
holds its user's consent row (shared); a withdrawal writes its audit row while
holding it exclusively. The two cannot overlap, so with correct locking every
hand-out's audit id of a user is below that user's withdrawal's. A hand-out
that slipped past a withdrawal (no lock, or a check outside the transaction)
would write its row later and get a higher id.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from skill.config import Config
from skill.services import Services, open_services
from skill.services.consent import ConsentChange
from skill.services.models import NewRecording
from skill.services.review import ItemUnavailable
from skill.store.schema import audit_events, recordings, review_items

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
def backend() -> str:
    """Only PostgreSQL: on SQLite every write transaction is serialised anyway."""
    return "postgresql"


@contextmanager
def own_services(config: Config) -> Iterator[Services]:
    opened = open_services(config, migrate=False)
    try:
        yield opened
    finally:
        opened.close()


def together(*jobs: Callable[[], Any]) -> list[Any]:
    """Run the jobs in threads that start at the same moment; re-raise any failure."""
    start = threading.Barrier(len(jobs))

    def run(job: Callable[[], Any]) -> Any:
        start.wait(timeout=10)
        return job()

    with ThreadPoolExecutor(len(jobs)) as pool:
        futures = [pool.submit(run, job) for job in jobs]
        return [future.result(timeout=60) for future in futures]


def users(n: int) -> list[str]:
    return [f"amzn1.ask.account.U{i:03d}" for i in range(n)]


def populate(services: Services, people: list[str], per_user: int) -> None:
    """Consent for everyone, ``per_user`` recordings each, users interleaved."""
    for user in people:
        services.consent.set(user, "human_review", True, channel="cli")
    services.recordings.ingest(
        [
            NewRecording(user, T0 + timedelta(minutes=i), f"utterance {i} of {user}")
            for i in range(per_user)
            for user in people
        ]
    )


def withdrawer(
    config: Config, targets: list[str], seed: int, *, purge_hook: bool = True
) -> Callable[[], dict[str, ConsentChange]]:
    def job() -> dict[str, ConsentChange]:
        pause = random.Random(seed)
        changes = {}
        with own_services(config) as mine:
            if not purge_hook:
                mine.consent.withdrawal_hooks.clear()
            for user in targets:
                time.sleep(pause.uniform(0, 0.004))
                changes[user] = mine.consent.set(user, "human_review", False, channel="voice")
        return changes

    return job


def audit_rows(services: Services, *actions: str) -> list[Any]:
    query = (
        select(audit_events.c.id, audit_events.c.user_id, audit_events.c.action)
        .where(audit_events.c.action.in_(actions))
        .order_by(audit_events.c.id)
    )
    with services.engine.connect() as conn:
        return list(conn.execute(query))


def open_items_of(services: Services, people: list[str]) -> int:
    query = select(func.count()).where(
        review_items.c.user_id.in_(people), review_items.c.state.in_(("pending", "claimed"))
    )
    with services.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def test_concurrent_reviewers_never_get_the_same_item(services: Services, config: Config) -> None:
    populate(services, users(20), per_user=10)
    assert services.review.sample(1.0).queued == 200

    def reviewer(name: str, seed: int) -> Callable[[], list[int]]:
        def job() -> list[int]:
            sizes = random.Random(seed)
            got: list[int] = []
            with own_services(config) as mine:
                for _ in range(300):
                    claimed = mine.review.claim(name, count=sizes.randint(1, 3))
                    if not claimed:
                        break
                    got.extend(c.id for c in claimed)
            return got

        return job

    names = [f"rev-{i}" for i in range(6)]
    handed = dict(zip(names, together(*(reviewer(n, i) for i, n in enumerate(names))), strict=True))

    every = [item for got in handed.values() for item in got]
    assert len(every) == len(set(every)), "an item was handed out twice"
    assert set(every) == {i.id for i in services.review.list_items()}
    assert services.review.stats() == {"pending": 0, "claimed": 200, "done": 0}
    owner = {i.id: i.reviewer for i in services.review.list_items()}
    assert all(owner[item] == name for name, got in handed.items() for item in got)
    assert sum(1 for got in handed.values() if got) >= 2, "the reviewers did run concurrently"


@pytest.mark.parametrize(
    "purge_hook", [True, False], ids=["withdrawal-purges", "hand-out-check-alone"]
)
def test_hand_outs_and_annotations_never_follow_a_withdrawal(
    services: Services, config: Config, purge_hook: bool
) -> None:
    """Reviewers claim (and half the time submit) while users withdraw.

    Without the purge hook the withdrawals leave the queue alone, so only the
    hand-out's own consent check, under the lock, keeps those items back.
    """
    people = users(40)
    populate(services, people, per_user=5)
    assert services.review.sample(1.0).queued == 200
    withdrawn = random.Random(1).sample(people, 20)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def reviewer(name: str, seed: int) -> Callable[[], None]:
        def job() -> None:
            coin = random.Random(seed)
            with own_services(config) as mine:
                for _ in range(400):
                    claimed = mine.review.claim(name)
                    if not claimed:
                        return
                    if coin.random() < 0.5:
                        try:
                            mine.review.submit(claimed[0].id, name, "corrected", "ok")
                            outcome = "submitted"
                        except ItemUnavailable:
                            outcome = "unavailable"
                        with lock:
                            outcomes[outcome] += 1

        return job

    results = together(
        *(reviewer(f"rev-{i}", i) for i in range(4)),
        withdrawer(config, withdrawn[::2], seed=10, purge_hook=purge_hook),
        withdrawer(config, withdrawn[1::2], seed=11, purge_hook=purge_hook),
    )
    changes: dict[str, ConsentChange] = {}
    for result in results:
        changes.update(result or {})

    events = audit_rows(services, "review_handout", "review_submitted", "consent_changed")
    withdrawal_id = {e.user_id: e.id for e in events if e.action == "consent_changed"}
    for event in events:
        if event.action != "consent_changed" and event.user_id in changes:
            assert event.id < withdrawal_id[event.user_id], (
                f"{event.action} of {event.user_id} committed after the withdrawal"
            )
    assert services.review.stats()["pending"] == 0, "every item was handed out or purged"
    handed_to_withdrawn = sum(
        1 for e in events if e.action == "review_handout" and e.user_id in changes
    )
    assert handed_to_withdrawn > 0, "the race was exercised: some hand-outs came first"
    assert outcomes["submitted"] > 0
    if purge_hook:
        assert open_items_of(services, withdrawn) == 0
        done = Counter(i.user_id for i in services.review.list_items(state="done"))
        for user, change in changes.items():
            assert change.purged + done[user] == 5, "the withdrawal purged every open item"


def test_sampling_racing_withdrawals_queues_nothing_of_withdrawn_users(
    services: Services, config: Config
) -> None:
    people = users(40)
    populate(services, people, per_user=40)
    withdrawn = random.Random(2).sample(people, 20)

    def sampler() -> int:
        with own_services(config) as mine:
            return mine.review.sample(0.5, batch_size=20).considered

    results = together(
        sampler,
        sampler,
        withdrawer(config, withdrawn[::2], seed=20),
        withdrawer(config, withdrawn[1::2], seed=21),
    )

    considered = [r for r in results if isinstance(r, int)]
    assert sum(considered) == 1600, "every recording decided exactly once"
    with services.engine.connect() as conn:
        undecided = conn.execute(
            select(func.count()).where(recordings.c.review_considered_at.is_(None))
        ).scalar_one()
    assert undecided == 0
    assert open_items_of(services, withdrawn) == 0, "an item of a withdrawn user remains"
    kept = [p for p in people if p not in withdrawn]
    assert open_items_of(services, kept) > 0


def test_deletions_withdrawals_sampling_and_claims_all_at_once(
    services: Services, config: Config
) -> None:
    """No deadlock, no foreign-key failure, and nothing left of deleted or withdrawn users."""
    people = users(30)
    populate(services, people, per_user=30)
    services.review.sample(0.5, batch_size=50)  # a queue to start from; more arrives below
    services.recordings.ingest(
        [
            NewRecording(u, T0 + timedelta(days=1, minutes=i), "later")
            for i in range(10)
            for u in people
        ]
    )
    shuffled = random.Random(3).sample(people, 20)
    deleted, withdrawn = shuffled[:12], shuffled[8:]  # four users do both

    def deleter() -> dict[str, int]:
        pause = random.Random(30)
        counts = {}
        with own_services(config) as mine:
            for user in deleted:
                time.sleep(pause.uniform(0, 0.004))
                counts[user] = mine.recordings.delete_all(user, channel="voice").count
        return counts

    def claimer() -> None:
        with own_services(config) as mine:
            for _ in range(200):
                if not mine.review.claim("rev", count=2):
                    time.sleep(0.002)

    def sampler() -> None:
        with own_services(config) as mine:
            mine.review.sample(0.5, batch_size=10)

    results = together(deleter, claimer, sampler, withdrawer(config, withdrawn, seed=31))

    assert all(n == 40 for n in results[0].values())
    with services.engine.connect() as conn:
        left = conn.execute(
            select(func.count()).where(review_items.c.user_id.in_(deleted))
        ).scalar_one()
    assert left == 0, "queue items of deleted recordings remain"
    assert open_items_of(services, withdrawn) == 0
