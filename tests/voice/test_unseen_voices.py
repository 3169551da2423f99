"""Spoken commands in espeak-ng voices and variants recognition was never calibrated on.

The fixed sample (``bench/speech_conditions.py``: every fifth variant, voices other than the
four first calibrated on, three rates, two pitches, clean and 20 dB noise) is 40 command clips;
``bench/speech_matrix.py`` runs the whole matrix. Nothing that is not a command may be accepted
and no command may be taken for another. The accuracy floor is the 95% the issue asks for; the
sample measures 39 of 40 with the adapted acoustic model and the language model's second
opinion (bench/README.md, "Speech", has the matrix's figures and the misses).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from random import Random

import pytest

from bench.speech_conditions import Condition, held_out_sample, other_skill_sample
from bench.speech_matrix import Heard, clip, hear
from skill.nlu import Nlu
from skill.voice.recognise import Recogniser, _decode, prepared
from skill.voice.wavio import RATE, Audio

SAMPLE = held_out_sample(40)
OTHERS = [(text, c) for text, c in other_skill_sample() if c.snr != 10.0][:10]
ACCURACY_FLOOR = 0.95
"""Measured 0.975 (39 of 40: 1 taken for another date) on this sample; 0.925 (2 more declined)
before the second opinion, 0.45 before the adapted acoustic model."""
Judge = Callable[[str, Condition, int], Heard]


@pytest.fixture(scope="module")
def judge(espeak: None, recogniser: Recogniser, nlu: Nlu) -> Judge:
    def run(text: str, condition: Condition, seed: int) -> Heard:
        return hear(recogniser, nlu, text, condition, clip(text, condition, seed))

    return run


def test_the_sample_is_held_out_and_fixed() -> None:
    assert len(SAMPLE) == 40
    assert all(condition.held_out and condition.split == "test" for _, condition in SAMPLE)
    assert {condition.snr for _, condition in SAMPLE} == {None, 20.0}
    assert len({condition.variant for _, condition in SAMPLE}) >= 15
    assert held_out_sample(40) == SAMPLE  # the same clips every run


@pytest.fixture(scope="module")
def sample_results(judge: Judge) -> list[Heard]:
    return [judge(text, condition, seed) for seed, (text, condition) in enumerate(SAMPLE)]


def test_unseen_voices_keep_the_floor(sample_results: list[Heard]) -> None:
    right = sum(r.outcome == "right" for r in sample_results)
    assert right / len(sample_results) >= ACCURACY_FLOOR, f"{right} of {len(sample_results)}"


def test_unseen_voices_never_give_a_wrong_intent(sample_results: list[Heard]) -> None:
    """No clip is taken for another intent, and one only is taken for another date: "delete my
    recordings from last week" heard as "... for this week" (en-us-nyc+gustave, 175 words a
    minute, pitch 35, 20 dB) at confidence -9.1, above any floor that keeps right commands (at
    20 dB it is -11.75). The skill's confirmation names the week and its count before anything is
    deleted. When a recogniser stops mishearing it, this list must shrink to nothing."""
    wrong = [r for r in sample_results if r.outcome == "wrong"]
    assert [(r.text, r.meaning) for r in wrong] == [
        ("delete my recordings from last week", "DeleteRecordingsIntent 2026-W48")
    ]


def test_other_skills_noise_and_silence_are_never_accepted(
    judge: Judge, recogniser: Recogniser, nlu: Nlu
) -> None:
    accepted = [
        (text, condition.voice)
        for seed, (text, condition) in enumerate(OTHERS, start=100)
        if judge(text, condition, seed).outcome == "accepted"
    ]
    gauss = Random(7).gauss
    loud = (max(-32000, min(32000, round(gauss(0, 4000)))) for _ in range(RATE))
    hiss = Random(4).gauss  # this loud hiss once decoded as a confident "yup"
    very_loud = (max(-32768, min(32767, round(hiss(0, 10000)))) for _ in range(2 * RATE))
    noises = [
        Audio(array("h", bytes(2 * RATE)), RATE),  # a second of digital silence
        Audio(array("h", (round(gauss(0, 300)) for _ in range(2 * RATE))), RATE),
        Audio(array("h", loud), RATE),
        Audio(array("h", very_loud), RATE),
    ]
    quiet = Condition("noise", "none", "bench", 0, 0, None)
    accepted += [
        ("noise", str(i))
        for i, audio in enumerate(noises)
        if hear(recogniser, nlu, "", quiet, audio).outcome == "accepted"
    ]
    assert accepted == []


def test_a_sentence_the_default_beams_prune_is_searched_again(
    judge: Judge, recogniser: Recogniser
) -> None:
    """In noise, pocketsphinx's default beams can prune every path before a long sentence ends,
    so the first search finds none; the recogniser searches again with wider beams. This clip of
    a test variant ("ask voice privacy to stop human review", en-gb-x-gbcwmd+gustave, 140 words
    a minute, pitch 35, 20 dB) came out as no sentence before that."""
    text = "ask voice privacy to stop human review"
    condition = Condition("en-gb-x-gbcwmd+gustave", "gustave", "test", 140, 35, 20.0)
    pcm = prepared(clip(text, condition, 1)).pcm()
    assert _decode(recogniser._grammar, pcm).words == ""  # what the first search finds
    heard = judge(text, condition, 1)
    assert (heard.outcome, heard.meaning) == ("right", "StopHumanReviewIntent")
