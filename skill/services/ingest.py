"""Ingestion input: one recording per JSONL line, checked line by line as it streams in.

:func:`validate_record` checks one parsed JSON object and gives a ``NewRecording`` or an
``Invalid`` naming the field and the reason: the CLI's JSONL reader uses it, and an HTTP
ingest API can too. :class:`JsonlReader` streams a file in flat memory (a line at a time, never
the whole file) and reports bad lines by number; the storage service stores what it yields in
one transaction, so a file with any bad line leaves nothing behind.

Nothing here echoes content: messages name the line and the field, never the transcript, and
an ``audio_file`` outside the allowed folders gets the same answer whether it exists or not.
"""

from __future__ import annotations

import json
import os
import stat
import wave
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from skill.errors import InputError
from skill.services.models import NewRecording
from skill.values import NoOffset, NotATime, parse_aware_time

__all__ = [
    "AudioPolicy",
    "IngestError",
    "IngestLimits",
    "Invalid",
    "JsonlReader",
    "LineError",
    "parse_jsonl",
    "validate_record",
]

_REQUIRED = ("user_id", "recorded_at", "transcript")
_OPTIONAL = ("device_id", "person_id", "audio_file", "id")
_KNOWN = frozenset(_REQUIRED + _OPTIONAL)
MAX_ERRORS = 20
TRACKED_IDS = 100_000
"""Ids remembered to name the earlier line an id repeats; beyond, the database finds repeats."""
_SHOWN = 40
"""Longest piece of an input value quoted in a message."""
_LONGEST = {"id": 128, "audio_file": 4096}
"""Longest value per text field (as the schema stores them); others 512."""
_TEXT_FIELDS = tuple(
    (key, key == "user_id", _LONGEST.get(key, 512))
    for key in ("user_id", "device_id", "person_id", "id", "audio_file")
)
"""(field, required, longest) of the optional text fields and ``user_id``, in checking order."""


@dataclass(frozen=True)
class IngestLimits:
    """How large one recording may be."""

    audio_bytes: int = 20 * 1024 * 1024
    """Largest audio file (20 MB)."""
    transcript_chars: int = 10_000
    """Longest transcript."""
    line_bytes: int = 1024 * 1024
    """Longest JSONL line (1 MB)."""


@dataclass(frozen=True)
class AudioPolicy:
    """Where ``audio_file`` paths may point: relative ones resolve in ``base`` (the JSONL
    file's folder), and every path must end up, symlinks followed, inside one of ``roots``."""

    base: Path
    """The folder relative paths start from."""
    roots: tuple[Path, ...]
    """Resolved folders whose trees audio may come from."""

    @classmethod
    def for_file(cls, base: Path, audio_root: Path | None = None) -> AudioPolicy:
        """The JSONL file's folder, and ``audio_root`` when given (``--audio-root``)."""
        roots = [Path(os.path.realpath(base))]
        if audio_root is not None:
            roots.append(Path(os.path.realpath(audio_root)))
        return cls(base, tuple(roots))


@dataclass(frozen=True)
class Invalid:
    """Why a record was refused."""

    field: str | None
    """The field at fault; None for the record as a whole."""
    reason: str
    """What is wrong with it, without its value."""
    message: str
    """One sentence for a person: field and reason."""


def _invalid(field: str | None, reason: str, message: str | None = None) -> Invalid:
    return Invalid(field, reason, message or (f"{field} {reason}" if field else reason))


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

    def __init__(self, errors: list[LineError], message: str | None = None):
        self.errors = errors
        super().__init__(message or "the file was refused; nothing was ingested:")

    def details(self) -> list[str]:
        return [str(error) for error in self.errors]


# -- one record ----------------------------------------------------------------------


def validate_record(
    data: Any,
    *,
    audio: AudioPolicy | None,
    limits: IngestLimits | None = None,
    line: int | None = None,
) -> NewRecording | Invalid:
    """Check one parsed JSON object; ``audio`` None refuses ``audio_file`` altogether.
    ``line``: the ingestion line it came from, kept on the record for error messages."""
    limits = limits or IngestLimits()
    if not isinstance(data, dict):
        return _invalid(None, "expected a JSON object")
    if not data.keys() <= _KNOWN:  # (the checks below only when it fails: one per line)
        unknown = sorted(str(key)[:_SHOWN] for key in data.keys() - _KNOWN)
        names = ", ".join(unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        return _invalid(unknown[0], "is not a known field", f"unknown field(s): {names}")
    if not ("user_id" in data and "recorded_at" in data and "transcript" in data):
        missing = [key for key in _REQUIRED if key not in data]
        return _invalid(missing[0], "is missing", f"missing field(s): {', '.join(missing)}")
    texts: dict[str, str | None] = {}
    for key, required, longest in _TEXT_FIELDS:
        value = data.get(key)
        # Most values pass at a glance (the checks of ``_text``, for plain ASCII); the rest
        # get every check, and the message of the first that fails.
        if value is None and not required:
            texts[key] = None
            continue
        if not (type(value) is str and 0 < len(value) <= longest and value.isascii()
                and not value.isspace() and "\0" not in value):  # fmt: skip
            value = _text(data, key, required=required, longest=longest)
            if isinstance(value, Invalid):
                return value
        texts[key] = value
    transcript = data["transcript"]
    if not (type(transcript) is str and transcript.isascii()
            and len(transcript) <= limits.transcript_chars):  # fmt: skip
        if not isinstance(transcript, str):
            return _invalid("transcript", "must be a string")
        if len(transcript) > limits.transcript_chars:
            return _invalid(
                "transcript",
                f"is longer than {limits.transcript_chars} characters (--max-transcript-chars)",
            )
        if not _encodable(transcript):
            return _invalid("transcript", "is not valid Unicode text")
    recorded_at = _timestamp(data["recorded_at"])
    if isinstance(recorded_at, Invalid):
        return recorded_at
    audio_file: Path | None = None
    if texts["audio_file"] is not None:
        if audio is None:
            return _invalid("audio_file", "is not accepted here")
        checked = _audio(texts["audio_file"], audio, limits)
        if isinstance(checked, Invalid):
            return checked
        audio_file = checked
    return NewRecording(
        user_id=texts["user_id"] or "",
        recorded_at=recorded_at,
        transcript=transcript,
        device_id=texts["device_id"],
        person_id=texts["person_id"],
        audio_file=audio_file,
        id=texts["id"],
        line=line,
    )


def _encodable(text: str) -> bool:
    if text.isascii():  # most text, at once; else a lone surrogate is what fails
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a \ud800 escape
        return False
    return True


def _text(
    data: dict[str, Any], key: str, *, required: bool = False, longest: int = 512
) -> str | Invalid | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or value.isspace():
        return _invalid(key, "must be a non-empty string")
    if len(value) > longest:
        return _invalid(key, f"is longer than {longest} characters")
    if "\0" in value or not _encodable(value):
        return _invalid(key, "is not valid text")
    return value


def _quoted(value: str) -> str:
    return repr(value if len(value) <= _SHOWN else value[:_SHOWN] + "...")


def _timestamp(value: Any) -> datetime | Invalid:
    if not isinstance(value, str):
        return _invalid("recorded_at", "must be an RFC 3339 string")
    try:
        moment = parse_aware_time(value)
        # Stored as UTC: a time whose UTC form is outside years 1 to 9999 cannot be.
        moment.astimezone(UTC)
        return moment
    except OverflowError:
        return _invalid(
            "recorded_at", "is out of range", f"recorded_at {_quoted(value)} is out of range"
        )
    except NotATime:
        return _invalid(
            "recorded_at",
            "is not an RFC 3339 timestamp",
            f"recorded_at {_quoted(value)} is not an RFC 3339 timestamp",
        )
    except NoOffset:
        return _invalid(
            "recorded_at", "has no UTC offset", f"recorded_at {_quoted(value)} has no UTC offset"
        )


def _audio(value: str, policy: AudioPolicy, limits: IngestLimits) -> Path | Invalid:
    """The resolved path of an allowed, readable WAV file within the size limit."""
    given = Path(value)
    # Resolve lexically and through symlinks first, and decide on the result alone: a path
    # outside the allowed folders is refused before anything looks at the file, with the
    # same words whether it exists or not.
    resolved = Path(os.path.realpath(given if given.is_absolute() else policy.base / given))
    if not any(resolved.is_relative_to(root) for root in policy.roots):
        return _invalid(
            "audio_file",
            "is outside the folder of the JSONL file (allow another folder with --audio-root)",
        )
    shown = repr(str(resolved))
    try:
        info = resolved.stat()
    except OSError:
        return _invalid("audio_file", "does not exist", f"audio_file {shown} does not exist")
    if not stat.S_ISREG(info.st_mode):
        return _invalid("audio_file", "is not a file", f"audio_file {shown} is not a file")
    if info.st_size > limits.audio_bytes:
        return _invalid(
            "audio_file",
            f"is larger than {limits.audio_bytes} bytes (--max-audio-bytes)",
            f"audio_file {shown} is larger than {limits.audio_bytes} bytes (--max-audio-bytes)",
        )
    try:
        with wave.open(str(resolved), "rb") as wav:
            wav.getnframes()
    except (wave.Error, EOFError, OSError) as exc:
        return _invalid(
            "audio_file", "is not a WAV file", f"audio_file {shown} is not a WAV file ({exc})"
        )
    return resolved


# -- lines ---------------------------------------------------------------------------


def _parse_line(
    text: str, number: int, policy: AudioPolicy, limits: IngestLimits
) -> NewRecording | LineError:
    if number == 1:
        text = text.removeprefix("\ufeff")  # a byte order mark some editors write
    try:
        data = json.loads(text)
    except RecursionError:
        return LineError(number, "not valid JSON (nested too deeply)")
    except json.JSONDecodeError as exc:
        return LineError(number, f"not valid JSON ({exc.msg} at column {exc.colno})")
    except ValueError:
        return LineError(number, "not valid JSON (a number too long)")
    result = validate_record(data, audio=policy, limits=limits, line=number)
    if isinstance(result, Invalid):
        return LineError(number, result.message)
    return result


class _Ids:
    """Which line each id came from, for the first ``TRACKED_IDS`` ids."""

    def __init__(self) -> None:
        self._lines: dict[str, int] = {}

    def repeated(self, record: NewRecording, number: int) -> LineError | None:
        if record.id is None:
            return None
        earlier = self._lines.get(record.id)
        if earlier is not None:
            return LineError(number, f"id repeats the one on line {earlier}")
        if len(self._lines) < TRACKED_IDS:
            self._lines[record.id] = number
        return None


class JsonlReader:
    """Validated recordings from a JSONL file, a line at a time.

    Iterating yields each good record while no line was bad; after the first bad line it
    yields nothing more but goes on checking, and at the end raises ``IngestError`` with up to
    ``MAX_ERRORS`` bad lines. ``progress(bytes_read)`` is called as the file is read.
    """

    def __init__(
        self,
        handle: IO[bytes],
        policy: AudioPolicy,
        limits: IngestLimits | None = None,
        progress: Callable[[int], None] | None = None,
    ):
        self.handle = handle
        self.policy = policy
        self.limits = limits or IngestLimits()
        self.progress = progress
        self.errors: list[LineError] = []
        self._size = _file_size(handle)
        self._read = 0
        self._lines_read = 0

    def lines_left(self) -> int | None:
        """About how many lines are still to be read: the bytes left of the file at the
        bytes per line read so far; None before the first line, or when the size is unknown
        (a pipe)."""
        if self._size is None or not self._read:
            return None
        return max(0, (self._size - self._read) * self._lines_read // self._read)

    def __iter__(self) -> Iterator[NewRecording]:
        ids = _Ids()
        read = 0
        for number, raw, size in self._lines():
            read += size
            self._read, self._lines_read = read, number
            if self.progress is not None and number % 1000 == 0:
                self.progress(read)
            if raw is None:
                result: NewRecording | LineError = LineError(
                    number, f"longer than {self.limits.line_bytes} bytes (--max-line-bytes)"
                )
            elif not raw.strip():
                continue
            else:
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    result = LineError(number, f"not valid UTF-8 (byte {exc.start + 1})")
                else:
                    result = _parse_line(text, number, self.policy, self.limits)
            if isinstance(result, NewRecording):
                repeat = ids.repeated(result, number)
                result = repeat or result
            if isinstance(result, LineError):
                self.errors.append(result)
                if len(self.errors) >= MAX_ERRORS:
                    break
            elif not self.errors:
                yield result
        if self.progress is not None:
            self.progress(read)
        if self.errors:
            raise IngestError(self.errors)

    def _lines(self) -> Iterator[tuple[int, bytes | None, int]]:
        """(number, line or None when too long, bytes consumed); a too-long line is skipped
        in pieces, never held."""
        limit = self.limits.line_bytes
        number = 0
        while True:
            raw = self.handle.readline(limit + 1)
            if not raw:
                return
            number += 1
            if raw.endswith(b"\n") or len(raw) <= limit:
                yield number, raw.rstrip(b"\r\n"), len(raw)
                continue
            size = len(raw)
            while not raw.endswith(b"\n"):
                raw = self.handle.readline(65536)
                if not raw:
                    break
                size += len(raw)
            yield number, None, size


def _file_size(handle: IO[bytes]) -> int | None:
    """The size of the regular file ``handle`` reads from the start; None for anything else."""
    try:
        info = os.fstat(handle.fileno())
        at = handle.tell()
    except (OSError, AttributeError, ValueError):  # no descriptor (BytesIO), or not seekable
        return None
    return info.st_size - at if stat.S_ISREG(info.st_mode) else None


def parse_jsonl(
    lines: Iterable[str],
    base_dir: Path,
    *,
    audio_root: Path | None = None,
    limits: IngestLimits | None = None,
) -> list[NewRecording]:
    """Validate lines already in memory; raise IngestError listing bad lines, or return the
    records. (Files are read by :class:`JsonlReader`, which streams them.)"""
    limits = limits or IngestLimits()
    policy = AudioPolicy.for_file(base_dir, audio_root)
    records: list[NewRecording] = []
    errors: list[LineError] = []
    ids = _Ids()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(line.encode("utf-8", "surrogatepass")) > limits.line_bytes:
            result: NewRecording | LineError = LineError(
                number, f"longer than {limits.line_bytes} bytes (--max-line-bytes)"
            )
        else:
            result = _parse_line(line, number, policy, limits)
        if isinstance(result, NewRecording):
            result = ids.repeated(result, number) or result
        if isinstance(result, LineError):
            errors.append(result)
            if len(errors) >= MAX_ERRORS:
                break
            continue
        records.append(result)
    if errors:
        raise IngestError(errors)
    return records
