"""Verifying that a request really comes from Alexa (DESIGN.md §5), with ``cryptography``.

Checks, in order: the ``SignatureCertChainUrl`` rules; the chain (see ``chains``: fetched once
per normalised URL, checked up to a trusted root with ``echo-api.amazon.com`` in the leaf's SAN,
cached until the leaf expires); the ``Signature-256`` header, an RSA PKCS#1 v1.5 signature over
SHA-256 of the exact body bytes. Only then is the body parsed, and the request timestamp (150 s
either way) and the application id are checked on the parsed envelope. Any failure raises
``RequestRefused``, which the web layer logs as one line and answers with 400. The ASK SDK's
adapter sees a request only after all of this passed.
"""

from __future__ import annotations

import base64
import binascii
import posixpath
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.hashes import SHA256
from werkzeug.datastructures import Headers

from skill.web.chains import ChainRefused, Fetch, SigningKeys

__all__ = [
    "AlexaSignatureVerifier",
    "ApplicationIdVerifier",
    "RequestRefused",
    "TimestampVerifier",
    "normalised_cert_url",
]

CERT_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"
MAX_SIGNATURE_CHARS = 2048
TIMESTAMP_TOLERANCE = timedelta(seconds=150)
SKILL_EVENT_TOLERANCE = timedelta(hours=1)
"""Skill events (enabled, disabled, permissions) may arrive later than a spoken request."""


class RequestRefused(Exception):
    """The request is not a verified Alexa request for this skill; the message says why
    (never anything the request carried). ``reason`` is a short stable word for metrics."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def normalised_cert_url(url: str) -> str:
    """The chain URL in the form the rules are checked on and the cache is keyed by; raises
    ``RequestRefused`` unless it is https on s3.amazonaws.com, port 443, under /echo.api/."""
    if len(url) > 2048:
        raise RequestRefused("certificate URL is too long", "cert_url")
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        raise RequestRefused("certificate URL must use https", "cert_url")
    if (parts.hostname or "").lower() != "s3.amazonaws.com":
        raise RequestRefused("certificate URL host must be s3.amazonaws.com", "cert_url")
    try:
        port = parts.port
    except ValueError:
        raise RequestRefused("certificate URL has an invalid port", "cert_url") from None
    if port not in (None, 443):
        raise RequestRefused("certificate URL port must be 443", "cert_url")
    path = posixpath.normpath(unquote(parts.path))
    if not path.startswith("/echo.api/"):
        raise RequestRefused("certificate URL path must start with /echo.api/", "cert_url")
    return f"https://s3.amazonaws.com{path}"


class AlexaSignatureVerifier:
    """Signature and certificate chain verification of the raw body bytes."""

    def __init__(self, roots: list[x509.Certificate], fetch: Fetch) -> None:
        self.keys = SigningKeys(roots, fetch)

    def verify(self, headers: Headers | Mapping[str, str], body: bytes) -> None:
        """Raise ``RequestRefused`` unless Alexa signed exactly ``body``."""
        url = headers.get(CERT_URL_HEADER)
        signature_b64 = headers.get(SIGNATURE_HEADER)
        if not url or not signature_b64:
            raise RequestRefused(
                f"missing {CERT_URL_HEADER} or {SIGNATURE_HEADER} header", "unsigned"
            )
        key = normalised_cert_url(url)
        if len(signature_b64) > MAX_SIGNATURE_CHARS:
            raise RequestRefused("signature is too long", "signature")
        try:
            signature = base64.b64decode(signature_b64, validate=True)
        except (binascii.Error, ValueError):
            raise RequestRefused("signature is not valid base64", "signature") from None
        try:
            public_key = self.keys.key_for(key, url)
        except ChainRefused as refused:
            raise RequestRefused(str(refused), "chain") from None
        try:
            public_key.verify(signature, body, PKCS1v15(), SHA256())
        except InvalidSignature:
            raise RequestRefused("signature does not match the request body", "signature") from None


class TimestampVerifier:
    """The request was made within 150 s of now, either way; a skill event
    (``AlexaSkillEvent.*``) within an hour, as Alexa may deliver those later (the SDK's
    verifier allows the same)."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.clock = clock

    def verify(self, envelope: Mapping[str, Any]) -> None:
        """``envelope`` is the parsed JSON of a request whose signature was verified."""
        request = envelope.get("request")
        stamp = request.get("timestamp") if isinstance(request, Mapping) else None
        if not isinstance(stamp, str) or len(stamp) > 64:
            raise RequestRefused("request has no timestamp", "timestamp")
        try:
            moment = datetime.fromisoformat(stamp)
        except ValueError:
            raise RequestRefused("request timestamp is not an ISO 8601 time", "timestamp") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        kind = request.get("type") if isinstance(request, Mapping) else None
        if isinstance(kind, str) and kind.startswith("AlexaSkillEvent."):
            tolerance, words = SKILL_EVENT_TOLERANCE, "an hour"
        else:
            tolerance, words = TIMESTAMP_TOLERANCE, "150 seconds"
        if abs(self.clock() - moment) > tolerance:
            raise RequestRefused(f"request timestamp is more than {words} from now", "timestamp")


class ApplicationIdVerifier:
    """Refuses requests addressed to another skill."""

    def __init__(self, skill_id: str):
        self.skill_id = skill_id

    def verify(self, envelope: Mapping[str, Any]) -> None:
        """``envelope`` is the parsed JSON of a request whose signature was verified."""
        context = envelope.get("context")
        system = context.get("System") if isinstance(context, Mapping) else None
        application = system.get("application") if isinstance(system, Mapping) else None
        found = application.get("applicationId") if isinstance(application, Mapping) else None
        if found != self.skill_id:
            raise RequestRefused("request is for another skill", "application_id")
