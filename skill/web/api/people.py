"""A person's consent, audit log and export over HTTP (``/users/{user_id}/...``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from skill.services.api_keys import ApiKey
from skill.services.models import PURPOSES, AuditEvent
from skill.web.api import params
from skill.web.api.context import Api, Outcome, request_id
from skill.web.api.errors import bad_request

__all__ = ["register"]

DEFAULT_AUDIT_LIMIT = 100
MAX_AUDIT_LIMIT = 500
EXPORT_NAME = "voice-privacy-export.zip"


def audit_json(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "action": event.action,
        "channel": event.channel,
        "request_id": event.request_id,
        "details": event.details,
    }


def register(bp: Blueprint, api: Api) -> None:
    consent = api.services.consent

    @bp.get("/users/<user_id>/consent")
    @api.about_person("consent.show", "consent")
    def show_consent(key: ApiKey, user_id: str) -> Outcome:
        person = params.Query(request.args, {"person"}).text("person")
        state = consent.state(user_id, person=person)
        body = {"person": person, "policy_version": consent.policy.version, "consent": state}
        return Outcome(jsonify(body), _person(person))

    @bp.put("/users/<user_id>/consent")
    @api.about_person("consent.set", "consent")
    def set_consent(key: ApiKey, user_id: str) -> Outcome:
        params.Query(request.args, ())
        body = params.json_body()
        if not isinstance(body, dict):
            raise bad_request(None, "the body must be a JSON object")
        unknown = sorted(set(body) - {"purpose", "granted", "person"})
        if unknown:
            raise bad_request(unknown[0][:40], "is not a field here")
        purpose = body.get("purpose")
        if purpose not in PURPOSES:
            raise bad_request("purpose", f"must be one of: {', '.join(PURPOSES)}")
        granted = body.get("granted")
        if not isinstance(granted, bool):
            raise bad_request("granted", "must be true or false")
        person = None if body.get("person") is None else params.check_text(body["person"], "person")
        change = consent.set(
            user_id, purpose, granted, channel="api", request_id=request_id(), person=person
        )
        answer = {
            "purpose": change.purpose,
            "granted": change.granted,
            "was_granted": change.was_granted,
            "changed": change.changed,
            "person": person,
            "consent": consent.state(user_id, person=person),
        }
        details = {"purpose": purpose, "granted": granted, **_person(person)}
        return Outcome(jsonify(answer), details)

    @bp.get("/users/<user_id>/audit")
    @api.about_person("audit.list", "audit")
    def list_audit(key: ApiKey, user_id: str) -> Outcome:
        query = params.Query(request.args, {"limit", "cursor"})
        cursor = query.text("cursor", 64)
        before = None if cursor is None else params.decode_audit_position(cursor)
        limit = query.integer("limit", 1, MAX_AUDIT_LIMIT, DEFAULT_AUDIT_LIMIT)
        page = api.reader.audit(user_id, before, limit)
        body = {
            "events": [audit_json(e) for e in page.events],
            "next_cursor": None if page.next is None else params.encode_audit_position(page.next),
        }
        return Outcome(jsonify(body), {"count": len(page.events)})

    @bp.get("/users/<user_id>/export")
    @api.about_person("export", "export")
    def export(key: ApiKey, user_id: str) -> Outcome:
        person = params.Query(request.args, {"person"}).text("person")
        chunks = api.exporter.chunks(
            user_id, person=person, channel="api", by=key.name, request_id=request_id()
        )
        # The first chunk reads the first page: an unavailable database is a 503 here,
        # before the response has begun, not a cut-off download.
        first = next(chunks)

        def stream() -> Any:
            yield first
            yield from chunks

        response = Response(stream(), mimetype="application/zip")
        response.headers["Content-Disposition"] = f'attachment; filename="{EXPORT_NAME}"'
        return Outcome(response, _person(person))


def _person(person: str | None) -> dict[str, Any]:
    return {} if person is None else {"person": person}
