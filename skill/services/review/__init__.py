"""Human review: sample a tiny share of recordings, hand them out, collect annotations.

A recording is queued and handed out only while its user's ``human_review``
consent is granted, checked under the consent row's lock at sampling and again
at hand-out; a withdrawal purges the user's open items in its own transaction.
"""

from skill.services.review.models import (
    STATES,
    Annotation,
    ClaimedItem,
    InvalidReviewRequest,
    ItemNotClaimed,
    ItemUnavailable,
    ReviewError,
    ReviewItem,
    SampleProgress,
    SampleResult,
)
from skill.services.review.service import ReviewService

__all__ = [
    "STATES",
    "Annotation",
    "ClaimedItem",
    "InvalidReviewRequest",
    "ItemNotClaimed",
    "ItemUnavailable",
    "ReviewError",
    "ReviewItem",
    "ReviewService",
    "SampleProgress",
    "SampleResult",
]
