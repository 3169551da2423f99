"""AWS Lambda entry point: ``lambda_function.lambda_handler``.

The skill is built on the first request and kept for the life of the
process (the SDK's ``SkillBuilder.lambda_handler()`` would rebuild it on
every call). Settings come from the ``PRIVACY_SKILL_*`` environment
variables; on Lambda, set ``PRIVACY_SKILL_DATABASE_URL`` to PostgreSQL for
production, or to ``sqlite:////tmp/privacy_skill.db`` only to try it out.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

from ask_sdk_core.skill import CustomSkill

from skill.alexa.builder import build_skill, handle_event
from skill.config import Config
from skill.services import lazy_services

logging.getLogger().setLevel(logging.INFO)

_skill: CustomSkill | None = None
_lock = threading.Lock()


def _get_skill() -> CustomSkill:
    global _skill
    with _lock:
        if _skill is None:
            # On Lambda the working directory (/var/task) is read-only; /tmp is not.
            on_lambda = "AWS_LAMBDA_FUNCTION_NAME" in os.environ
            config = Config.from_env(base_dir=Path("/tmp") if on_lambda else None)
            # Opened on the first request that needs data: a LaunchRequest does not.
            _skill = build_skill(lazy_services(config), config)
        return _skill


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one Alexa request."""
    return handle_event(_get_skill(), event, context)


def reset() -> None:
    """Forget the built skill (tests use this after changing the environment)."""
    global _skill
    with _lock:
        _skill = None
