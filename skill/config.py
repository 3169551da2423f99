"""Deployment settings, read once from the environment (DESIGN.md §4).

Where data lives by default: one stable per-user data directory (``~/.local/share/voice-privacy``
on Linux, from platformdirs), whatever folder a command runs in, so ``voice`` run elsewhere finds
the recordings ``ingest`` stored. The Lambda entry point passes ``/tmp`` instead (the only
writable place there). An explicit ``PRIVACY_SKILL_DATABASE_URL`` or ``PRIVACY_SKILL_AUDIO_DIR``
is used exactly as given.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from skill.errors import ConfigError
from skill.values import parse_zone

__all__ = ["APP_NAME", "Config", "ConfigError", "ConsentPolicy", "default_data_dir"]

APP_NAME = "voice-privacy"
"""The per-user data directory's name."""
DEFAULT_DATABASE_FILE = "privacy_skill.db"
DEFAULT_AUDIO_DIR = "audio"


def default_data_dir() -> Path:
    """The per-user data directory: platformdirs' user data path (XDG on Linux)."""
    import platformdirs  # only when a default is needed: the Lambda path never needs it

    return platformdirs.user_data_path(APP_NAME, appauthor=False)


@dataclass(frozen=True)
class ConsentPolicy:
    """What a person has agreed to before they have said anything."""

    defaults: Mapping[str, bool] = field(
        default_factory=lambda: {"human_review": False, "store_recordings": True}
    )
    """Purpose -> granted, for users with no ledger row yet. Opt-in: human review off."""
    version: str = "2026-11"
    """Policy version stamped on every ledger row."""


@dataclass(frozen=True)
class Config:
    """Everything a process needs to open the services and build the skill."""

    database_url: str
    """SQLAlchemy URL: ``sqlite:///path`` (default) or ``postgresql://user@host:port/db``."""
    audio_dir: Path
    """Where ingested WAV files are kept; removed on deletion."""
    default_timezone: ZoneInfo
    """Used when the Alexa Settings API gives no device time zone."""
    skill_id: str | None = None
    """When set, requests addressed to another skill are refused."""
    policy: ConsentPolicy = field(default_factory=ConsentPolicy)
    """Consent defaults and policy version."""
    retention_days: int | None = None
    """``PRIVACY_SKILL_RETENTION_DAYS``: how long recordings are kept, in days, for accounts
    and persons who chose nothing; None: 18 calendar months (the deployment default)."""
    sweep_interval: float | None = 3600.0
    """Seconds between retention sweeps under ``serve`` (``PRIVACY_SKILL_SWEEP_INTERVAL``);
    None: ``serve`` runs none (a cron job or EventBridge rule does)."""
    on_disable: str = "delete"
    """``PRIVACY_SKILL_ON_DISABLE``: what a ``SkillDisabled`` event whose user id Alexa will
    not give the person again does to their data: ``delete`` (default) or ``keep``."""
    settings_api_timeout: float = 1.5
    """Seconds the skill waits for the Alexa Settings API (Alexa allows ~8 s in all)."""
    data_dir: Path | None = None
    """The default data directory when a default location is in use (created on first use,
    mode 0700); None when the database URL and the audio folder are both set explicitly."""
    keystore_url: str | None = None
    """Where the data keys live (``PRIVACY_SKILL_KEYSTORE_URL``): ``sqlite:///path`` or
    ``postgresql://...``. None: a SQLite file beside a SQLite data database (with a
    PostgreSQL data database it must be set)."""
    master_key: str | None = field(default=None, repr=False)
    """``PRIVACY_SKILL_MASTER_KEY``: base64 of 32 bytes that wraps every data key (a comma
    may separate the current key from previous ones while ``keys rotate-master`` runs).
    None: a key file with mode 0600 beside a SQLite key store. Never printed."""
    public_url: str | None = None
    """``PRIVACY_SKILL_PUBLIC_URL``: the address people reach this web service at
    (``https://privacy.example.com``); the dashboard is ``/privacy`` under it. None: the
    dashboard is not set up (the skill says so, and ``/privacy`` shows only that)."""

    @property
    def dashboard_url(self) -> str | None:
        """Where the person opens the dashboard, or None when it is not set up."""
        if self.public_url is None:
            return None
        url = self.public_url
        return url if url.endswith("/privacy") else url + "/privacy"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, data_dir: Path | None = None) -> Config:
        """Read ``PRIVACY_SKILL_*`` variables; defaults live in ``data_dir`` (default: the
        per-user data directory)."""
        env = os.environ if env is None else env
        explicit_url = env.get("PRIVACY_SKILL_DATABASE_URL")
        explicit_audio = env.get("PRIVACY_SKILL_AUDIO_DIR")

        def home() -> Path:
            return data_dir or default_data_dir()

        url = explicit_url or f"sqlite:///{home() / DEFAULT_DATABASE_FILE}"
        audio = Path(explicit_audio) if explicit_audio else home() / DEFAULT_AUDIO_DIR
        zone_name = env.get("PRIVACY_SKILL_DEFAULT_TIMEZONE") or "UTC"
        try:
            zone = parse_zone(zone_name)
        except ValueError as exc:
            raise ConfigError(f"PRIVACY_SKILL_DEFAULT_TIMEZONE: {exc}") from None
        retention = _retention_days(env.get("PRIVACY_SKILL_RETENTION_DAYS"))
        interval = _sweep_interval(env.get("PRIVACY_SKILL_SWEEP_INTERVAL"))
        on_disable = env.get("PRIVACY_SKILL_ON_DISABLE") or "delete"
        if on_disable not in ("delete", "keep"):
            raise ConfigError("PRIVACY_SKILL_ON_DISABLE must be 'delete' or 'keep'")
        defaults = {"human_review": False, "store_recordings": True}
        review_default = env.get("PRIVACY_SKILL_HUMAN_REVIEW_DEFAULT")
        if review_default is not None:
            if review_default not in ("on", "off"):
                raise ConfigError("PRIVACY_SKILL_HUMAN_REVIEW_DEFAULT must be 'on' or 'off'")
            defaults["human_review"] = review_default == "on"
        return cls(
            database_url=url,
            audio_dir=audio,
            default_timezone=zone,
            skill_id=env.get("PRIVACY_SKILL_SKILL_ID") or None,
            policy=ConsentPolicy(defaults=defaults),
            retention_days=retention,
            sweep_interval=interval,
            on_disable=on_disable,
            data_dir=None if explicit_url and explicit_audio else home(),
            keystore_url=env.get("PRIVACY_SKILL_KEYSTORE_URL") or None,
            master_key=env.get("PRIVACY_SKILL_MASTER_KEY") or None,
            public_url=_public_url(env.get("PRIVACY_SKILL_PUBLIC_URL")),
        )

    def ensure_data_dir(self) -> None:
        """Create the default data directory (only the owner may read it) if one is in use."""
        if self.data_dir is not None:
            self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)


MAX_RETENTION_DAYS = 100 * 366
_INTERVAL_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _retention_days(value: str | None) -> int | None:
    """``PRIVACY_SKILL_RETENTION_DAYS``: a whole number of days from 1; unset or empty: None."""
    if not value:
        return None
    if not value.strip().isdigit():
        raise ConfigError("PRIVACY_SKILL_RETENTION_DAYS must be a whole number of days")
    days = int(value)
    if days == 0:
        raise ConfigError(
            "PRIVACY_SKILL_RETENTION_DAYS must be at least 1; keeping recordings until they "
            "are deleted is each person's own choice (say: keep my recordings until I delete "
            "them), not a deployment default"
        )
    if days > MAX_RETENTION_DAYS:
        raise ConfigError(f"PRIVACY_SKILL_RETENTION_DAYS must be at most {MAX_RETENTION_DAYS}")
    return days


def _public_url(value: str | None) -> str | None:
    """``PRIVACY_SKILL_PUBLIC_URL``: an ``http(s)://host[:port][/path]`` address without a
    query, the trailing slash dropped; unset or empty: None."""
    if not value or not value.strip():
        return None
    text = value.strip().rstrip("/")
    scheme, _, rest = text.partition("://")
    host = rest.split("/", 1)[0]
    if scheme.lower() not in ("http", "https") or not host or any(c in text for c in "?#@ "):
        raise ConfigError(
            "PRIVACY_SKILL_PUBLIC_URL must be the web service's address, like "
            "https://privacy.example.com (the dashboard is /privacy under it)"
        )
    return text


def _sweep_interval(value: str | None) -> float | None:
    """``PRIVACY_SKILL_SWEEP_INTERVAL``: seconds, or a number with ``s``, ``m``, ``h`` or ``d``
    (``15m``, ``1h``); ``off`` runs no sweep under ``serve``. Unset: hourly."""
    if value is None or not value.strip():
        return 3600.0
    text = value.strip().lower()
    if text == "off":
        return None
    unit = _INTERVAL_UNITS.get(text[-1])
    number = text[:-1] if unit else text
    try:
        seconds = float(number) * (unit or 1)
    except ValueError:
        seconds = -1.0
    if not 10 <= seconds <= 7 * 86400:
        raise ConfigError(
            "PRIVACY_SKILL_SWEEP_INTERVAL must be between 10 seconds and 7 days (e.g. 3600, "
            "15m, 1h), or off"
        )
    return seconds
