"""The voice package's errors: broken set-up or unusable input, never "nothing was understood".

Speech that is not understood is a result (``Recognition.rejected``), not an exception.
"""

from __future__ import annotations

from skill.errors import ProductError

__all__ = ["AudioFormatError", "SpeechEngineMissing", "VoiceError"]


class VoiceError(ProductError):
    """Something the voice commands cannot work around; the CLI prints it and exits 2."""

    kind = "voice"


class SpeechEngineMissing(VoiceError):
    """A speech engine (espeak-ng, pocketsphinx, a microphone) is not installed."""


class AudioFormatError(VoiceError):
    """A file is not audio the voice commands can read."""
