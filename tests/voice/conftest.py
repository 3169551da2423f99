"""Shared voice fixtures: espeak-ng clips synthesised once per session, one recogniser reused.

espeak-ng is required: missing, the voice tests fail under CI=true and are skipped elsewhere.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from skill.nlu import MODELS_DIR, Nlu
from skill.voice.loop import Understanding, understand
from skill.voice.recognise import Recogniser
from skill.voice.speech_out import Voice, synthesise
from skill.voice.wavio import Audio, with_noise

MODEL = MODELS_DIR / "en-US.json"
TODAY = date(2026, 11, 26)
US_VOICES = ("en-us", "en-us+m3", "en-us+f2")
RATES = (140, 175, 210)
SNR_DB = 20.0

Clip = Callable[..., Audio]


@pytest.fixture(scope="session")
def espeak() -> None:
    """espeak-ng is installed (else fail under CI, skip elsewhere)."""
    if shutil.which("espeak-ng") is None:
        message = "espeak-ng is not installed: apt-get install espeak-ng"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def voice_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One compiled-grammar cache for the whole session."""
    return tmp_path_factory.mktemp("voice-cache")


@pytest.fixture(scope="session")
def recogniser(voice_cache: Path) -> Recogniser:
    return Recogniser.for_model(MODEL, voice_cache)


@pytest.fixture(scope="session")
def nlu() -> Nlu:
    return Nlu.for_locale("en-US")


@pytest.fixture(scope="session")
def clip(espeak: None) -> Clip:
    """``clip(text, voice="en-us", rate=175, snr=None)``: espeak-ng speech, made once."""

    @cache
    def make(text: str, voice: str = "en-us", rate: int = 175, snr: float | None = None) -> Audio:
        audio = synthesise(text, Voice(voice, rate))
        if snr is None:
            return audio
        return with_noise(audio, snr, seed=sum(map(ord, f"{text}{voice}{rate}")))

    return make


@pytest.fixture(scope="session")
def hear(recogniser: Recogniser, nlu: Nlu) -> Callable[[Audio], Understanding]:
    """What an utterance means on 26 November 2026."""

    def run(audio: Audio) -> Understanding:
        return understand(recogniser.recognise(audio), nlu, TODAY)

    return run
