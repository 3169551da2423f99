"""Ingest reads only what it is allowed to, within limits, in flat memory, and refuses a bad
file whole: errors name the line, never the content, and never tell whether a file outside
the allowed folders exists."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from skill.cli import main
from skill.services import Services
from skill.services.ingest import AudioPolicy, IngestLimits, Invalid, validate_record
from skill.services.models import NewRecording
from skill.store.keystore import data_keys
from tests.conftest import ROOT, USER, make_wav

GOOD = {"user_id": USER, "recorded_at": "2026-11-26T09:00:00Z", "transcript": "play jazz"}


def jsonl(path: Path, *records: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        for record in records:
            line = record if isinstance(record, bytes) else json.dumps(record).encode()
            f.write(line + b"\n")
    return path


def ingest(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    """Exit code and the refusal's detail lines (``--json``)."""
    code = main(["ingest", *argv, "--json"])
    _, err = capsys.readouterr()
    if code == 0:
        return code, []
    error = json.loads(err)
    return code, error.get("details", [error["message"]])


def nothing_kept(services: Services, tmp_path: Path) -> bool:
    with services.keys.engine.connect() as conn:
        keys = conn.execute(select(func.count()).select_from(data_keys)).scalar_one()
    audio = tmp_path / "audio"
    files = list(audio.iterdir()) if audio.exists() else []
    return services.recordings.list(USER) == [] and keys == 0 and files == []


# -- where audio may come from -----------------------------------------------------


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """A JSONL folder with a clip, and a WAV outside it that must not be read."""
    inside = tmp_path / "batch"
    outside = tmp_path / "private"
    make_wav(inside / "clips" / "ok.wav")
    make_wav(outside / "secret.wav")
    (inside / "link-out.wav").symlink_to(outside / "secret.wav")
    (inside / "link-in.wav").symlink_to(inside / "clips" / "ok.wav")
    return {"inside": inside, "outside": outside}


@pytest.mark.parametrize(
    "path",
    [
        "ABS/secret.wav",  # absolute, exists
        "ABS/nothing-here.wav",  # absolute, does not exist: the same answer
        "../private/secret.wav",
        "../private/nothing-here.wav",
        "clips/../../private/secret.wav",
        "link-out.wav",
        "/etc/passwd",
    ],
)
def test_audio_outside_the_files_folder_is_refused_without_saying_whether_it_exists(
    env: dict[str, str],
    services: Services,
    layout: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    path: str,
) -> None:
    path = path.replace("ABS", str(layout["outside"]))
    file = jsonl(layout["inside"] / "in.jsonl", GOOD, {**GOOD, "audio_file": path})
    code, details = ingest(capsys, str(file))
    assert code == 2
    assert details == [
        "line 2: audio_file is outside the folder of the JSONL file "
        "(allow another folder with --audio-root)"
    ]
    assert nothing_kept(services, tmp_path)


def test_paths_inside_the_folder_and_links_within_it_are_read(
    env: dict[str, str],
    services: Services,
    layout: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    inside = layout["inside"]
    file = jsonl(
        inside / "in.jsonl",
        {**GOOD, "audio_file": "clips/ok.wav"},
        {**GOOD, "audio_file": "link-in.wav"},
        {**GOOD, "audio_file": str(inside / "clips" / "ok.wav")},
        {**GOOD, "audio_file": "clips/../clips/ok.wav"},
    )
    assert ingest(capsys, str(file)) == (0, [])
    assert [r.has_audio for r in services.recordings.list(USER)] == [True] * 4


def test_audio_root_allows_another_tree(
    env: dict[str, str],
    services: Services,
    layout: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    outside = layout["outside"]
    file = jsonl(
        layout["inside"] / "in.jsonl",
        {**GOOD, "audio_file": str(outside / "secret.wav")},
        {**GOOD, "audio_file": "../private/secret.wav"},
        {**GOOD, "audio_file": "link-out.wav"},
    )
    assert ingest(capsys, str(file), "--audio-root", str(outside)) == (0, [])
    assert len(services.recordings.list(USER)) == 3
    code, details = ingest(capsys, str(file), "--audio-root", str(outside / "nowhere"))
    assert code == 2 and "no such folder" in details[0]


# -- limits ----------------------------------------------------------------------------


def test_audio_over_the_limit_is_refused(
    env: dict[str, str],
    services: Services,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    big = make_wav(tmp_path / "in" / "big.wav")
    with big.open("r+b") as f:  # 21 MB, sparse: only the header is real
        f.truncate(21 * 1024 * 1024)
    file = jsonl(tmp_path / "in" / "in.jsonl", GOOD, {**GOOD, "audio_file": "big.wav"})
    code, details = ingest(capsys, str(file))
    assert code == 2 and len(details) == 1
    assert details[0].startswith("line 2: audio_file ")
    assert details[0].endswith("is larger than 20971520 bytes (--max-audio-bytes)")

    small = jsonl(tmp_path / "in" / "small.jsonl", {**GOOD, "audio_file": "../in/big.wav"})
    make_wav(tmp_path / "in" / "big.wav", b"\x01\x02" * 1000)
    code, details = ingest(capsys, str(small), "--max-audio-bytes", "1000")
    assert code == 2 and "is larger than 1000 bytes" in details[0]
    assert ingest(capsys, str(small), "--max-audio-bytes", "5000") == (0, [])


def test_transcript_and_line_limits_have_defaults_and_flags(
    env: dict[str, str],
    services: Services,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret = "confidential " * 800  # 10,400 characters
    file = jsonl(tmp_path / "long.jsonl", GOOD, {**GOOD, "transcript": secret})
    assert ingest(capsys, str(file))[1] == [
        "line 2: transcript is longer than 10000 characters (--max-transcript-chars)"
    ]
    assert ingest(capsys, str(file), "--max-transcript-chars", "20000") == (0, [])

    huge = jsonl(tmp_path / "huge.jsonl", GOOD, {**GOOD, "id": "x" * 2_000_000}, GOOD)
    assert ingest(capsys, str(huge))[1] == ["line 2: longer than 1048576 bytes (--max-line-bytes)"]
    wide = jsonl(tmp_path / "wide.jsonl", GOOD, {**GOOD, "transcript": "confidential " * 20})
    assert ingest(capsys, str(wide), "--max-line-bytes", "200")[1] == [
        "line 2: longer than 200 bytes (--max-line-bytes)"
    ]
    assert ingest(capsys, str(wide), "--max-line-bytes", "400") == (0, [])


def test_bad_bytes_and_deep_nesting_are_line_errors_not_tracebacks(
    env: dict[str, str],
    services: Services,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    deep = b'{"user_id": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    file = jsonl(
        tmp_path / "bad.jsonl",
        GOOD,
        b'{"user_id": "u", "transcript": "caf\xe9 secret", "recorded_at": "x"}',
        deep,
        {**GOOD, "transcript": "\ud800 lone surrogate"},
        {**GOOD, "user_id": "a\u0000b"},
        b'{"user_id": ' + b"9" * 5000 + b"}",
        b"\xef\xbb\xbf" + json.dumps(GOOD).encode(),  # a BOM is only skipped on line 1
    )
    code, details = ingest(capsys, str(file))
    assert code == 2
    assert details == [
        "line 2: not valid UTF-8 (byte 36)",
        "line 3: not valid JSON (nested too deeply)",
        "line 4: transcript is not valid Unicode text",
        "line 5: user_id is not valid text",
        "line 6: not valid JSON (a number too long)",
        "line 7: not valid JSON (Unexpected UTF-8 BOM (decode using utf-8-sig) at column 1)",
    ]
    assert nothing_kept(services, tmp_path)

    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode() + b"\n")
    assert ingest(capsys, str(bom)) == (0, [])


def test_a_bad_line_after_good_ones_with_audio_leaves_nothing(
    env: dict[str, str],
    services: Services,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_wav(tmp_path / "in" / "a.wav")
    good = [{**GOOD, "audio_file": "a.wav"} for _ in range(2500)]  # more than a batch
    file = jsonl(tmp_path / "in" / "in.jsonl", *good, {**GOOD, "recorded_at": "soon"})
    code, details = ingest(capsys, str(file))
    assert code == 2 and details == ["line 2501: recorded_at 'soon' is not an RFC 3339 timestamp"]
    assert nothing_kept(services, tmp_path)


def test_a_repeated_or_stored_id_names_its_line(
    env: dict[str, str],
    services: Services,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    services.recordings.ingest([NewRecording(USER, datetime_of(GOOD), "first", id="r-1")])
    repeated = jsonl(tmp_path / "a.jsonl", {**GOOD, "id": "r-2"}, GOOD, {**GOOD, "id": "r-2"})
    assert ingest(capsys, str(repeated))[1] == ["line 3: id repeats the one on line 1"]
    stored = jsonl(tmp_path / "b.jsonl", GOOD, {**GOOD, "id": "r-1"})
    assert ingest(capsys, str(stored))[1] == ["line 2: id is already stored"]
    assert [r.id for r in services.recordings.list(USER)] == ["r-1"]


def datetime_of(record: dict[str, str]) -> object:
    from skill.values import parse_aware_time

    return parse_aware_time(record["recorded_at"])


# -- one record, as an HTTP API would check it -----------------------------------------


def test_validate_record_names_the_field_and_reason(tmp_path: Path) -> None:
    policy = AudioPolicy.for_file(tmp_path)
    assert isinstance(validate_record(GOOD, audio=None), NewRecording)
    refused = validate_record({**GOOD, "transcript": 3}, audio=None)
    assert refused == Invalid("transcript", "must be a string", "transcript must be a string")
    refused = validate_record({**GOOD, "audio_file": "a.wav"}, audio=None)
    assert isinstance(refused, Invalid) and refused.field == "audio_file"
    refused = validate_record({**GOOD, "audio_file": "/etc/passwd"}, audio=policy)
    assert isinstance(refused, Invalid) and refused.reason.startswith("is outside the folder")
    limited = validate_record(GOOD, audio=None, limits=IngestLimits(transcript_chars=4))
    assert isinstance(limited, Invalid) and limited.field == "transcript"


# -- memory ------------------------------------------------------------------------


def peak_rss_kb(env: dict[str, str], file: Path) -> int:
    """The peak resident memory of a fresh process ingesting ``file``: its VmHWM, which
    starts anew with the exec (getrusage's ru_maxrss would carry over the forking test
    process's own peak, which grows over a long test run)."""
    measure = (
        "import re, sys\n"
        "from skill.cli import main\n"
        "code = main(['ingest', sys.argv[1]])\n"
        "status = open('/proc/self/status').read()\n"
        "print(re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1))\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", measure, str(file)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=ROOT,
    )
    return int(done.stdout.strip().splitlines()[-1])


def test_memory_stays_flat_however_long_the_file(env: dict[str, str], tmp_path: Path) -> None:
    def write(path: Path, lines: int) -> Path:
        words = "turn on the lights in the kitchen and play something quiet " * 5
        with path.open("w") as f:
            for i in range(lines):
                record = {**GOOD, "transcript": f"{words} {i}", "id": uuid.uuid4().hex}
                f.write(json.dumps(record) + "\n")
        return path

    small = peak_rss_kb(env, write(tmp_path / "small.jsonl", 200))
    large = peak_rss_kb(env, write(tmp_path / "large.jsonl", 60_000))  # 20 MB of JSONL
    assert large < 150 * 1024, f"peak {large // 1024} MB"
    assert large - small < 15 * 1024, f"grew {(large - small) // 1024} MB with the file"


def test_off_a_terminal_ingest_draws_no_bars_and_loads_no_bar_library(
    env: dict[str, str], tmp_path: Path
) -> None:
    """Piped, ``ingest`` prints only its answer: no progress bar, and ``rich`` (tens of
    milliseconds of imports) is never loaded."""
    source = jsonl(tmp_path / "in.jsonl", GOOD, {**GOOD, "transcript": "stop"})
    script = (
        "import sys\n"
        "from skill.cli import main\n"
        "code = main(['ingest', sys.argv[1], '--json'])\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'rich'))\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(source)], env=dict(os.environ), cwd=ROOT,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    *answer, loaded = done.stdout.splitlines()
    assert json.loads("\n".join(answer))["ingested"] == 2
    assert loaded == "[]" and done.stderr == ""
