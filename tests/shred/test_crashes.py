"""kill -9 in the middle of a large ingest and of a large deletion, both with audio: nothing
readable is left in any file, and ``storage check --repair`` leaves no orphan and counts
that agree with what is stored."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from skill.config import Config
from skill.services import Services, open_services
from skill.services.models import NewRecording
from skill.store.keystore import data_keys, leases
from skill.store.schema import recordings
from tests.conftest import ROOT, USER, make_wav
from tests.shred.evidence import files_containing

CLI = str(ROOT / ".venv" / "bin" / "privacy-skill")
T0 = datetime(2026, 11, 20, 9, tzinfo=UTC)
LINES = 4000
"""Lines of the large ingest: each copies (seals) an audio file, so it takes seconds."""


def killed_when(argv: list[str], ready: Callable[[], bool], deadline: float = 60) -> None:
    """Run the CLI in a subprocess and SIGKILL it as soon as ``ready()``; the process must
    not have finished by then (else the test would prove nothing)."""
    process = subprocess.Popen(
        [CLI, *argv], env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    give_up = time.monotonic() + deadline
    try:
        while not ready():
            assert process.poll() is None, f"finished before the kill: {process.stderr}"
            assert time.monotonic() < give_up, "the process never got there"
            time.sleep(0.001)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def check(*flags: str) -> tuple[int, dict[str, object]]:
    done = subprocess.run(
        [CLI, "storage", "check", "--json", *flags],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, json.loads(done.stdout)


def stored_rows(services: Services) -> tuple[int, int]:
    with services.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(
                select(func.count(), func.count(recordings.c.audio_file)).where(
                    recordings.c.user_id == USER
                )
            ).one()
        )


def key_count(services: Services) -> int:
    with services.keys.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(data_keys)).scalar_one())


def fresh(config: Config) -> Services:
    """Services opened after the crash, as the next process would."""
    return open_services(config)


def test_kill_during_a_large_ingest_leaves_nothing_readable_and_repairs(
    env: dict[str, str], config: Config, services: Services, tmp_path: Path
) -> None:
    said = f"secret {uuid.uuid4().hex}"
    sound = f"SECRET-AUDIO-{uuid.uuid4().hex}".encode()
    folder = tmp_path / "incoming"
    make_wav(folder / "clip.wav", sound * 20)
    lines = (
        json.dumps(
            {
                "user_id": USER,
                "recorded_at": (T0 + timedelta(seconds=i)).isoformat(),
                "transcript": f"{said} {i}",
                "audio_file": "clip.wav",
            }
        )
        for i in range(LINES)
    )
    (folder / "big.jsonl").write_text("\n".join(lines) + "\n")
    audio = tmp_path / "audio"

    killed_when(
        ["ingest", str(folder / "big.jsonl")],
        lambda: audio.is_dir() and len(os.listdir(audio)) >= 300,
    )

    after = fresh(config)
    try:
        assert files_containing(tmp_path / "data", said.encode(), sound) == []
        assert files_containing(audio, said.encode(), sound) == [], "orphans hold ciphertext only"
        assert after.recordings.list(USER) == [] and stored_rows(after) == (0, 0)
        code, found = check()
        assert code == 1
        assert found["orphan_audio_files"] >= 300  # type: ignore[operator]
        assert found["abandoned_keys"] >= 300  # type: ignore[operator]

        code, _ = check("--repair")
        assert code == 0
        code, found = check()
        assert code == 0 and found["orphan_audio_files"] == found["abandoned_keys"] == 0
        assert os.listdir(audio) == []
        assert key_count(after) == 0, "the keys written ahead of the rows are swept"
        assert after.recordings.summary(USER).total == 0
    finally:
        after.close()


@pytest.fixture
def many(services: Services, tmp_path: Path) -> tuple[str, bytes]:
    said = f"secret {uuid.uuid4().hex}"
    sound = f"SECRET-AUDIO-{uuid.uuid4().hex}".encode()
    wav = make_wav(tmp_path / "in" / "clip.wav", sound * 20)
    services.recordings.ingest(
        [
            NewRecording(USER, T0 + timedelta(seconds=i), f"{said} {i}", audio_file=wav)
            for i in range(3000)
        ]
    )
    return said, sound


def test_kill_during_a_large_deletion_leaves_nothing_readable_and_repairs(
    env: dict[str, str],
    config: Config,
    services: Services,
    tmp_path: Path,
    many: tuple[str, bytes],
) -> None:
    said, sound = many
    with services.engine.connect() as conn:
        first = conn.execute(
            select(recordings.c.audio_file).order_by(recordings.c.id).limit(1)
        ).scalar_one()
    first_file = tmp_path / "audio" / first  # the deletion goes in id order

    killed_when(["recordings", "delete", "--user", USER, "--all"], lambda: not first_file.exists())

    after = fresh(config)
    try:
        for root in (tmp_path / "data", tmp_path / "audio"):
            assert files_containing(root, said.encode(), sound) == []
        readable = after.recordings.list(USER)
        rows, _ = stored_rows(after)
        assert 0 < len(readable) < rows, "killed in the middle: some keys are destroyed"
        code, found = check()
        assert code == 1 and found["rows_without_key"] == rows - len(readable)

        code, _ = check("--repair")
        assert code == 0
        code, found = check()
        assert code == 0
        assert found["orphan_audio_files"] == found["rows_without_key"] == 0
        assert found["rows_missing_audio"] == 0
        summary = after.recordings.summary(USER)
        assert (summary.total, summary.with_audio) == stored_rows(after)
        assert summary.total == len(after.recordings.list(USER)) == len(readable)
        assert len(os.listdir(tmp_path / "audio")) == summary.with_audio
        assert key_count(after) == summary.total
    finally:
        after.close()


DIES_AFTER_CHUNK = """
import os, sys
from skill.cli import main
from skill.services import recordings as service
from skill.store.keystore import KeyStore

service.KEY_CHUNK, service.INSERT_BATCH = 40, 10
real, made = KeyStore.create, []


def create(self, lease_id, count, **kw):
    keys = real(self, lease_id, count, **kw)
    made.append(count)
    if len(made) == int(sys.argv[2]):
        os._exit(9)  # the key chunk has committed; the rows using it have not
    return keys


KeyStore.create = create
sys.exit(main(["ingest", sys.argv[1]]))
"""


@pytest.mark.parametrize("chunk", [1, 2])
def test_a_crash_at_a_key_chunk_boundary_leaves_nothing_readable_and_repairs(
    env: dict[str, str], config: Config, services: Services, tmp_path: Path, chunk: int
) -> None:
    """The process dies just after a chunk of keys committed (the first one opens the lease
    in the same commit), in the middle of the data transaction: no row is stored, and the
    keys are the abandoned lease's, which the repair removes."""
    said = f"secret {uuid.uuid4().hex}"
    source = tmp_path / "in" / "big.jsonl"
    source.parent.mkdir()
    records = (
        {"user_id": USER, "recorded_at": (T0 + timedelta(seconds=i)).isoformat(),
         "transcript": f"{said} {i}"}
        for i in range(200)
    )  # fmt: skip
    source.write_text("".join(json.dumps(record) + "\n" for record in records))
    script = tmp_path / "dies.py"
    script.write_text(DIES_AFTER_CHUNK)
    python = str(ROOT / ".venv" / "bin" / "python")
    done = subprocess.run(
        [python, str(script), str(source), str(chunk)], env=dict(os.environ), cwd=ROOT,
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 9, done.stderr

    after = fresh(config)
    try:
        assert files_containing(tmp_path / "data", said.encode()) == []
        assert after.recordings.list(USER) == [] and stored_rows(after) == (0, 0)
        assert key_count(after) == 40 * chunk
        code, found = check()
        assert code == 1 and found["abandoned_keys"] == 40 * chunk
        code, _ = check("--repair")
        assert code == 0
        code, found = check()
        assert code == 0 and found["abandoned_keys"] == 0
        assert key_count(after) == 0, "the keys written ahead of the rows are swept"
        with after.keys.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(leases)).scalar_one() == 0
        assert after.recordings.summary(USER).total == 0
    finally:
        after.close()
