"""Deployment settings, read once from the environment (DESIGN.md §4)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATABASE_FILE = "privacy_skill.db"
DEFAULT_AUDIO_DIR = "privacy_skill_audio"


class ConfigError(ValueError):
    """A setting is present but unusable; the message names the variable."""


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
    """How long recordings are kept; None means until the person deletes them."""
    settings_api_timeout: float = 1.5
    """Seconds the skill waits for the Alexa Settings API (Alexa allows ~8 s in all)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, base_dir: Path | None = None) -> Config:
        """Read ``PRIVACY_SKILL_*`` variables; relative defaults live under ``base_dir`` (cwd)."""
        env = os.environ if env is None else env
        base = base_dir or Path.cwd()
        url = env.get("PRIVACY_SKILL_DATABASE_URL") or f"sqlite:///{base / DEFAULT_DATABASE_FILE}"
        audio = Path(env.get("PRIVACY_SKILL_AUDIO_DIR") or base / DEFAULT_AUDIO_DIR)
        zone_name = env.get("PRIVACY_SKILL_DEFAULT_TIMEZONE") or "UTC"
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(
                f"PRIVACY_SKILL_DEFAULT_TIMEZONE={zone_name!r} is not an IANA time zone"
            ) from exc
        retention = env.get("PRIVACY_SKILL_RETENTION_DAYS")
        if retention is not None and not retention.isdigit():
            raise ConfigError("PRIVACY_SKILL_RETENTION_DAYS must be a whole number of days")
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
            retention_days=int(retention) if retention else None,
        )
