"""Several processes opening a new database at once all bind it to the same key store.

The race is made certain: the first opener reads the database's storage entries, and before it
reads the key store's identity another opener (another engine on the same files, as another
process would be) binds the database to the key store. The first must then find its own
database's key store, not refuse it as another database's (what four ``db upgrade`` processes
at once through pgbouncer once hit).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from skill.config import Config
from skill.store.binding import key_settings, open_key_store, read_meta
from skill.store.db import open_database, reading, upgrade
from skill.store.keystore import KeyStore


def test_a_database_bound_by_another_opener_between_two_reads_still_opens(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = key_settings(config).keystore_url
    assert url is not None and url.startswith("sqlite:///")
    Path(url.removeprefix("sqlite:///")).touch()  # made empty beforehand, as a server's would be
    first = open_database(config.database_url)
    upgrade(first)
    real = KeyStore.read_identity
    others: list[Engine] = []

    def another_process_binds_first(engine: Engine, url: str) -> Any:
        if not others:
            others.append(open_database(config.database_url))
            open_key_store(config, others[0]).close()
        return real(engine, url)

    monkeypatch.setattr(KeyStore, "read_identity", staticmethod(another_process_binds_first))
    keys = open_key_store(config, first)
    try:
        assert others, "the other opener never ran"
        with reading(first) as conn:
            meta = read_meta(conn)
        identity = keys.identity()
        assert meta["keystore_id"] == identity.store_id
        assert meta["data_db_id"] == identity.data_db_id
    finally:
        keys.close()
        first.dispose()
        for engine in others:
            engine.dispose()
