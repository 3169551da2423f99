"""The OpenAPI 3.1 document of ``/api/v1``, written by hand beside the code it describes.

Hand-written rather than generated: the endpoints check their inputs with the product's own
validators (``validate_record``, the AMAZON.DATE resolver) and stream the export, which no
schema library's request parsing would do for us; so the document states the contract, and
the tests hold the implementation to it (schemathesis against a served instance: every
response conforms, schema-invalid requests get a 4xx, and nothing answers 5xx).
"""

from __future__ import annotations

import copy
from typing import Any

from skill.services.api_keys import DEFAULT_RATE_PER_MINUTE, SCOPES
from skill.services.ingest import IngestLimits
from skill.services.models import PURPOSES
from skill.services.periods import CHOICES, PERIODS
from skill.web.api.ingest import MAX_BODY_BYTES, MAX_ITEMS
from skill.web.api.params import LONGEST_ID, LONGEST_RECORDING_ID, RFC3339, SMALL_BODY_BYTES

__all__ = ["document"]

_LIMITS = IngestLimits()
_NO_CONTROL = "^[^\\u0000-\\u001f\\u007f]+$"
_PATH_ID = "^[^\\u0000-\\u001f\\u007f/]+$"
def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _text(longest: int = LONGEST_ID, pattern: str = _NO_CONTROL) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": longest, "pattern": pattern}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


def _error(description: str, *headers: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": _ref("Error")}},
    }
    if headers:
        response["headers"] = {name: {"$ref": f"#/components/headers/{name}"} for name in headers}
    return response


def _ok(description: str, schema: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {"X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}},
        "content": {"application/json": {"schema": _ref(schema)}},
    }


def _user_responses(ok: dict[str, Any], *extra: str) -> dict[str, Any]:
    return _responses(ok, "404", *extra)


def _responses(ok: dict[str, Any], *extra: str) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": ok}
    for code in ("400", *extra, "401", "403", "414", "429", "503"):
        responses[code] = {"$ref": f"#/components/responses/{code}"}
    return dict(sorted(responses.items()))


def _person_query(what: str) -> dict[str, Any]:
    return {
        "name": "person",
        "in": "query",
        "required": False,
        "description": f"A recognised person's Alexa personId: {what}.",
        "schema": _text(),
    }


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


_USER = {"$ref": "#/components/parameters/UserId"}


def _schemas() -> dict[str, Any]:
    consent_state = {
        "type": "object",
        "properties": {purpose: {"type": "boolean"} for purpose in PURPOSES},
        "required": list(PURPOSES),
        "additionalProperties": False,
        "description": "Purpose -> whether it is granted now (the policy default when no "
        "decision was made).",
    }
    return {
        "Error": {
            "type": "object",
            "properties": {
                "error": {"type": "string", "description": "The HTTP reason phrase."},
                "message": {"type": "string"},
                "details": {"type": "array", "items": _ref("Problem")},
            },
            "required": ["error", "message"],
            "additionalProperties": False,
        },
        "Problem": {
            "type": "object",
            "description": "What is wrong with one part of the request (never its value).",
            "properties": {
                "index": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "The ingest item at fault (0-based).",
                },
                "field": {"type": ["string", "null"]},
                "reason": {"type": "string"},
            },
            "required": ["field", "reason"],
            "additionalProperties": False,
        },
        "NewRecording": {
            "type": "object",
            "description": "The fields of an ingestion line (the CLI's JSONL), with the audio "
            "inline. Checked as the CLI checks them, with the same limits.",
            "properties": {
                "user_id": _text(),
                "recorded_at": {"type": "string", "pattern": RFC3339, "format": "date-time"},
                "transcript": {"type": "string", "maxLength": _LIMITS.transcript_chars},
                "device_id": _nullable({"type": "string", "minLength": 1, "maxLength": 512}),
                "person_id": _nullable({"type": "string", "minLength": 1, "maxLength": 512}),
                "id": _nullable(
                    {"type": "string", "minLength": 1, "maxLength": LONGEST_RECORDING_ID}
                ),
                "audio_wav_base64": _nullable(
                    {
                        "type": "string",
                        "contentEncoding": "base64",
                        "contentMediaType": "audio/wav",
                        "pattern": "^[A-Za-z0-9+/]*={0,2}$",
                        "description": f"A WAV file, at most {_LIMITS.audio_bytes} bytes "
                        "once decoded.",
                    }
                ),
            },
            "required": ["user_id", "recorded_at", "transcript"],
            "additionalProperties": False,
        },
        "IngestRequest": {
            "type": "object",
            "properties": {
                "recordings": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_ITEMS,
                    "items": _ref("NewRecording"),
                }
            },
            "required": ["recordings"],
            "additionalProperties": False,
        },
        "IngestResult": {
            "type": "object",
            "properties": {
                "ingested": {"type": "integer", "minimum": 0},
                "refused": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Recordings not stored because their person or account "
                    "withdrew store_recordings.",
                },
            },
            "required": ["ingested", "refused"],
            "additionalProperties": False,
        },
        "Recording": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "user_id": {"type": "string"},
                "person_id": {"type": ["string", "null"]},
                "device_id": {"type": ["string", "null"]},
                "recorded_at": {"type": "string", "format": "date-time"},
                "transcript": {"type": "string"},
                "has_audio": {"type": "boolean"},
                "source": {"type": "string"},
            },
            "required": [
                "id", "user_id", "person_id", "device_id", "recorded_at", "transcript",
                "has_audio", "source",
            ],
            "additionalProperties": False,
        },
        "RecordingPage": {
            "type": "object",
            "properties": {
                "recordings": {"type": "array", "items": _ref("Recording")},
                "next_cursor": {
                    "type": ["string", "null"],
                    "description": "Pass as cursor for the next (older) page; null at the end.",
                },
            },
            "required": ["recordings", "next_cursor"],
            "additionalProperties": False,
        },
        "Deleted": {
            "type": "object",
            "properties": {
                "deleted": {"type": "integer", "minimum": 0},
                "from": {
                    "type": "string",
                    "format": "date-time",
                    "description": "For a date: the first instant the deletion covered.",
                },
                "to": {
                    "type": "string",
                    "format": "date-time",
                    "description": "For a date: the end (exclusive) of what it covered.",
                },
            },
            "required": ["deleted"],
            "additionalProperties": False,
        },
        "ConsentState": {
            "type": "object",
            "properties": {
                "person": {"type": ["string", "null"]},
                "policy_version": {"type": "string"},
                "consent": consent_state,
            },
            "required": ["person", "policy_version", "consent"],
            "additionalProperties": False,
        },
        "ConsentDecision": {
            "type": "object",
            "properties": {
                "purpose": {"type": "string", "enum": list(PURPOSES)},
                "granted": {"type": "boolean"},
                "person": _nullable(_text()),
            },
            "required": ["purpose", "granted"],
            "additionalProperties": False,
        },
        "ConsentChange": {
            "type": "object",
            "properties": {
                "purpose": {"type": "string", "enum": list(PURPOSES)},
                "granted": {"type": "boolean"},
                "was_granted": {"type": "boolean"},
                "changed": {"type": "boolean"},
                "person": {"type": ["string", "null"]},
                "consent": consent_state,
            },
            "required": ["purpose", "granted", "was_granted", "changed", "person", "consent"],
            "additionalProperties": False,
        },
        "RetentionState": {
            "type": "object",
            "description": "What applies to the person's recordings (without a person: the "
            "account's recordings of no recognised person), and why.",
            "properties": {
                "person": {"type": ["string", "null"]},
                "period": {
                    "type": "string",
                    "description": "The period that applies: the shortest applicable choice, "
                    "else the deployment default (18_MONTHS, or N_DAYS).",
                },
                "source": {"type": "string", "enum": ["person", "account", "default"]},
                "chosen": {
                    "oneOf": [{"type": "string", "enum": list(PERIODS)}, {"type": "null"}],
                    "description": "The choice made at this level, if any.",
                },
                "saving": {
                    "type": "boolean",
                    "description": "Whether new recordings are stored (DONT_SAVE turns it off).",
                },
                "default": {"type": "string"},
                "deletes_before": {"type": ["string", "null"], "format": "date-time"},
            },
            "required": [
                "person", "period", "source", "chosen", "saving", "default", "deletes_before",
            ],
            "additionalProperties": False,
        },
        "RetentionDecision": {
            "type": "object",
            "properties": {
                "period": {"type": "string", "enum": list(CHOICES)},
                "person": _nullable(_text()),
                "dry_run": {
                    "type": "boolean",
                    "description": "Only say how many recordings the choice would delete.",
                },
            },
            "required": ["period"],
            "additionalProperties": False,
        },
        "RetentionChange": {
            "type": "object",
            "properties": {
                "chosen": {"type": "string", "enum": list(CHOICES)},
                "previous": {"oneOf": [{"type": "string"}, {"type": "null"}]},
                "deleted": {"type": "integer", "minimum": 0},
                "resumed_saving": {"type": "boolean"},
                "retention": _ref("RetentionState"),
            },
            "required": ["chosen", "previous", "deleted", "resumed_saving", "retention"],
            "additionalProperties": False,
        },
        "RetentionDryRun": {
            "type": "object",
            "properties": {
                "period": {"type": "string", "enum": list(CHOICES)},
                "would_delete": {"type": "integer", "minimum": 0},
            },
            "required": ["period", "would_delete"],
            "additionalProperties": False,
        },
        "AuditEvent": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "at": {"type": "string", "format": "date-time"},
                "action": {"type": "string"},
                "channel": {"type": "string"},
                "request_id": {"type": ["string", "null"]},
                "details": {
                    "type": "object",
                    "description": "Ranges, counts, ids and key names; never content.",
                },
            },
            "required": ["id", "at", "action", "channel", "request_id", "details"],
            "additionalProperties": False,
        },
        "AuditPage": {
            "type": "object",
            "properties": {
                "events": {"type": "array", "items": _ref("AuditEvent")},
                "next_cursor": {"type": ["string", "null"]},
            },
            "required": ["events", "next_cursor"],
            "additionalProperties": False,
        },
    }


def _components() -> dict[str, Any]:
    return {
        "securitySchemes": {
            "apiKey": {
                "type": "http",
                "scheme": "bearer",
                "description": "An API key from `privacy-skill api-keys create`.",
            }
        },
        "parameters": {
            "UserId": {
                "name": "user_id",
                "in": "path",
                "required": True,
                "description": "The Alexa userId, URL-encoded.",
                "schema": _text(LONGEST_ID, _PATH_ID),
            }
        },
        "headers": {
            "Retry-After": {
                "required": True,
                "description": "Seconds to wait before trying again.",
                "schema": {"type": "string", "pattern": "^[0-9]+$"},
            },
            "WWW-Authenticate": {
                "required": True,
                "schema": {"type": "string", "pattern": "^Bearer "},
            },
            "X-Request-Id": {
                "required": False,
                "description": "This request's id, also in its audit entries.",
                "schema": {"type": "string"},
            },
        },
        "responses": {
            "400": _error("A parameter or the body is not usable (details say which)."),
            "401": _error("No API key, not a key of this service, or a revoked key.",
                          "WWW-Authenticate"),
            "403": _error("The key lacks the scope this endpoint needs."),
            "404": _error("No such path: a user id holding '/' (even as %2F) cannot be "
                          "addressed; Alexa's never do."),
            "413": _error("The body is over this endpoint's limit."),
            "414": _error("The request line (path and query) is over 4 KiB."),
            "415": _error("The body is not application/json."),
            "422": _error("Some items were refused (details: index, field, reason); nothing "
                          "was ingested."),
            "429": _error("The key's rate limit (or the ingests a worker takes at once) is "
                          "reached.", "Retry-After"),
            "503": _error("The database is unavailable.", "Retry-After"),
        },
        "schemas": _schemas(),
    }


def _paths() -> dict[str, Any]:
    cursor = {"type": "string", "minLength": 1, "maxLength": 2048}
    return {
        "/recordings": {
            "post": {
                "operationId": "ingestRecordings",
                "summary": "Store recordings: all of them, or none (scope: ingest).",
                "description": f"The body is at most {MAX_BODY_BYTES} bytes (64 MiB); over "
                "it, 413. Each recording is checked as `privacy-skill ingest` checks a line, "
                "with the same limits; any bad one is a 422 listing the bad items and "
                "nothing is stored. Recordings of a person or account that withdrew "
                "store_recordings are counted as refused, not stored.",
                "x-scope": "ingest",
                "x-max-body-bytes": MAX_BODY_BYTES,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("IngestRequest")}},
                },
                "responses": _responses(
                    _ok("Stored (or refused for lack of consent).", "IngestResult"),
                    "413", "415", "422",
                ),
            }
        },
        "/users/{user_id}/recordings": {
            "parameters": [_USER],
            "get": {
                "operationId": "listRecordings",
                "summary": "A user's recordings, newest first, transcripts included "
                "(scope: read).",
                "x-scope": "read",
                "parameters": [
                    _query("from", {"type": "string", "pattern": RFC3339},
                           "Recorded at or after this time (RFC 3339 with an offset)."),
                    _query("to", {"type": "string", "pattern": RFC3339},
                           "Recorded before this time."),
                    _person_query("only their recordings"),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 500,
                                     "default": 50}, "Most recordings in the page."),
                    _query("cursor", cursor, "next_cursor of the previous page."),
                ],
                "responses": _user_responses(_ok("One page.", "RecordingPage")),
            },
            "delete": {
                "operationId": "deleteRecordings",
                "summary": "Delete recordings by local date, all, or by id (scope: delete).",
                "description": "Give exactly one of date, all=true or id. The same deletion "
                "as by voice: the recordings' keys are destroyed first, so their content is "
                "unreadable in every copy from that moment on.",
                "x-scope": "delete",
                "parameters": [
                    _query("date", {"type": "string", "minLength": 1, "maxLength": 32},
                           "An AMAZON.DATE value (2026-11-26, 2026-W48, 2026-11, ...), "
                           "resolved in timezone as the skill resolves it."),
                    _query("timezone", {"type": "string", "minLength": 1, "maxLength": 64},
                           "IANA time zone for date (default: the deployment's)."),
                    _query("all", {"type": "string", "enum": ["true"]},
                           "Every recording of the user (of person, when given)."),
                    _query("id", _text(LONGEST_RECORDING_ID), "One recording by id."),
                    _person_query("only their recordings"),
                ],
                "responses": _user_responses(_ok("Deleted.", "Deleted")),
            },
        },
        "/users/{user_id}/consent": {
            "parameters": [_USER],
            "get": {
                "operationId": "showConsent",
                "summary": "Current consent per purpose (scope: consent).",
                "x-scope": "consent",
                "parameters": [_person_query("their consent")],
                "responses": _user_responses(_ok("The state.", "ConsentState")),
            },
            "put": {
                "operationId": "setConsent",
                "summary": "Record a grant or withdrawal, channel api (scope: consent).",
                "description": "A withdrawal is honoured before the answer (queued "
                f"human-review items are purged). Body at most {SMALL_BODY_BYTES} bytes.",
                "x-scope": "consent",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("ConsentDecision")}},
                },
                "responses": _user_responses(_ok("Recorded.", "ConsentChange"), "413", "415"),
            },
        },
        "/users/{user_id}/retention": {
            "parameters": [_USER],
            "get": {
                "operationId": "showRetention",
                "summary": "How long recordings are kept, and why (scope: consent).",
                "x-scope": "consent",
                "parameters": [_person_query("what applies to their recordings")],
                "responses": _user_responses(_ok("What applies.", "RetentionState")),
            },
            "put": {
                "operationId": "setRetention",
                "summary": "Choose how long recordings are kept, channel api (scope: consent).",
                "description": "3_MONTHS, 18_MONTHS, 36_MONTHS or UNTIL_DELETED, for the "
                "account or one person; what the new period no longer keeps is deleted at "
                "once, as any deletion (keys first). DONT_SAVE stops storing new recordings and "
                "deletes nothing. With dry_run, only the count of what would go.",
                "x-scope": "consent",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("RetentionDecision")}},
                },
                "responses": _user_responses(
                    {
                        "description": "Chosen (or, with dry_run, what it would delete).",
                        "headers": {
                            "X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}
                        },
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [_ref("RetentionChange"), _ref("RetentionDryRun")]
                                }
                            }
                        },
                    },
                    "413",
                    "415",
                ),
            },
        },
        "/users/{user_id}/audit": {
            "parameters": [_USER],
            "get": {
                "operationId": "listAudit",
                "summary": "The audit log about a user, newest first (scope: audit).",
                "x-scope": "audit",
                "parameters": [
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 500,
                                     "default": 100}, "Most entries in the page."),
                    _query("cursor", {"type": "string", "minLength": 1, "maxLength": 64},
                           "next_cursor of the previous page."),
                ],
                "responses": _user_responses(_ok("One page.", "AuditPage")),
            },
        },
        "/users/{user_id}/export": {
            "parameters": [_USER],
            "get": {
                "operationId": "exportData",
                "summary": "Everything kept about a user as one ZIP (scope: export).",
                "description": "manifest.json, recordings.jsonl (the fields of ingest), "
                "audio/<id>.wav (the bytes ingested), consent.jsonl, audit.jsonl; streamed.",
                "x-scope": "export",
                "parameters": [_person_query("only their recordings and decisions")],
                "responses": _user_responses(
                    {
                        "description": "The archive.",
                        "headers": {
                            "X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}
                        },
                        "content": {"application/zip": {"schema": {}}},
                    }
                ),
            },
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document.",
                "security": [],
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }


_DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Voice Privacy operator API",
        "version": "1",
        "description": "For the assistant platform (ingest) and a privacy team (read, "
        "delete, consent, retention, audit, export). Keys: `privacy-skill api-keys create --name N "
        f"--scope S[,S...]`; scopes: {', '.join(SCOPES)}. Each key has a rate limit "
        f"(default {DEFAULT_RATE_PER_MINUTE} requests a minute); over it, 429 with "
        "Retry-After. Every call about a person's data is in their audit log, naming the "
        "key. Errors: {error, message, details?} with a 4xx status; 503 with Retry-After "
        "only when the database is unavailable.",
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"apiKey": []}],
    "paths": _paths(),
    "components": _components(),
}


def document() -> dict[str, Any]:
    """The document (a copy: callers may change theirs)."""
    return copy.deepcopy(_DOCUMENT)
