"""``GET /metrics``: Prometheus metrics of the web service (prometheus-client).

Under ``serve`` several gunicorn workers each count their own requests; prometheus-client's
multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, set by ``serve`` before any worker starts)
keeps each worker's values in a file of that folder and ``/metrics`` sums them, whichever
worker answers. Without the variable (tests, one process) the process's own registry is used.

Labels are bounded and carry no personal data: paths by route, request types from a fixed list,
verification failure reasons from a fixed list, deletion channels, API refusal reasons
from a fixed list. Never a user id, and never an API key or its name.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

__all__ = ["CONTENT_TYPE", "METRICS", "Metrics", "render"]

CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

REQUEST_TYPES = frozenset(
    {
        "LaunchRequest",
        "IntentRequest",
        "SessionEndedRequest",
        "SessionResumedRequest",
        "CanFulfillIntentRequest",
        "System.ExceptionEncountered",
        "Messaging.MessageReceived",
        "Connections.Response",
        "Alexa.Presentation.APL.UserEvent",
        "Display.ElementSelected",
        "AlexaSkillEvent.SkillEnabled",
        "AlexaSkillEvent.SkillDisabled",
        "AlexaSkillEvent.SkillPermissionAccepted",
        "AlexaSkillEvent.SkillPermissionChanged",
        "AlexaSkillEvent.SkillAccountLinked",
        "AlexaSkillEvent.ProactiveSubscriptionChanged",
    }
)
"""Request types counted by name; any other (AudioPlayer.*, unknown) counts as ``other``."""


class Metrics:
    """The service's counters and histograms, registered once per process."""

    def __init__(self) -> None:
        self.http_requests = Counter(
            "privacy_skill_http_requests",
            "HTTP requests answered, by route and status code.",
            ["route", "status"],
        )
        self.http_seconds = Histogram(
            "privacy_skill_http_request_seconds",
            "Time to answer an HTTP request, by route.",
            ["route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
        )
        self.alexa_requests = Counter(
            "privacy_skill_alexa_requests",
            "Verified Alexa requests, by request type.",
            ["request_type"],
        )
        self.verification_failures = Counter(
            "privacy_skill_verification_failures",
            "Requests refused by request verification, by reason.",
            ["reason"],
        )
        self.deletions = Counter(
            "privacy_skill_recordings_deleted",
            "Recordings deleted, by channel (voice, cli, web, api, retention, event).",
            ["channel"],
        )
        self.api_refusals = Counter(
            "privacy_skill_api_refusals",
            "API requests refused before they ran, by reason (missing, malformed, unknown, "
            "revoked, out_of_scope, rate_limited).",
            ["reason"],
        )
        self.settings_api_failures = Counter(
            "privacy_skill_settings_api_failures",
            "Device time zone lookups that failed or timed out (the default zone was used).",
        )
        # Labelled children by their labels, as every request counts into one: ``labels()``
        # takes a lock and builds its key each call. Both key sets are bounded (request types
        # from a fixed list; routes by rule, times the status codes answered). A child stays
        # valid across a fork: in multiprocess mode its value moves to the new pid's file.
        self._alexa_children: dict[str, Any] = {}
        self._http_children: dict[tuple[str, int], tuple[Any, Any]] = {}

    def alexa_request(self, request_type: object) -> None:
        """Count a verified Alexa request by its type."""
        kind = (
            request_type
            if isinstance(request_type, str) and request_type in REQUEST_TYPES
            else "other"
        )
        child = self._alexa_children.get(kind)
        if child is None:
            child = self._alexa_children[kind] = self.alexa_requests.labels(kind)
        child.inc()

    def http_request(self, route: str, status: int, seconds: float) -> None:
        """Count an answered HTTP request and its time, by route (and status)."""
        children = self._http_children.get((route, status))
        if children is None:
            children = self._http_children[(route, status)] = (
                self.http_requests.labels(route, str(status)),
                self.http_seconds.labels(route),
            )
        counter, histogram = children
        counter.inc()
        histogram.observe(seconds)


METRICS = Metrics()
"""The one set per process (prometheus-client registers metrics globally)."""


def render() -> bytes:
    """The exposition text: every worker's values under ``serve``, this process's otherwise."""
    if os.environ.get(MULTIPROCESS_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest()
