"""What the dashboard's views share: the services, the guard, and whose recordings a session
may see (the household read-back rule, DESIGN.md §2)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, render_template

from skill.config import Config
from skill.services import Services
from skill.services.dashboard import DashboardSession as Session
from skill.services.models import Recording
from skill.services.pages import Opened, PagedReader, RecordingFilter
from skill.values import NotATimeZone, parse_zone
from skill.web.dashboard.guard import Guard

__all__ = ["Dash", "Sight"]


@dataclass(frozen=True)
class Sight:
    """What a session may see and act on."""

    user_id: str
    person: str | None
    """The recognised person who linked it: their recordings only. None: the account."""

    @property
    def kind(self) -> str:
        return "person" if self.person is not None else "account"

    def shows(self, recording: Recording) -> bool:
        """Whether a recording's content may be shown: a person's session sees that person's;
        an account session only recordings of no recognised voice."""
        return recording.user_id == self.user_id and recording.person_id == self.person

    def listing(self, **bounds: Any) -> RecordingFilter:
        """The recordings this session may read, within ``bounds`` (start, end, ...)."""
        return RecordingFilter(
            self.user_id, person=self.person, unattributed=self.person is None, **bounds
        )

    @property
    def deletes_for(self) -> str | None:
        """Whose recordings a range or "everything" deletes: the person's, or (as by voice
        from an unrecognised speaker) the whole account's."""
        return self.person


class SeenOnly(PagedReader):
    """A reader that opens only what an account session may see: the export of a dashboard
    linked without a recognised voice holds no recognised person's recordings."""

    def every_recording(self, which: RecordingFilter) -> Iterator[Opened]:
        return super().every_recording(replace(which, unattributed=True))


@dataclass
class Dash:
    """The dashboard's dependencies, built once per app."""

    services: Services
    config: Config
    guard: Guard
    reader: PagedReader

    @classmethod
    def build(cls, services: Services, config: Config) -> Dash:
        return cls(
            services=services,
            config=config,
            guard=Guard(services.dashboard, config),
            reader=PagedReader(services.engine, services.keys),
        )

    def sight(self, session: Session) -> Sight:
        assert session.user_id is not None
        return Sight(session.user_id, session.person_id)

    def zone(self, session: Session) -> ZoneInfo:
        """Local time for this session: the linking device's zone, else the deployment's."""
        if session.timezone:
            try:
                return parse_zone(session.timezone)
            except NotATimeZone:
                pass  # a zone this server's tz database lacks: the deployment's instead
        return self.config.default_timezone

    def page(self, template: str, status: int = 200, **values: Any) -> tuple[str, int]:
        """A dashboard page; every page gets the session (for its CSRF token and links)."""
        visitor = self.guard.visitor()
        return render_template(template, session=visitor.session, **values), status


def local_moment(moment: datetime, zone: ZoneInfo) -> str:
    """ "Thu 26 Nov 2026, 09:14" in the session's zone."""
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def local_day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def asked_when(value: str | None) -> datetime:
    """When the confirmation page asked (what was stored by then is what it counted)."""
    try:
        moment = datetime.fromisoformat(value or "")
    except ValueError:
        abort(400, "the confirmation is not one this dashboard showed")
    if moment.tzinfo is None:
        abort(400, "the confirmation is not one this dashboard showed")
    return min(moment.astimezone(UTC), datetime.now(UTC))
