"""Speech out: espeak-ng at 16 kHz, SSML spoken as words, clear errors when it cannot run."""

from __future__ import annotations

import pytest

from skill.voice import speech_out
from skill.voice.errors import SpeechEngineMissing, VoiceError
from skill.voice.speech_out import Voice, plain_speech, synthesise
from skill.voice.wavio import RATE


def test_ssml_becomes_the_words_a_listener_hears() -> None:
    ssml = (
        "<speak>You have <say-as interpret-as='cardinal'>2</say-as> recordings from today."
        '<break time="300ms"/>Should I delete them? This can&apos;t be undone.</speak>'
    )
    assert plain_speech(ssml) == (
        "You have 2 recordings from today. Should I delete them? This can't be undone."
    )
    assert plain_speech("<speak><p>One</p><p>Two</p></speak>") == "One. Two."
    assert plain_speech("plain   text &amp; more") == "plain text & more"


def test_speech_is_16_khz_and_slower_speech_is_longer(espeak: None) -> None:
    quick = synthesise("delete what i said today", Voice("en-us", 210))
    slow = synthesise("<speak>delete what i said today</speak>", Voice("en-us+f2", 140))
    assert quick.rate == slow.rate == RATE
    assert 0.8 < quick.seconds < slow.seconds < 3.0


def test_a_missing_espeak_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(speech_out.shutil, "which", lambda _name: None)
    with pytest.raises(SpeechEngineMissing, match="apt-get install espeak-ng"):
        synthesise("hello")


def test_bad_voices_and_rates_are_refused(espeak: None) -> None:
    with pytest.raises(VoiceError, match="not an espeak-ng voice name"):
        Voice("en us; rm -rf")
    with pytest.raises(VoiceError, match="80 to 450"):
        Voice("en-us", 20)
    with pytest.raises(VoiceError, match="espeak-ng failed for voice 'xx-nonsense'"):
        synthesise("hello", Voice("xx-nonsense"))
