"""AWS Lambda entry point: ``lambda_function.lambda_handler``.

``make_handler(config)`` builds a handler with its own skill, made on its first request and
kept for the life of the process (the SDK's ``SkillBuilder.lambda_handler()`` would rebuild it
on every call). ``lambda_handler`` is the one Lambda calls: its settings come from the
``PRIVACY_SKILL_*`` environment variables when the first request arrives; on Lambda, set
``PRIVACY_SKILL_DATABASE_URL`` to PostgreSQL for production (the default, a SQLite file in
``/tmp``, is only for trying it out). Tests and the simulator call ``make_handler`` with a
``Config`` of their own instead of changing the environment.

The same function runs the retention sweep when an EventBridge schedule invokes it (an event
with ``"source": "aws.events"``, see the README): Lambda has no process that could keep a
schedule of its own.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skill.startup import loading

with loading():  # the ASK SDK and the skill's modules load with the cyclic GC paused
    from ask_sdk_core.skill import CustomSkill

    from skill.alexa.builder import build_skill, handle_event
    from skill.config import Config
    from skill.services import lazy_services

if TYPE_CHECKING:
    from skill.services import Services

logging.getLogger().setLevel(logging.INFO)


def config_from_environment() -> Config:
    """The settings Lambda runs with: the environment, defaults under /tmp on Lambda (its
    working directory, /var/task, is read-only)."""
    on_lambda = "AWS_LAMBDA_FUNCTION_NAME" in os.environ
    return Config.from_env(data_dir=Path("/tmp") if on_lambda else None)


class SkillHandler:
    """A Lambda handler with its own skill, built on its first request and kept after."""

    def __init__(self, config: Config | Callable[[], Config]) -> None:
        self._config = config
        self._skill: CustomSkill | None = None
        self._services: Callable[[], Services] | None = None
        self._lock = threading.Lock()

    @property
    def skill(self) -> CustomSkill | None:
        """The skill, once the first request has built it."""
        return self._skill

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        """Answer one Alexa request, or run the sweep for a scheduled EventBridge event."""
        if self._skill is None:
            with self._lock:
                if self._skill is None:
                    config = self._config() if callable(self._config) else self._config
                    # Opened on the first request that needs data: a LaunchRequest does not.
                    self._services = lazy_services(config)
                    self._skill = build_skill(self._services, config)
        if is_scheduled_event(event):
            return self._sweep()
        return handle_event(self._skill, event, context)

    def _sweep(self) -> dict[str, Any]:
        from skill.services.maintenance import run_maintenance

        assert self._services is not None
        result = run_maintenance(self._services())
        return result.as_json()


def is_scheduled_event(event: Any) -> bool:
    """An EventBridge (CloudWatch Events) schedule's invocation, not an Alexa request."""
    return (
        isinstance(event, dict)
        and event.get("source") == "aws.events"
        and event.get("detail-type") == "Scheduled Event"
    )


def make_handler(config: Config | Callable[[], Config] = config_from_environment) -> SkillHandler:
    """A handler for ``config``, or for the settings a function returns on the first request
    (by default the environment's, read when Lambda sends the first request)."""
    return SkillHandler(config)


_from_environment = make_handler()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one Alexa request (the function Lambda invokes), with the environment's settings."""
    return _from_environment(event, context)
