"""Who may call the API: bearer keys, their scopes and their rate limit.

In this order, before an endpoint reads its body: the ``Authorization: Bearer`` header
(missing, not a key, unknown or revoked: 401), the key's rate limit (429 with
``Retry-After``), then the scope the endpoint needs (403). Every refusal is counted in
``/metrics`` by reason (never by key or user). The rate limit comes before the scope, so a key
that keeps trying what it may not do is slowed down like any other.
"""

from __future__ import annotations

import secrets

from flask import g, request

from skill.services.api_keys import ApiKey, ApiKeyService, AuthFailure
from skill.web.api.errors import ApiError
from skill.web.metrics import METRICS

__all__ = ["Guard"]

_CHALLENGE = 'Bearer realm="privacy-skill"'


class Guard:
    """Admits a request by its key, or raises the ``ApiError`` to answer."""

    def __init__(self, keys: ApiKeyService):
        self.keys = keys

    def admit(self) -> ApiKey:
        """The request's key, authenticated and within its rate limit (any scope)."""
        g.api_request_id = secrets.token_hex(8)
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            raise self._refuse(401, "missing", "send an API key: Authorization: Bearer KEY")
        if scheme.lower() != "bearer" or not token.strip():
            raise self._refuse(401, "malformed", "the Authorization header must be Bearer KEY")
        found = self.keys.authenticate(token.strip())
        if isinstance(found, AuthFailure):
            message = {
                "malformed": "that is not an API key of this service",
                "unknown": "that API key is not known here",
                "revoked": "that API key was revoked",
            }[found.reason]
            raise self._refuse(401, found.reason, message, invalid=True)
        decision = self.keys.take(found)
        if not decision.allowed:
            raise self._refuse(
                429,
                "rate_limited",
                f"this key may make {found.rate_per_minute} requests a minute; "
                f"try again in {decision.retry_after} s",
                headers={"Retry-After": str(decision.retry_after)},
            )
        g.api_key_name = found.name
        return found

    def require(self, key: ApiKey, scope: str) -> None:
        """403 unless ``key`` has ``scope``."""
        if not key.allows(scope):
            raise self._refuse(403, "out_of_scope", f"this key lacks the scope {scope!r}")

    @staticmethod
    def _refuse(
        status: int,
        reason: str,
        message: str,
        *,
        invalid: bool = False,
        headers: dict[str, str] | None = None,
    ) -> ApiError:
        METRICS.api_refusals.labels(reason).inc()
        headers = dict(headers or {})
        if status == 401:
            challenge = _CHALLENGE + (', error="invalid_token"' if invalid else "")
            headers["WWW-Authenticate"] = challenge
        return ApiError(status, message, headers=headers)
