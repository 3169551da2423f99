"""Who a dashboard request comes from, and what every dashboard answer carries.

- The cookie (``vp_dashboard``) holds only a random session id: ``HttpOnly``,
  ``SameSite=Strict``, ``Path=/privacy``, and ``Secure`` when the page is served over https
  (the request, or ``PRIVACY_SKILL_PUBLIC_URL``, says so). The session itself is a row in the
  data database (``DashboardService``), so every worker sees the same.
- Every state change is a POST that must carry the session's CSRF token (compared in constant
  time), and must not come from another site (``Origin``, ``Sec-Fetch-Site``).
- Every answer carries a strict Content-Security-Policy (no inline script or style, no
  framing), ``Referrer-Policy: no-referrer`` and ``Cache-Control: no-store``.

No cookie value, code or session id is ever put in a URL or a log line.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Response, abort, g, request

from skill.config import Config
from skill.services.dashboard import IDLE_TIMEOUT, MAX_SESSION_AGE, DashboardService
from skill.services.dashboard import DashboardSession as Session

__all__ = ["COOKIE", "HEADERS", "Guard", "Visitor"]

COOKIE = "vp_dashboard"
PATH = "/privacy"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "media-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
"""What every dashboard answer carries."""


@dataclass
class Visitor:
    """This request's browser: its live session (if any), and the cookie value that opens
    it (needed to show a waiting browser its code again)."""

    session: Session | None
    token: str | None
    new_token: str | None = None
    """A cookie to set: this request started the session."""
    ended: bool = False
    """The session was signed out: the cookie is cleared."""


class Guard:
    """Sessions and CSRF for the dashboard's views."""

    def __init__(self, dashboard: DashboardService, config: Config):
        self.dashboard = dashboard
        self.secure_public = (config.public_url or "").startswith("https://")

    def load(self) -> Visitor:
        """The visitor of this request (before each view)."""
        token = request.cookies.get(COOKIE)
        session = self.dashboard.resume(token)
        visitor = Visitor(session, token if session is not None else None)
        g.dashboard_visitor = visitor
        return visitor

    @staticmethod
    def visitor() -> Visitor:
        found: Visitor = g.dashboard_visitor
        return found

    def start(self) -> Visitor:
        """Give this browser a new waiting session (its cookie is set on the answer)."""
        session, token = self.dashboard.start()
        visitor = self.visitor()
        visitor.session, visitor.token, visitor.new_token = session, token, token
        return visitor

    def linked(self) -> Session:
        """The linked session this request needs; 403 for anyone else."""
        session = self.visitor().session
        if session is None or not session.linked:
            abort(403)
        return session

    def check_post(self) -> Session:
        """A state change from a linked session: its CSRF token, from this site; 403
        otherwise (nothing is changed)."""
        session = self.linked()
        self.check_token(session)
        return session

    @staticmethod
    def check_token(session: Session) -> None:
        if _cross_site():
            abort(403)
        given = request.form.get("csrf", "")
        if not hmac.compare_digest(given.encode(), session.csrf_token.encode()):
            abort(403)

    def finish(self, response: Response) -> Response:
        """The headers and cookie every dashboard answer carries."""
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        visitor: Visitor | None = g.get("dashboard_visitor")
        if visitor is None:
            return response
        secure = request.is_secure or self.secure_public
        if visitor.ended:
            response.delete_cookie(
                COOKIE, path=PATH, secure=secure, httponly=True, samesite="Strict"
            )
        elif visitor.new_token is not None:
            response.set_cookie(
                COOKIE,
                visitor.new_token,
                max_age=int(MAX_SESSION_AGE.total_seconds()),
                path=PATH,
                secure=secure,
                httponly=True,
                samesite="Strict",
            )
        return response


def _cross_site() -> bool:
    """Whether the browser says this request comes from another site. ``Sec-Fetch-Site``
    decides where it is sent; else ``Origin``, unless it is ``null`` (what a browser sends
    under ``Referrer-Policy: no-referrer``), where the CSRF token alone decides."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin not in (None, "null") and urlsplit(origin).netloc != request.host


def arrived_from_elsewhere() -> bool:
    """A top-level navigation from another site (a link in a mail): a ``SameSite=Strict``
    cookie is not sent with it, so the page first reloads itself from this site."""
    return request.headers.get("Sec-Fetch-Site") == "cross-site" and COOKIE not in request.cookies


IDLE_MINUTES = int(IDLE_TIMEOUT.total_seconds() // 60)
