"""``GET /privacy``: a waiting browser's code, or a linked session's recordings (newest first,
by date range and person, a page at a time); ``GET /privacy/link/status`` for the waiting
page's polling; ``GET /privacy/recordings/<id>/audio`` for the audio player."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, jsonify, request

from skill.services.dashboard import CODE_LIFETIME
from skill.services.dashboard import DashboardSession as Session
from skill.services.models import Recording
from skill.services.timerange import local_days
from skill.web.api.errors import ApiError
from skill.web.api.params import decode_position, encode_position
from skill.web.dashboard.context import Dash, Sight, local_moment
from skill.web.dashboard.guard import arrived_from_elsewhere

__all__ = ["PAGE_SIZE", "DateRange", "register"]

PAGE_SIZE = 20
"""Recordings per page."""
LONGEST_ID = 128


@dataclass(frozen=True)
class DateRange:
    """Local days from ``first`` to ``last`` (inclusive), either open."""

    first: date | None
    last: date | None

    def utc(self, zone: ZoneInfo) -> dict[str, datetime]:
        """The bounds as a listing takes them (``start``, ``end``) in UTC."""
        bounds: dict[str, datetime] = {}
        if self.first is not None:
            bounds["start"] = local_days(self.first, self.first, zone)[0]
        if self.last is not None:
            bounds["end"] = local_days(self.last, self.last, zone)[1]
        return bounds

    @property
    def query(self) -> dict[str, str]:
        found = {}
        if self.first is not None:
            found["from"] = self.first.isoformat()
        if self.last is not None:
            found["to"] = self.last.isoformat()
        return found


def read_range(args: Any) -> DateRange:
    """``from`` and ``to`` (YYYY-MM-DD) from a query or form; 400 for a bad date or order."""
    first, last = _day(args.get("from")), _day(args.get("to"))
    if first is not None and last is not None and last < first:
        abort(400, "the end date is before the start date")
    return DateRange(first, last)


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        abort(400, "a date must look like 2026-11-26")


def register(bp: Blueprint, dash: Dash) -> None:
    guard = dash.guard
    dashboard = dash.services.dashboard

    @bp.get("")
    def index() -> Any:
        if dash.config.dashboard_url is None:
            return dash.page("dashboard/not_set_up.html", 404)
        visitor = guard.visitor()
        if visitor.session is None and arrived_from_elsewhere():
            return dash.page("dashboard/reload.html")
        if visitor.session is None:
            visitor = guard.start()
        assert visitor.session is not None and visitor.token is not None
        if visitor.session.linked:
            return recordings(visitor.session)
        code = dashboard.pending_code(visitor.session, visitor.token)
        if code is None:
            page, _ = dash.page("dashboard/busy.html")
            return Response(page, 503, headers={"Retry-After": "60"})
        minutes = int(CODE_LIFETIME.total_seconds() // 60)
        address = dash.config.dashboard_url
        return dash.page("dashboard/link.html", code=code.code, minutes=minutes, address=address)

    @bp.get("/link/status")
    def link_status() -> Response:
        """For the waiting page's polling: linked yet? (or gone: reload for a new code)."""
        session = guard.visitor().session
        if session is None:
            return jsonify(linked=False, expired=True)
        return jsonify(linked=session.linked, expired=False)

    def recordings(session: Session) -> Any:
        sight = dash.sight(session)
        zone = dash.zone(session)
        days = read_range(request.args)
        speakers = dashboard.speakers(sight.user_id)
        others = [n for person, n in speakers if person != sight.person]
        voice = _voice(request.args.get("voice"), len(others), sight)
        before = _position(request.args.get("before"))
        if voice is not None:  # another voice profile: its count only
            shown: list[Recording] = []
            next_cursor = None
        else:
            page = dash.reader.recordings(sight.listing(**days.utc(zone)), before, PAGE_SIZE)
            shown = [r for r in page.recordings if sight.shows(r)]
            next_cursor = None if page.next is None else encode_position(*page.next)
        dashboard.record_access(session, "recordings.list", count=len(shown))
        rows = [_row(r, zone, sight) for r in shown]
        visible = sum(n for person, n in speakers if person == sight.person)
        return dash.page(
            "dashboard/recordings.html",
            rows=rows,
            days=days,
            visible=visible,
            account_total=sum(n for _, n in speakers),
            others=others,
            voice=voice,
            voice_count=others[voice - 1] if voice is not None else 0,
            next_query={**days.query, "before": next_cursor} if next_cursor else None,
            paged=before is not None,
            deleted=_count(request.args.get("deleted")),
            kind=sight.kind,
            zone=zone.key,
        )

    @bp.get("/recordings/<recording_id>/audio")
    def audio(recording_id: str) -> Response:
        session = guard.linked()
        sight = dash.sight(session)
        recording = _visible(dash, sight, recording_id)
        data = dash.services.recordings.read_audio(sight.user_id, recording.id)
        if data is None:
            dashboard.record_access(session, "recordings.audio", "refused", status=404)
            abort(404)
        dashboard.record_access(session, "recordings.audio", recording=recording.id)
        return Response(data, mimetype="audio/wav", headers={"Content-Disposition": "inline"})


def _visible(dash: Dash, sight: Sight, recording_id: str) -> Recording:
    """One recording this session may see; 404 for any other id (another user's, another
    person's, gone), so an id in a URL reaches nothing else."""
    if not recording_id or len(recording_id) > LONGEST_ID:
        abort(404)
    recording = dash.services.recordings.get(sight.user_id, recording_id)
    if recording is None or not sight.shows(recording):
        abort(404)
    return recording


def visible_ids(dash: Dash, sight: Sight, ids: list[str]) -> list[str]:
    """Which of ``ids`` this session may see (the rest are ignored)."""
    found = []
    for rid in dict.fromkeys(ids):
        if rid and len(rid) <= LONGEST_ID:
            recording = dash.services.recordings.get(sight.user_id, rid)
            if recording is not None and sight.shows(recording):
                found.append(rid)
    return found


def _row(recording: Recording, zone: ZoneInfo, sight: Sight) -> dict[str, Any]:
    return {
        "id": recording.id,
        "when": local_moment(recording.recorded_at, zone),
        "iso": recording.recorded_at.astimezone(zone).isoformat(),
        "device": _device(recording.device_id),
        "person": "You" if sight.person is not None else "No recognised voice",
        "transcript": recording.transcript,
        "has_audio": recording.has_audio,
    }


def _device(device_id: str | None) -> str:
    """A device id is long and opaque: its last characters tell devices apart."""
    if not device_id:
        return "unknown"
    return "device …" + device_id[-6:]


def _voice(value: str | None, others: int, sight: Sight) -> int | None:
    """``voice=N``: the N-th other voice profile of the account, whose count an account
    session sees (never its recordings)."""
    if not value:
        return None
    if sight.person is not None or not value.isdigit():
        abort(400, "no such voice profile")
    index = int(value)
    return index if 1 <= index <= others else None


def _position(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:
        return None
    try:
        return decode_position(cursor)
    except ApiError:
        abort(400, "that page link is not one this dashboard made")


def _count(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None
