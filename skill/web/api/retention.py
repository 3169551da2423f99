"""A person's retention over HTTP: ``GET|PUT /users/{user_id}/retention`` (scope consent),
through the retention service the skill and the CLI use.

Choosing a period applies it at once: what it no longer keeps is deleted, with every
guarantee of a deletion (``dry_run`` says how many would go and changes nothing).
``DONT_SAVE`` withdraws ``store_recordings`` and deletes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, jsonify, request

from skill.services.api_keys import ApiKey
from skill.services.periods import CHOICES
from skill.services.retention import RetentionView
from skill.web.api import params
from skill.web.api.context import Api, Outcome, request_id
from skill.web.api.errors import bad_request
from skill.web.metrics import METRICS

__all__ = ["register", "retention_json"]


def retention_json(view: RetentionView, now: datetime) -> dict[str, Any]:
    cutoff = view.period.cutoff(now)
    return {
        "person": view.person,
        "period": view.period.id,
        "source": view.source,
        "chosen": view.chosen,
        "saving": view.saving,
        "default": view.default.id,
        "deletes_before": None if cutoff is None else cutoff.isoformat(),
    }


def register(bp: Blueprint, api: Api) -> None:
    @bp.get("/users/<user_id>/retention")
    @api.about_person("retention.show", "consent")
    def show_retention(key: ApiKey, user_id: str) -> Outcome:
        person = params.Query(request.args, {"person"}).text("person")
        view = api.services.retention.view(user_id, person=person)
        details = {} if person is None else {"person": person}
        return Outcome(jsonify(retention_json(view, datetime.now(UTC))), details)

    @bp.put("/users/<user_id>/retention")
    @api.about_person("retention.set", "consent")
    def set_retention(key: ApiKey, user_id: str) -> Outcome:
        params.Query(request.args, ())
        body = params.json_body()
        if not isinstance(body, dict):
            raise bad_request(None, "the body must be a JSON object")
        unknown = sorted(set(body) - {"period", "person", "dry_run"})
        if unknown:
            raise bad_request(unknown[0][:40], "is not a field here")
        period = body.get("period")
        if not isinstance(period, str) or period not in CHOICES:
            raise bad_request("period", f"must be one of: {', '.join(CHOICES)}")
        dry_run = body.get("dry_run", False)
        if not isinstance(dry_run, bool):
            raise bad_request("dry_run", "must be true or false")
        raw_person = body.get("person")
        person = None if raw_person is None else params.check_text(raw_person, "person")
        details: dict[str, Any] = {"period": period, "dry_run": dry_run}
        if person is not None:
            details["person"] = person
        retention = api.services.retention
        if dry_run:
            count = retention.would_delete(user_id, period, person=person)
            answer = {"period": period, "would_delete": count}
            return Outcome(jsonify(answer), {**details, "count": count})
        change = retention.choose(
            user_id, period, channel="api", person=person, request_id=request_id()
        )
        if change.deleted:
            METRICS.deletions.labels("api").inc(change.deleted)
        answer = {
            "chosen": period,
            "previous": change.previous,
            "deleted": change.deleted,
            "resumed_saving": change.resumed_saving,
            "retention": retention_json(change.view, datetime.now(UTC)),
        }
        return Outcome(jsonify(answer), {**details, "count": change.deleted})
