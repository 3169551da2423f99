"""Where certificate chains come from and which roots are trusted: production or dev."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from skill.web.chains import (
    Fetch,
    fetch_from_dev_dir,
    fetch_over_https,
    production_roots,
    roots_from,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Trust:
    """Trusted roots and the way chains are fetched."""

    roots: list[x509.Certificate]
    """Root certificates a chain must lead to."""
    fetch: Fetch
    """Gets the PEM chain for a cert URL that passed the URL rules."""
    dev_dir: Path | None = None
    """Set when trusting a local dev CA instead of the public roots."""


def production_trust(fetch_timeout: float = 3.0) -> Trust:
    return Trust(production_roots(), fetch_over_https(fetch_timeout))


def dev_trust(directory: Path) -> Trust:
    """Trust only DIR/ca.pem and serve chains from DIR; everything else checked as in production."""
    ca = directory / "ca.pem"
    if not ca.is_file():
        raise FileNotFoundError(
            f"{ca} not found; create it with: privacy-skill dev-certs {directory}"
        )
    log.warning(
        "DEV TRUST: requests are verified against the local CA in %s, NOT Amazon's; "
        "never use --dev-trust in production",
        directory,
    )
    return Trust(roots_from(ca), fetch_from_dev_dir(directory), directory)
