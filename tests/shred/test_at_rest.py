"""What is stored is ciphertext: after ingest (and a review annotation), a planted marker is in
no file of the data database (its WAL included), the audio folder, the key store, or the
PostgreSQL data directory (pg_wal included), while the person can still read it back."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from skill.cli import main
from skill.services import Services
from skill.services.models import NewRecording
from tests.conftest import POSTGRES_ADMIN_URL, USER, make_wav
from tests.shred.evidence import files_containing, postgres_files_containing

T0 = datetime(2026, 11, 26, 9, tzinfo=UTC)


def ingest_file(folder: Path, *records: dict[str, object]) -> Path:
    path = folder / "in.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


def everywhere(backend: str, tmp_path: Path, *needles: bytes) -> list[str]:
    """Every place a needle is: the data folder (data database, WAL, key store, key file),
    the audio folder, and on PostgreSQL the server's data directory."""
    found = [f"data/{name}" for name in files_containing(tmp_path / "data", *needles)]
    found += [f"audio/{name}" for name in files_containing(tmp_path / "audio", *needles)]
    if backend == "postgresql":
        found += [f"pg/{name}" for name in postgres_files_containing(POSTGRES_ADMIN_URL, *needles)]
    return found


def test_after_ingest_no_file_holds_the_transcript_or_audio(
    env: dict[str, str],
    services: Services,
    backend: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    said = f"my card number is {uuid.uuid4().hex}"
    heard = f"AUDIO-{uuid.uuid4().hex}".encode()
    incoming = tmp_path / "incoming"
    make_wav(incoming / "clip.wav", heard * 40)
    file = ingest_file(
        incoming,
        {
            "user_id": USER,
            "recorded_at": "2026-11-26T09:00:00Z",
            "transcript": said,
            "audio_file": "clip.wav",
        },
        {"user_id": USER, "recorded_at": "2026-11-26T09:05:00Z", "transcript": f"{said} again"},
    )
    assert main(["ingest", str(file)]) == 0
    capsys.readouterr()

    assert main(["recordings", "list", "--user", USER, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["transcript"] for r in listed] == [f"{said} again", said]
    [with_audio] = [r for r in listed if r["has_audio"]]
    assert heard in (services.recordings.read_audio(USER, with_audio["id"]) or b"")
    assert files_containing(incoming, heard), "precondition: the source file holds the audio"

    assert everywhere(backend, tmp_path, said.encode(), heard) == []


def test_a_review_annotation_is_stored_sealed_too(
    services: Services, backend: str, tmp_path: Path
) -> None:
    services.consent.set(USER, "human_review", True, channel="cli")
    services.recordings.ingest([NewRecording(USER, T0, "turn on the lights")])
    services.review.sample(1.0)
    [item] = services.review.claim("rev-ann")
    correction = f"turn on the light {uuid.uuid4().hex}"
    services.review.submit(item.id, "rev-ann", correction, "misrecognised")

    opened = services.review.annotation(item.id)
    assert opened is not None and opened.corrected_transcript == correction
    assert everywhere(backend, tmp_path, correction.encode()) == []
