"""Deleting from the dashboard: one recording (its row's button), a selection, a date range, or
everything, each through a confirmation page that states the count.

``GET /privacy/delete`` only describes (it changes nothing); ``POST /privacy/delete`` (with the
CSRF token) deletes what the confirmation described: the same ids, or the same bounds and only
what was stored when the page asked, as the voice confirmations do. Deletion is the storage
service's, with every guarantee it gives (keys destroyed first), audited with channel ``web``.
A range or "everything" covers the person who linked the session, or, from a session linked
without a recognised voice, the whole account, as the same request by voice would.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, redirect, request, url_for

from skill.services.models import Deletion
from skill.web.dashboard.context import Dash, asked_when, local_day
from skill.web.dashboard.views import DateRange, read_range, visible_ids
from skill.web.metrics import METRICS

__all__ = ["register"]

MAX_SELECTION = 200
"""Recordings one selection may name (a page shows 20)."""


def register(bp: Blueprint, dash: Dash) -> None:
    guard = dash.guard
    recordings = dash.services.recordings

    @bp.get("/delete")
    def confirm_delete() -> Any:
        session = guard.linked()
        sight = dash.sight(session)
        kind, ids, days = _target(request.args)
        asked_at = datetime.now(UTC)
        if kind == "ids":
            ids = visible_ids(dash, sight, ids)
            count = len(ids)
        elif kind == "range":
            count = recordings.count(
                sight.user_id, **_bounds(dash, session, days), person=sight.deletes_for
            )
        else:
            count = recordings.total(sight.user_id, person=sight.deletes_for)
        return dash.page(
            "dashboard/confirm_delete.html",
            kind=kind,
            ids=ids,
            days=days,
            first=local_day(days.first) if days.first else None,
            last=local_day(days.last) if days.last else None,
            count=count,
            asked_at=asked_at.isoformat(),
            account_wide=sight.person is None and kind != "ids",
        )

    @bp.post("/delete")
    def delete() -> Any:
        session = guard.check_post()
        sight = dash.sight(session)
        kind, ids, days = _target(request.form)
        asked_at = asked_when(request.form.get("asked_at"))
        common: dict[str, Any] = {"channel": "web", "person": sight.deletes_for}
        count = 0
        if kind == "ids":
            for rid in visible_ids(dash, sight, ids):
                count += _counted(recordings.delete_one(sight.user_id, rid, **common)).count
        elif kind == "range":
            bounds = _bounds(dash, session, days)
            deletion = recordings.delete_range(
                sight.user_id, bounds["start"], bounds["end"], ingested_before=asked_at, **common
            )
            count = _counted(deletion).count
        else:
            deletion = recordings.delete_all(sight.user_id, ingested_before=asked_at, **common)
            count = _counted(deletion).count
        return redirect(url_for("dashboard.index", deleted=count), 303)


def _target(args: Any) -> tuple[str, list[str], DateRange]:
    """What a deletion names: ``one`` (a row's button) or ``id`` (a selection), ``from`` and
    ``to`` (a range), or ``all``; 400 for none or several."""
    one = args.get("one")
    ids = [one] if one else args.getlist("id")
    days = read_range(args)
    everything = args.get("all") == "1"
    kinds = [k for k, on in (("ids", bool(ids)), ("range", bool(days.query)), ("all", everything))
             if on]  # fmt: skip
    if len(kinds) != 1:
        abort(400, "choose recordings, a date range, or everything")
    if len(ids) > MAX_SELECTION:
        abort(400, f"choose at most {MAX_SELECTION} recordings at a time")
    if kinds == ["range"] and (days.first is None or days.last is None):
        abort(400, "a date range needs a first and a last day")
    return kinds[0], ids, days


def _bounds(dash: Dash, session: Any, days: DateRange) -> dict[str, datetime]:
    bounds = days.utc(dash.zone(session))
    return {"start": bounds["start"], "end": bounds["end"]}


def _counted(deletion: Deletion) -> Deletion:
    if deletion.count:
        METRICS.deletions.labels("web").inc(deletion.count)
    return deletion
