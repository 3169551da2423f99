"""``POST /api/v1/recordings``: the body of an ingest, checked item by item.

Each item has the fields of an ingestion line (DESIGN.md §4) and is checked by the same
``validate_record`` as the CLI's, with the same limits; audio comes inline as
``audio_wav_base64`` (a path on the server, ``audio_file``, is refused). Every item is checked
before anything is stored; with any bad item the answer is 422 listing up to ``MAX_ERRORS``
of them by index, field and reason (never a value), and nothing is stored. The storage
service then stores all items in one transaction, or none.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import wave
from dataclasses import replace
from typing import Any

from skill.services.ingest import MAX_ERRORS, IngestLimits, Invalid, validate_record
from skill.services.models import NewRecording
from skill.web.api.errors import ApiError, Problem, bad_request, problem
from skill.web.api.params import RFC3339

__all__ = ["MAX_BODY_BYTES", "MAX_ITEMS", "parse_items"]

MAX_BODY_BYTES = 64 * 1024 * 1024
"""Largest body of an ingest request (64 MiB; stated in the OpenAPI document); over it, 413."""
MAX_ITEMS = 10_000
"""Most recordings one request may carry."""
AUDIO_FIELD = "audio_wav_base64"
_CLI_OPTION = re.compile(r" \(--[a-z-]+\)$")


def parse_items(body: Any, limits: IngestLimits) -> list[NewRecording]:
    """The validated recordings of an ingest body; 400 for a body of the wrong shape, 422
    with per-item problems when any item is bad."""
    if not isinstance(body, dict) or set(body) != {"recordings"}:
        raise bad_request(None, 'the body must be an object with one field, "recordings"')
    items = body["recordings"]
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        raise bad_request("recordings", f"must be an array of 1 to {MAX_ITEMS} recordings")
    records: list[NewRecording] = []
    problems: list[Problem] = []
    first_index: dict[str, int] = {}
    for index, item in enumerate(items):
        result = _item(item, limits)
        if isinstance(result, NewRecording) and result.id is not None:
            earlier = first_index.setdefault(result.id, index)
            if earlier != index:
                result = Invalid("id", f"repeats the id of item {earlier}", "")
        if isinstance(result, Invalid):
            problems.append(problem(result.field, result.reason, index))
            if len(problems) >= MAX_ERRORS:
                break
            continue
        records.append(replace(result, line=index + 1))
    if problems:
        raise refused(problems)
    return records


def refused(problems: list[Problem]) -> ApiError:
    """422: the items at fault; nothing was stored."""
    return ApiError(
        422, f"{len(problems)} recording(s) refused; nothing was ingested", problems
    )


def _item(item: Any, limits: IngestLimits) -> NewRecording | Invalid:
    if not isinstance(item, dict):
        return Invalid(None, "expected a JSON object", "")
    fields = dict(item)
    encoded = fields.pop(AUDIO_FIELD, None)
    if "audio_file" in fields:
        return Invalid("audio_file", f"is not accepted here; send the WAV as {AUDIO_FIELD}", "")
    try:
        size = len(json.dumps(fields, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    except (ValueError, RecursionError):
        return Invalid(None, "is not valid", "")
    if size > limits.line_bytes:
        return Invalid(None, f"is longer than {limits.line_bytes} bytes without its audio", "")
    at = fields.get("recorded_at")
    if isinstance(at, str) and not re.fullmatch(RFC3339, at):  # stricter than the CLI reader
        return Invalid("recorded_at", "is not an RFC 3339 timestamp", "")
    result = validate_record(fields, audio=None, limits=limits)
    if isinstance(result, Invalid):
        # The CLI's reasons name its options; here the limits are the API's own.
        return Invalid(result.field, _CLI_OPTION.sub("", result.reason), "")
    if encoded is None:
        return result
    audio = _audio(encoded, limits)
    if isinstance(audio, Invalid):
        return audio
    return replace(result, audio_bytes=audio)


def _audio(encoded: Any, limits: IngestLimits) -> bytes | Invalid:
    if not isinstance(encoded, str):
        return Invalid(AUDIO_FIELD, "must be a base64 string", "")
    # Base64 grows 4/3: refuse an oversized value before decoding it.
    if len(encoded) > (limits.audio_bytes + 2) // 3 * 4 + 4:
        return Invalid(AUDIO_FIELD, f"is larger than {limits.audio_bytes} bytes", "")
    try:
        audio = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return Invalid(AUDIO_FIELD, "is not valid base64", "")
    if len(audio) > limits.audio_bytes:
        return Invalid(AUDIO_FIELD, f"is larger than {limits.audio_bytes} bytes", "")
    try:
        with wave.open(io.BytesIO(audio), "rb") as wav:
            wav.getnframes()
    except Exception:  # untrusted bytes: whatever the parser trips on, it is not a WAV file
        return Invalid(AUDIO_FIELD, "is not a WAV file", "")
    return audio
