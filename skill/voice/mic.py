"""Microphone turns for ``privacy-skill voice`` without WAV files: only where a microphone exists.

sounddevice (PortAudio) is optional: pocketsphinx installs the Python package, but it needs the
PortAudio library and an input device. When either is missing this says so and how to fix it,
instead of failing inside PortAudio. Each turn is one utterance, cut by pocketsphinx's
voice-activity endpointer: recording starts with speech and ends after a short silence.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

from skill.voice.errors import SpeechEngineMissing
from skill.voice.wavio import Audio

__all__ = ["microphone_turns", "open_microphone"]

_NO_MICROPHONE = (
    "no WAV files given and no microphone to listen to: {reason}. Pass WAV files "
    "(privacy-skill voice turn1.wav turn2.wav), or install PortAudio "
    "(apt-get install libportaudio2) on a machine with a microphone."
)
_MAX_TURN_SECONDS = 15.0


def open_microphone() -> Any:
    """The sounddevice module, when PortAudio and an input device are there."""
    try:
        import sounddevice  # type: ignore[import-untyped]
    except (ImportError, OSError) as error:
        raise SpeechEngineMissing(_NO_MICROPHONE.format(reason=error)) from None
    try:
        sounddevice.query_devices(kind="input")
    except Exception as error:  # PortAudioError, or ValueError when there is no input device
        raise SpeechEngineMissing(_NO_MICROPHONE.format(reason=error)) from None
    return sounddevice


def microphone_turns(sounddevice: Any) -> Iterator[Audio]:
    """Utterances from the default microphone, one a turn, until the caller stops (Ctrl-C)."""
    from pocketsphinx import Endpointer  # type: ignore[import-untyped]

    endpointer = Endpointer()
    rate = int(endpointer.sample_rate)
    frame_samples = int(endpointer.frame_bytes) // 2
    with sounddevice.RawInputStream(
        samplerate=rate, channels=1, dtype="int16", blocksize=frame_samples
    ) as stream:
        while True:
            yield _one_utterance(stream, endpointer, frame_samples, rate)


def _one_utterance(stream: Any, endpointer: Any, frame_samples: int, rate: int) -> Audio:
    speech = array("h")
    limit = int(_MAX_TURN_SECONDS * rate)
    started = False
    while True:
        frame, _overflowed = stream.read(frame_samples)
        voiced = endpointer.process(bytes(frame))
        if voiced is not None:
            started = True
            speech.frombytes(voiced)
        if started and (not endpointer.in_speech or len(speech) >= limit):
            return Audio(speech, rate)
