"""After a deletion returns, no byte of the transcript or audio is in any file we wrote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from skill.services import Services
from tests.conftest import OTHER_USER, USER, make_wav, seed

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
SECRET = "my bank pin is four four seven nine"
AUDIO = b"\x7fSECRET-AUDIO-BYTES\x7f" * 50
KEPT = "other person keeps this sentence"


def files_containing(root: Path, needle: bytes) -> list[str]:
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and needle in p.read_bytes()
    )


def test_range_deletion_leaves_no_transcript_or_audio_bytes(
    services: Services, tmp_path: Path
) -> None:
    wav = make_wav(tmp_path / "incoming" / "clip.wav", AUDIO)
    seed(
        services,
        USER,
        T0,
        T0 + timedelta(minutes=5),
        transcript=lambda i: f"{SECRET} {i}",
        audio=wav,
    )
    seed(services, OTHER_USER, T0, transcript=lambda i: KEPT)
    written = tmp_path / "data", tmp_path / "audio"
    assert any(files_containing(d, SECRET.encode()) for d in written), "precondition: stored"
    assert files_containing(tmp_path / "audio", AUDIO[:40])

    deleted = services.recordings.delete_range(USER, T0, T0 + timedelta(days=1), channel="voice")

    assert deleted.count == 2
    for folder in written:
        assert files_containing(folder, SECRET.encode()) == []
        assert files_containing(folder, AUDIO[:40]) == []
    assert services.recordings.list(OTHER_USER)[0].transcript == KEPT


def test_delete_all_with_long_transcripts_in_overflow_pages(
    services: Services, tmp_path: Path
) -> None:
    long_secret = ("a very private confession " * 400).strip()  # spills into overflow pages
    seed(
        services,
        USER,
        *(T0 + timedelta(seconds=i) for i in range(30)),
        transcript=lambda i: f"{long_secret} {i}",
    )
    marker = b"a very private confession"
    assert files_containing(tmp_path / "data", marker)

    services.recordings.delete_all(USER, channel="cli")

    assert files_containing(tmp_path / "data", marker) == []
