"""The recogniser uses the acoustic model adapted to espeak-ng speech, and it ships whole.

``skill/voice/acoustic`` holds pocketsphinx's en-us model re-estimated on the tuning variants
(``bench/adapt_acoustic.py``); the recogniser loads it over the bundled model. A package built
without it, or with a file missing, must say so instead of quietly hearing worse.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.speech_conditions import Condition, split_of, variants
from bench.speech_matrix import clip
from skill.nlu import Nlu
from skill.voice.errors import SpeechEngineMissing
from skill.voice.loop import understand
from skill.voice.recognise import ACOUSTIC_MODEL, Recogniser
from tests.voice.conftest import TODAY

FILES = ("means", "variances", "sendump", "transition_matrices")


def bundled(name: str) -> Path:
    from pocketsphinx import get_model_path  # type: ignore[import-untyped]

    return Path(get_model_path("en-us/en-us")) / name


def test_the_adapted_model_is_complete_and_shaped_like_the_bundled_one() -> None:
    for name in FILES:
        adapted = ACOUSTIC_MODEL / name
        assert adapted.is_file(), name
        assert adapted.stat().st_size == bundled(name).stat().st_size, name
        assert adapted.read_bytes() != bundled(name).read_bytes(), f"{name} was not adapted"


def test_a_missing_file_is_reported(tmp_path: Path, recogniser: Recogniser) -> None:
    for name in FILES[:-1]:
        shutil.copy(ACOUSTIC_MODEL / name, tmp_path / name)
    with pytest.raises(SpeechEngineMissing, match=r"incomplete .* transition_matrices"):
        Recogniser(recogniser.compiled, acoustic=tmp_path)


# A command in a tuning variant (bench/speech_conditions.py: "marcelo" is one) that the bundled
# model declines (confidence -28, the floor is far above) and the adapted one hears (-4): the
# recogniser must be using the adapted model.
ADAPTED_HEARS = Condition("en-029+marcelo", "marcelo", "tuning", 175, 65, None)


def test_the_recogniser_hears_with_the_adapted_model(
    espeak: None, recogniser: Recogniser, nlu: Nlu
) -> None:
    assert recogniser.acoustic == ACOUSTIC_MODEL
    audio = clip("ask voice privacy to stop human review", ADAPTED_HEARS, seed=0)
    adapted = understand(recogniser.recognise(audio), nlu, TODAY)
    assert adapted.intent == "StopHumanReviewIntent", adapted.recognition
    assert split_of(variants().index(ADAPTED_HEARS.variant)) == "tuning"
    plain = Recogniser(recogniser.compiled, acoustic=None)
    unadapted = understand(plain.recognise(audio), nlu, TODAY)
    assert unadapted.text is None, unadapted.recognition
