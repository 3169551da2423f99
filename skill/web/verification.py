"""Verifying that a request really comes from Alexa (DESIGN.md §5), with ``cryptography``.

Checks, in order: the ``SignatureCertChainUrl`` rules; the chain (fetched with a
timeout, cached until the leaf expires) valid now up to a trusted root, with
``echo-api.amazon.com`` in the leaf's SAN; the ``Signature-256`` header, an RSA
PKCS#1 v1.5 signature over SHA-256 of the exact body bytes. Only then is the body
parsed, and the request timestamp (150 s either way) and the application id are
checked on the parsed envelope. Any failure raises ``RequestRefused``, which the
web layer logs as one line and answers with 400. The ASK SDK's adapter sees a
request only after all of this passed.
"""

from __future__ import annotations

import base64
import binascii
import logging
import posixpath
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import certifi
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError
from werkzeug.datastructures import Headers

log = logging.getLogger(__name__)

CERT_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"
ALEXA_SAN = "echo-api.amazon.com"
MAX_CHAIN_BYTES = 64 * 1024
TIMESTAMP_TOLERANCE = timedelta(seconds=150)


class RequestRefused(Exception):
    """The request is not a verified Alexa request for this skill; the message says why
    (never anything the request carried)."""


def _fail(message: str) -> RequestRefused:
    return RequestRefused(message)


def check_cert_url(url: str) -> None:
    """The URL rules: https, host s3.amazonaws.com, port 443 or none, path under /echo.api/."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        raise _fail("certificate URL must use https")
    if (parts.hostname or "").lower() != "s3.amazonaws.com":
        raise _fail("certificate URL host must be s3.amazonaws.com")
    try:
        port = parts.port
    except ValueError:
        raise _fail("certificate URL has an invalid port") from None
    if port not in (None, 443):
        raise _fail("certificate URL port must be 443")
    path = posixpath.normpath(unquote(parts.path))
    if not path.startswith("/echo.api/"):
        raise _fail("certificate URL path must start with /echo.api/")


Fetch = Callable[[str], bytes]


def fetch_over_https(timeout: float = 3.0) -> Fetch:
    """Production fetch: the URL as given, with a timeout and a size limit."""

    def fetch(url: str) -> bytes:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                data: bytes = response.read(MAX_CHAIN_BYTES + 1)
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise _fail(f"certificate chain could not be fetched: {exc}") from None
        if len(data) > MAX_CHAIN_BYTES:
            raise _fail("certificate chain is too large")
        return data

    return fetch


def fetch_from_dev_dir(directory: Path) -> Fetch:
    """Dev trust: answer a cert URL (that passed the URL rules) with DIR/<file name>."""

    def fetch(url: str) -> bytes:
        name = posixpath.basename(urlsplit(url).path)
        path = directory / name
        if not name or not path.is_file():
            raise _fail(f"no dev certificate chain named {name!r}")
        return path.read_bytes()

    return fetch


def production_roots() -> list[x509.Certificate]:
    """Mozilla's root store as shipped by certifi."""
    with warnings.catch_warnings():
        # A few long-lived roots carry serial numbers RFC 5280 now forbids; they still anchor.
        warnings.simplefilter("ignore")
        return x509.load_pem_x509_certificates(Path(certifi.where()).read_bytes())


def roots_from(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes())


@dataclass(frozen=True)
class _Verified:
    key: RSAPublicKey
    not_after: datetime


class ChainCache:
    """Verified signing keys by cert URL, each kept until its leaf expires."""

    def __init__(self, max_entries: int = 64):
        self.max_entries = max_entries
        self._entries: dict[str, _Verified] = {}
        self._lock = threading.Lock()

    def get(self, url: str, now: datetime) -> RSAPublicKey | None:
        with self._lock:
            entry = self._entries.get(url)
            if entry is None or entry.not_after <= now:
                self._entries.pop(url, None)
                return None
            return entry.key

    def put(self, url: str, entry: _Verified) -> None:
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[url] = entry


class AlexaSignatureVerifier:
    """Signature and certificate chain verification of the raw body bytes."""

    def __init__(
        self,
        roots: list[x509.Certificate],
        fetch: Fetch,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        cache: ChainCache | None = None,
    ):
        self.store = Store(roots)
        self.fetch = fetch
        self.clock = clock
        self.cache = cache or ChainCache()

    def verify(self, headers: Headers | Mapping[str, str], body: bytes) -> None:
        """Raise ``RequestRefused`` unless Alexa signed exactly ``body``."""
        url = headers.get(CERT_URL_HEADER)
        signature_b64 = headers.get(SIGNATURE_HEADER)
        if not url or not signature_b64:
            raise _fail(f"missing {CERT_URL_HEADER} or {SIGNATURE_HEADER} header")
        check_cert_url(url)
        try:
            signature = base64.b64decode(signature_b64, validate=True)
        except (binascii.Error, ValueError):
            raise _fail("signature is not valid base64") from None
        key = self._signing_key(url)
        try:
            key.verify(signature, body, PKCS1v15(), SHA256())
        except InvalidSignature:
            raise _fail("signature does not match the request body") from None

    def _signing_key(self, url: str) -> RSAPublicKey:
        now = self.clock()
        cached = self.cache.get(url, now)
        if cached is not None:
            return cached
        started = time.monotonic()
        pem = self.fetch(url)
        try:
            chain = x509.load_pem_x509_certificates(pem)
        except ValueError:
            raise _fail("certificate chain is not PEM") from None
        leaf, intermediates = chain[0], chain[1:]
        verifier = (
            PolicyBuilder()
            .store(self.store)
            .time(now.replace(tzinfo=None))
            .build_server_verifier(x509.DNSName(ALEXA_SAN))
        )
        try:
            verifier.verify(leaf, intermediates)
        except VerificationError as exc:
            raise _fail(f"certificate chain is not valid: {exc}") from None
        key = leaf.public_key()
        if not isinstance(key, RSAPublicKey):
            raise _fail("signing certificate does not hold an RSA key")
        self.cache.put(url, _Verified(key, leaf.not_valid_after_utc))
        log.info("verified certificate chain in %.0f ms", (time.monotonic() - started) * 1000)
        return key


class TimestampVerifier:
    """The request was made within 150 s of now, either way."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.clock = clock

    def verify(self, envelope: Mapping[str, Any]) -> None:
        """``envelope`` is the parsed JSON of a request whose signature was verified."""
        request = envelope.get("request")
        stamp = request.get("timestamp") if isinstance(request, Mapping) else None
        if not isinstance(stamp, str):
            raise _fail("request has no timestamp")
        try:
            moment = datetime.fromisoformat(stamp)
        except ValueError:
            raise _fail("request timestamp is not an ISO 8601 time") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        if abs(self.clock() - moment) > TIMESTAMP_TOLERANCE:
            raise _fail("request timestamp is more than 150 seconds from now")


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
            raise _fail("request is for another skill")
