"""Parsing ingestion JSONL: one recording a line, every line checked before anything is stored."""

from __future__ import annotations

import json
import wave
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from skill.errors import InputError
from skill.services.models import NewRecording
from skill.values import NoOffset, NotATime, parse_aware_time

_REQUIRED = ("user_id", "recorded_at", "transcript")
_OPTIONAL = ("device_id", "person_id", "audio_file", "id")
MAX_ERRORS = 20


@dataclass(frozen=True)
class LineError:
    """Why one line was refused."""

    line: int
    """1-based line number."""
    message: str
    """What is wrong, without echoing the transcript."""

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class IngestError(InputError):
    """The file was refused whole; ``errors`` lists the bad lines (up to MAX_ERRORS)."""

    def __init__(self, errors: list[LineError]):
        self.errors = errors
        super().__init__("the file was refused; nothing was ingested:")

    def details(self) -> list[str]:
        return [str(error) for error in self.errors]


def parse_jsonl(lines: Iterable[str], base_dir: Path) -> list[NewRecording]:
    """Validate every line; raise IngestError listing bad lines, or return them all.

    Relative ``audio_file`` paths are resolved against ``base_dir`` (the file's folder).
    """
    records: list[NewRecording] = []
    errors: list[LineError] = []
    seen_ids: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = _parse_line(line, base_dir)
        except ValueError as exc:
            errors.append(LineError(number, str(exc)))
            if len(errors) >= MAX_ERRORS:
                break
            continue
        if record.id is not None:
            if record.id in seen_ids:
                errors.append(
                    LineError(number, f"id repeats the one on line {seen_ids[record.id]}")
                )
                continue
            seen_ids[record.id] = number
        records.append(record)
    if errors:
        raise IngestError(errors)
    return records


def _parse_line(line: str, base_dir: Path) -> NewRecording:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    unknown = sorted(set(data) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(unknown)}")
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise ValueError(f"missing field(s): {', '.join(missing)}")
    user_id = _text(data, "user_id", required=True)
    transcript = data["transcript"]
    if not isinstance(transcript, str):
        raise ValueError("transcript must be a string")
    audio = _text(data, "audio_file")
    return NewRecording(
        user_id=user_id or "",
        recorded_at=_timestamp(data["recorded_at"]),
        transcript=transcript,
        device_id=_text(data, "device_id"),
        person_id=_text(data, "person_id"),
        audio_file=_wav(base_dir / audio) if audio else None,
        id=_text(data, "id"),
    )


def _text(data: dict[str, Any], key: str, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key} must be a non-empty string")
    if len(value) > 512:
        raise ValueError(f"{key} is longer than 512 characters")
    return value


def _timestamp(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("recorded_at must be an RFC 3339 string")
    try:
        return parse_aware_time(value)
    except NotATime:
        raise ValueError(f"recorded_at {value!r} is not an RFC 3339 timestamp") from None
    except NoOffset:
        raise ValueError(f"recorded_at {value!r} has no UTC offset") from None


def _wav(path: Path) -> Path:
    if not path.is_file():
        raise ValueError(f"audio_file {str(path)!r} does not exist")
    try:
        with wave.open(str(path), "rb") as wav:
            wav.getnframes()
    except (wave.Error, EOFError, OSError) as exc:
        raise ValueError(f"audio_file {str(path)!r} is not a WAV file ({exc})") from None
    return path
