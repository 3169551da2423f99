"""Speech in: pocketsphinx restricted to the model's grammar, with out-of-grammar rejection.

A grammar recogniser always finds *some* sentence of its grammar, so "play some jazz" comes out
as "please do" unless something says no. Four checks do, in order:

1. ``no-sentence``: no path through the grammar fits at all (silence, noise, other speech),
   even searched again with wider beams (``_WIDE_SETTINGS``: in noise, pocketsphinx's default
   beams prune a long right sentence, "ask voice privacy to stop human review", before its end);
2. ``incomplete``: the best path stops inside a sentence (a safety net: pocketsphinx reports the
   words of an unfinished sentence when no whole one survives its search);
3. ``low-confidence``: the same audio is decoded a second time by a free phone loop (any phone
   may follow any phone, no language model), the best any phone sequence can do. The
   confidence is how much worse the grammar's best sentence scores, per 10 ms frame, in
   pocketsphinx's log units (base 1.0001, scaled by 2^10); 0 means it explains the sound as
   well as anything could. Below the floor for the audio's noise (``CONFIDENCE_FLOORS``) it is
   rejected: noise makes even the right sentence fit worse than a free phone loop does, which
   can fit phones to the noise, so audio with a noise floor 15 to 25 dB below the speech gets
   a lower floor than clean audio (and louder noise the strictest).
   A sentence below its floor but not far below (``SECOND_OPINIONS``) gets a second opinion:
   the audio decoded a third time with pocketsphinx's general English language model (any of
   its 134,000 words, in the trigrams of its English text; ``en-us.lm.bin``). Other speech
   that shares words with a command ("tell me the news" heard as "tell me what you heard") is
   English the language model finds a sentence for that explains the sound about as well as
   the grammar's, while a right command in an unfamiliar voice still beats anything the
   language model finds by the language model's cost of a sentence of rare words. The sentence
   is kept when it scores at least the band's ``gap`` per frame above the language model's
   best (``Recognition.language_gap``);
4. ``ignored-speech`` and ``stretched-over-noise``: the sentence spends less than
   ``COVERAGE_FLOOR`` of the frames the phone loop hears as speech in its words, explaining the
   rest as silence (in noise, "off" for a whole sentence scores well), or more than
   ``COVERAGE_CEILING`` times them, stretching a short word over noise.

Before any of these, audio with no frame louder than ``SILENCE_RMS`` (``no-sentence``) and audio
that is hiss throughout (``noise``: see ``NOISE_ZCR``) are not decoded at all. The grammar
itself lets "nothing" be a sentence, so that silence and most noise decode as no words at all
(``no-sentence``) instead of as the nearest short command.
Clean synthetic speech gets a little white noise first (``DITHER_SNR_DB``).

The acoustic model is pocketsphinx's en-us model adapted to espeak-ng speech (``ACOUSTIC_MODEL``,
made by ``bench/adapt_acoustic.py`` from the tuning variants of ``bench/speech_conditions.py``
only). The floors were calibrated for it by ``bench/speech_calibrate.py``, on those variants
only (see ``CONFIDENCE_FLOORS``). No floor separates more: right commands in unfamiliar voices
score as low as other speech that shares words with a command ("tell me a joke" heard as "tell
me what you heard", -11.8 clean).

Audio is prepared the way the decoder expects it: 16 kHz mono, a quarter second of quiet added
at each end (pocketsphinx normalises each utterance's cepstra and needs silence to model; a
clip cut tight at the first phone loses it), and low-level noise mixed in, from a fixed seed so
results repeat, because runs of exact digital zeros have no defined log energy. pocketsphinx's
lattice rescoring (``bestpath``) is off: on this grammar it returned unfinished sentences for a
third of some commands, where the Viterbi path is whole and right.

One ``Recogniser`` loads its two decoders once (about 0.4 s) and is reused for every utterance;
the language model's decoder is loaded the first time a sentence needs a second opinion (about
0.5 s more, 90 MB), the wide-beam grammar decoder the first time a search finds no sentence.
Recognition runs at about 0.07 to 0.1 x real time on two cores (the host's speed varies); a
second opinion adds about as much again, with narrower beams than the grammar's
(``_LANGUAGE_SETTINGS``).
"""

from __future__ import annotations

import math
import random
import time
import warnings
from array import array
from dataclasses import dataclass
from functools import lru_cache
from itertools import cycle, islice, pairwise
from operator import add, mul
from pathlib import Path
from typing import Any, Literal

from skill.voice.compiled import CompiledGrammar, compile_grammar
from skill.voice.errors import SpeechEngineMissing
from skill.voice.wavio import RATE, Audio, to_recogniser, with_noise

__all__ = [
    "CONFIDENCE_FLOORS",
    "COVERAGE_CEILING",
    "COVERAGE_FLOOR",
    "SECOND_OPINIONS",
    "Recogniser",
    "Recognition",
    "RejectReason",
]

DITHER_SNR_DB = 30.0
"""For a clip whose quiet parts are near digital silence (clean synthetic speech), white noise
this far below the clip's own power is mixed in before decoding: the acoustic model, trained on
recordings with a noise floor, fits those gaps badly. Clips that already have a noise floor
(``_CLEAN_GAP_DB``), noise itself included, are decoded as they are. Held-out clean clips went
from 53% to 71% right with it."""
_CLEAN_GAP_DB = 40.0
"""A clip is clean when its quietest frames are this far below its mean power."""
CONFIDENCE_FLOORS: tuple[tuple[float, float], ...] = (
    (25.0, -12.25),
    (15.0, -11.75),
    (-math.inf, -9.75),
)
"""(estimated signal-to-noise ratio at least, in dB; confidence floor), first match wins:
sentences scoring below the floor for their audio's ``Recognition.snr`` are rejected.

Calibrated by ``bench/speech_calibrate.py`` on the tuning variants only (every English voice
with each, the matrix's commands and 40 other requests, clean, 20 dB and 10 dB: two sets of
clips, 2,688, 896 of them other speech), band by band: the least strict floor that accepts no
other speech in the band and, clean or at 20 dB, takes no command for another, with
``COVERAGE_FLOOR`` and ``loop.CAREFUL_FLOOR`` as they are. 88.2% of the commands clean or at 20
dB are right there (87.2% with -11.5 for all); at 10 dB 44.9% (4 taken for another, no other
speech accepted; -11.5 accepted 3 other clips, a short "help" mostly)."""
SECOND_OPINIONS: tuple[tuple[float, float, float], ...] = (
    (25.0, -17.5, 18.0),
    (15.0, -13.5, 6.5),
    (-math.inf, -24.0, 21.0),
)
"""(estimated signal-to-noise ratio at least, in dB; lowest confidence; least language gap),
first match wins: a sentence below its band's ``CONFIDENCE_FLOORS`` floor but at or above the
band's lowest confidence is decoded again with the general English language model, and kept
when its ``Recognition.language_gap`` is at least the band's gap. Calibrated with the floors by
``bench/speech_calibrate.py`` on the tuning variants only (the same 2,688 clips): for each band,
the pair that keeps the most commands right while accepting none of the band's other speech
and taking no more commands for another than the floors alone, even with a gap 4 lower
(``GAP_MARGIN``). There 91.3% of the commands clean or at 20 dB are right (88.2% with the
floors alone); on the held-out matrix 94.7% (91.3%), 95.2% with the second search of
``_WIDE_SETTINGS``."""
_WIDE_SETTINGS: dict[str, Any] = {"beam": 1e-80, "wbeam": 1e-60, "pbeam": 1e-80}
"""The grammar decoder's beams for a second search when the first (pocketsphinx's defaults:
1e-48, 7e-29, 1e-48) finds no sentence. Only then: with these beams for every utterance the
confidences shift and, calibrated the same way, 91.5% of the held-out commands clean or at 20
dB came out right (399 of 436) against 94.7%; as a retry for the empty results alone the floors
and second opinions calibrate to the same values as without it, and 95.2% do (415 of 436)."""
_LANGUAGE_SETTINGS: dict[str, Any] = {
    "beam": 1e-30, "wbeam": 1e-20, "pbeam": 1e-30, "maxhmmpf": 10_000
}  # fmt: skip
"""The language model decoder's beams: narrower than pocketsphinx's defaults (1e-48, 7e-29,
1e-48, 30,000), which took 0.15 to 0.9 x real time here against these 0.06 to 0.08, for the
same held-out accuracy within a quarter of a point (each calibrated the same way). Its
transcripts are worse, but only its score is used."""
COVERAGE_FLOOR = 0.55
"""A sentence must spend at least this share of the frames the phone loop hears as speech in
its words; less means it explains the rest as silence or noise ("off" for a whole sentence in
a noisy room)."""
COVERAGE_CEILING = 2.0
"""...and at most this multiple of them: more means its words are stretched over sound the phone
loop hears as noise (loud hiss as a one-second "yup"). Real commands: 0.76 to 1.81."""
RejectReason = Literal[
    "no-sentence",
    "incomplete",
    "low-confidence",
    "ignored-speech",
    "stretched-over-noise",
    "noise",
]
NOISE_ZCR = 0.35
"""Audio whose calmest tenth of 20 ms frames still crosses zero more often than this share of
samples is hiss, not speech: white noise crosses at about 0.47, speech's calm (voiced) frames
stay under 0.26 even at 10 dB SNR. Loud hiss otherwise decodes as a confident "yup"."""
SILENCE_RMS = 30.0
"""Audio none of whose 20 ms frames is louder than this (root mean square, 16-bit units: about
-61 dBFS, three times the quiet noise the recogniser mixes in itself) holds no speech and is not
decoded (``no-sentence``). The adapted acoustic model hears the recogniser's own quiet noise,
alone, as a confident "off"."""
_NOT_SPEECH = frozenset({"<s>", "</s>", "<sil>", "[NOISE]", "[SPEECH]", "SIL", "+NSN+", "+SPN+"})

ACOUSTIC_MODEL = Path(__file__).with_name("acoustic")
"""pocketsphinx's en-us acoustic model adapted to espeak-ng speech (MAP re-estimation on the
tuning variants only, ``bench/adapt_acoustic.py``): its means, variances, mixture weights and
transition matrices replace the bundled ones; the phone set, tying and features are the
bundled model's."""
_ADAPTED_FILES = {
    "mean": "means", "var": "variances", "sendump": "sendump", "tmat": "transition_matrices"
}  # fmt: skip
_PAD_SECONDS = 0.25
_NOISE_LEVEL = 10.0  # standard deviation in 16-bit units: about -70 dBFS
_SEED = 16000
_LOG_BASE = math.log(1.0001)
_DECODER_SETTINGS: dict[str, Any] = {"loglevel": "FATAL", "bestpath": False}


@dataclass(frozen=True)
class Recognition:
    """What the recogniser heard in one utterance."""

    text: str | None
    """The sentence recognised (lower case words), or None when the audio was rejected."""
    heard: str
    """The grammar's best guess even when rejected ("" when it heard no words): for logs and
    calibration, never for acting on."""
    confidence: float | None
    """How well the sentence explains the sound compared with a free phone loop, per frame (0
    is as well as anything; see the module docstring); None when no sentence was found."""
    coverage: float | None
    """The share of the frames the phone loop hears as speech that the sentence spends in
    words (about 1 for a real command); None when no sentence was found."""
    rejected: RejectReason | None
    """Why the audio was rejected; None when it was recognised."""
    snr: float
    """The audio's estimated signal-to-noise ratio in dB: its mean power over that of its
    quietest tenth of 20 ms frames (``MAX_SNR`` for digital silence between words). It picks
    the confidence floor."""
    seconds: float
    """How long the audio lasts."""
    decode_seconds: float
    """How long recognition took (all decodes)."""
    language_gap: float | None = None
    """How much better the sentence scores than the best sentence of the general English
    language model, per frame, in the confidence's units (``SECOND_OPINIONS``); None when no
    second opinion was asked for."""


class Recogniser:
    """A grammar recogniser for one interaction model."""

    def __init__(
        self,
        compiled: CompiledGrammar,
        floor: float | None = None,
        coverage_floor: float = COVERAGE_FLOOR,
        dither: bool = True,
        acoustic: Path | None = ACOUSTIC_MODEL,
        second_opinion: bool | Literal["always"] = True,
    ) -> None:
        self.compiled = compiled
        """The grammar and dictionary files in use."""
        self.floor = floor
        """The confidence below which a sentence is rejected; None: the floor for the audio's
        noise (``CONFIDENCE_FLOORS``)."""
        self.coverage_floor = coverage_floor
        """The coverage below which a sentence is rejected."""
        self.dither = dither
        """Whether clean audio gets ``DITHER_SNR_DB`` of white noise first."""
        self.acoustic = acoustic
        """The adapted acoustic model's folder (``ACOUSTIC_MODEL``); None for pocketsphinx's
        own en-us model as it ships."""
        decoder, get_model_path = _pocketsphinx()
        model = {"hmm": get_model_path("en-us/en-us"), **_adapted(acoustic)}
        self._model = model  # the decoders loaded on first need use the same files
        self._grammar = self._grammar_decoder()
        self._phones = decoder(dict=str(compiled.dictionary), lm=None, **model,
                               **_DECODER_SETTINGS)  # fmt: skip
        self._phones.add_allphone_file("phones")
        self._phones.activate_search("phones")
        self._sentences = _SentenceChecker(compiled.fsg)
        self.second_opinion = second_opinion
        """Whether a sentence below its floor gets a second opinion (``SECOND_OPINIONS``);
        "always": every sentence at or above the lowest confidence of any band gets one (for
        calibration, with ``floor=-math.inf``)."""
        self._language: Any = None  # loaded on first use: most utterances never need it
        self._wide: Any = None  # likewise, the grammar searched with wider beams

    @classmethod
    def for_model(cls, model_path: Path, cache_dir: Path | None = None) -> Recogniser:
        """A recogniser for the interaction model at ``model_path`` (compiled, or cached)."""
        return cls(compile_grammar(model_path, cache_dir))

    def recognise(self, audio: Audio) -> Recognition:
        """Recognise one utterance (any sample rate; mono)."""
        started = time.perf_counter()
        at_16k = to_recogniser(audio)
        gap = _power_gap(at_16k)
        snr = _snr(gap)
        if _loudest_frame(at_16k.samples) < SILENCE_RMS:
            elapsed = time.perf_counter() - started
            return Recognition(None, "", None, None, "no-sentence", snr, audio.seconds, elapsed)
        if _calm_crossings(at_16k.samples) > NOISE_ZCR:
            elapsed = time.perf_counter() - started
            return Recognition(None, "", None, None, "noise", snr, audio.seconds, elapsed)
        pcm = _conditioned(_dithered(at_16k, gap) if self.dither else at_16k).pcm()
        sentence = _decode(self._grammar, pcm)
        if not sentence.words:
            sentence = _decode(self._wide_grammar(), pcm)

        def result(
            rejected: RejectReason | None,
            confidence: float | None = None,
            coverage: float | None = None,
            language_gap: float | None = None,
        ) -> Recognition:
            text = sentence.words if rejected is None else None
            elapsed = time.perf_counter() - started
            return Recognition(
                text,
                sentence.words,
                confidence,
                coverage,
                rejected,
                snr,
                audio.seconds,
                elapsed,
                language_gap,
            )

        if not sentence.words:
            return result("no-sentence")
        if not self._sentences.accepts(sentence.words):
            return result("incomplete")
        loop = _decode(self._phones, pcm)
        confidence = (sentence.score - loop.score) / max(sentence.frames, 1)
        coverage = sentence.speech_frames / max(loop.speech_frames, 1)
        if not math.isfinite(confidence):
            return result("low-confidence")
        floor = confidence_floor(snr) if self.floor is None else self.floor
        _, lowest, least_gap = second_opinion(snr)
        if self.second_opinion == "always":
            wanted = confidence >= _SECOND_OPINION_FROM
        else:
            wanted = self.second_opinion and lowest <= confidence < floor
        language_gap = self._language_gap(pcm, sentence) if wanted else None
        if confidence < floor and (language_gap is None or language_gap < least_gap):
            return result("low-confidence", confidence, coverage, language_gap)
        if coverage < self.coverage_floor:
            return result("ignored-speech", confidence, coverage, language_gap)
        if coverage > COVERAGE_CEILING:
            return result("stretched-over-noise", confidence, coverage, language_gap)
        return result(None, confidence, coverage, language_gap)

    def _grammar_decoder(self, **settings: Any) -> Any:
        """A decoder searching the grammar with the acoustic model, ``settings`` added."""
        decoder, _ = _pocketsphinx()
        return decoder(
            dict=str(self.compiled.dictionary),
            fsg=str(self.compiled.fsg),
            **self._model,
            **_DECODER_SETTINGS,
            **settings,
        )

    def _wide_grammar(self) -> Any:
        """The grammar decoder with ``_WIDE_SETTINGS``, loaded on first need."""
        if self._wide is None:
            self._wide = self._grammar_decoder(**_WIDE_SETTINGS)
        return self._wide

    def _language_gap(self, pcm: bytes, sentence: _Decoded) -> float:
        """``Recognition.language_gap`` of ``sentence``, from a third decode of ``pcm``."""
        if self._language is None:
            decoder, get_model_path = _pocketsphinx()
            self._language = decoder(
                **self._model,
                lm=get_model_path("en-us/en-us.lm.bin"),
                dict=get_model_path("en-us/cmudict-en-us.dict"),
                **_DECODER_SETTINGS,
                **_LANGUAGE_SETTINGS,
            )
        english = _decode(self._language, pcm)
        return (sentence.score - english.score) / max(sentence.frames, 1)


class _SentenceChecker:
    """Whether a word sequence is a whole sentence of the FSG (not a partial path)."""

    def __init__(self, fsg: Path) -> None:
        self._arcs: dict[int, dict[str, set[int]]] = {}
        self._empty: dict[int, set[int]] = {}
        self._final = -1
        for line in fsg.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if parts[:1] == ["FINAL_STATE"]:
                self._final = int(parts[1])
            elif parts[:1] == ["TRANSITION"]:
                source, target = int(parts[1]), int(parts[2])
                if len(parts) > 4:
                    self._arcs.setdefault(source, {}).setdefault(parts[4], set()).add(target)
                else:
                    self._empty.setdefault(source, set()).add(target)

    def accepts(self, sentence: str) -> bool:
        states = self._closure({0})
        for word in sentence.split():
            states = self._closure({t for s in states for t in self._arcs.get(s, {}).get(word, ())})
            if not states:
                return False
        return self._final in states

    def _closure(self, states: set[int]) -> set[int]:
        todo = list(states)
        while todo:
            for target in self._empty.get(todo.pop(), ()):
                if target not in states:
                    states.add(target)
                    todo.append(target)
        return states


def _adapted(folder: Path | None) -> dict[str, str]:
    """pocketsphinx settings that load the adapted model's files over the bundled ones."""
    if folder is None:
        return {}
    files = {setting: folder / name for setting, name in _ADAPTED_FILES.items()}
    missing = sorted(path.name for path in files.values() if not path.is_file())
    if missing:
        raise SpeechEngineMissing(
            f"the adapted acoustic model is incomplete in {folder} (missing {', '.join(missing)});"
            " reinstall the package, or run bench/adapt_acoustic.py"
        )
    return {setting: str(path) for setting, path in files.items()}


def _pocketsphinx() -> tuple[Any, Any]:
    try:
        from pocketsphinx import Decoder, get_model_path  # type: ignore[import-untyped]
    except ImportError as error:  # pragma: no cover - a dependency of the package
        raise SpeechEngineMissing(
            "pocketsphinx is not installed; install it with: pip install pocketsphinx"
        ) from error
    return Decoder, get_model_path


@dataclass(frozen=True)
class _Decoded:
    """One decoder's best path."""

    words: str
    """Its words, fillers and silences left out (phones, for the phone loop)."""
    score: float
    """Its log-likelihood, in pocketsphinx's units; -inf when there is none."""
    frames: int
    """How many 10 ms frames were decoded."""
    speech_frames: int
    """How many of them the path spends in words or phones (not silence or noise)."""


def _decode(decoder: Any, pcm: bytes) -> _Decoded:
    with warnings.catch_warnings():
        # Deprecated in the Python API as "unnecessary", but it is what resets the noise
        # estimate carried over from the last utterance: without it a result depends on
        # what was decoded before.
        warnings.simplefilter("ignore", DeprecationWarning)
        decoder.start_stream()
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    hypothesis = decoder.hyp()
    frames = int(decoder.n_frames())
    if hypothesis is None:
        return _Decoded("", -math.inf, frames, 0)
    speech = sum(
        segment.end_frame - segment.start_frame + 1
        for segment in decoder.seg() or ()
        if str(segment.word) not in _NOT_SPEECH
    )
    score = float(hypothesis.score)
    log_score = math.log(score) / _LOG_BASE if score > 0 else -math.inf
    words = [w for w in str(hypothesis.hypstr).split() if w not in _NOT_SPEECH]
    return _Decoded(" ".join(words), log_score, frames, speech)


def _loudest_frame(samples: array[int], frame: int = RATE // 50) -> float:
    """The root mean square of the loudest 20 ms frame (0 for digital silence)."""
    return math.sqrt(
        max(
            (
                sum(map(mul, chunk, chunk)) / len(chunk)
                for chunk in (samples[i : i + frame] for i in range(0, len(samples), frame))
                if chunk
            ),
            default=0.0,
        )
    )


def _calm_crossings(samples: array[int], frame: int = RATE // 50) -> float:
    """The zero-crossing rate of the calmest tenth of 20 ms frames (0 for silence)."""
    rates = sorted(
        sum((a >= 0) != (b >= 0) for a, b in pairwise(chunk)) / frame
        for chunk in (samples[i : i + frame] for i in range(0, len(samples) - frame + 1, frame))
    )
    return rates[len(rates) // 10] if rates else 0.0


MAX_SNR = 99.0
"""``Recognition.snr`` of audio with no noise floor at all."""


def _snr(gap: float | None) -> float:
    """``Recognition.snr`` from :func:`_power_gap`: ``MAX_SNR`` at most, and for audio too
    short or too quiet to tell."""
    return MAX_SNR if gap is None else min(gap, MAX_SNR)


def _power_gap(audio: Audio) -> float | None:
    """How far, in dB, the mean power of ``audio``'s 20 ms frames is above that of its quietest
    tenth: the noise floor under the speech (within about 1 dB of the white noise mixed in at
    20 and 10 dB); inf over digital silence, None for audio shorter than ten frames or with no
    power at all."""
    samples = audio.samples
    frame = RATE // 50
    energies = sorted(
        sum(map(mul, chunk, chunk)) / frame
        for chunk in (samples[i : i + frame] for i in range(0, len(samples) - frame + 1, frame))
    )
    if len(energies) < 10:
        return None
    mean = sum(energies) / len(energies)
    floor = energies[len(energies) // 10]
    if mean <= 0:
        return None
    return math.inf if floor <= 0 else 10 * math.log10(mean / floor)


def confidence_floor(snr: float) -> float:
    """The confidence floor for audio of estimated signal-to-noise ratio ``snr``."""
    return next(floor for least, floor in CONFIDENCE_FLOORS if snr >= least)


def second_opinion(snr: float) -> tuple[float, float, float]:
    """The ``SECOND_OPINIONS`` entry for audio of estimated signal-to-noise ratio ``snr``."""
    return next(entry for entry in SECOND_OPINIONS if snr >= entry[0])


_SECOND_OPINION_FROM = min(lowest for _, lowest, _ in SECOND_OPINIONS)


def _dithered(audio: Audio, gap: float | None = None) -> Audio:
    """``audio`` with ``DITHER_SNR_DB`` of white noise when it is clean (its quietest tenth of
    20 ms frames is ``_CLEAN_GAP_DB`` below its mean power: ``gap``, worked out when not
    given), else as it is."""
    gap = _power_gap(audio) if gap is None else gap
    if gap is None or gap < _CLEAN_GAP_DB:
        return audio
    return with_noise(audio, DITHER_SNR_DB, seed=_SEED)


def prepared(audio: Audio, dither: bool = True) -> Audio:
    """``audio`` as the decoders get it: at 16 kHz, dithered when clean (``dither``), with a
    quarter second of quiet before and after it and the same quiet noise mixed in (see the
    module docstring). The acoustic adaptation (``bench/adapt_acoustic.py``) trains on this."""
    at_16k = to_recogniser(audio)
    return _conditioned(_dithered(at_16k) if dither else at_16k)


def _conditioned(audio: Audio) -> Audio:
    if audio.rate != RATE:
        raise ValueError("the recogniser takes 16 kHz audio")
    pad, noise = _quiet()
    samples = audio.samples
    headroom = 32767 - 8 * int(_NOISE_LEVEL)
    if samples and (max(samples) > headroom or min(samples) < -headroom):
        samples = array("h", (max(-headroom, min(headroom, s)) for s in samples))
    noisy = array("h", map(add, samples, islice(cycle(noise), len(samples))))
    return Audio(pad + noisy + pad, RATE)


@lru_cache(maxsize=1)
def _quiet() -> tuple[array[int], array[int]]:
    """The padding and a second of the noise mixed into the audio, both from a fixed seed; the
    noise never exceeds eight standard deviations."""
    gauss = random.Random(_SEED).gauss
    limit = 8 * _NOISE_LEVEL
    noise = array(
        "h", (round(max(-limit, min(limit, gauss(0.0, _NOISE_LEVEL)))) for _ in range(RATE))
    )
    pad = array("h", noise[: int(_PAD_SECONDS * RATE)])
    return pad, noise
