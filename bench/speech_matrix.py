"""The speech matrix: spoken commands through the offline recogniser, over every English espeak-ng
voice and variant, three rates, two pitches, clean and in 20 dB and 10 dB noise.

    python bench/speech_matrix.py [--quick] [--misses N]   # a table per condition, then misses
    python bench/run.py --only speech                      # the headline figures

Conditions and the rule that holds variants out of tuning are in ``speech_conditions.py``.
Every voice and variant is spoken once (about 800 command clips; ``--quick``: one in eight),
plus requests for other skills, white noise and silence, none of which may be accepted. A clip
is right when the recogniser hears it and the NLU gives the intent (or LaunchRequest) and date
slot expected; a clip the recogniser declines counts as wrong too. The real-time factor is
recognition time over audio length (median). The full run takes about three minutes here.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from bench.notes import note  # noqa: E402
from bench.speech_conditions import (  # noqa: E402
    COMMANDS,
    Condition,
    available,
    matrix,
    other_skill_sample,
)
from skill.nlu import MODELS_DIR, Nlu  # noqa: E402
from skill.voice.compiled import compile_grammar  # noqa: E402
from skill.voice.loop import understand  # noqa: E402
from skill.voice.recognise import Recogniser  # noqa: E402
from skill.voice.speech_out import Voice, synthesise  # noqa: E402
from skill.voice.wavio import RATE, Audio, with_noise  # noqa: E402

TODAY = date(2026, 11, 26)
Outcome = Literal["right", "declined", "wrong", "rejected", "accepted"]


@dataclass(frozen=True)
class Heard:
    """One clip, what was heard and what it counts as."""

    text: str
    """What was said."""
    condition: Condition
    """How it was spoken."""
    outcome: Outcome
    """right / declined / wrong for a command; rejected / accepted for anything else."""
    heard: str
    """The recogniser's words ("" for none)."""
    meaning: str
    """The intent and date heard, or why it was declined."""
    ratio: float
    """Recognition time over audio length."""


def clip(text: str, condition: Condition, seed: int) -> Audio:
    """``text`` spoken as ``condition`` says (noise from ``seed``, so runs repeat)."""
    audio = synthesise(text, Voice(condition.voice, condition.rate, condition.pitch))
    return audio if condition.snr is None else with_noise(audio, condition.snr, seed=seed)


def hear(
    recogniser: Recogniser, nlu: Nlu, text: str, condition: Condition, audio: Audio
) -> Heard:
    """Recognise ``audio`` and judge it against what ``text`` must mean (None: nothing)."""
    recognition = recogniser.recognise(audio)
    meaning = understand(recognition, nlu, TODAY)
    ratio = recognition.decode_seconds / max(audio.seconds, 1e-9)
    expected = COMMANDS.get(text)
    got: tuple[str | None, str | None] | None = None
    if meaning.text is not None:
        kind = meaning.request_type == "LaunchRequest"
        got = ("LaunchRequest", None) if kind else (meaning.intent, meaning.slots.get("date"))
    shown = (
        f"{got[0]} {got[1] or ''}".strip()
        if got
        else f"declined ({recognition.rejected or 'needs a clearer hearing'})"
    )
    outcome: Outcome
    if expected is None:
        outcome = "rejected" if got is None else "accepted"
    else:
        outcome = "right" if got == expected else ("declined" if got is None else "wrong")
    return Heard(text, condition, outcome, recognition.heard, shown, ratio)


def run(every: int = 1, dither: bool = True) -> list[Heard]:
    """Every clip of the matrix (every ``every``-th), the other skills, noise and silence."""
    with tempfile.TemporaryDirectory() as cache:
        compiled = compile_grammar(MODELS_DIR / "en-US.json", Path(cache))
        recogniser = Recogniser(compiled, dither=dither)
        nlu = Nlu.for_locale("en-US")
        results = []
        for seed, (text, condition) in enumerate(
            [*matrix(every), *other_skill_sample(2 * every)]
        ):
            results.append(hear(recogniser, nlu, text, condition, clip(text, condition, seed)))
        for seconds, snr in ((1.0, None), (2.0, None)):  # silence: digital quiet
            quiet = Condition("silence", "none", "bench", 0, 0, snr)
            results.append(hear(recogniser, nlu, "", quiet, Audio(_zeros(seconds), RATE)))
        for seed, level in enumerate((300.0, 3000.0)):  # white noise, quiet and loud
            noise = Condition("white noise", "none", "bench", 0, 0, None)
            results.append(
                hear(recogniser, nlu, "", noise, Audio(_noise(2.0, level, seed), RATE))
            )
    return results


def figures(results: Sequence[Heard]) -> dict[str, float]:
    """The headline figures of a run."""
    commands = [r for r in results if r.text in COMMANDS]
    held = [r for r in commands if r.condition.held_out]

    def accuracy(rows: Iterable[Heard]) -> float:
        listed = list(rows)
        return sum(r.outcome == "right" for r in listed) / len(listed) if listed else 0.0

    others = [r for r in results if r.text not in COMMANDS]
    return {
        "speech_accuracy_heldout_clean_20db": accuracy(
            r for r in held if r.condition.snr in (None, 20.0)
        ),
        "speech_accuracy_heldout_clean": accuracy(r for r in held if r.condition.snr is None),
        "speech_accuracy_heldout_20db": accuracy(r for r in held if r.condition.snr == 20.0),
        "speech_accuracy_heldout_10db": accuracy(r for r in held if r.condition.snr == 10.0),
        "speech_accuracy_tuned": accuracy(r for r in commands if not r.condition.held_out),
        "speech_wrong_intents": float(sum(r.outcome == "wrong" for r in commands)),
        "speech_false_accepts": float(sum(r.outcome == "accepted" for r in others)),
        "speech_real_time_factor": statistics.median(r.ratio for r in results),
        "speech_clips": float(len(results)),
    }


def speech_figures(quick: bool) -> dict[str, float]:
    """For ``bench/run.py``: the matrix (one clip in eight when ``quick``)."""
    if not available():
        note("speech figures skipped: espeak-ng is not installed (apt-get install espeak-ng)")
        return {}
    results = run(8 if quick else 1)
    note(
        f"speech: {len(results)} clips; held out = every voice and variant but the tuning "
        "variants and the four first-calibrated voices (bench/speech_conditions.py)"
    )
    return figures(results)


def table(results: Sequence[Heard], misses: int) -> str:
    """Accuracy per condition (held-out commands), then false accepts and misses."""
    commands = [r for r in results if r.text in COMMANDS and r.condition.held_out]
    lines = [
        "| condition | level | clips | right | declined | wrong |",
        "|---|---|---:|---:|---:|---:|",
    ]
    by: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for r in commands:
        c = r.condition
        for factor, level in (
            ("noise", c.noise),
            ("rate", str(c.rate)),
            ("pitch", str(c.pitch)),
            ("voice", c.voice.split("+")[0]),
            ("split", c.split),
        ):
            by[factor, level][r.outcome] += 1
    for (factor, level), counts in sorted(by.items()):
        total = sum(counts.values())
        lines.append(
            f"| {factor} | {level} | {total} | {counts['right'] / total:.1%} "
            f"| {counts['declined'] / total:.1%} | {counts['wrong'] / total:.1%} |"
        )
    per_variant: dict[str, Counter[str]] = defaultdict(Counter)
    for r in commands:
        per_variant[r.condition.variant][r.outcome] += 1
    worst = sorted(per_variant.items(), key=lambda kv: kv[1]["right"] / sum(kv[1].values()))
    lines += ["", "Worst variants (held out, all noise levels): " + ", ".join(
        f"{v} {c['right']}/{sum(c.values())}" for v, c in worst[:12]
    )]  # fmt: skip
    accepted = [r for r in results if r.outcome == "accepted"]
    lines += ["", f"False accepts: {len(accepted)}"]
    lines += [f"- {r.condition.voice} ({r.condition.noise}): {r.text!r} heard as {r.heard!r}"
              for r in accepted]  # fmt: skip
    wrong = [r for r in results if r.outcome == "wrong"]
    lines += ["", f"Wrong intents: {len(wrong)}"]
    lines += [
        f"- {r.condition.voice} {r.condition.rate} wpm pitch {r.condition.pitch} "
        f"{r.condition.noise}: {r.text!r} heard as {r.heard!r} -> {r.meaning}"
        for r in wrong[:misses]
    ]
    declined = [r for r in commands if r.outcome == "declined"]
    lines += ["", f"Declined (first {min(misses, len(declined))} of {len(declined)}):"]
    lines += [
        f"- {r.condition.voice} {r.condition.rate} wpm pitch {r.condition.pitch} "
        f"{r.condition.noise}: {r.text!r} -> {r.meaning}, heard {r.heard!r}"
        for r in declined[:misses]
    ]
    return "\n".join(lines)


def _zeros(seconds: float) -> array[int]:
    return array("h", bytes(2 * int(seconds * RATE)))


def _noise(seconds: float, level: float, seed: int) -> array[int]:
    gauss = random.Random(seed).gauss
    return array(
        "h", (max(-32768, min(32767, round(gauss(0, level)))) for _ in range(int(seconds * RATE)))
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one clip in eight")
    parser.add_argument("--misses", type=int, default=30, help="misses listed of each kind")
    parser.add_argument("--no-dither", action="store_true", help="decode clean audio as it is")
    args = parser.parse_args(argv)
    if not available():
        print("espeak-ng is not installed: apt-get install espeak-ng", file=sys.stderr)
        return 2
    results = run(8 if args.quick else 1, dither=not args.no_dither)
    for name, value in figures(results).items():
        print(f"{name:40} {value:.3f}")
    print()
    print(table(results, args.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
