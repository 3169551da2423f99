"""Export over real HTTP and from the CLI: one streamed ZIP whose recordings and audio are
byte for byte what was ingested, with the consent ledger, the audit log and a manifest;
and every export is in the person's audit log."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import stat
import subprocess
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from skill.cli import main
from skill.services import Services
from skill.services.export import audio_name
from skill.services.models import NewRecording
from tests.api.conftest import ALICE, Client, cli, item, make_key, user_path, wav_bytes
from tests.conftest import USER, make_wav
from tests.web.conftest import CLI, Served

PERSON = "amzn1.ask.person.P.ONE"
OTHER_PERSON = "amzn1.ask.person.P.TWO"


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def jsonl(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.decode().splitlines()]


@pytest.fixture(scope="module")
def ingested(admin: Client) -> list[dict[str, Any]]:
    """What was pushed for ALICE: two with audio (one of them a person's), one without."""
    items = [
        item(ALICE, "2026-11-24T08:00:00+01:00", f"first {uuid.uuid4().hex}", id="x-1",
             device_id="kitchen", audio=wav_bytes(os.urandom(3000))),
        item(ALICE, "2026-11-25T09:30:00Z", f"second {uuid.uuid4().hex}", id="../x/2",
             audio=wav_bytes(b"odd id" * 50)),
        item(ALICE, "2026-11-26T10:00:00Z", f"third {uuid.uuid4().hex}", id="x-3",
             person_id=PERSON, audio=wav_bytes(os.urandom(200_000))),
        item(ALICE, "2026-11-26T11:00:00Z", f"fourth {uuid.uuid4().hex}", id="x-4",
             person_id=OTHER_PERSON),
    ]  # fmt: skip
    assert admin.post("/recordings", {"recordings": items}).json["ingested"] == 4
    decision = {"purpose": "human_review", "granted": True}
    assert admin.put(user_path(ALICE, "consent"), decision).status == 200
    return items


def same_recording(exported: dict[str, Any], pushed: dict[str, Any]) -> None:
    for field in ("id", "user_id", "transcript", "device_id", "person_id"):
        assert exported.get(field) == pushed.get(field), field
    assert datetime.fromisoformat(exported["recorded_at"]) == datetime.fromisoformat(
        pushed["recorded_at"]
    )


def test_the_export_holds_exactly_what_was_ingested(
    admin: Client, ingested: list[dict[str, Any]]
) -> None:
    reply = admin.get(user_path(ALICE, "export"))
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/zip"
    assert "attachment" in reply.headers["Content-Disposition"]
    assert "Content-Length" not in reply.headers  # streamed, not built first
    files = unzip(reply.body)

    lines = jsonl(files["recordings.jsonl"])
    assert [line["id"] for line in lines] == ["x-4", "x-3", "../x/2", "x-1"]
    for line, pushed in zip(lines, reversed(ingested), strict=True):
        same_recording(line, pushed)
    by_id = {line["id"]: line for line in lines}
    assert by_id["x-1"]["audio_file"] == "audio/x-1.wav"
    odd = by_id["../x/2"]["audio_file"]
    assert odd == audio_name("../x/2") and re.fullmatch(r"audio/~[0-9a-f]{32}\.wav", odd)
    assert "audio_file" not in by_id["x-4"]
    for pushed in ingested:
        if "audio_wav_base64" in pushed:
            name = by_id[pushed["id"]]["audio_file"]
            assert files[name] == base64.b64decode(pushed["audio_wav_base64"])
    audio = sorted(n for n in files if n.startswith("audio/"))
    assert audio == sorted(["audio/x-1.wav", "audio/x-3.wav", odd])

    [decision] = jsonl(files["consent.jsonl"])
    assert (decision["purpose"], decision["granted"], decision["channel"]) == (
        "human_review", True, "api"
    )  # fmt: skip
    audit = jsonl(files["audit.jsonl"])
    assert "api_access" in {entry["action"] for entry in audit}
    for pushed in ingested:
        assert pushed["transcript"] not in files["audit.jsonl"].decode()

    manifest = json.loads(files["manifest.json"])
    assert manifest["format"] == "voice-privacy-export" and manifest["user_id"] == ALICE
    assert manifest["policy_version"] and manifest["consent"]["human_review"] is True
    assert manifest["retention"]["period"] == "18_MONTHS"  # the deployment default here
    assert datetime.fromisoformat(manifest["created_at"])
    listed = manifest["files"]
    assert listed["recordings.jsonl"]["lines"] == 4 and listed["audio/"]["files"] == 3
    for name in ("recordings.jsonl", "consent.jsonl", "audit.jsonl"):
        assert listed[name]["sha256"] == hashlib.sha256(files[name]).hexdigest()
        assert listed[name]["lines"] == len(jsonl(files[name]))


def test_the_exported_folder_can_be_ingested_elsewhere_as_it_is(
    admin: Client, ingested: list[dict[str, Any]], served: Served, tmp_path: Path
) -> None:
    with zipfile.ZipFile(io.BytesIO(admin.get(user_path(ALICE, "export")).body)) as archive:
        archive.extractall(tmp_path / "unpacked")
    other = dict(served.env)
    other["PRIVACY_SKILL_DATABASE_URL"] = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    other["PRIVACY_SKILL_AUDIO_DIR"] = str(tmp_path / "elsewhere-audio")
    run = subprocess.run(
        [CLI, "ingest", str(tmp_path / "unpacked" / "recordings.jsonl"), "--json"],
        capture_output=True, text=True, env=other, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["ingested"] == 4


def test_a_persons_export_holds_only_their_recordings_and_decisions(
    admin: Client, ingested: list[dict[str, Any]]
) -> None:
    decision = {"purpose": "human_review", "granted": False, "person": OTHER_PERSON}
    assert admin.put(user_path(ALICE, "consent"), decision).status == 200
    files = unzip(admin.get(user_path(ALICE, "export", person=PERSON)).body)
    assert [line["id"] for line in jsonl(files["recordings.jsonl"])] == ["x-3"]
    assert sorted(n for n in files if n.startswith("audio/")) == ["audio/x-3.wav"]
    people = {line.get("person_id") for line in jsonl(files["consent.jsonl"])}
    assert OTHER_PERSON not in people
    assert OTHER_PERSON not in files["audit.jsonl"].decode()
    assert json.loads(files["manifest.json"])["person_id"] == PERSON


def test_every_export_is_in_the_persons_audit_log(
    served: Served, ingested: list[dict[str, Any]]
) -> None:
    exporter = Client(served, make_key(served, "privacy-team", "export,audit"))
    reply = exporter.get(user_path(ALICE, "export"))
    assert reply.status == 200
    request_id = reply.headers["X-Request-Id"]
    events = exporter.get(user_path(ALICE, "audit")).json["events"]
    mine = [e for e in events if e["request_id"] == request_id]
    assert [(e["action"], e["details"].get("key")) for e in mine] == [
        ("data_exported", "privacy-team"), ("api_access", "privacy-team"),
    ]  # fmt: skip
    exported = mine[0]["details"]
    assert (exported["recordings"], exported["audio_files"], exported["complete"]) == (4, 3, True)
    assert mine[1]["details"]["operation"] == "export" and mine[1]["details"]["outcome"] == "ok"


def test_the_cli_writes_the_same_archive(
    served: Served, admin: Client, ingested: list[dict[str, Any]], tmp_path: Path
) -> None:
    target = tmp_path / "alice.zip"
    result = cli(served, "export", "--user", ALICE, "-o", str(target), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["recordings"] == 4
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    from_cli = unzip(target.read_bytes())
    over_http = unzip(admin.get(user_path(ALICE, "export")).body)
    assert from_cli.keys() == over_http.keys()
    for name in from_cli:
        if name.startswith("audio/") or name in ("recordings.jsonl", "consent.jsonl"):
            assert from_cli[name] == over_http[name], name
    audit = jsonl(from_cli["audit.jsonl"])
    assert audit[-1]["action"] != "data_exported"  # written once the archive is done
    events = admin.get(user_path(ALICE, "audit", limit="3")).json["events"]
    assert ("data_exported", "cli") in {(e["action"], e["channel"]) for e in events}


def test_an_export_of_many_recordings_goes_page_by_page(admin: Client) -> None:
    user = "amzn1.ask.account.MANY"
    items = [item(user, f"2026-11-2{i % 7}T{i % 24:02d}:{i % 60:02d}:00Z", f"n{i}", id=f"m{i:05}")
             for i in range(1203)]  # fmt: skip
    assert admin.post("/recordings", {"recordings": items}).json["ingested"] == 1203
    files = unzip(admin.get(user_path(user, "export")).body)
    ids = [line["id"] for line in jsonl(files["recordings.jsonl"])]
    assert sorted(ids) == sorted(i["id"] for i in items) and len(set(ids)) == 1203


def test_export_writes_a_zip_only_its_owner_may_read(
    env: dict[str, str], services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audio = make_wav(tmp_path / "in" / "a.wav", b"\x10\x20" * 500)
    at = datetime(2026, 11, 26, 9, tzinfo=UTC)
    services.recordings.ingest([NewRecording(USER, at, "hello", audio_file=audio, id="r-1")])
    target = tmp_path / "out" / "alice.zip"
    target.parent.mkdir()
    assert main(["export", "--user", USER, "-o", str(target), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["recordings"], summary["audio_files"]) == (1, 1)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with zipfile.ZipFile(target) as archive:
        assert archive.read("audio/r-1.wav") == audio.read_bytes()
        assert sorted(archive.namelist()) == [
            "audio/r-1.wav", "audit.jsonl", "consent.jsonl", "manifest.json", "recordings.jsonl"
        ]  # fmt: skip
    assert list(target.parent.iterdir()) == [target]  # no partial file left
    events = services.audit.for_user(USER)
    assert [(e.action, e.channel) for e in events][-1] == ("data_exported", "cli")

    assert main(["export", "--user", USER, "-o", str(tmp_path / "no" / "x.zip")]) == 2
    assert "does not exist" in capsys.readouterr().err
