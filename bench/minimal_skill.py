"""The baseline skill: the smallest ask-sdk skill there is, as the SDK's samples write it.

One LaunchRequest handler on a ``SkillBuilder``, answered through ``sb.lambda_handler()``
(which builds the skill again on every call, as every sample skill does). Imported by the
handler benchmark and, in a fresh process, by the cold-start benchmark.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response


class LaunchRequestHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("LaunchRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        builder = handler_input.response_builder
        return builder.speak("Welcome.").set_should_end_session(False).response


sb = SkillBuilder()
sb.add_request_handler(LaunchRequestHandler())
lambda_handler: Any = sb.lambda_handler()
