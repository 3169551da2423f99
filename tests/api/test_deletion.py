"""Deleting through the API is the deletion the skill does by voice: after ``DELETE``
returns, no byte of the transcripts or audio is left in any file of the data folder (the
database, its WAL, the key store) or the audio folder, not even as ciphertext, and their
data keys are gone; another user's recordings stay."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from skill.services import Services, open_services
from tests.api.conftest import Client, item, user_path, wav_bytes
from tests.shred.evidence import capture, files_containing
from tests.web.conftest import Served

USER = "amzn1.ask.account.DELETE.ME:9"
KEEPER = "amzn1.ask.account.KEEP.ME:9"


@pytest.fixture
def services(served: Served) -> Iterator[Services]:
    """The served instance's services, opened beside it (to capture what was sealed)."""
    opened = open_services(served.config)
    yield opened
    opened.close()


def folders(served: Served) -> tuple[Path, Path]:
    database = Path(served.env["PRIVACY_SKILL_DATABASE_URL"].removeprefix("sqlite:///"))
    return database.parent, Path(served.env["PRIVACY_SKILL_AUDIO_DIR"])


def test_an_api_deletion_leaves_no_content_bytes_behind(
    served: Served, admin: Client, services: Services
) -> None:
    said = f"my passport number is {uuid.uuid4().hex}"
    heard = f"SPOKEN-{uuid.uuid4().hex}".encode()
    kept = f"someone else {uuid.uuid4().hex}"
    reply = admin.post("/recordings", {"recordings": [
        item(USER, "2026-11-26T09:00:00Z", said, audio=wav_bytes(heard * 40)),
        item(USER, "2026-11-26T09:05:00Z", f"{said} again"),
        item(KEEPER, "2026-11-26T09:00:00Z", kept, audio=wav_bytes(b"KEPT" * 100)),
    ]})  # fmt: skip
    assert reply.json["ingested"] == 3
    sealed = capture(services, USER)
    assert len(sealed) == 2
    data, audio = folders(served)
    needles = [said.encode(), heard]
    for s in sealed:
        needles += [s.transcript.encode(), base64.b64decode(s.transcript)[:48], s.wrapped, s.key]
    assert files_containing(data, *(s.wrapped for s in sealed)), "precondition: keys stored"
    assert files_containing(audio, heard) == [], "stored sealed, never plain"

    reply = admin.delete(user_path(USER, "recordings", all="true"))
    assert reply.json == {"deleted": 2}

    assert files_containing(data, *needles) == []
    assert files_containing(audio, *needles) == []
    assert services.keys.fetch([s.key_id for s in sealed]) == {}
    assert [p.name for s in sealed for p in audio.glob(f"{s.key_id}*")] == []
    assert admin.get(user_path(USER, "recordings")).json["recordings"] == []
    export = admin.get(user_path(USER, "export")).body
    assert said.encode() not in export and heard not in export
    [other] = admin.get(user_path(KEEPER, "recordings")).json["recordings"]
    assert other["transcript"] == kept
