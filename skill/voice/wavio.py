"""WAV files in and out, and sample-rate conversion to the recogniser's 16 kHz mono.

Reads any PCM WAV a person is likely to have (8 to 48 kHz, mono or stereo, 8/16/24/32-bit),
mixes it down to mono and resamples it with a polyphase windowed-sinc filter written here: no
numpy, no ``audioop`` (deprecated, gone in Python 3.13), and correct anti-aliasing, which a
linear interpolator lacks (44.1 kHz speech folds 8-22 kHz hiss into the recogniser's band).

The filter is a Kaiser-windowed sinc with its cutoff just under the lower Nyquist frequency,
one table of taps per phase of the rational ratio (22 050 -> 16 000 is 320/441), so each output
sample costs one dot product of about 30-40 taps in C (``sum(map(mul, ...))``): about 40 ms for
a 3 s clip at 22.05 kHz on one core.
"""

from __future__ import annotations

import math
import random
import sys
import wave
from array import array
from dataclasses import dataclass
from functools import lru_cache
from math import gcd
from operator import mul
from pathlib import Path

from skill.voice.errors import AudioFormatError

__all__ = ["RATE", "Audio", "read_wav", "resample", "to_recogniser", "with_noise", "write_wav"]

RATE = 16000
"""The recogniser's sample rate (the en-us acoustic model was trained on 16 kHz audio)."""
_ZERO_CROSSINGS = 12  # half the filter's length, in periods of the lower rate's Nyquist
_KAISER_BETA = 7.0  # about 70 dB stop-band attenuation
_CUTOFF = 0.94  # of the lower Nyquist frequency: the pass band ends 6% below it


@dataclass(frozen=True)
class Audio:
    """Mono 16-bit PCM at one sample rate."""

    samples: array[int]
    """Signed 16-bit samples (``array('h')``)."""
    rate: int
    """Samples a second."""

    @property
    def seconds(self) -> float:
        """How long the audio lasts."""
        return len(self.samples) / self.rate if self.rate else 0.0

    def pcm(self) -> bytes:
        """The samples as little-endian bytes, as a WAV file and the recogniser take them."""
        if sys.byteorder == "little":
            return self.samples.tobytes()
        swapped = array("h", self.samples)
        swapped.byteswap()
        return swapped.tobytes()


def read_wav(path: Path) -> Audio:
    """The audio in the WAV file at ``path``, mixed down to mono at its own rate."""
    try:
        with wave.open(str(path), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except FileNotFoundError:
        raise AudioFormatError(f"{path}: no such file") from None
    except (wave.Error, EOFError) as error:
        raise AudioFormatError(f"{path}: not a PCM WAV file ({error})") from None
    if not 4000 <= rate <= 192000:
        raise AudioFormatError(f"{path}: unsupported sample rate {rate} Hz")
    samples = _to_int16(frames, width, path)
    if channels > 1:
        samples = _mix_down(samples, channels)
    return Audio(samples, rate)


def to_recogniser(audio: Audio) -> Audio:
    """``audio`` at the recogniser's 16 kHz."""
    if audio.rate == RATE:
        return audio
    return Audio(resample(audio.samples, audio.rate, RATE), RATE)


def write_wav(path: Path, audio: Audio) -> Path:
    """Write ``audio`` as a 16-bit mono WAV file; parent folders are created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(audio.rate)
        wav.writeframes(audio.pcm())
    return path


def with_noise(audio: Audio, snr_db: float, seed: int = 0) -> Audio:
    """``audio`` with white noise mixed in at ``snr_db`` below its mean power (repeatable:
    the same seed gives the same noise). For robustness checks and calibration."""
    if not audio.samples:
        return audio
    power = sum(s * s for s in audio.samples) / len(audio.samples)
    sigma = math.sqrt(power / 10 ** (snr_db / 10))
    gauss = random.Random(seed).gauss
    noisy = (s + round(gauss(0.0, sigma)) for s in audio.samples)
    return Audio(array("h", (max(-32768, min(32767, v)) for v in noisy)), audio.rate)


def resample(samples: array[int], source: int, target: int) -> array[int]:
    """16-bit ``samples`` at ``source`` Hz, converted to ``target`` Hz (band-limited)."""
    if source == target or not samples:
        return array("h", samples)
    common = gcd(source, target)
    up, down = target // common, source // common
    taps, half = _phase_filters(up, down)
    signal = [0.0] * (half - 1) + [float(s) for s in samples] + [0.0] * (half + 1)
    out = array("h")
    count = len(samples) * up // down
    append = out.append
    for n in range(count):
        position = n * down
        start, phase = divmod(position, up)
        value = sum(map(mul, taps[phase], signal[start : start + 2 * half]))
        append(32767 if value > 32767 else -32768 if value < -32768 else round(value))
    return out


@lru_cache(maxsize=8)
def _phase_filters(up: int, down: int) -> tuple[list[list[float]], int]:
    """One list of taps per phase for resampling by ``up``/``down``, and the half length in
    input samples. Output ``n`` sits at input position ``n * down / up``; phase ``p`` is its
    fractional part ``p / up``; tap ``k`` weighs input sample ``start - half + 1 + k``."""
    ratio = min(1.0, up / down)  # below 1 when downsampling: the filter band-limits the output
    cutoff = _CUTOFF * ratio
    half = math.ceil(_ZERO_CROSSINGS / ratio)
    norm = _bessel_i0(_KAISER_BETA)
    filters: list[list[float]] = []
    for phase in range(up):
        fraction = phase / up
        row: list[float] = []
        for k in range(2 * half):
            t = (k - half + 1) - fraction  # distance of the tap from the output instant
            window = _bessel_i0(_KAISER_BETA * math.sqrt(max(0.0, 1 - (t / half) ** 2))) / norm
            row.append(cutoff * _sinc(cutoff * t) * window)
        gain = sum(row)
        filters.append([tap / gain for tap in row])  # unity gain at DC for every phase
    return filters, half


def _sinc(x: float) -> float:
    return 1.0 if x == 0 else math.sin(math.pi * x) / (math.pi * x)


def _bessel_i0(x: float) -> float:
    """The modified Bessel function of the first kind, order 0 (power series)."""
    total, term, k = 1.0, 1.0, 1
    while term > 1e-12 * total:
        term *= (x / (2 * k)) ** 2
        total += term
        k += 1
    return total


def _to_int16(frames: bytes, width: int, path: Path) -> array[int]:
    if width == 2:
        samples = array("h", frames)
        if sys.byteorder != "little":
            samples.byteswap()
        return samples
    if width == 1:  # unsigned 8-bit
        return array("h", ((b - 128) << 8 for b in frames))
    if width in (3, 4):  # keep the top 16 bits of each little-endian sample
        return array("h", (int.from_bytes(frames[i + width - 2 : i + width], "little", signed=True)
                           for i in range(0, len(frames) - width + 1, width)))  # fmt: skip
    raise AudioFormatError(f"{path}: unsupported sample width of {width} bytes")


def _mix_down(samples: array[int], channels: int) -> array[int]:
    """Interleaved ``channels`` averaged into one."""
    columns = [samples[c::channels] for c in range(channels)]
    return array("h", (sum(frame) // channels for frame in zip(*columns, strict=True)))
