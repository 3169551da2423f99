"""`speak`, `listen` and `voice` as a person uses them: spoken turns in, spoken answers out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from skill.cli import main
from skill.services import Services
from skill.voice import speech_out
from skill.voice.wavio import RATE, read_wav, write_wav
from tests.cli.test_settings_and_errors import CLI, fresh_env
from tests.conftest import OTHER_USER, USER, seed
from tests.voice.conftest import Clip

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
PINNED = ["--time", "2026-11-26T15:00:00Z", "--timezone", "UTC"]


@pytest.fixture(autouse=True)
def shared_cache(monkeypatch: pytest.MonkeyPatch, voice_cache: Path) -> None:
    monkeypatch.setenv("PRIVACY_SKILL_VOICE_CACHE", str(voice_cache))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def wav_format(path: Path) -> tuple[int, int, int]:
    with wave.open(str(path), "rb") as wav:
        return wav.getframerate(), wav.getnchannels(), wav.getsampwidth()


def test_speak_then_listen_as_a_new_user_would(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], espeak: None
) -> None:
    wav = tmp_path / "a.wav"
    code, out, _ = run(capsys, "speak", "delete what I said today", "-o", str(wav))
    assert code == 0 and "16 kHz mono" in out
    assert wav_format(wav) == (RATE, 1, 2)
    code, out, _ = run(capsys, "listen", str(wav), "--json", *PINNED)
    assert code == 0
    assert json.loads(out) | {"confidence": None} == {
        "text": "delete what i said today",
        "request_type": "IntentRequest",
        "intent": "DeleteRecordingsIntent",
        "slots": {"date": "2026-11-26", "scope": None},
        "confidence": None,
        "rejected": None,
    }
    code, out, _ = run(capsys, "listen", str(wav), *PINNED)
    assert "understood: DeleteRecordingsIntent {'date': '2026-11-26'}" in out


def test_a_spoken_deletion_asks_then_deletes_exactly_todays_recordings(
    env: dict[str, str],
    services: Services,
    tmp_path: Path,
    clip: Clip,
    capsys: pytest.CaptureFixture[str],
) -> None:
    today = [NOW - timedelta(hours=1), NOW - timedelta(hours=5)]
    yesterday = NOW - timedelta(days=1)
    seed(services, USER, *today, yesterday)
    seed(services, OTHER_USER, NOW - timedelta(hours=2))
    turns = [tmp_path / "turn1.wav", tmp_path / "turn2.wav"]
    write_wav(turns[0], clip("delete what I said today", "en-us", 175))
    write_wav(turns[1], clip("yes", "en-us+f2", 175))
    answers = tmp_path / "answers"
    code, out, _ = run(
        capsys, "voice", *map(str, turns), "--respond-dir", str(answers), "--json",
        "--user", USER, "--in-session", *PINNED,
    )  # fmt: skip
    assert code == 0
    asked, done = (json.loads(line) for line in out.splitlines())
    assert asked["intent"] == "DeleteRecordingsIntent"
    assert asked["slots"] == {"date": "2026-11-26", "scope": None}
    assert "2 recordings from today" in asked["speech"]
    assert "Should I delete them?" in asked["speech"]
    assert done["intent"] == "AMAZON.YesIntent"
    assert "deleted 2 recordings" in done["speech"]
    assert [r.recorded_at for r in services.recordings.list(USER)] == [yesterday]
    assert len(services.recordings.list(OTHER_USER)) == 1
    for record in (asked, done):
        answer = Path(record["answer"])
        assert wav_format(answer) == (RATE, 1, 2)
        spoken = read_wav(answer).seconds
        words = len(record["speech"].split())
        assert words / 5 < spoken < words  # about 2.5 words a second: the whole answer is there


def test_listen_respond_speaks_the_answer_and_rejects_without_asking_the_skill(
    env: dict[str, str],
    services: Services,
    tmp_path: Path,
    clip: Clip,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed(services, USER, NOW - timedelta(hours=1))
    command, jazz = tmp_path / "what.wav", tmp_path / "jazz.wav"
    write_wav(command, clip("what data do you keep", "en-us+m3", 175))
    write_wav(jazz, clip("play some jazz", "en-us", 175))
    answer = tmp_path / "answer.wav"
    code, out, _ = run(
        capsys, "listen", str(command), "--respond", "-o", str(answer), "--json",
        "--user", USER, *PINNED,
    )  # fmt: skip
    heard = json.loads(out)
    assert code == 0 and heard["intent"] == "WhatDataIntent"
    assert "one recording" in heard["speech"] and heard["answer"] == str(answer)
    assert read_wav(answer).seconds > 3
    code, out, _ = run(
        capsys, "listen", str(jazz), "--respond", "-o", str(answer), "--user", USER, *PINNED
    )
    assert code == 0
    assert "didn't catch that" in out and "Alexa: Sorry, I didn't catch that." in out
    assert len(services.recordings.list(USER)) == 1


def test_no_files_and_no_microphone_is_a_clear_message(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    no_device = types.ModuleType("sounddevice")

    def query_devices(kind: str) -> None:
        raise ValueError("No input device matching ''")

    no_device.query_devices = query_devices  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sounddevice", no_device)
    code, _, err = run(capsys, "voice", *PINNED)
    assert code == 2
    assert "no WAV files given and no microphone" in err and "libportaudio2" in err


def test_usage_errors_are_clear(
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "listen", str(tmp_path / "missing.wav"))
    assert code == 2 and "no such file" in err
    code, _, err = run(capsys, "listen", str(tmp_path / "x.wav"), "-o", str(tmp_path / "y.wav"))
    assert code == 2 and "-o goes with --respond" in err
    monkeypatch.setattr(speech_out.shutil, "which", lambda _name: None)
    code, _, err = run(capsys, "speak", "hello", "-o", str(tmp_path / "h.wav"))
    assert code == 2 and "apt-get install espeak-ng" in err


class _FakeStream:
    """A microphone that says ``audio`` once (with silence around it), then is interrupted."""

    def __init__(self, audio: bytes) -> None:
        quiet = bytes(RATE)  # half a second of silence
        self._data = quiet + audio + quiet * 3
        self._at = 0

    def __enter__(self) -> _FakeStream:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def read(self, frames: int) -> tuple[bytes, bool]:
        if self._at >= len(self._data):
            raise KeyboardInterrupt
        chunk = self._data[self._at : self._at + 2 * frames].ljust(2 * frames, b"\0")
        self._at += 2 * frames
        return chunk, False


def test_the_microphone_gives_one_turn_an_utterance(
    env: dict[str, str],
    clip: Clip,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    speech = clip("what data do you keep", "en-us", 175)
    microphone = types.ModuleType("sounddevice")
    microphone.query_devices = lambda kind: {"name": "test microphone"}  # type: ignore[attr-defined]
    microphone.RawInputStream = lambda **_settings: _FakeStream(speech.pcm())  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sounddevice", microphone)
    code, out, err = run(capsys, "voice", "--json", *PINNED)
    assert code == 0 and "Listening" in err
    [turn] = [json.loads(line) for line in out.splitlines()]
    assert (turn["file"], turn["intent"]) == ("microphone #1", "WhatDataIntent")


def test_voice_in_another_folder_hears_about_recordings_ingested_elsewhere(
    tmp_path: Path, voice_cache: Path, clip: Clip
) -> None:
    """A new user: no settings, `ingest` in one folder, `voice` in another, same data."""
    env = fresh_env(tmp_path / "home", PRIVACY_SKILL_VOICE_CACHE=str(voice_cache))
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir()
    there.mkdir()
    line = {"user_id": USER, "recorded_at": NOW.isoformat(), "transcript": "play some jazz"}
    (here / "in.jsonl").write_text(json.dumps(line) + "\n")
    subprocess.run([CLI, "ingest", "in.jsonl"], cwd=here, env=env, check=True, timeout=60)
    write_wav(there / "what.wav", clip("what data do you keep"))

    done = subprocess.run(
        [CLI, "voice", "what.wav", "--json", "--user", USER, "--in-session", *PINNED],
        cwd=there,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    [turn] = [json.loads(line) for line in done.stdout.splitlines()]
    assert turn["intent"] == "WhatDataIntent"
    assert turn["speech"].startswith("I keep one recording on this account")
    assert sorted(os.listdir(there)) == ["what.wav"], "nothing was written in the folder"


def test_a_spoken_dialog_follows_the_session_rules(
    env: dict[str, str],
    services: Services,
    tmp_path: Path,
    clip: Clip,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed(services, USER, NOW - timedelta(hours=1))
    bare, named = tmp_path / "bare.wav", tmp_path / "named.wav"
    write_wav(bare, clip("what data do you keep", "en-us", 175))
    write_wav(named, clip("ask voice privacy what data do you keep", "en-us", 175))
    code, out, _ = run(
        capsys, "voice", str(bare), str(named), "--json", "--user", USER, *PINNED
    )
    kept, asked = (json.loads(line) for line in out.splitlines())
    assert code == 0
    assert kept["intent"] == "WhatDataIntent" and kept["speech"] is None  # Alexa's, not ours
    assert asked["speech"].startswith("I keep one recording on this account")
