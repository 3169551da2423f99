"""What the API's endpoints share: the services, the key guard, and the audit entry every
request about a person's data leaves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Response, g
from werkzeug.exceptions import HTTPException

from skill.config import Config
from skill.services import Services
from skill.services.api_keys import ApiKey, ApiKeyService
from skill.services.export import Exporter
from skill.services.ingest import IngestLimits
from skill.services.pages import PagedReader
from skill.web.api import params
from skill.web.api.auth import Guard
from skill.web.api.errors import ApiError

__all__ = ["Api", "Outcome"]


@dataclass
class Outcome:
    """A view's answer and what its audit entry says beyond the outcome (counts, never
    content)."""

    response: Response
    details: dict[str, Any] = field(default_factory=dict)


PersonView = Callable[[ApiKey, str], Outcome]


@dataclass
class Api:
    """The API's dependencies, built once per app."""

    services: Services
    config: Config
    keys: ApiKeyService
    guard: Guard
    reader: PagedReader
    exporter: Exporter
    limits: IngestLimits = field(default_factory=IngestLimits)

    @classmethod
    def build(cls, services: Services, config: Config) -> Api:
        keys = ApiKeyService(services.engine, services.audit)
        return cls(
            services=services,
            config=config,
            keys=keys,
            guard=Guard(keys),
            reader=PagedReader(services.engine, services.keys),
            exporter=Exporter(services),
        )

    def about_person(
        self, operation: str, scope: str
    ) -> Callable[[PersonView], Callable[[str], Response]]:
        """An endpoint on one person's data (``/users/{user_id}/...``): admitted by its key,
        the user id checked, the scope required, and an audit entry written before the
        answer leaves, whatever the outcome (who: the key's name; what: ``operation``)."""

        def wrap(view: PersonView) -> Callable[[str], Response]:
            @wraps(view)
            def run(user_id: str) -> Response:
                key = self.guard.admit()
                subject = params.user_id(user_id)
                try:
                    self.guard.require(key, scope)
                except ApiError:
                    self.access(key, subject, operation, "denied", status=403)
                    raise
                try:
                    outcome = view(key, subject)
                except ApiError as error:
                    self.access(key, subject, operation, "refused", status=error.status)
                    raise
                except HTTPException as error:  # a body over its limit (413), ...
                    self.access(key, subject, operation, "refused", status=error.code)
                    raise
                status = outcome.response.status_code
                self.access(key, subject, operation, "ok", status=status, **outcome.details)
                return outcome.response

            return run

        return wrap

    def access(
        self, key: ApiKey, subject: str, operation: str, outcome: str, **details: Any
    ) -> None:
        """The audit entry of one request about ``subject``'s data."""
        self.keys.record_access(
            key, subject, operation, outcome, request_id=request_id(), **details
        )


def request_id() -> str | None:
    """This API request's id (also its ``X-Request-Id`` header and its audit entries')."""
    value: str | None = g.get("api_request_id")
    return value
