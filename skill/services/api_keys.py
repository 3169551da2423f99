"""HTTP API keys: creation (the secret shown once), listing, revocation, authentication, the
per-key rate limit, and the audit entries of API access.

A key reads ``vpk_<key id>_<secret>``. The key id is public and finds the key's row; only a
SHA-256 hash of the secret is stored, compared in constant time. The secret is 256 random
bits, so a fast hash is enough: nobody can guess a secret from its hash, and each request
costs one hash, not a deliberately slow one.

The rate limit is a token bucket per key in the data database (``api_rate_limits``): each
request takes a token in one short transaction that holds the key's bucket row, so the limit
holds however many gunicorn workers or hosts serve the API, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Engine

from skill.errors import InputError
from skill.services.audit import AuditLog
from skill.services.models import Channel
from skill.store import api_keys as stored
from skill.store.db import reading
from skill.store.errors import DuplicateKey
from skill.store.rows import AnyRow, to

__all__ = [
    "DEFAULT_RATE_PER_MINUTE",
    "SCOPES",
    "ApiKey",
    "ApiKeyError",
    "ApiKeyService",
    "AuthFailure",
    "CreatedKey",
    "RateDecision",
]

SCOPES = ("ingest", "read", "delete", "consent", "export", "audit")
"""What a key may be allowed to do; each endpoint needs one of them."""
DEFAULT_RATE_PER_MINUTE = 600
"""Requests a key may make per minute, unless created with another rate (also its burst)."""
MAX_RATE_PER_MINUTE = 1_000_000
_PREFIX = "vpk"
_TOKEN = re.compile(r"^vpk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class ApiKeyError(InputError):
    """A key that cannot be created or revoked as asked (bad name or scope, name in use,
    no such key)."""


@dataclass(frozen=True)
class ApiKey:
    """A stored key: everything but its secret, which is never stored."""

    id: int
    """Row id (the rate-limit bucket's key)."""
    name: str
    """What the operator called it; audit entries name the key by it."""
    key_id: str
    """The public part of the key (after ``vpk_``)."""
    scopes: frozenset[str]
    """What it may do (a subset of ``SCOPES``)."""
    rate_per_minute: int
    """Requests per minute it may make (and its burst)."""
    created_at: datetime
    """When it was created (UTC)."""
    revoked_at: datetime | None
    """When it was revoked; None while it works."""

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    def as_json(self) -> dict[str, Any]:
        """What ``api-keys list --json`` shows: never the secret, which is not stored."""
        return {
            "name": self.name,
            "key_id": self.key_id,
            "scopes": [s for s in SCOPES if s in self.scopes],
            "rate_per_minute": self.rate_per_minute,
            "created_at": self.created_at.isoformat(),
            "revoked_at": None if self.revoked_at is None else self.revoked_at.isoformat(),
        }


@dataclass(frozen=True)
class CreatedKey:
    """A new key and its secret, which exists only here: it is shown once."""

    key: ApiKey
    """The stored key."""
    secret: str
    """The whole key, ``vpk_<key id>_<secret>``, for the ``Authorization: Bearer`` header."""


@dataclass(frozen=True)
class AuthFailure:
    """Why a bearer token was not accepted (a result, not an error)."""

    reason: Literal["malformed", "unknown", "revoked"]
    """``malformed``: not a key of ours; ``unknown``: no such key, or the secret does not
    match; ``revoked``: the key was revoked."""


@dataclass(frozen=True)
class RateDecision:
    """The answer of the rate limit to one request."""

    allowed: bool
    """Whether the request may go on."""
    retry_after: int
    """Whole seconds until the next request would be allowed (0 when allowed)."""


def parse_scopes(text: str) -> frozenset[str]:
    """``read,delete`` as a set of scopes; ``ApiKeyError`` names an unknown one."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise ApiKeyError(f"give at least one scope: {', '.join(SCOPES)}")
    unknown = [name for name in names if name not in SCOPES]
    if unknown:
        raise ApiKeyError(f"unknown scope {unknown[0]!r}; known: {', '.join(SCOPES)}")
    return frozenset(names)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


class ApiKeyService:
    """API keys and the per-key rate limit, on the data database."""

    def __init__(self, engine: Engine, audit: AuditLog):
        self.engine = engine
        self.audit = audit

    # -- management (the CLI) ----------------------------------------------------------

    def create(
        self,
        name: str,
        scopes: frozenset[str],
        *,
        rate_per_minute: int = DEFAULT_RATE_PER_MINUTE,
        channel: Channel = "cli",
    ) -> CreatedKey:
        """Make a key; its secret is in the result and nowhere else."""
        if not _NAME.match(name):
            raise ApiKeyError(
                f"key name {name[:70]!r}: use 1 to 64 letters, digits, '.', '_' or '-', "
                "starting with a letter or digit"
            )
        if not scopes or not scopes <= set(SCOPES):
            raise ApiKeyError(f"scopes must be among: {', '.join(SCOPES)}")
        if not 1 <= rate_per_minute <= MAX_RATE_PER_MINUTE:
            raise ApiKeyError(f"the rate must be from 1 to {MAX_RATE_PER_MINUTE} per minute")
        key_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        ordered = ",".join(s for s in SCOPES if s in scopes)
        now = datetime.now(UTC)
        try:
            with self.engine.begin() as conn:
                stored.add(
                    conn,
                    name=name,
                    key_id=key_id,
                    secret_hash=_hash(secret),
                    scopes=ordered,
                    rate_per_minute=rate_per_minute,
                    created_at=now,
                )
                self.audit.record(
                    conn, "api_key_created", user_id=None, channel=channel, key=name,
                    scopes=ordered, rate_per_minute=rate_per_minute,
                )  # fmt: skip
                row = stored.by_name(conn, name)
        except DuplicateKey:
            raise ApiKeyError(
                f"a key named {name!r} exists (revoked keys keep their names, so audit "
                "entries stay unambiguous); choose another name"
            ) from None
        assert row is not None
        return CreatedKey(_key(row), f"{_PREFIX}_{key_id}_{secret}")

    def list(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first."""
        with reading(self.engine) as conn:
            return [_key(row) for row in stored.every(conn)]

    def revoke(self, name: str, *, channel: Channel = "cli") -> ApiKey:
        """Revoke the key named ``name`` (from its next request on); revoking a revoked key
        changes nothing."""
        with self.engine.begin() as conn:
            if stored.revoke(conn, name, datetime.now(UTC)):
                self.audit.record(
                    conn, "api_key_revoked", user_id=None, channel=channel, key=name
                )
            row = stored.by_name(conn, name)
        if row is None:
            raise ApiKeyError(f"no key named {name[:70]!r} (see: privacy-skill api-keys list)")
        return _key(row)

    # -- requests (the HTTP API) -------------------------------------------------------

    def authenticate(self, token: str) -> ApiKey | AuthFailure:
        """The key a bearer token names, if its secret matches and it is not revoked."""
        match = _TOKEN.match(token)
        if match is None:
            return AuthFailure("malformed")
        key_id, secret = match.groups()
        with reading(self.engine) as conn:
            row = stored.by_key_id(conn, key_id)
        given = _hash(secret)
        if row is None or not hmac.compare_digest(given, row.secret_hash):
            return AuthFailure("unknown")
        key = _key(row)
        return AuthFailure("revoked") if key.revoked else key

    def take(self, key: ApiKey, now: datetime | None = None) -> RateDecision:
        """Take one token from the key's bucket, in one short transaction."""
        now = now or datetime.now(UTC)
        full = float(key.rate_per_minute)
        per_second = key.rate_per_minute / 60.0
        with self.engine.begin() as conn:
            row = stored.lock_bucket(conn, key.id, full, now)
            elapsed = max(0.0, (now - row.updated_at).total_seconds())
            tokens = min(full, row.tokens + elapsed * per_second)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            stored.set_bucket(conn, key.id, tokens, now)
        if allowed:
            return RateDecision(True, 0)
        return RateDecision(False, max(1, math.ceil((1.0 - tokens) / per_second)))

    def record_access(
        self,
        key: ApiKey,
        user_id: str,
        operation: str,
        outcome: str,
        *,
        request_id: str | None = None,
        **details: Any,
    ) -> None:
        """An audit entry for one API request about ``user_id``'s data: which key (by
        name), what, when, and the outcome; ``details`` holds counts, never content."""
        with self.engine.begin() as conn:
            self.audit.record(
                conn,
                "api_access",
                user_id=user_id,
                channel="api",
                request_id=request_id,
                key=key.name,
                operation=operation,
                outcome=outcome,
                **details,
            )


def _key(row: AnyRow) -> ApiKey:
    scopes = frozenset(s for s in str(row.scopes).split(",") if s)
    return to(ApiKey, row, scopes=scopes)
