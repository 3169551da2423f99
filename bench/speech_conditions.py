"""Which espeak-ng voices, variants, rates, pitches and noise the speech figures use, by one rule.

Voices: every English espeak-ng voice of its own (``gmw/`` files: en-gb, en-us, en-029, ...;
the MBROLA ones need extra packages and are left out). Variants: "none" and every variant
espeak-ng ships (``espeak-ng --voices=variant``), sorted case-insensitively, "none" first. A
fixed rule on that order splits them:

- index % 5 == 0: the **test** variants: the test suite's fixed sample comes from these;
- index % 5 == 1: the **tuning** variants, the ones recognition may be calibrated on;
- the rest: bench only.

Tuned (not held out) are the tuning variants with any voice, and the four voices the recogniser
was first calibrated on (en-us, en-us+m3, en-us+f2, en-gb-x-rp); everything else is held out.
Rates 140, 175 and 210 words a minute, pitches 35 and 65, noise: clean, 20 dB and 10 dB SNR
(white noise; 10 dB is reported, not targeted).
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import cycle
from typing import Literal

RATES = (140, 175, 210)
PITCHES = (35, 65)
NOISE: tuple[float | None, ...] = (None, 20.0, 10.0)
TUNED_COMBOS = frozenset({"en-us", "en-us+m3", "en-us+f2", "en-gb-x-rp"})
Split = Literal["test", "tuning", "bench"]

COMMANDS: dict[str, tuple[str, str | None]] = {
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
    "delete my last recording": ("DeleteLastRecordingIntent", None),
    "turn off human review": ("StopHumanReviewIntent", None),
    "how many recordings do you have": ("WhatDataIntent", None),
    "open voice privacy": ("LaunchRequest", None),
    "help": ("AMAZON.HelpIntent", None),
    "yes": ("AMAZON.YesIntent", None),
    "no": ("AMAZON.NoIntent", None),
    "cancel": ("AMAZON.CancelIntent", None),
}
"""What is said, and the intent (or LaunchRequest) and date slot it must be heard as."""
OTHER_SKILLS = (
    "play some jazz", "what's the weather like in paris", "set a timer for ten minutes",
    "turn on the kitchen lights", "add milk to my shopping list", "remind me to call mom at six",
    "what time is it", "set an alarm for seven a m", "call my sister", "tell me a joke",
    "order more paper towels", "what's on my calendar tomorrow", "turn the volume down",
    "read my messages", "delete my shopping list", "who won the game last night",
)  # fmt: skip
"""Requests for other skills: every one must be rejected."""


@dataclass(frozen=True)
class Condition:
    """How one clip is spoken."""

    voice: str
    """espeak-ng voice, with ``+variant`` unless the variant is "none"."""
    variant: str
    """The variant ("none" for the voice itself)."""
    split: Split
    """Which part of the rule the variant falls in."""
    rate: int
    """Words a minute."""
    pitch: int
    """espeak-ng pitch, 0 to 99."""
    snr: float | None
    """Signal-to-noise ratio of the white noise mixed in, in dB; None for clean."""

    @property
    def held_out(self) -> bool:
        """Whether recognition was never calibrated on this voice and variant."""
        return self.split != "tuning" and self.voice not in TUNED_COMBOS

    @property
    def noise(self) -> str:
        return "clean" if self.snr is None else f"{self.snr:.0f} dB"


@functools.cache
def english_voices() -> tuple[str, ...]:
    """espeak-ng's own English voices (``gmw/``), by name."""
    listed = _espeak("--voices=en")
    names = {line.split()[1] for line in listed[1:] if len(line.split()) > 4 and "gmw/" in line}
    return tuple(sorted(names))


@functools.cache
def variants() -> tuple[str, ...]:
    """"none" and every variant, sorted case-insensitively ("none" first)."""
    listed = _espeak("--voices=variant")
    names = {line.split()[4].split("/", 1)[1] for line in listed[1:] if len(line.split()) > 4}
    return ("none", *sorted(names, key=str.lower))


def split_of(index: int) -> Split:
    """The rule: every fifth variant for the tests, the next for tuning, the rest for bench."""
    return "test" if index % 5 == 0 else "tuning" if index % 5 == 1 else "bench"


def voice_name(voice: str, variant: str) -> str:
    return voice if variant == "none" else f"{voice}+{variant}"


def matrix(every: int = 1) -> Iterator[tuple[str, Condition]]:
    """The bench matrix: every voice with every variant, once each (every ``every``-th when
    thinned), the commands, rates, pitches and noise levels taken in turn so each level of each
    factor meets every other about equally; the command to say with each."""
    conditions = cycle([(r, p, n) for n in NOISE for p in PITCHES for r in RATES])
    texts = cycle(COMMANDS)
    count = 0
    for index, variant in enumerate(variants()):
        for voice in english_voices():
            count += 1
            rate, pitch, snr = next(conditions)
            text = next(texts)
            if (count + index) % every:  # thinned: the kept voice moves on with each variant
                continue
            split = split_of(index)
            yield text, Condition(voice_name(voice, variant), variant, split, rate, pitch, snr)


def held_out_sample(size: int = 40) -> list[tuple[str, Condition]]:
    """The test suite's fixed sample: ``size`` command clips, clean and at 20 dB in turn, from
    the test variants and held-out voices only."""
    pool = [
        (index, variant) for index, variant in enumerate(variants()) if split_of(index) == "test"
    ]
    voices = cycle(english_voices())
    levels = cycle([(r, p, n) for n in (None, 20.0) for p in PITCHES for r in RATES])
    texts = cycle(COMMANDS)
    sample: list[tuple[str, Condition]] = []
    for index, variant in cycle(pool):
        if len(sample) == size:
            break
        voice = voice_name(next(voices), variant)
        while voice in TUNED_COMBOS:
            voice = voice_name(next(voices), variant)
        rate, pitch, snr = next(levels)
        sample.append((next(texts), Condition(voice, variant, split_of(index), rate, pitch, snr)))
    return sample


def other_skill_sample(every: int = 1) -> list[tuple[str, Condition]]:
    """Other skills' requests, in held-out voices and variants, clean and in noise."""
    pool = [v for i, v in enumerate(variants()) if split_of(i) != "tuning"][::every]
    voices = cycle(english_voices())
    levels = cycle([(r, p, n) for n in NOISE for p in PITCHES for r in RATES])
    texts = cycle(OTHER_SKILLS)
    out = []
    for variant in pool:
        rate, pitch, snr = next(levels)
        index = variants().index(variant)
        condition = Condition(
            voice_name(next(voices), variant), variant, split_of(index), rate, pitch, snr
        )
        out.append((next(texts), condition))
    return out


def available() -> bool:
    return shutil.which("espeak-ng") is not None


def _espeak(*args: str) -> list[str]:
    done = subprocess.run(
        ["espeak-ng", *args], capture_output=True, text=True, timeout=30, check=True
    )
    return done.stdout.splitlines()
