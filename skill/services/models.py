"""Domain values shared by the services. Plain dataclasses: no SQL, no ASK."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

Channel = Literal["voice", "web", "api", "cli", "event", "retention"]
"""Where a decision or a deletion came from; ``event`` is an Alexa skill event, ``retention``
the retention sweep."""
PURPOSES = ("human_review", "store_recordings")


@dataclass(slots=True)  # not frozen: a frozen init cost a large ingest 5% of its time
class NewRecording:
    """One recording to ingest, as validated from an ingestion line (treat it as read-only)."""

    user_id: str
    """Alexa ``userId`` of the account that spoke."""
    recorded_at: datetime
    """When it was said, timezone-aware."""
    transcript: str
    """What was recognised."""
    device_id: str | None = None
    """The device it was said to."""
    person_id: str | None = None
    """The recognised speaker, when voice profiles are on."""
    audio_file: Path | None = None
    """A WAV file to copy into the audio store."""
    id: str | None = None
    """The platform's id; generated when absent."""
    line: int | None = None
    """The ingestion line it came from, for error messages."""
    audio_bytes: bytes | None = None
    """The WAV file itself, instead of ``audio_file`` (from the HTTP API's request body; it
    is sealed from memory, never written to disk unsealed)."""


@dataclass(frozen=True)
class Recording:
    """A stored recording."""

    id: str
    """Stable id."""
    user_id: str
    """Owner's Alexa ``userId``."""
    recorded_at: datetime
    """When it was said (aware, UTC)."""
    transcript: str
    """What was recognised."""
    device_id: str | None
    """Device it was said to."""
    person_id: str | None
    """Recognised speaker."""
    has_audio: bool
    """Whether an audio file is kept."""
    source: str
    """How it arrived (``ingest``)."""


@dataclass(frozen=True)
class Summary:
    """What is kept about one user, for "what data do you keep"."""

    total: int
    """Number of recordings."""
    with_audio: int
    """How many of them have audio."""
    first: datetime | None
    """Oldest recording's time (UTC), None when there are none."""
    last: datetime | None
    """Newest recording's time (UTC)."""


@dataclass(frozen=True)
class IngestResult:
    """Outcome of one ingestion: stored, and refused for lack of consent."""

    ingested: int
    """Recordings stored."""
    refused: int
    """Recordings dropped because their user withdrew ``store_recordings``."""
    refused_users: dict[str, int] = field(default_factory=dict)
    """Refusals per user."""


@dataclass(frozen=True)
class ConsentEvent:
    """One row of the append-only consent ledger."""

    user_id: str
    """Whose consent."""
    purpose: str
    """``human_review`` or ``store_recordings``."""
    granted: bool
    """Granted (True) or withdrawn (False)."""
    at: datetime
    """When (UTC)."""
    channel: str
    """Where it was said: voice, web, api or cli."""
    policy_version: str
    """The policy in force."""
    request_id: str | None
    """The Alexa request id or similar, for tracing."""
    person_id: str | None = None
    """The recognised person the decision was for; None: the whole account."""


@dataclass(frozen=True)
class AuditEvent:
    """One audit log entry: what happened, never what was said."""

    id: int
    """Ascending id."""
    at: datetime
    """When (UTC)."""
    user_id: str | None
    """Whose data."""
    action: str
    """``recordings_deleted``, ``consent_changed``, ``ingest_refused``, ..."""
    channel: str
    """Where it came from."""
    request_id: str | None
    """Tracing id."""
    details: dict[str, Any]
    """Ranges, counts and ids only."""


@dataclass(frozen=True)
class Deletion:
    """What a deletion removed."""

    count: int
    """Recordings deleted."""
    audio_files: int
    """Audio files removed."""
    start: datetime | None = None
    """Range start (UTC) for range deletions."""
    end: datetime | None = None
    """Range end, exclusive (UTC)."""
    keys_destroyed: int = 0
    """Data keys destroyed (before any row or file was removed): from then on the content is
    unreadable in every copy."""
    audio_left: int = 0
    """Audio files that could not be removed. Their keys are destroyed, so they hold nothing
    readable; ``storage check --repair`` removes them."""
