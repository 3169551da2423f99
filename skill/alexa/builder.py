"""Wiring: services and settings in, a ready ``CustomSkill`` out. Build once per process."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import RequestEnvelope

from skill.alexa.api_client import TimeoutApiClient
from skill.alexa.envelope import EnvelopeSerializer
from skill.alexa.handlers.base import ServicesSource
from skill.alexa.handlers.dashboard import LinkDashboardHandler, SignOutDashboardsHandler
from skill.alexa.handlers.deletion import (
    DeleteAllRecordingsHandler,
    DeleteLastRecordingHandler,
    DeleteRecordingsHandler,
)
from skill.alexa.handlers.errors import ApologiseOnError, UnreadableRequestHandler
from skill.alexa.handlers.events import SkillEventHandler
from skill.alexa.handlers.heard import WhatDidYouHearHandler
from skill.alexa.handlers.retention import SetRetentionHandler
from skill.alexa.handlers.review import AllowHumanReviewHandler, StopHumanReviewHandler
from skill.alexa.handlers.session import (
    BUILT_IN_INTENTS,
    FallbackHandler,
    GoodbyeHandler,
    HelpHandler,
    LaunchHandler,
    OtherRequestHandler,
    SessionEndedHandler,
)
from skill.alexa.handlers.system import (
    CanFulfillHandler,
    ExceptionEncounteredHandler,
    ResumeHandler,
)
from skill.alexa.handlers.what_data import WhatDataHandler
from skill.alexa.interceptors import Answered, LogRequest, LogResponse
from skill.alexa.timezones import DeviceTimeZones
from skill.config import Config

if TYPE_CHECKING:
    from skill.services import Services


def build_skill(
    services: Services | ServicesSource,
    config: Config,
    *,
    on_settings_api_failure: Callable[[], None] | None = None,
    on_answered: Callable[[Answered], None] | None = None,
) -> CustomSkill:
    """The skill, with every handler wired to ``services``.

    ``services`` may be a function that opens them on first use (see ``lazy_services``):
    requests that need no data then never touch the database layer.
    ``on_settings_api_failure`` is called when a device's time zone cannot be read.
    ``on_answered``, when given, receives what an answered request's log line would say
    instead of the skill writing that line (the web service logs it on its own line).
    """
    source: ServicesSource = services if callable(services) else (lambda: services)
    zones = DeviceTimeZones(fallback=config.default_timezone, on_failure=on_settings_api_failure)
    builder = CustomSkillBuilder(api_client=TimeoutApiClient(config.settings_api_timeout))
    builder.skill_id = config.skill_id  # type: ignore[assignment]
    handlers = (
        UnreadableRequestHandler(),  # first: a request the SDK could not model is never acted on
        LaunchHandler(),
        DeleteRecordingsHandler(source, zones),
        DeleteLastRecordingHandler(source, zones),
        DeleteAllRecordingsHandler(source, zones),
        StopHumanReviewHandler(source),
        AllowHumanReviewHandler(source),
        WhatDataHandler(source, zones),
        WhatDidYouHearHandler(source, zones),
        SetRetentionHandler(source),
        LinkDashboardHandler(source, zones, config.dashboard_url),
        SignOutDashboardsHandler(source),
        HelpHandler(),
        GoodbyeHandler(),
        SessionEndedHandler(),
        FallbackHandler(),  # catches unknown intents
    )
    own = frozenset(getattr(handler, "intent_name", "") for handler in handlers) - {""}
    for handler in (
        *handlers,
        CanFulfillHandler(own),
        ResumeHandler(),
        ExceptionEncounteredHandler(),
        SkillEventHandler(source, config.on_disable),
        OtherRequestHandler(),  # last: every other request type gets an empty response
    ):
        builder.add_request_handler(handler)
    builder.add_exception_handler(ApologiseOnError())
    builder.add_global_request_interceptor(LogRequest(own | BUILT_IN_INTENTS))
    builder.add_global_response_interceptor(LogResponse(on_answered))
    skill = builder.create()
    skill.serializer = EnvelopeSerializer()  # total: any envelope is read, none raises
    return skill


EMPTY_RESPONSE: dict[str, Any] = {"version": "1.0", "response": {}}
"""What Alexa accepts where nothing is to be said."""


def handle_event(skill: CustomSkill, event: Any, context: Any = None) -> dict[str, Any]:
    """Run one Alexa request (parsed JSON) through ``skill``; returns the response JSON.

    Any JSON object gets an answer (see ``EnvelopeSerializer``); anything else, which Alexa
    never sends, gets an empty response.
    """
    if not isinstance(event, dict):
        return dict(EMPTY_RESPONSE)
    envelope = skill.serializer.deserialize(payload=json.dumps(event), obj_type=RequestEnvelope)
    response = skill.invoke(request_envelope=envelope, context=context)
    result = skill.serializer.serialize(response)
    assert isinstance(result, dict)
    return result
