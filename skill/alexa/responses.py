"""Reading a response envelope as a listener hears it: the outputSpeech as plain text.

Pure JSON handling, no ASK SDK: the simulator, the voice loop and the tests all need to know
what the skill said, and must agree on it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["speech_text", "strip_ssml"]


def speech_text(response: Mapping[str, Any]) -> str | None:
    """The outputSpeech of a response envelope as plain text (SSML tags stripped)."""
    speech = (response.get("response") or {}).get("outputSpeech") or {}
    if speech.get("type") == "SSML" and speech.get("ssml") is not None:
        return strip_ssml(str(speech["ssml"]))
    if speech.get("text") is not None:
        return str(speech["text"])
    return None


def strip_ssml(ssml: str) -> str:
    """The words of an SSML string: tags removed, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", ssml)).split())
