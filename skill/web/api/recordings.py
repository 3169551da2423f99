"""Recordings over HTTP: ingest (``POST /recordings``), a user's listing, newest first with a
cursor (``GET``), and deletion by date, all or id (``DELETE``), the same deletion as by voice:
keys destroyed first, with every guarantee that comes with it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request

from skill.alexa.dates import UnusableDate, resolve_amazon_date
from skill.services.api_keys import ApiKey
from skill.services.ingest import IngestError
from skill.services.models import Deletion, Recording
from skill.services.pages import RecordingFilter
from skill.services.timerange import local_days
from skill.web.api import params
from skill.web.api.context import Api, Outcome, request_id
from skill.web.api.errors import ApiError, Problem, bad_request, problem
from skill.web.api.ingest import AUDIO_FIELD, MAX_BODY_BYTES, parse_items, refused
from skill.web.metrics import METRICS

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "recording_json", "register"]

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
INGESTS_AT_ONCE = 2
"""Ingests one worker decodes at once: each may hold a 64 MiB body several times over."""
INGEST_WAIT_SECONDS = 10


def recording_json(recording: Recording) -> dict[str, Any]:
    return {
        "id": recording.id,
        "user_id": recording.user_id,
        "person_id": recording.person_id,
        "device_id": recording.device_id,
        "recorded_at": recording.recorded_at.isoformat(),
        "transcript": recording.transcript,
        "has_audio": recording.has_audio,
        "source": recording.source,
    }


def register(bp: Blueprint, api: Api) -> None:
    ingest_slots = threading.BoundedSemaphore(INGESTS_AT_ONCE)

    @bp.post("/recordings")
    def ingest() -> Response:
        key = api.guard.admit()
        api.guard.require(key, "ingest")
        if not ingest_slots.acquire(timeout=INGEST_WAIT_SECONDS):
            raise ApiError(
                429, "too many ingests at once; try again shortly", headers={"Retry-After": "5"}
            )
        try:
            records = parse_items(params.json_body(MAX_BODY_BYTES), api.limits)
            try:
                result = api.services.recordings.ingest(
                    records, channel="api", max_audio_bytes=api.limits.audio_bytes
                )
            except IngestError as error:
                raise refused([_problem(e.line, e.message) for e in error.errors]) from None
        finally:
            ingest_slots.release()
        return jsonify(ingested=result.ingested, refused=result.refused)

    @bp.get("/users/<user_id>/recordings")
    @api.about_person("recordings.list", "read")
    def list_recordings(key: ApiKey, user_id: str) -> Outcome:
        query = params.Query(request.args, {"from", "to", "person", "limit", "cursor"})
        which = RecordingFilter(
            user_id,
            start=query.time("from"),
            end=query.time("to"),
            person=query.text("person"),
        )
        cursor = query.text("cursor", 2048)
        before = None if cursor is None else params.decode_position(cursor)
        page = api.reader.recordings(
            which, before, query.integer("limit", 1, MAX_LIMIT, DEFAULT_LIMIT)
        )
        body = {
            "recordings": [recording_json(r) for r in page.recordings],
            "next_cursor": None if page.next is None else params.encode_position(*page.next),
        }
        details = {"count": len(page.recordings), **_person(which.person)}
        return Outcome(jsonify(body), details)

    @bp.delete("/users/<user_id>/recordings")
    @api.about_person("recordings.delete", "delete")
    def delete_recordings(key: ApiKey, user_id: str) -> Outcome:
        query = params.Query(request.args, {"date", "timezone", "all", "id", "person"})
        chosen = [name for name in ("date", "all", "id") if query.has(name)]
        if len(chosen) != 1:
            raise bad_request(None, "give exactly one of date, all=true or id")
        if query.has("timezone") and chosen != ["date"]:
            raise bad_request("timezone", "goes only with date")
        person = query.text("person")
        recordings = api.services.recordings
        body: dict[str, Any] = {}
        common: dict[str, Any] = {"channel": "api", "request_id": request_id(), "person": person}
        if chosen == ["all"]:
            if query.args["all"] != "true":
                raise bad_request("all", "must be true")
            deletion = recordings.delete_all(user_id, **common)
            scope = "all"
        elif chosen == ["id"]:
            recording_id = query.text("id", params.LONGEST_RECORDING_ID)
            assert recording_id is not None
            deletion = recordings.delete_one(user_id, recording_id, **common)
            scope = "one"
        else:
            start, end = _date_range(api, query)
            deletion = recordings.delete_range(user_id, start, end, **common)
            body.update({"from": start.isoformat(), "to": end.isoformat()})
            scope = "range"
        _count(deletion)
        details = {"scope": scope, "count": deletion.count, **_person(person)}
        return Outcome(jsonify(deleted=deletion.count, **body), details)


def _date_range(api: Api, query: params.Query) -> tuple[datetime, datetime]:
    """UTC [start, end) of the local days an AMAZON.DATE value names in ``timezone`` (the
    deployment's default zone when not given), resolved as the skill resolves it by voice."""
    value = query.text("date", 32)
    assert value is not None
    zone = query.zone("timezone") or api.config.default_timezone
    today = datetime.now(UTC).astimezone(zone).date()
    try:
        span = resolve_amazon_date(value, today)
        if isinstance(span, UnusableDate):
            raise bad_request("date", f"is not a usable AMAZON.DATE value ({span.reason})")
        return local_days(span.start, span.end, zone)
    except (ValueError, OverflowError):
        raise bad_request("date", "is not a usable AMAZON.DATE value") from None


def _count(deletion: Deletion) -> None:
    if deletion.count:
        METRICS.deletions.labels("api").inc(deletion.count)


def _person(person: str | None) -> dict[str, Any]:
    return {} if person is None else {"person": person}


def _problem(line: int, message: str) -> Problem:
    """An ingest item's problem from the storage service's line-numbered error (line is the
    item's index plus one)."""
    index = line - 1 if line > 0 else None
    if message.startswith("audio_file "):
        reason = message.removeprefix("audio_file ").split(" (--", 1)[0]
        return problem(AUDIO_FIELD, reason, index)
    if message.startswith("id "):
        return problem("id", message.removeprefix("id "), index)
    return problem("id" if " id " in f" {message} " else None, message, index)
