"""``/privacy/history`` (consent decisions and deletions, from the ledger and the audit log,
never content), ``/privacy/export`` ("download my data": the export ZIP) and
``POST /privacy/signout``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, stream_with_context

from skill.services.export import Exporter
from skill.services.models import AuditEvent, ConsentEvent
from skill.web.dashboard.context import Dash, SeenOnly, Sight, local_moment
from skill.web.dashboard.settings import PERIOD_LABELS

__all__ = ["register"]

HISTORY_LIMIT = 200
"""Entries the history page shows, newest first."""
PURPOSES = {"human_review": "Human review", "store_recordings": "Saving new recordings"}
CHANNELS = {
    "voice": "by voice",
    "web": "on this dashboard",
    "api": "by the operator's API",
    "cli": "by the operator",
    "event": "when the skill was disabled",
    "retention": "by the retention period",
}


def register(bp: Blueprint, dash: Dash) -> None:
    guard = dash.guard
    services = dash.services

    @bp.get("/history")
    def history() -> Any:
        session = guard.linked()
        sight = dash.sight(session)
        zone = dash.zone(session)
        entries: list[tuple[Any, str, str, str]] = []
        for event in services.consent.history(sight.user_id):
            if _mine(sight, event.person_id):
                entries.append((event.at, local_moment(event.at, zone), *_decision(event)))
        for audit in services.audit.for_user(sight.user_id):
            if not _mine(sight, audit.details.get("person")):
                continue
            described = _audit(audit)
            if described is not None:
                entries.append((audit.at, local_moment(audit.at, zone), *described))
        entries.sort(key=lambda entry: entry[0], reverse=True)
        services.dashboard.record_access(session, "history.view")
        rows = [
            {"when": when, "what": what, "how": how}
            for _, when, what, how in entries[:HISTORY_LIMIT]
        ]
        return dash.page("dashboard/history.html", rows=rows, kind=sight.kind)

    @bp.get("/export")
    def export() -> Response:
        session = guard.linked()
        sight = dash.sight(session)
        exporter = Exporter(services)
        if sight.person is None:  # an account session: only recordings of no recognised voice
            exporter.reader = SeenOnly(services.engine, services.keys)
        chunks = exporter.chunks(sight.user_id, person=sight.person, channel="web")
        return Response(
            stream_with_context(chunks),
            mimetype="application/zip",
            headers={"Content-Disposition": 'attachment; filename="voice-privacy-export.zip"'},
        )

    @bp.post("/signout")
    def sign_out() -> Any:
        visitor = guard.visitor()
        session = guard.check_post()
        sight = dash.sight(session)
        ended = services.dashboard.sign_out(
            sight.user_id, person=sight.person, channel="web", session=session
        )
        visitor.session, visitor.ended = None, True
        return dash.page("dashboard/signed_out.html", ended=ended)


def _mine(sight: Sight, person: Any) -> bool:
    """An entry a session may see: about the account, or about the person who linked it (an
    account session sees every entry: they hold no content)."""
    return sight.person is None or person is None or person == sight.person


def _decision(event: ConsentEvent) -> tuple[str, str]:
    purpose = PURPOSES.get(event.purpose, event.purpose)
    state = "turned on" if event.granted else "turned off"
    whom = "" if event.person_id is None else " (for a recognised voice)"
    return f"{purpose} {state}{whom}", CHANNELS.get(event.channel, event.channel)


def _audit(event: AuditEvent) -> tuple[str, str] | None:
    """A deletion or a dashboard sign-in or sign-out, described; None for other entries
    (consent changes come from the ledger, accesses are not history)."""
    details = event.details
    how = CHANNELS.get(event.channel, event.channel)
    if event.action == "recordings_deleted":
        count = int(details.get("count") or 0)
        if not count:
            return None
        noun = "recording" if count == 1 else "recordings"
        return f"Deleted {count} {noun}", how
    if event.action == "account_deleted":
        return "Deleted everything kept about the account", how
    if event.action == "retention_changed":
        period = str(details.get("period"))
        return f"Chose how long recordings are kept: {PERIOD_LABELS.get(period, period)}", how
    if event.action == "dashboard_linked":
        return "Linked a dashboard", how
    if event.action == "dashboard_signed_out":
        return "Signed out dashboards", how
    if event.action == "data_exported":
        return "Downloaded the data", how
    return None
