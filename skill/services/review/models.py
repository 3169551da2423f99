"""Values and errors of the human-review queue. Plain dataclasses: no SQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from skill.errors import ProductError

REVIEW_PURPOSE = "human_review"
"""The consent purpose that gates sampling, hand-out and annotation."""

ItemState = Literal["pending", "claimed", "done"]
STATES: tuple[ItemState, ...] = ("pending", "claimed", "done")
OPEN_STATES: tuple[ItemState, ...] = ("pending", "claimed")
"""States a withdrawal purges; a done item's annotation was made while consent was granted."""

SampleProgress = Callable[[int, int], None]
"""Called after each sampling batch with (recordings considered so far, total to consider)."""


class ReviewError(ProductError):
    """A review request that cannot be carried out; the message says why."""

    kind = "review"


class InvalidReviewRequest(ReviewError, ValueError):
    """A rate, count, name or state outside what the queue accepts."""

    kind = "input"


class ItemUnavailable(ReviewError):
    """The item was purged: its user withdrew consent or deleted the recording."""


class ItemNotClaimed(ReviewError):
    """The item is not claimed by the reviewer who is submitting it."""


@dataclass(frozen=True)
class SampleResult:
    """What one sampling run did."""

    considered: int
    """Recordings that got their (only) sampling decision in this run."""
    queued: int
    """Selected recordings queued for review (their user's consent was granted)."""
    skipped_no_consent: int
    """Selected recordings not queued because their user's consent was not granted."""


@dataclass(frozen=True)
class ClaimedItem:
    """A queue item handed out to a reviewer, with what the reviewer needs to annotate it."""

    id: int
    """Queue item id: what ``submit`` takes."""
    recording_id: str
    """The recording under review."""
    user_id: str
    """Whose recording it is."""
    recorded_at: datetime
    """When it was said (aware, UTC)."""
    transcript: str
    """What was recognised: the text to check and correct."""
    has_audio: bool
    """Whether an audio file is kept for it."""


@dataclass(frozen=True)
class ReviewItem:
    """A queue item as operators see it: state and times, never content."""

    id: int
    """Queue item id."""
    recording_id: str
    """The recording it refers to."""
    user_id: str
    """Whose recording it is."""
    state: ItemState
    """``pending``, ``claimed`` or ``done``."""
    reviewer: str | None
    """Who claimed it, once claimed."""
    queued_at: datetime
    """When sampling queued it (UTC)."""
    claimed_at: datetime | None
    """When it was handed out (UTC)."""
    done_at: datetime | None
    """When its annotation was submitted (UTC)."""


@dataclass(frozen=True)
class Annotation:
    """A reviewer's annotation of a done item."""

    item_id: int
    """The queue item."""
    recording_id: str
    """The recording it annotates."""
    reviewer: str
    """Who wrote it."""
    corrected_transcript: str
    """What the reviewer heard: content, sealed under the recording's key when stored."""
    label: str
    """A short label, e.g. ``ok`` or ``misrecognised``."""
    submitted_at: datetime
    """When it was submitted (UTC)."""
