"""Ingestion JSONL: every line checked first; a bad file is refused whole, by line number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skill.services.ingest import IngestError, parse_jsonl
from tests.conftest import make_wav

GOOD = {"user_id": "u1", "recorded_at": "2026-11-26T09:00:00+01:00", "transcript": "hello"}


def lines(*records: object) -> list[str]:
    return [r if isinstance(r, str) else json.dumps(r) for r in records]


def test_good_lines_parse_with_offsets_kept(tmp_path: Path) -> None:
    wav = make_wav(tmp_path / "clips" / "a.wav")
    records = parse_jsonl(
        lines(
            GOOD,
            "",
            {
                **GOOD,
                "recorded_at": "2026-11-26T08:00:00Z",
                "audio_file": "clips/a.wav",
                "device_id": "d",
                "person_id": "p",
                "id": "r1",
            },
        ),
        tmp_path,
    )
    assert len(records) == 2
    assert records[0].recorded_at.utcoffset() is not None
    assert records[1].audio_file == wav and records[1].id == "r1"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ({**GOOD, "recorded_at": "2026-11-26T09:00:00"}, "has no UTC offset"),
        ({**GOOD, "recorded_at": "yesterday"}, "is not an RFC 3339 timestamp"),
        ({k: v for k, v in GOOD.items() if k != "transcript"}, "missing field(s): transcript"),
        ({**GOOD, "transcrpit": "typo"}, "unknown field(s): transcrpit"),
        ({**GOOD, "user_id": ""}, "user_id must be a non-empty string"),
        ({**GOOD, "transcript": 5}, "transcript must be a string"),
        ({**GOOD, "audio_file": "missing.wav"}, "does not exist"),
    ],
)
def test_one_bad_line_refuses_the_file_and_names_the_line(
    tmp_path: Path, bad: object, message: str
) -> None:
    with pytest.raises(IngestError) as refused:
        parse_jsonl(lines(GOOD, GOOD, bad), tmp_path)
    [error] = refused.value.errors
    assert error.line == 3
    assert message in error.message
    assert "hello" not in str(refused.value), "errors never echo transcripts"


def test_non_wav_audio_and_repeated_ids_are_reported_together(tmp_path: Path) -> None:
    (tmp_path / "fake.wav").write_bytes(b"ID3 this is an mp3")
    with pytest.raises(IngestError) as refused:
        parse_jsonl(
            lines({**GOOD, "audio_file": "fake.wav"}, {**GOOD, "id": "x"}, {**GOOD, "id": "x"}),
            tmp_path,
        )
    assert [(e.line, e.message.split(" (")[0]) for e in refused.value.errors] == [
        (1, f"audio_file {str(tmp_path / 'fake.wav')!r} is not a WAV file"),
        (3, "id repeats the one on line 2"),
    ]
