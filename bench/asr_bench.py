"""How fast and how well the offline recogniser understands spoken commands.

Clips are synthesised with espeak-ng (needed: ``apt-get install espeak-ng``): commands of the
interaction model in American and British voices at 140, 175 and 210 words a minute, clean and
with white noise at 20 dB SNR, plus requests for other skills, which must be rejected. The
grammar is compiled into a temporary cache first (not timed).
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
from datetime import date
from itertools import cycle
from pathlib import Path

from bench.notes import note
from skill.nlu import MODELS_DIR, Nlu
from skill.voice.loop import understand
from skill.voice.recognise import Recogniser
from skill.voice.speech_out import Voice, synthesise
from skill.voice.wavio import Audio, with_noise

TODAY = date(2026, 11, 26)
COMMANDS: dict[str, tuple[str | None, str | None]] = {
    "delete what I said today": ("DeleteRecordingsIntent", "2026-11-26"),
    "delete what I said yesterday": ("DeleteRecordingsIntent", "2026-11-25"),
    "delete what I just said": ("DeleteLastRecordingIntent", None),
    "delete everything I've ever said": ("DeleteAllRecordingsIntent", None),
    "stop human review": ("StopHumanReviewIntent", None),
    "allow human review again": ("AllowHumanReviewIntent", None),
    "what data do you keep": ("WhatDataIntent", None),
    "delete my recordings from last week": ("DeleteRecordingsIntent", "2026-W47"),
    "forget what I said this weekend": ("DeleteRecordingsIntent", "2026-W48-WE"),
    "ask voice privacy to stop human review": ("StopHumanReviewIntent", None),
    "yes": ("AMAZON.YesIntent", None),
    "no": ("AMAZON.NoIntent", None),
    "open voice privacy": (None, None),  # a LaunchRequest
}
OTHER_SKILLS = ("play some jazz", "what's the weather like in paris", "set a timer for ten minutes")
VOICES = ("en-us", "en-us+m3", "en-us+f2", "en-gb-x-rp")
RATES = (140, 175, 210)


def asr_figures(quick: bool) -> dict[str, float]:
    """Recognise about 12 clips (``quick``) or 40 (plus 6 or 12 requests for other skills).

    Returns ``asr_real_time_factor`` (recognition time over audio length, median over clips),
    ``asr_accuracy`` (share of command clips whose intent and date slot are right; a rejected
    clip counts as wrong) and ``asr_rejection`` (share of other skills' requests rejected).
    Without espeak-ng there is nothing to listen to: no figures, and a note says why."""
    if shutil.which("espeak-ng") is None:
        note("ASR figures skipped: espeak-ng is not installed (apt-get install espeak-ng)")
        return {}
    commands, others = _clips(quick)
    with tempfile.TemporaryDirectory() as cache:
        recogniser = Recogniser.for_model(MODELS_DIR / "en-US.json", Path(cache))
        nlu = Nlu.for_locale("en-US")
        ratios: list[float] = []
        right = 0
        for audio, expected in commands:
            recognition = recogniser.recognise(audio)
            ratios.append(recognition.decode_seconds / audio.seconds)
            meaning = understand(recognition, nlu, TODAY)
            if meaning.text is not None and expected[0] is None:
                right += meaning.request_type == "LaunchRequest"
            elif meaning.text is not None:
                right += (meaning.intent, meaning.slots.get("date")) == expected
        rejected = 0
        for audio in others:
            recognition = recogniser.recognise(audio)
            ratios.append(recognition.decode_seconds / audio.seconds)
            rejected += understand(recognition, nlu, TODAY).text is None
    note(
        f"ASR: {len(commands)} command clips and {len(others)} requests for other skills, "
        f"espeak-ng voices {', '.join(VOICES)} at {', '.join(map(str, RATES))} words a minute, "
        "clean and at 20 dB SNR"
    )
    return {
        "asr_real_time_factor": statistics.median(ratios),
        "asr_accuracy": right / len(commands),
        "asr_rejection": rejected / len(others),
    }


def _clips(quick: bool) -> tuple[list[tuple[Audio, tuple[str | None, str | None]]], list[Audio]]:
    """Commands spread over voices, rates and noise (each command in several conditions)."""
    conditions = cycle(
        [(v, r, snr) for snr in (None, 20.0) for r in RATES for v in VOICES]
    )  # 24 conditions, met in turn
    count = 12 if quick else 40
    texts = cycle(COMMANDS)
    commands = []
    for _ in range(count):
        text = next(texts)
        commands.append((_speech(text, *next(conditions)), COMMANDS[text]))
    others = [
        _speech(text, voice, rate, snr)
        for text in OTHER_SKILLS
        for voice, rate, snr in (
            [("en-us", 175, None), ("en-us+f2", 140, 20.0)]
            if quick
            else [("en-us", 175, None), ("en-us+f2", 140, 20.0), ("en-gb-x-rp", 210, None),
                  ("en-us+m3", 175, 20.0)]
        )
    ]  # fmt: skip
    return commands, others


def _speech(text: str, voice: str, rate: int, snr: float | None) -> Audio:
    audio = synthesise(text, Voice(voice, rate))
    return audio if snr is None else with_noise(audio, snr, seed=len(text) + rate)
