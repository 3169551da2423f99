"""WAV files in and out, and the resampler: band-limited, unity gain, any common rate."""

from __future__ import annotations

import math
import wave
from array import array
from pathlib import Path

import pytest

from skill.voice.errors import AudioFormatError
from skill.voice.wavio import RATE, Audio, read_wav, resample, to_recogniser, write_wav


def tone(frequency: float, rate: int, seconds: float = 0.5, amplitude: int = 10000) -> array[int]:
    count = int(rate * seconds)
    return array("h", (round(amplitude * math.sin(2 * math.pi * frequency * n / rate))
                       for n in range(count)))  # fmt: skip


def peak(samples: array[int]) -> int:
    middle = samples[len(samples) // 5 : -len(samples) // 5]
    return max(abs(s) for s in middle)


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_a_tone_in_the_speech_band_keeps_its_level_and_frequency(rate: int) -> None:
    out = resample(tone(1000, rate), rate, RATE)
    assert len(out) == int(rate * 0.5) * RATE // rate
    assert abs(peak(out) - 10000) < 150
    expected = tone(1000, RATE)
    errors = [abs(a - b) for a, b in zip(out[400:-400], expected[400:-400], strict=False)]
    assert max(errors) < 150


def test_what_16_khz_cannot_hold_is_filtered_out_not_folded_back() -> None:
    # 10 kHz at 44.1 kHz would alias to 6 kHz, inside the recogniser's band, without a filter
    assert peak(resample(tone(10000, 44100), 44100, RATE)) < 30


def test_stereo_44_1_khz_is_mixed_down_and_brought_to_16_khz(tmp_path: Path) -> None:
    left, right = tone(440, 44100), tone(440, 44100, amplitude=5000)
    frames = array("h", (s for pair in zip(left, right, strict=True) for s in pair))
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(44100)
        wav.writeframes(frames.tobytes())
    audio = read_wav(path)
    assert (audio.rate, len(audio.samples)) == (44100, len(left))
    assert abs(peak(audio.samples) - 7500) < 10
    converted = to_recogniser(audio)
    assert converted.rate == RATE
    assert abs(converted.seconds - 0.5) < 0.001


def test_8_bit_audio_is_read(tmp_path: Path) -> None:
    path = tmp_path / "8bit.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(8000)
        wav.writeframes(bytes([128, 255, 0, 128]))
    assert list(read_wav(path).samples) == [0, 127 << 8, -128 << 8, 0]


def test_written_wav_is_16_khz_mono_16_bit_and_reads_back(tmp_path: Path) -> None:
    audio = Audio(tone(300, RATE), RATE)
    path = write_wav(tmp_path / "sub" / "out.wav", audio)
    with wave.open(str(path), "rb") as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (RATE, 1, 2)
    assert read_wav(path).samples == audio.samples


def test_unreadable_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(AudioFormatError, match="no such file"):
        read_wav(tmp_path / "missing.wav")
    (tmp_path / "text.wav").write_text("not audio")
    with pytest.raises(AudioFormatError, match="not a PCM WAV"):
        read_wav(tmp_path / "text.wav")
