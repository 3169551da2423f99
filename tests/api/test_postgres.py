"""The API served on PostgreSQL: the rate limit holds across workers under concurrent
requests (row locks, not SQLite's one writer), and ingest, listing, export and deletion
work as on SQLite. PostgreSQL missing is a failure under CI=true (see ``postgres_url``)."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, func, select

from skill.store.db import normalise_url
from skill.store.keystore import data_keys
from skill.store.schema import recordings
from tests.api.conftest import Client, Reply, item, make_key, user_path, wav_bytes
from tests.conftest import env_for
from tests.shred.evidence import scratch_database
from tests.web.conftest import DevPki, Served, start_served, stop_served

USER = "amzn1.ask.account.PG.USER:1"


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, pki: DevPki, postgres_url: str
) -> Iterator[Served]:
    with scratch_database() as url:
        tmp = tmp_path_factory.mktemp("api-pg")
        running = start_served(tmp, pki, **env_for(tmp, url))
        try:
            yield running
        finally:
            stop_served(running)


def test_the_rate_limit_holds_across_workers_on_postgresql(served: Served) -> None:
    client = Client(served, make_key(served, "pg-slow", "consent", rate=6))
    replies: list[Reply] = []
    lock = threading.Lock()

    def one() -> None:
        reply = client.get(user_path(USER, "consent"))
        with lock:
            replies.append(reply)

    threads = [threading.Thread(target=one) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(r.status for r in replies) == [200] * 6 + [429] * 10
    assert all(int(r.headers["Retry-After"]) >= 1 for r in replies if r.status == 429)


def test_ingest_list_export_delete_on_postgresql(served: Served, admin: Client) -> None:
    sound = wav_bytes(b"PG-AUDIO" * 200)
    reply = admin.post("/recordings", {"recordings": [
        item(USER, "2026-11-26T09:00:00Z", "on postgres", id="pg-1", audio=sound),
        item(USER, "2026-11-26T10:00:00Z", "newer", id="pg-2"),
    ]})  # fmt: skip
    assert reply.json == {"ingested": 2, "refused": 0}
    page = admin.get(user_path(USER, "recordings", limit="1")).json
    assert [r["id"] for r in page["recordings"]] == ["pg-2"]
    page = admin.get(user_path(USER, "recordings", cursor=page["next_cursor"])).json
    assert [r["id"] for r in page["recordings"]] == ["pg-1"]
    with zipfile.ZipFile(io.BytesIO(admin.get(user_path(USER, "export")).body)) as archive:
        assert archive.read("audio/pg-1.wav") == sound

    engine = create_engine(normalise_url(served.env["PRIVACY_SKILL_DATABASE_URL"]))
    with engine.connect() as conn:
        key_ids = list(conn.execute(select(recordings.c.key_id)).scalars())
    assert admin.delete(user_path(USER, "recordings", all="true")).json == {"deleted": 2}
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(recordings)).scalar() == 0
    engine.dispose()
    keys = create_engine(served.env["PRIVACY_SKILL_KEYSTORE_URL"])
    with keys.connect() as conn:
        left = conn.execute(select(data_keys.c.key_id).where(data_keys.c.key_id.in_(key_ids)))
        assert left.all() == []
    keys.dispose()
