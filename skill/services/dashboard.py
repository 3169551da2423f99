"""The privacy dashboard's rules: browser sessions, and the codes that link them by voice.

Our person has no account with us: the skill knows them by their Alexa userId (and personId
when their voice is recognised), and Alexa vouches for that in every signed request. So
linking is the device-authorization pattern of RFC 8628 turned round: the browser shows a
short code, and the person says it to the skill, the side that is already signed in. No
secret travels by voice or card (the code only names a waiting browser), and nothing on the
web can be guessed into a session: a browser is linked only by a signed Alexa request.

- **Sessions** are server-side rows. The browser holds a random 256-bit id in its cookie;
  the table keeps its SHA-256 only. A session ends after 30 minutes unused, 12 hours after
  it started, or when it is signed out (by voice or on the page).
- **Codes** are six digits, single use, valid for 10 minutes, and belong to the browser
  session that displayed them: saying a code links that browser and no other. The table keeps
  an HMAC of each code under a secret derived from the master key (which is in neither
  database), never the code; the code itself is derived from the browser's cookie and a
  nonce, so the page can show the same code again after a reload.
- **Limits**: a user who says five wrong or expired codes in ten minutes is refused until the
  window passes (the lookups stop, the right code included), and at most
  ``MAX_PENDING_CODES`` browsers wait at once. Both are rows in the data database, so they
  hold across every worker.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from skill.services.audit import AuditLog
from skill.services.link_codes import CODE_DIGITS, CodeRefused, FoundCode, normalise_code
from skill.services.models import Channel
from skill.store import dashboard as stored
from skill.store.db import reading
from skill.store.errors import DuplicateKey
from skill.store.masterkey import MasterKey, MasterKeys
from skill.store.rows import AnyRow, to

__all__ = [
    "CODE_DIGITS",
    "CODE_LIFETIME",
    "IDLE_TIMEOUT",
    "MAX_FAILURES",
    "CodeRefused",
    "DashboardService",
    "DashboardSession",
    "FoundCode",
    "PendingCode",
    "normalise_code",
]

CODE_LIFETIME = timedelta(minutes=10)
IDLE_TIMEOUT = timedelta(minutes=30)
MAX_SESSION_AGE = timedelta(hours=12)
"""However active, a session ends this long after it was started: link again."""
FAILURE_WINDOW = timedelta(minutes=10)
MAX_FAILURES = 5
"""Wrong or expired codes one Alexa user may say within ``FAILURE_WINDOW``."""
MAX_PENDING_CODES = 10_000
"""Browsers that may wait for their code to be said at once (each holds one code, out of
900,000): past it a new browser is asked to try again in a few minutes."""
_SECRET_LABEL = b"voice-privacy dashboard link codes"
_DRAWS = 8
"""New nonces tried when a code collides with one another browser is waiting with."""


@dataclass(frozen=True)
class DashboardSession:
    """One browser's session."""

    id: int
    """Public handle (audit entries name the session by it; never the cookie)."""
    csrf_token: str
    """What every state-changing form of this session must carry."""
    created_at: datetime
    """When the browser first opened the dashboard (UTC)."""
    user_id: str | None
    """The Alexa userId it was linked to; None while it waits for its code."""
    person_id: str | None
    """The recognised person who linked it; None: the account (no recognised voice)."""
    linked_at: datetime | None
    """When it was linked."""
    timezone: str | None
    """The linking device's time zone (IANA name), for local dates and times."""

    @property
    def linked(self) -> bool:
        return self.user_id is not None


@dataclass(frozen=True)
class PendingCode:
    """The code a waiting browser shows."""

    code: str
    """Six digits."""
    expires_at: datetime
    """When it stops working (UTC)."""


def _secret(master: MasterKey) -> bytes:
    """The code secret of one master key: the master key never leaves its holder as is."""
    return hmac.new(master.secret, _SECRET_LABEL, hashlib.sha256).digest()


def _code_hash(secret: bytes, code: str) -> str:
    return hmac.new(secret, b"code:" + code.encode("ascii"), hashlib.sha256).hexdigest()


def _derive_code(secret: bytes, token: str, nonce: str) -> str:
    """The code a browser with cookie ``token`` shows for ``nonce``: 100000 to 999999 (no
    leading zero, which a spoken number would lose)."""
    digest = hmac.new(secret, f"show:{token}:{nonce}".encode(), hashlib.sha256).digest()
    return str(100_000 + int.from_bytes(digest[:8], "big") % 900_000)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class DashboardService:
    """Sessions and link codes, on the data database."""

    def __init__(
        self,
        engine: Engine,
        masters: MasterKeys,
        audit: AuditLog,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.engine = engine
        self.masters = masters
        self.audit = audit
        self.clock = clock

    # -- browser sessions ----------------------------------------------------------------

    def start(self) -> tuple[DashboardSession, str]:
        """A new session waiting to be linked, and the cookie value that opens it (given to
        the browser only). Sessions past their time are removed first."""
        now = self.clock()
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            self._sweep(conn, now)
            session_id = stored.add_session(
                conn, token_hash=token_hash(token), csrf_token=secrets.token_urlsafe(32), at=now
            )
            row = stored.session_by_id(conn, session_id)
        assert row is not None
        return _session(row), token

    def resume(self, token: str | None) -> DashboardSession | None:
        """The session a cookie opens, if it is still live (its idle timeout starts again);
        None for an unknown, signed-out or timed-out one (a timed-out row is removed)."""
        if not token or len(token) > 128:
            return None
        now = self.clock()
        with self.engine.begin() as conn:
            row = stored.session_by_token(conn, token_hash(token))
            if row is None:
                return None
            if row.seen_at <= now - IDLE_TIMEOUT or row.created_at <= now - MAX_SESSION_AGE:
                stored.delete_session(conn, row.id)
                return None
            stored.touch(conn, row.id, now)
        return _session(row)

    def _sweep(self, conn: Connection, now: datetime) -> None:
        stored.delete_idle(conn, now - IDLE_TIMEOUT, now - MAX_SESSION_AGE)
        stored.delete_expired_codes(conn, now)
        stored.delete_failures_before(conn, now - FAILURE_WINDOW)

    # -- codes: the browser's side ------------------------------------------------------

    def pending_code(self, session: DashboardSession, token: str) -> PendingCode | None:
        """The code the waiting browser shows: the same one until it expires, then a new
        one. None when too many browsers wait already (try again in a few minutes)."""
        if session.linked:
            raise ValueError("a linked session has no code")
        now = self.clock()
        with self.engine.begin() as conn:
            row = stored.code_of(conn, session.id)
            if row is not None and row.expires_at > now:
                master = self.masters.get(row.secret_id)
                if master is not None:
                    code = _derive_code(_secret(master), token, row.nonce)
                    return PendingCode(code, row.expires_at)
            if row is not None:
                stored.delete_code_of(conn, session.id)
            if stored.pending_codes(conn, now) >= MAX_PENDING_CODES:
                return None
            return self._new_code(conn, session.id, token, now)

    def _new_code(
        self, conn: Connection, session_id: int, token: str, now: datetime
    ) -> PendingCode:
        master = self.masters.current
        secret = _secret(master)
        expires = now + CODE_LIFETIME
        for _ in range(_DRAWS):
            nonce = secrets.token_hex(16)
            code = _derive_code(secret, token, nonce)
            try:
                stored.add_code(
                    conn,
                    code_hash=_code_hash(secret, code),
                    session_id=session_id,
                    nonce=nonce,
                    secret_id=master.id,
                    at=now,
                    expires_at=expires,
                )
            except DuplicateKey:  # another browser waits with this code: draw again
                continue
            return PendingCode(code, expires)
        raise RuntimeError("no free link code after several draws")

    def is_linked(self, session_id: int) -> bool:
        """Whether the session was linked (the waiting page asks every few seconds)."""
        with reading(self.engine) as conn:
            row = stored.session_by_id(conn, session_id)
        return row is not None and row.user_id is not None

    # -- codes: the skill's side --------------------------------------------------------

    def find_code(self, code: str | None, user_id: str) -> FoundCode | CodeRefused:
        """The waiting browser ``code`` names, for the skill's question. A wrong or expired
        code is counted against ``user_id``; past ``MAX_FAILURES`` in the window every code
        is refused without being looked up."""
        now = self.clock()
        with self.engine.begin() as conn:
            if stored.failures_since(conn, user_id, now - FAILURE_WINDOW) >= MAX_FAILURES:
                return CodeRefused("too_many")
            digits = normalise_code(code)
            rows = stored.codes_by_hash(conn, self._hashes(digits)) if digits else []
            found = rows[0] if rows else None
            if found is not None and found.expires_at > now:
                return FoundCode(int(found.session_id), found.expires_at)
            stored.add_failure(conn, user_id, now)
        return CodeRefused("unknown" if found is None else "expired")

    def link(
        self,
        code: str | None,
        session_id: int,
        *,
        user_id: str,
        person_id: str | None,
        timezone: str | None,
        request_id: str | None = None,
    ) -> DashboardSession | CodeRefused:
        """Use up ``code`` and link its browser (the one the skill asked about, and only it)
        to ``user_id`` and ``person_id``, in one transaction, audited with channel
        ``voice``."""
        now = self.clock()
        digits = normalise_code(code)
        if digits is None:
            return CodeRefused("unknown")
        with self.engine.begin() as conn:
            rows = stored.codes_by_hash(conn, self._hashes(digits), lock=True)
            row = rows[0] if rows else None
            if row is None or int(row.session_id) != session_id:
                return CodeRefused("used")
            if row.expires_at <= now:
                return CodeRefused("expired")
            if not stored.delete_code(conn, row.code_hash) or not stored.bind(
                conn, session_id, user_id=user_id, person_id=person_id, timezone=timezone, at=now
            ):
                return CodeRefused("used")
            details = {"person": person_id} if person_id is not None else {}
            self.audit.record(
                conn,
                "dashboard_linked",
                user_id=user_id,
                channel="voice",
                request_id=request_id,
                session=session_id,
                **details,
            )
            linked = stored.session_by_id(conn, session_id)
        assert linked is not None
        return _session(linked)

    def _hashes(self, code: str) -> list[str]:
        """The code's HMAC under every master key this process holds (a code made just
        before a master key rotation still links)."""
        return [_code_hash(_secret(master), code) for master in self._held()]

    def _held(self) -> list[MasterKey]:
        return [m for m in (self.masters.get(i) for i in self.masters.ids) if m is not None]

    # -- signing out ---------------------------------------------------------------------

    def sign_out(
        self,
        user_id: str,
        *,
        person: str | None,
        channel: Channel,
        request_id: str | None = None,
        session: DashboardSession | None = None,
    ) -> int:
        """End ``person``'s dashboard sessions, or with no person every session of the
        account; returns how many ended. ``session``: the page's own (ended in any case)."""
        with self.engine.begin() as conn:
            ids = set(stored.linked_ids(conn, user_id, person))
            if session is not None:
                ids.add(session.id)
            ended = stored.delete_sessions(conn, ids)
            details: dict[str, Any] = {"sessions": ended}
            if person is not None:
                details["person"] = person
            if session is not None:
                details["session"] = session.id
            self.audit.record(
                conn,
                "dashboard_signed_out",
                user_id=user_id,
                channel=channel,
                request_id=request_id,
                **details,
            )
        return ended

    def forget(self, conn: Connection, user_id: str) -> None:
        """Account deletion (the skill disabled): the user's sessions and attempts go, in
        the deletion's transaction."""
        stored.forget_user(conn, user_id)

    def speakers(self, user_id: str) -> list[tuple[str | None, int]]:
        """How many recordings each speaker of the account has (None: no recognised voice):
        counts, which an account's dashboard shows for the recordings it may not open."""
        with reading(self.engine) as conn:
            return stored.speaker_totals(conn, user_id)

    # -- what the dashboard shows, audited ------------------------------------------------

    def record_access(
        self, session: DashboardSession, operation: str, outcome: str = "ok", **details: Any
    ) -> None:
        """An audit entry for one dashboard request about the linked user's data: which
        session, what, the outcome, counts (never content)."""
        if session.user_id is None:
            return
        if session.person_id is not None:
            details["person"] = session.person_id
        with self.engine.begin() as conn:
            self.audit.record(
                conn,
                "dashboard_access",
                user_id=session.user_id,
                channel="web",
                session=session.id,
                operation=operation,
                outcome=outcome,
                **details,
            )


def _session(row: AnyRow) -> DashboardSession:
    return to(DashboardSession, row)
