"""Speech out: text (or the skill's SSML) spoken by espeak-ng, as 16 kHz mono 16-bit audio.

espeak-ng runs as a subprocess with a timeout; the text goes in on standard input, never as an
argument, and its WAV comes back on standard output at 22 050 Hz, which ``wavio.resample``
brings to 16 kHz. SSML from the skill is turned into the plain words a listener hears first:
tags dropped, a ``<break>`` or paragraph a pause (a comma or full stop), entities decoded.
"""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
import wave
from array import array
from dataclasses import dataclass

from skill.voice.errors import AudioFormatError, SpeechEngineMissing, VoiceError
from skill.voice.wavio import RATE, Audio, resample

__all__ = ["INSTALL_HINT", "Voice", "plain_speech", "synthesise"]

INSTALL_HINT = "install espeak-ng: apt-get install espeak-ng"
_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Voice:
    """How espeak-ng speaks."""

    name: str = "en-us"
    """An espeak-ng voice, optionally with a variant: "en-us", "en-gb-x-rp", "en-us+f2"."""
    rate: int = 175
    """Words a minute (espeak-ng accepts 80 to 450)."""
    pitch: int = 50
    """espeak-ng's pitch adjustment, 0 to 99 (50 is the voice's own)."""

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_+-]+", self.name):
            raise VoiceError(f"{self.name!r} is not an espeak-ng voice name")
        if not 80 <= self.rate <= 450:
            raise VoiceError(f"rate {self.rate} is outside espeak-ng's 80 to 450 words a minute")
        if not 0 <= self.pitch <= 99:
            raise VoiceError(f"pitch {self.pitch} is outside espeak-ng's 0 to 99")


def plain_speech(text: str) -> str:
    """The words a listener hears in ``text``, which may be SSML (``<speak>...</speak>``)."""
    if "<" not in text:
        return " ".join(html.unescape(text).split())
    text = re.sub(r"<\s*break\b[^>]*>", ", ", text, flags=re.IGNORECASE)
    text = re.sub(r"<\s*/\s*(?:p|s)\s*>", ". ", text, flags=re.IGNORECASE)
    text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(html.unescape(text).split())
    text = re.sub(r"\s+([,.!?;:])", r"\1", text)
    text = re.sub(r"([.!?])[,.]+", r"\1", text)
    return re.sub(r"^[,.\s]+|[,\s]+$", "", text)


def synthesise(text: str, voice: Voice | None = None) -> Audio:
    """``text`` (plain or SSML) spoken by espeak-ng (default voice: en-us, 175 words a
    minute), at 16 kHz."""
    voice = voice or Voice()
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise SpeechEngineMissing(f"espeak-ng is not installed; {INSTALL_HINT}")
    words = plain_speech(text)
    command = [binary, "-v", voice.name, "-s", str(voice.rate), "-p", str(voice.pitch)]
    try:
        done = subprocess.run(
            [*command, "--stdin", "--stdout"],
            input=words.encode("utf-8"),
            capture_output=True,
            timeout=_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise VoiceError(f"espeak-ng took longer than {_TIMEOUT_SECONDS:.0f} s") from None
    except OSError as error:
        raise SpeechEngineMissing(f"espeak-ng could not run ({error}); {INSTALL_HINT}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
        raise VoiceError(f"espeak-ng failed for voice {voice.name!r}: {message}")
    return _wav_bytes(done.stdout)


def _wav_bytes(data: bytes) -> Audio:
    """espeak-ng's WAV (its header's lengths are placeholders when streamed) at 16 kHz."""
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
                raise AudioFormatError("espeak-ng wrote audio that is not 16-bit mono")
            rate = wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as error:
        raise AudioFormatError(f"espeak-ng wrote no readable WAV ({error})") from None
    samples = array("h")
    samples.frombytes(frames[: len(frames) // 2 * 2])
    if array("h", [1]).tobytes() != b"\x01\x00":
        samples.byteswap()
    return Audio(resample(samples, rate, RATE), RATE)
