"""Many processes' worth of clients share pgbouncer's 10 server connections.

Each client is a thread with services of its own (own engine, own connection pool), as a
gunicorn worker or a Lambda container would be. With more clients than server connections,
a client's successive transactions run on different server connections: anything kept in
a server session between transactions (a prepared statement, a ``SET``, a session lock)
would be missing there, or in someone else's way. Every answer must still be right.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest

from skill.config import Config
from skill.services import Services
from skill.services.container import Overview
from tests.conftest import seed
from tests.pgbouncer.server import Pgbouncer, server_count
from tests.services.test_review_concurrency import T0, own_services, together, users

pytestmark = pytest.mark.postgres

CLIENTS = 40
ROUNDS = 15
"""More than psycopg's default prepare threshold (5) on every client connection."""


def test_forty_clients_through_ten_server_connections_all_get_their_own_answers(
    services: Services, config: Config, pgbouncer: Pgbouncer, database_url: str
) -> None:
    people = users(CLIENTS)
    for n, user in enumerate(people):
        seed(services, user, *(T0 + timedelta(minutes=i) for i in range(1 + n % 4)))
    services.consent.set(people[0], "human_review", True, channel="cli")
    done = threading.Barrier(CLIENTS + 1)
    release = threading.Event()

    def client(user: str) -> Callable[[], list[Overview]]:
        def job() -> list[Overview]:
            with own_services(config) as mine:
                answers = [mine.overview(user) for _ in range(ROUNDS)]
                done.wait(timeout=60)  # every client still holds its connection here
                release.wait(timeout=60)
                return answers

        return job

    results: list[list[Overview]] = []
    runner = threading.Thread(target=lambda: results.extend(together(*map(client, people))))
    runner.start()
    done.wait(timeout=60)
    pools = pgbouncer.pools()
    release.set()
    runner.join(timeout=60)

    assert len(results) == CLIENTS
    for n, (user, answers) in enumerate(zip(people, results, strict=True)):
        assert {a.summary.total for a in answers} == {1 + n % 4}, user
        assert {a.consent["human_review"] for a in answers} == {n == 0}, user
    database = database_url.rsplit("/", 1)[1]
    pool = pools[database]
    assert pool["cl_active"] + pool["cl_waiting"] >= CLIENTS, "every client was connected"
    assert 0 < server_count(pool) <= pgbouncer.pool_size, "through at most 10 server connections"
