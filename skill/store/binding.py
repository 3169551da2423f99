"""Which key store a data database belongs to, and opening it.

The data database records its own id and the id of its key store (``storage_meta``); the key
store records the data database's id. A process whose key store is missing, empty or another
one stops with a clear error before it reads or deletes anything: without the right key store
every row would look deleted, and treating them so would wipe the data.

The first process to open a new (or not yet encrypted) data database creates the key store,
and for the embedded default its master key file, and binds the two. After that, opening
only reads.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from skill.config import Config
from skill.errors import ConfigError
from skill.store import recordings as stored_recordings
from skill.store.db import display_url, normalise_url, reading
from skill.store.keystore import Identity, KeyStore, KeyStoreError, open_keystore_engine
from skill.store.masterkey import (
    ENV,
    MasterKeys,
    create_key_file,
    key_file_for,
    parse_keys,
    read_key_file,
)
from skill.store.schema import storage_meta
from skill.store.upsert import insert_or_ignore

__all__ = ["KeySettings", "key_settings", "open_key_store", "read_meta", "set_meta"]

PLAINTEXT_PENDING = "plaintext_pending"
"""``storage_meta`` mark: rows from before encryption wait to be sealed."""


# -- the data database's side ------------------------------------------------------


def read_meta(conn: Connection) -> dict[str, str]:
    """Every ``storage_meta`` entry."""
    rows = conn.execute(select(storage_meta.c.name, storage_meta.c.value))
    return {str(name): str(value) for name, value in rows}


def set_meta(conn: Connection, name: str, value: str | None) -> None:
    """Set (or with None, remove) one entry."""
    conn.execute(storage_meta.delete().where(storage_meta.c.name == name))
    if value is not None:
        conn.execute(storage_meta.insert().values(name=name, value=value))


def _ensure(engine: Engine, name: str, value: str) -> str:
    """The entry ``name``, written as ``value`` unless another process wrote it first."""
    with engine.begin() as conn:
        insert_or_ignore(conn, storage_meta, {"name": name, "value": value})
        return read_meta(conn)[name]


# -- settings ----------------------------------------------------------------------


def _is_postgres(url: str) -> bool:
    try:
        return make_url(normalise_url(url)).get_backend_name() == "postgresql"
    except ArgumentError:
        return False


def _sqlite_path(url: str) -> Path | None:
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


@dataclass(frozen=True)
class KeySettings:
    """Where the key store and its master key are, as configured (nothing is opened)."""

    keystore_url: str | None
    """The key store's URL; None when it cannot be derived (set it explicitly)."""
    key_file: Path | None
    """The master key file, for the embedded default; None when the key comes from ``ENV``."""


def key_settings(config: Config) -> KeySettings:
    """The key store URL and key file ``config`` implies (``ConfigError`` never raised)."""
    url = config.keystore_url
    if url is None:
        data = _sqlite_path(config.database_url)
        if data is not None:
            url = f"sqlite:///{data.with_name(data.stem + '.keystore.db')}"
    key_file = None
    if config.master_key is None and url is not None:
        path = _sqlite_path(url)
        key_file = key_file_for(path) if path is not None else None
    return KeySettings(url, key_file)


def master_key_id(config: Config) -> str | None:
    """The current master key's id, if the key is there to read (for ``info``)."""
    try:
        if config.master_key is not None:
            return parse_keys(config.master_key, ENV)[0].id
        settings = key_settings(config)
        if settings.key_file is not None and settings.key_file.exists():
            return read_key_file(settings.key_file)[0].id
    except ConfigError:
        return None
    return None


def _required_settings(config: Config) -> KeySettings:
    if _is_postgres(config.database_url) and not (config.keystore_url and config.master_key):
        raise ConfigError(
            "with a PostgreSQL database, set PRIVACY_SKILL_KEYSTORE_URL (where the data keys "
            f"live: a separate PostgreSQL cluster or a SQLite file) and {ENV} (base64 of 32 "
            "bytes, from your secret manager) explicitly; see the README, "
            "Deletion, keys and backups"
        )
    settings = key_settings(config)
    if settings.keystore_url is None:
        raise ConfigError(
            "PRIVACY_SKILL_KEYSTORE_URL must be set: there is no SQLite database file to put "
            "the key store beside"
        )
    if _is_postgres(settings.keystore_url) and config.master_key is None:
        raise ConfigError(f"a PostgreSQL key store needs {ENV}: a key file is only for SQLite")
    return settings


def _masters(config: Config, settings: KeySettings, *, create: bool) -> MasterKeys:
    if config.master_key is not None:
        return MasterKeys(parse_keys(config.master_key, ENV))
    key_file = settings.key_file
    assert key_file is not None
    if create and not key_file.exists():
        return MasterKeys([create_key_file(key_file)], key_file)
    return MasterKeys(read_key_file(key_file), key_file)


# -- attaching ---------------------------------------------------------------------


def open_key_store(config: Config, engine: Engine) -> KeyStore:
    """The key store ``engine``'s data database belongs to, checked; see the module docstring.

    Raises ``ConfigError`` for missing settings and ``KeyStoreError`` for a key store that is
    missing, empty, another one, or opened with the wrong master key.
    """
    settings = _required_settings(config)
    url = settings.keystore_url
    assert url is not None
    with reading(engine) as conn:
        meta = read_meta(conn)
        sealed = stored_recordings.any_sealed(conn)
    bound = meta.get("keystore_id")
    keys_engine = open_keystore_engine(url, create=False)
    identity = KeyStore.read_identity(keys_engine, url) if keys_engine is not None else None
    if identity is not None and bound is None:
        # Several processes starting at once on a new database: another may have bound it
        # to the key store between the two reads (its data_db_id is written before the key
        # store is made). Read again, or this one would take it for another database's.
        with reading(engine) as conn:
            meta = read_meta(conn)
            sealed = stored_recordings.any_sealed(conn)
        bound = meta.get("keystore_id")
    shown = display_url(url)
    if bound is not None:
        if identity is None:
            if keys_engine is not None:
                keys_engine.dispose()
            raise KeyStoreError(
                f"the key store {shown} is missing or empty, but this database's content is "
                f"sealed with the keys of key store {bound}. Point PRIVACY_SKILL_KEYSTORE_URL at "
                "that key store or restore it from a backup. Nothing was changed: without its "
                "key store no recording can be read, and none is treated as deleted."
            )
        _check_belongs(identity, bound, meta.get("data_db_id"), shown, keys_engine)
    elif sealed:
        raise KeyStoreError(
            "this database holds sealed recordings but records no key store; nothing was changed"
        )
    elif identity is not None and identity.data_db_id != meta.get("data_db_id"):
        assert keys_engine is not None
        keys_engine.dispose()
        raise KeyStoreError(
            f"the key store {shown} belongs to another data database (id {identity.data_db_id}); "
            "give this database a key store of its own. Nothing was changed."
        )
    masters = _masters(config, settings, create=identity is None)
    if identity is None:  # a new data database (or one from before encryption)
        data_db_id = _ensure(engine, "data_db_id", uuid.uuid4().hex)
        keys_engine = keys_engine or open_keystore_engine(url, create=True)
        assert keys_engine is not None
        identity = KeyStore.initialise(keys_engine, url, data_db_id, masters.current.id)
    assert keys_engine is not None
    keys = KeyStore(keys_engine, url, masters)
    try:
        _check_master_keys(keys, identity)
        if bound is None:
            if _ensure(engine, "keystore_id", identity.store_id) != identity.store_id:
                raise KeyStoreError("another process bound this database to another key store")
        elif sealed and keys.is_blank():
            raise KeyStoreError(
                f"the key store {shown} holds no keys and no record of destroyed ones, but this "
                "database holds sealed recordings: it is not this database's key store (or a "
                "backup from before any recording). Nothing was changed."
            )
    except BaseException:
        keys.close()
        raise
    return keys


def _check_belongs(
    identity: Identity, bound: str, data_db_id: str | None, shown: str, engine: Engine | None
) -> None:
    if identity.store_id != bound or identity.data_db_id != data_db_id:
        if engine is not None:
            engine.dispose()
        raise KeyStoreError(
            f"the key store {shown} (id {identity.store_id}) is not the one this database "
            f"belongs to (id {bound}). Point PRIVACY_SKILL_KEYSTORE_URL at the right one. "
            "Nothing was changed."
        )


def _check_master_keys(keys: KeyStore, identity: Identity) -> None:
    """The configured master keys must open every data key the store holds."""
    held = set(keys.masters.ids)
    current = keys.masters.current.id
    store = identity.master_key_id
    if identity.rotation_to is not None:
        if identity.rotation_to not in held:
            raise KeyStoreError(
                f"the key store is being moved to master key {identity.rotation_to} "
                f"(keys rotate-master); this process needs that key in {ENV} or the key file"
            )
        if store not in held:
            raise KeyStoreError(
                f"until keys rotate-master finishes, this process also needs the previous "
                f"master key {store}"
            )
        return
    if current == store:
        return
    if store not in held:
        raise KeyStoreError(
            f"the master key given (id {current}) is not this key store's master key "
            f"(id {store}); its data keys cannot be opened with it. Nothing was changed."
        )
    # A new current key beside the store's: new data keys will be wrapped by it. Record that a
    # move to it is under way, so processes without it refuse to start.
    keys.set_rotation(current)
