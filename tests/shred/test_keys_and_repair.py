"""``storage check``'s repairs, the key store's leases, and ``keys rotate-master``."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, update

from skill.cli import main
from skill.config import Config
from skill.services import Services, open_services
from skill.services.models import NewRecording
from skill.store import crypto
from skill.store.keystore import data_keys, leases
from skill.store.masterkey import master_key_id
from skill.store.schema import recordings
from tests.conftest import USER, make_wav

T0 = datetime(2026, 11, 26, 9, tzinfo=UTC)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object]]:
    code = main([*argv, "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out or err)


def seed_three(services: Services, tmp_path: Path) -> list[str]:
    wav = make_wav(tmp_path / "in" / "a.wav")
    services.recordings.ingest(
        [
            NewRecording(USER, T0 + timedelta(minutes=i), f"said {i}", audio_file=wav)
            for i in range(3)
        ]
    )
    return [r.id for r in services.recordings.list(USER)]


def test_a_key_missing_without_a_tombstone_is_kept_unless_forced(
    env: dict[str, str], services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    newest, *_ = seed_three(services, tmp_path)
    with services.engine.connect() as conn:
        from skill.store.schema import recordings

        key_id = conn.execute(
            select(recordings.c.key_id).where(recordings.c.id == newest)
        ).scalar_one()
    with services.keys.engine.begin() as conn:  # as if the key store came from an old backup
        conn.execute(delete(data_keys).where(data_keys.c.key_id == key_id))

    code, report = run(capsys, "storage", "check")
    assert code == 1 and report["rows_without_key"] == 1
    assert report["rows_without_key_by_reason"] == {
        "key_destroyed": 0,
        "key_missing": 1,
        "never_encrypted": 0,
    }
    assert [r.transcript for r in services.recordings.list(USER)] == ["said 1", "said 0"]

    code, report = run(capsys, "storage", "check", "--repair")
    assert code == 1 and report["kept"] == 1, "not removed without --force"
    assert services.recordings.summary(USER).total == 3

    code, report = run(capsys, "storage", "check", "--repair", "--force")
    assert code == 0 and report["kept"] == 0
    assert services.recordings.summary(USER).total == 2
    assert len(list((tmp_path / "audio").glob("*.wav"))) == 2
    code, report = run(capsys, "storage", "check")
    assert code == 0 and report["rows_without_key"] == report["orphan_audio_files"] == 0


def test_lost_audio_and_stray_files_are_repaired(
    env: dict[str, str], services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_three(services, tmp_path)
    audio = tmp_path / "audio"
    lost = sorted(audio.glob("*.wav"))[0]
    lost.unlink()
    stray_sealed = audio / f"{'a' * 32}.wav"
    stray_sealed.write_bytes(b"VPA1" + os.urandom(64))
    stray_plain = audio / f"{'b' * 32}.wav"
    stray_plain.write_bytes(b"RIFF plaintext from long ago")
    partial = audio / f".{'c' * 32}.wav.tmp"
    partial.write_bytes(b"")

    code, report = run(capsys, "storage", "check")
    assert code == 1
    assert (report["rows_missing_audio"], report["orphan_audio_files"]) == (1, 3)

    assert run(capsys, "storage", "check", "--repair")[0] == 0
    assert not stray_sealed.exists() and not stray_plain.exists() and not partial.exists()
    summary = services.recordings.summary(USER)
    assert (summary.total, summary.with_audio) == (3, 2)
    assert sorted(r.has_audio for r in services.recordings.list(USER)) == [False, True, True]
    code, report = run(capsys, "storage", "check")
    assert code == 0 and report["rows_missing_audio"] == report["orphan_audio_files"] == 0
    event = [e for e in services.audit.for_user(USER) if e.action == "storage_repaired"]
    assert event and "said" not in json.dumps([e.details for e in event])


def test_a_running_ingest_is_never_swept(services: Services, tmp_path: Path) -> None:
    """Keys and files written ahead of rows not yet committed belong to a live lease."""
    wav = make_wav(tmp_path / "in" / "a.wav")
    lease = services.keys.open_lease()
    [(key_id, key)] = services.keys.create(lease, 1)
    name = services.recordings.audio.put(wav, key_id=key_id, key=key, recording_id="r", limit=None)

    report = services.storage.check(repair=True)

    assert report.orphan_audio_files == report.abandoned_keys == 0
    assert (tmp_path / "audio" / name).exists()
    assert services.keys.fetch([key_id]) == {key_id: key}
    from skill.services.storage import sweep_lease

    assert sweep_lease(services.engine, services.keys, services.recordings.audio, lease) == 1
    assert not (tmp_path / "audio" / name).exists() and services.keys.fetch([key_id]) == {}


def test_an_ingest_that_committed_leaves_live_keys_that_no_repair_touches(
    services: Services, tmp_path: Path
) -> None:
    """Settling an ingest ends its lease; the keys it made are ordinary keys from then on,
    even when the lease's process is long gone."""
    ids = seed_three(services, tmp_path)
    with services.engine.connect() as conn:
        key_ids = list(conn.execute(select(recordings.c.key_id)).scalars())
    assert len(key_ids) == 3
    with services.keys.engine.connect() as conn:
        assert conn.execute(select(leases)).all() == []
    assert set(services.keys.states(key_ids).values()) == {"live"}

    report = services.storage.check(repair=True)

    assert report.abandoned_keys == report.orphan_audio_files == 0
    assert len(services.keys.fetch(key_ids)) == 3
    assert sorted(r.transcript for r in services.recordings.list(USER)) == [
        "said 0", "said 1", "said 2"
    ]  # fmt: skip
    assert all(services.recordings.read_audio(USER, i) for i in ids)


def test_an_ingest_killed_after_its_commit_keeps_its_recordings(
    services: Services, tmp_path: Path
) -> None:
    """A process that dies between the data commit and settling leaves a listed lease; once it
    is dead, the repair adopts the keys that committed rows name and forgets the rest."""
    lease = services.keys.open_lease()
    [(used, key), (spare, _)] = services.keys.create(lease, 2)
    name = services.recordings.audio.put(
        make_wav(tmp_path / "in" / "a.wav"), key_id=used, key=key, recording_id="r1", limit=None
    )
    with services.engine.begin() as conn:
        conn.execute(
            insert(recordings).values(
                id="r1", user_id=USER, recorded_at=T0, ingested_at=T0, source="ingest",
                transcript=crypto.seal_text(key, "kept", "transcript", "r1"), audio_file=name,
                key_id=used,
            )
        )  # fmt: skip
    with services.keys.engine.begin() as conn:  # its process is gone: no heartbeat for long
        conn.execute(update(leases).values(heartbeat_at=T0, pid=2**22 + 1))

    report = services.storage.check(repair=True)

    assert report.abandoned_keys == 1
    assert services.keys.states([used, spare]) == {used: "live", spare: "missing"}
    assert services.keys.fetch([used]) == {used: key}
    with services.keys.engine.connect() as conn:
        assert conn.execute(select(leases)).all() == []


def test_force_needs_repair(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, error = run(capsys, "storage", "check", "--force")
    assert code == 2 and error["error"] == "usage"


# -- rotating the master key ---------------------------------------------------------


def new_key_file(path: Path) -> tuple[Path, str]:
    secret = os.urandom(32)
    path.write_text(base64.b64encode(secret).decode() + "\n")
    path.chmod(0o600)
    return path, master_key_id(secret)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_rotating_the_embedded_key_file(
    env: dict[str, str], services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_three(services, tmp_path)
    key_file = tmp_path / "data" / "skill.keystore.key"
    old = key_file.read_text()
    new, new_id = new_key_file(tmp_path / "new.key")

    code, result = run(capsys, "keys", "rotate-master", "--new-key-file", str(new))

    assert code == 0 and result == {
        "rewrapped": 3,
        "master_key_id": new_id,
        "key_file": str(key_file),
    }
    assert key_file.read_text() == new.read_text() != old
    assert key_file.stat().st_mode & 0o777 == 0o600
    code, info = run(capsys, "info")
    assert info["master_key_id"] == new_id
    again = open_services(Config.from_env())
    try:
        assert [r.transcript for r in again.recordings.list(USER)] == ["said 2", "said 1", "said 0"]
    finally:
        again.close()
    assert services.recordings.list(USER)[0].transcript == "said 2", (
        "a process started before the rotation reads the key file again"
    )


@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_interrupted_rotation_keeps_both_keys_and_finishes_when_run_again(
    env: dict[str, str], services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from skill.store.masterkey import read_key_file, write_key_file

    seed_three(services, tmp_path)
    key_file = tmp_path / "data" / "skill.keystore.key"
    new, new_id = new_key_file(tmp_path / "new.key")
    target = read_key_file(new)[0]
    # What rotate-master does first, then one batch of one key, then the process dies.
    services.keys.set_rotation(new_id)
    write_key_file(key_file, [target, *read_key_file(key_file)])
    assert services.keys.rewrap(target, limit=1) == 1

    halfway = open_services(Config.from_env())
    try:
        assert len(halfway.recordings.list(USER)) == 3, "old and new keys both open"
    finally:
        halfway.close()
    code, result = run(capsys, "keys", "rotate-master", "--new-key-file", str(new))
    assert code == 0 and result["rewrapped"] == 2
    assert read_key_file(key_file) == [target]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_rotating_a_master_key_from_the_environment(
    env: dict[str, str],
    services: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed_three(services, tmp_path)
    old = env["PRIVACY_SKILL_MASTER_KEY"]
    new, new_id = new_key_file(tmp_path / "new.key")
    code, result = run(capsys, "keys", "rotate-master", "--new-key-file", str(new))
    assert code == 0 and result == {"rewrapped": 3, "master_key_id": new_id, "key_file": None}

    code, error = run(capsys, "recordings", "list", "--user", USER)
    assert code == 2 and "is not this key store's master key" in str(error["message"])
    monkeypatch.setenv("PRIVACY_SKILL_MASTER_KEY", new.read_text().strip())
    code, listed = run(capsys, "recordings", "list", "--user", USER)
    assert code == 0 and len(listed) == 3  # type: ignore[arg-type]

    # The next rotation starts by giving every process both keys, new first: that already
    # marks a move to it, and a process with only the old key refuses to start.
    newer, _ = new_key_file(tmp_path / "newer.key")
    monkeypatch.setenv(
        "PRIVACY_SKILL_MASTER_KEY", f"{newer.read_text().strip()},{new.read_text().strip()}"
    )
    assert run(capsys, "recordings", "list", "--user", USER)[0] == 0
    monkeypatch.setenv("PRIVACY_SKILL_MASTER_KEY", new.read_text().strip())
    code, error = run(capsys, "recordings", "list", "--user", USER)
    assert code == 2 and "is being moved to master key" in str(error["message"])
    assert old != new.read_text().strip()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_file_that_cannot_be_removed_does_not_undo_done(
    env: dict[str, str], services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The key is destroyed first, so "deleted" is true even when a file stays behind."""
    seed_three(services, tmp_path)
    stuck = sorted((tmp_path / "audio").glob("*.wav"))[0]
    stuck.unlink()
    stuck.mkdir()  # unlink() now fails on it, as on a folder one may not write to
    code = main(["recordings", "delete", "--user", USER, "--all", "--json"])
    out, err = capsys.readouterr()
    deletion = json.loads(out)
    assert code == 0
    assert (deletion["count"], deletion["keys_destroyed"]) == (3, 3)
    assert (deletion["audio_files"], deletion["audio_left"]) == (2, 1)
    assert "their keys are destroyed" in err and "storage check --repair" in err
    assert services.keys.states([stuck.stem]) == {stuck.stem: "destroyed"}
