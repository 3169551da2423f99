"""The ingest benchmark's floor: only the work no ingest can skip, in one process.

    python -m bench.ingest_floor FILE DATA_URL KEYSTORE_FILE

For each line of FILE: parse the JSON, make a data key and its id as the product does, seal
the transcript under it (AES-256-GCM, the recording id as associated data, base64 text:
``skill.store.crypto.seal_text``) and wrap the key under a master key (``crypto.seal``); then
``executemany`` the rows, 1,000 at a time, into the migrated ``recordings`` table and the key
store's ``data_keys`` table, each database in one transaction. SQLite: the driver's own
``executemany`` on connections set up as the product's are (WAL and ``secure_delete`` for the
data, rollback journal, ``secure_delete`` and ``synchronous=FULL`` for the key store).
PostgreSQL (a ``postgresql://`` DATA_URL): psycopg's ``executemany``. No validation, no
consent, no counts, no leases: what is left when everything the product adds is taken away.
Prints its peak memory (``VmHWM``, in kB) on stderr.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import sqlite3
import sys
import time
from datetime import UTC, datetime

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

BATCH = 1000
_CONTEXT = b"voice-privacy/1"
_RECORDING_COLUMNS = (
    "id, user_id, person_id, device_id, recorded_at, transcript, audio_file, source, "
    "ingested_at, key_id"
)
_KEY_COLUMNS = "key_id, wrapped, master_key_id, lease_id, created_at"


def _seal(cipher: AESGCM, plaintext: bytes, purpose: bytes, ident: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + cipher.encrypt(nonce, plaintext, b"\0".join((_CONTEXT, purpose, ident.encode())))


def main(argv: list[str]) -> None:
    path, data_url, keystore_file = argv
    pg = data_url.startswith("postgresql")
    master = AESGCM(os.urandom(32))
    master_id = secrets.token_hex(8)
    now = datetime.now(UTC)
    stamp: object = now if pg else now.replace(tzinfo=None).isoformat(" ", "microseconds")
    keys = sqlite3.connect(keystore_file, isolation_level=None)
    for pragma in ("journal_mode=DELETE", "secure_delete=ON", "synchronous=FULL"):
        keys.execute(f"PRAGMA {pragma}")
    if pg:
        import psycopg

        data = psycopg.connect(data_url.replace("postgresql+psycopg://", "postgresql://"))
        insert_data = data.cursor().executemany
        placeholders = ", ".join(["%s"] * 10)
    else:
        lite = sqlite3.connect(data_url.removeprefix("sqlite:///"), isolation_level=None)
        for pragma in ("journal_mode=WAL", "secure_delete=ON", "synchronous=NORMAL"):
            lite.execute(f"PRAGMA {pragma}")
        lite.execute("BEGIN IMMEDIATE")
        insert_data = lite.executemany
        placeholders = ", ".join(["?"] * 10)
    keys.execute("BEGIN IMMEDIATE")
    data_sql = f"INSERT INTO recordings ({_RECORDING_COLUMNS}) VALUES ({placeholders})"
    keys_sql = f"INSERT INTO data_keys ({_KEY_COLUMNS}) VALUES (?, ?, ?, NULL, ?)"
    key_stamp = now.replace(tzinfo=None).isoformat(" ", "microseconds")
    data_rows: list[tuple[object, ...]] = []
    key_rows: list[tuple[object, ...]] = []
    with open(path, "rb") as handle:
        for line in handle:
            record = json.loads(line)
            key_id = f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(10)}"
            key = os.urandom(32)
            recording_id = secrets.token_hex(16)
            sealed = _seal(AESGCM(key), record["transcript"].encode(), b"transcript", recording_id)
            moment = datetime.fromisoformat(record["recorded_at"]).astimezone(UTC)
            data_rows.append(
                (
                    recording_id,
                    record["user_id"],
                    record.get("person_id"),
                    record.get("device_id"),
                    moment if pg else moment.replace(tzinfo=None).isoformat(" ", "microseconds"),
                    base64.b64encode(sealed).decode("ascii"),
                    None,
                    "ingest",
                    stamp,
                    key_id,
                )
            )
            key_rows.append((key_id, _seal(master, key, b"data-key", key_id), master_id, key_stamp))
            if len(data_rows) == BATCH:
                keys.executemany(keys_sql, key_rows)
                insert_data(data_sql, data_rows)
                data_rows, key_rows = [], []
    if data_rows:
        keys.executemany(keys_sql, key_rows)
        insert_data(data_sql, data_rows)
    keys.execute("COMMIT")
    if pg:
        data.commit()
        data.close()
    else:
        lite.execute("COMMIT")
        lite.close()
    keys.close()
    print(f"VmHWM {peak_kb()}", file=sys.stderr)


def peak_kb() -> int:
    """This process's peak resident memory (``VmHWM`` of ``/proc/self/status``), in kB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


if __name__ == "__main__":
    main(sys.argv[1:])
