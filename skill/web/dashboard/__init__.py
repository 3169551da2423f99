"""The privacy dashboard, ``/privacy``: a person's voice history in the browser, linked by
saying the code the page shows to the skill (see ``skill.services.dashboard`` for why).

Server-rendered pages in the flaskr style, one module per area: ``views`` (the code page,
the recordings, the audio player), ``deleting`` (every deletion behind a confirmation page
that states the count), ``settings`` (human review, retention), ``account`` (history,
download, sign out). ``guard`` holds the session cookie, the CSRF check and the headers
every answer carries. The pages work without JavaScript; ``static/link.js`` only polls while
a browser waits for its code to be said.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from skill.config import Config
from skill.services import Services
from skill.web.dashboard import account, deleting, settings, views
from skill.web.dashboard.context import Dash

__all__ = ["PREFIX", "dashboard_blueprint"]

PREFIX = "/privacy"


def dashboard_blueprint(services: Services, config: Config) -> Blueprint:
    """The ``/privacy`` blueprint on ``services``."""
    dash = Dash.build(services, config)
    bp = Blueprint(
        "dashboard",
        __name__,
        url_prefix=PREFIX,
        template_folder="templates",
        static_folder="static",
        static_url_path="/static",
    )
    views.register(bp, dash)
    deleting.register(bp, dash)
    settings.register(bp, dash)
    account.register(bp, dash)

    @bp.before_request
    def who() -> None:
        dash.guard.load()

    @bp.after_request
    def headers(response: Response) -> Response:
        return dash.guard.finish(response)

    @bp.errorhandler(400)
    @bp.errorhandler(403)
    @bp.errorhandler(404)
    @bp.errorhandler(405)
    def refused(error: Any) -> Any:
        code = getattr(error, "code", 400) or 400
        return dash.page("dashboard/error.html", code, code=code, reason=_reason(code, error))

    return bp


def _reason(code: int, error: Any) -> str:
    if code == 403:
        return (
            "This page is not open to this browser: link it first, or it was signed out, or "
            "the form was not sent from this dashboard."
        )
    if code == 404:
        return "There is nothing here for this dashboard."
    description = getattr(error, "description", None)
    return str(description) if code == 400 and description else "That request was refused."
