"""Alexa's signing certificate chains: fetched once, checked once, kept until the leaf expires.

A request names its chain by URL. Each distinct URL would otherwise cost a fetch and a chain
check, which a hostile client could make the server do for every request; so:

- keys are cached by the *normalised* URL (``/echo.api/../echo.api/x`` is ``/echo.api/x``), in a
  bounded LRU, each until its leaf certificate's ``notAfter``;
- a URL whose fetch or check failed is remembered for ``failure_ttl`` seconds and refused at once;
- one fetch is in flight per URL: concurrent requests naming the same new URL wait for it;
- the fetch follows no redirects (not to another host, not from https to http), has a timeout
  and a size limit.
"""

from __future__ import annotations

import logging
import posixpath
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import certifi
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

__all__ = [
    "ALEXA_SAN",
    "ChainRefused",
    "Fetch",
    "SigningKeys",
    "fetch_from_dev_dir",
    "fetch_over_https",
    "production_roots",
    "roots_from",
]

log = logging.getLogger(__name__)

ALEXA_SAN = "echo-api.amazon.com"
MAX_CHAIN_BYTES = 64 * 1024

Fetch = Callable[[str], bytes]
"""Gets the PEM chain for a cert URL that passed the URL rules."""


class ChainRefused(Exception):
    """The chain could not be fetched or is not a valid Alexa signing chain."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises the 3xx as an HTTPError


def fetch_over_https(timeout: float = 3.0) -> Fetch:
    """Production fetch: the URL as given, no redirects, a timeout and a size limit."""
    opener = urllib.request.build_opener(_NoRedirects())

    def fetch(url: str) -> bytes:
        try:
            with opener.open(url, timeout=timeout) as response:
                data: bytes = response.read(MAX_CHAIN_BYTES + 1)
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise ChainRefused(
                f"certificate chain could not be fetched ({type(exc).__name__})"
            ) from None
        if len(data) > MAX_CHAIN_BYTES:
            raise ChainRefused("certificate chain is too large")
        return data

    return fetch


def fetch_from_dev_dir(directory: Path) -> Fetch:
    """Dev trust: answer a cert URL (that passed the URL rules) with DIR/<file name>."""

    def fetch(url: str) -> bytes:
        name = posixpath.basename(posixpath.normpath(unquote(urlsplit(url).path)))
        path = directory / name
        if not name or name.startswith(".") or not path.is_file():
            raise ChainRefused("no dev certificate chain of that name")
        return path.read_bytes()[: MAX_CHAIN_BYTES + 1]

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
class _Entry:
    key: RSAPublicKey | None
    """The verified signing key; None remembers a failure."""
    until: float
    """Wall-clock expiry (seconds since the epoch): the leaf's notAfter, or the failure's."""
    reason: str = ""
    """Why it failed, for a remembered failure."""


class SigningKeys:
    """The signing key for a cert URL, from a bounded cache or a checked fetch."""

    def __init__(
        self,
        roots: list[x509.Certificate],
        fetch: Fetch,
        *,
        max_entries: int = 256,
        failure_ttl: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = Store(roots)
        self.fetch = fetch
        self.max_entries = max_entries
        self.failure_ttl = failure_ttl
        self.clock = clock
        self.fetches = 0
        """How many chains were fetched (for tests and metrics)."""
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._in_flight: dict[str, threading.Lock] = {}

    def key_for(self, key: str, url: str) -> RSAPublicKey:
        """The key for ``url`` (cached under its normalised form ``key``); ``ChainRefused``."""
        entry = self._cached(key)
        if entry is None:
            with self._lock:
                flight = self._in_flight.setdefault(key, threading.Lock())
            with flight:  # one fetch per URL; the others find its result
                entry = self._cached(key) or self._fetch_and_check(key, url)
            with self._lock:
                self._in_flight.pop(key, None)
        if entry.key is None:
            raise ChainRefused(entry.reason)
        return entry.key

    def _cached(self, key: str) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.until <= self.clock():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry

    def _fetch_and_check(self, key: str, url: str) -> _Entry:
        started = time.monotonic()
        now = self.clock()
        try:
            self.fetches += 1
            public_key, not_after = self._check(self.fetch(url), now)
            entry = _Entry(public_key, not_after)
            log.info("verified certificate chain in %.0f ms", (time.monotonic() - started) * 1000)
        except ChainRefused as refused:
            entry = _Entry(None, now + self.failure_ttl, str(refused))
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return entry

    def _check(self, pem: bytes, now: float) -> tuple[RSAPublicKey, float]:
        try:
            chain = x509.load_pem_x509_certificates(pem)
        except ValueError:
            raise ChainRefused("certificate chain is not PEM") from None
        leaf, intermediates = chain[0], chain[1:]
        verifier = (
            PolicyBuilder()
            .store(self.store)
            .time(datetime.fromtimestamp(now, UTC).replace(tzinfo=None))
            .build_server_verifier(x509.DNSName(ALEXA_SAN))
        )
        try:
            verifier.verify(leaf, intermediates)
        except VerificationError:
            raise ChainRefused("certificate chain is not valid") from None
        public_key = leaf.public_key()
        if not isinstance(public_key, RSAPublicKey):
            raise ChainRefused("signing certificate does not hold an RSA key")
        return public_key, leaf.not_valid_after_utc.timestamp()
