"""Calibrate the recogniser's floors on the **tuning** variants only (``speech_conditions.py``).

    python bench/speech_calibrate.py [--per-combo 8] [--save FILE | --load FILE]

Speaks the matrix's commands and other speech (the other skills' requests and a longer list of
near misses: alarms, music, lists, lights, weather, questions) with every English voice and
every tuning variant (index % 5 == 1), at the matrix's rates, pitches and noise levels, and
decodes each clip once with every floor off, keeping its sentence, confidence and coverage.
Then, for a grid of ``CONFIDENCE_FLOOR``, ``COVERAGE_FLOOR`` and ``loop.CAREFUL_FLOOR``, it
prints how many commands would be right (clean and 20 dB, and 10 dB), how many taken for another
command and how many other clips accepted, and the floors that accept no other speech at any
level and take no command for another clean or at 20 dB, best first (the most right commands,
then the most right at 10 dB, then the fewest wrong there). A test or
bench variant is never spoken, so the matrix's held-out figures stay held out.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from itertools import cycle, product
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from bench.speech_conditions import (  # noqa: E402
    COMMANDS,
    NOISE,
    OTHER_SKILLS,
    PITCHES,
    RATES,
    Condition,
    available,
    english_voices,
    split_of,
    variants,
    voice_name,
)
from bench.speech_matrix import TODAY, clip  # noqa: E402
from skill.nlu import MODELS_DIR, Nlu  # noqa: E402
from skill.voice import recognise  # noqa: E402
from skill.voice.compiled import compile_grammar  # noqa: E402
from skill.voice.loop import CAREFUL_FLOOR, CAREFUL_INTENTS  # noqa: E402
from skill.voice.recognise import (  # noqa: E402
    ACOUSTIC_MODEL,
    CONFIDENCE_FLOORS,
    COVERAGE_CEILING,
    COVERAGE_FLOOR,
    MAX_SNR,
    SECOND_OPINIONS,
    Recogniser,
)

NEAR_MISSES = (
    "set an alarm for six thirty", "play the latest news", "what's the weather tomorrow",
    "turn off the bedroom lights", "add eggs to my list", "remind me to take out the trash",
    "what's on my to do list", "stop the music", "play my workout playlist",
    "how tall is mount everest", "what time does the store close", "delete my alarm",
    "cancel my timer", "what is the capital of france", "turn up the heat", "open the garage door",
    "how many days until christmas", "tell me the news", "review my calendar", "keep playing",
    "what's playing right now", "say that again", "skip this song", "lock the front door",
)  # fmt: skip
"""Other speech beyond the matrix's other skills, some of it close to commands; none of it is
something the skill understands (the NLU gives each ``AMAZON.FallbackIntent``). Not here: a
phrase one word off a command ("what can you play", heard as "what can you do" at -11, as
confident as a right command in an unfamiliar voice): no floor separates those."""
OTHER_SPEECH = OTHER_SKILLS + NEAR_MISSES


@dataclass(frozen=True)
class Measured:
    """One clip decoded with every floor off."""

    text: str
    voice: str
    rate: int
    pitch: int
    snr: float | None
    heard: str
    """The grammar's best sentence ("" for none)."""
    rejected: str | None
    """A rejection no floor decides (no sentence, incomplete, noise)."""
    confidence: float | None
    coverage: float | None
    got: list[str | None] | None
    """[intent or LaunchRequest, date] the sentence means; None for no sentence."""
    careful: bool
    """Whether the sentence is one that needs ``CAREFUL_FLOOR``."""
    snr_estimate: float = MAX_SNR
    """The recogniser's estimate of the clip's signal-to-noise ratio (``Recognition.snr``),
    which picks its floor."""
    language_gap: float | None = None
    """``Recognition.language_gap``, for every sentence at or above the lowest confidence any
    band's second opinion starts from (``SECOND_OPINIONS``); None below it."""


def conditions(
    per_combo: int, only: tuple[int, int] | None = None, rotation: int = 0
) -> Iterator[tuple[str, Condition]]:
    """``per_combo`` clips for every tuning variant with every voice: commands and other speech
    in turn (two commands to one other), the rates, pitches and noise levels in turn.
    ``only=(k, n)``: every n-th tuning variant from the k-th only. ``rotation`` starts each
    cycle further on, for another set of clips."""
    levels = cycle(_turned([(r, p, n) for n in NOISE for p in PITCHES for r in RATES], rotation))
    commands = cycle(_turned(list(COMMANDS), rotation))
    others = cycle(_turned(list(OTHER_SPEECH), 7 * rotation))
    count = 0
    tuning = [v for i, v in enumerate(variants()) if split_of(i) == "tuning"]
    for position, variant in enumerate(tuning):
        if only is not None and position % only[1] != only[0]:
            continue
        for voice in english_voices():
            for _ in range(per_combo):
                rate, pitch, snr = next(levels)
                text = next(others) if count % 3 == 2 else next(commands)
                count += 1
                name = voice_name(voice, variant)
                yield text, Condition(name, variant, "tuning", rate, pitch, snr)


def _turned(items: list[Any], by: int) -> list[Any]:
    by %= len(items)
    return items[by:] + items[:by]


def measure(
    per_combo: int,
    only: tuple[int, int] | None = None,
    acoustic: Path | None = ACOUSTIC_MODEL,
    rotation: int = 0,
    jobs: int = 1,
) -> list[Measured]:
    """Every calibration clip, decoded with the floors off (in ``jobs`` processes, each taking
    every ``jobs``-th clip; the same rows in the same order however many)."""
    tasks = [(per_combo, only, acoustic, rotation, part, jobs) for part in range(jobs)]
    if jobs == 1:
        parts = [_measure_part(tasks[0])]
    else:
        with multiprocessing.get_context("spawn").Pool(jobs) as pool:
            parts = pool.map(_measure_part, tasks)
    numbered = sorted((number, m) for part in parts for number, m in part)
    return [m for _, m in numbered]


def _measure_part(
    task: tuple[int, tuple[int, int] | None, Path | None, int, int, int],
) -> list[tuple[int, Measured]]:
    per_combo, only, acoustic, rotation, part, jobs = task
    recognise.COVERAGE_CEILING = math.inf
    nlu = Nlu.for_locale("en-US")
    out = []
    with tempfile.TemporaryDirectory() as cache:
        compiled = compile_grammar(MODELS_DIR / "en-US.json", Path(cache))
        recogniser = Recogniser(
            compiled, floor=-math.inf, coverage_floor=0.0, acoustic=acoustic,
            second_opinion="always",
        )  # fmt: skip
        for number, (seed, (text, condition)) in enumerate(
            enumerate(conditions(per_combo, only, rotation), start=50_000 + 100_000 * rotation)
        ):
            if number % jobs != part:
                continue
            r = recogniser.recognise(clip(text, condition, seed))
            got: list[str | None] | None = None
            careful = False
            if r.heard and r.rejected not in ("no-sentence", "incomplete", "noise"):
                result = nlu.parse(r.heard, TODAY)
                launch = result.request_type == "LaunchRequest"
                date = result.slots.get("date")
                got = ["LaunchRequest", None] if launch else [result.intent, date]
                careful = result.intent in CAREFUL_INTENTS or nlu.yes_no(r.heard) is True
            rejected = r.rejected if r.rejected in ("no-sentence", "incomplete", "noise") else None
            c = condition
            measured = Measured(
                text, c.voice, c.rate, c.pitch, c.snr, r.heard, rejected, r.confidence,
                r.coverage, got, careful, r.snr, r.language_gap,
            )  # fmt: skip
            out.append((number, measured))
    return out


Floors = tuple[tuple[float, float], ...]
"""(estimated SNR at least, confidence floor), as ``recognise.CONFIDENCE_FLOORS``."""
Seconds = tuple[tuple[float, float, float], ...]
"""(estimated SNR at least, lowest confidence, least language gap), as
``recognise.SECOND_OPINIONS``."""
BANDS = tuple(least for least, _ in CONFIDENCE_FLOORS)
"""The noise bands the recogniser gives floors of their own, quietest first."""


def band_of(m: Measured) -> float:
    """The band (its least estimated SNR) ``m`` falls in."""
    return next(least for least in BANDS if m.snr_estimate >= least)


def accepted(
    m: Measured,
    floor: float | Floors,
    coverage: float,
    careful: float,
    ceiling: float,
    seconds: Seconds = (),
) -> bool:
    """Whether the recogniser with these settings keeps ``m`` (``seconds``: no second opinion
    when empty)."""
    if m.got is None or m.rejected is not None or m.confidence is None or m.coverage is None:
        return False
    if not isinstance(floor, float | int):
        floor = next(value for least, value in floor if m.snr_estimate >= least)
    if not math.isfinite(m.confidence):
        return False
    if m.confidence < floor:
        second = next((s for s in seconds if m.snr_estimate >= s[0]), None)
        if second is None or m.language_gap is None:
            return False
        if m.confidence < second[1] or m.language_gap < second[2]:
            return False
    if not coverage <= m.coverage <= ceiling:
        return False
    return not (m.careful and m.confidence < careful)


def score(rows: Sequence[Measured], floor: float | Floors, coverage: float, careful: float,
          ceiling: float, seconds: Seconds = ()) -> dict[str, float]:  # fmt: skip
    """What the floors give on ``rows``: commands right and wrong, clean and 20 dB (the target)
    and 10 dB (reported), and other speech accepted (any level)."""
    right = {"target": 0, "10": 0}
    wrong = {"target": 0, "10": 0}
    total = {"target": 0, "10": 0}
    others = 0
    for m in rows:
        ok = accepted(m, floor, coverage, careful, ceiling, seconds)
        expected = COMMANDS.get(m.text)
        if expected is None:
            others += ok and m.text in OTHER_SPEECH  # (a saved run may have other texts)
            continue
        level = "10" if m.snr == 10.0 else "target"
        total[level] += 1
        if ok and m.got is not None and tuple(m.got) == expected:
            right[level] += 1
        elif ok:
            wrong[level] += 1
    return {
        "right": right["target"] / max(total["target"], 1),
        "right_10db": right["10"] / max(total["10"], 1),
        "wrong": wrong["target"],
        "wrong_10db": wrong["10"],
        "accepted": others,
    }


def by_band(rows: Sequence[Measured], coverage: float, careful: float, ceiling: float) -> Floors:
    """The least strict confidence floor for each noise band on its own (the other settings
    fixed) that accepts none of the band's other speech and, but in the loudest band (10 dB:
    reported, not targeted), takes none of its commands for another (-4 when none does)."""
    chosen = []
    for least in BANDS:
        inside = [m for m in rows if band_of(m) == least]
        best = -4.0
        for candidate in (x / 4 for x in range(-88, -16)):  # -22 .. -4.25
            s = score(inside, candidate, coverage, careful, ceiling)
            if s["accepted"] == 0 and (s["wrong"] == 0 or least == BANDS[-1]):
                best = candidate
                break
        chosen.append((least, best))
    return tuple(chosen)


GAP_MARGIN = 4.0
"""How far below a chosen least language gap the calibration clips must still be safe: other
speech in voices not calibrated on scores gaps above the most any tuning clip has ("what's the
weather like in paris" in en-us+f2 at 140 words a minute, clean: 16.4, where the tuning clips'
most, below the floor, was 14.6; with a margin of 2 it was accepted)."""


def second_by_band(
    rows: Sequence[Measured],
    floors: Floors,
    coverage: float,
    careful: float,
    ceiling: float,
    margin: float = GAP_MARGIN,
) -> Seconds:
    """For each band, the second opinion (lowest confidence, least language gap) that keeps the
    most of the band's commands right (clean and 20 dB; then the most at 10 dB) while accepting
    none of its other speech and taking no more commands for another than the floors alone do,
    at any level, with ``floors`` as they are, and still would with a gap ``margin`` lower
    (other speech in voices not calibrated on reaches a little higher). The lowest confidence
    searched is the lowest any band of ``recognise.SECOND_OPINIONS`` has: no language gap is
    measured below it."""
    start = min(low for _, low, _ in SECOND_OPINIONS)
    chosen = []
    for least, floor in floors:
        inside = [m for m in rows if band_of(m) == least]
        base = score(inside, floors, coverage, careful, ceiling)
        best = (base, (least, floor, math.inf))
        for low, gap in product(
            [x / 2 for x in range(int(2 * start), int(2 * floor) + 1)],
            [x / 2 for x in range(-10, 61)],
        ):
            entry = ((least, low, gap),)
            s = score(inside, floors, coverage, careful, ceiling, entry)
            looser = score(
                inside, floors, coverage, careful, ceiling, ((least, low, gap - margin),)
            )
            if looser["accepted"] or any(looser[k] > base[k] for k in ("wrong", "wrong_10db")):
                continue
            if (s["right"], s["right_10db"]) > (best[0]["right"], best[0]["right_10db"]):
                best = (s, entry[0])
        chosen.append(best[1])
    return tuple(chosen)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-combo", type=int, default=8, help="clips per voice and variant")
    parser.add_argument("--save", type=Path, help="keep the measurements in this JSON file")
    parser.add_argument(
        "--load", type=Path, nargs="+", help="use measurements saved before (one or more runs)"
    )
    parser.add_argument(
        "--only",
        metavar="K/N",
        help="every N-th tuning variant from the K-th only (see adapt_acoustic.py --leave-out)",
    )
    parser.add_argument(
        "--acoustic",
        default=str(ACOUSTIC_MODEL),
        help="adapted acoustic model folder (none: the bundled en-us model)",
    )
    parser.add_argument(
        "--rotation", type=int, default=0, help="another set of clips (1, 2, ...): more data"
    )
    parser.add_argument("--jobs", type=int, default=2, help="processes decoding clips")
    args = parser.parse_args(argv)
    acoustic = None if args.acoustic == "none" else Path(args.acoustic)
    only = None
    if args.only:
        k, n = args.only.split("/")
        only = (int(k), int(n))
    if args.load:
        rows = [Measured(**row) for file in args.load for row in json.loads(file.read_text())]
    else:
        if not available():
            print("espeak-ng is not installed: apt-get install espeak-ng", file=sys.stderr)
            return 2
        rows = measure(args.per_combo, only, acoustic, args.rotation, args.jobs)
        if args.save:
            args.save.write_text(json.dumps([asdict(m) for m in rows]))
    commands = sum(m.text in COMMANDS for m in rows)
    print(f"{len(rows)} clips on the tuning variants: {commands} commands, "
          f"{len(rows) - commands} other speech")  # fmt: skip
    grid = product(
        [x / 2 for x in range(-44, -15)],  # confidence floor -22 .. -8
        (0.5, 0.55, 0.6, 0.65, 0.7),  # coverage floor
        [x / 2 for x in range(-32, -15)],  # careful floor -16 .. -8
        (1.8, 2.0, 2.2),  # coverage ceiling
    )
    results = []
    for floor, coverage, careful, ceiling in grid:
        if careful < floor:
            continue
        results.append(((floor, coverage, careful, ceiling),
                        score(rows, floor, coverage, careful, ceiling)))  # fmt: skip
    clean = [r for r in results if r[1]["accepted"] == 0 and r[1]["wrong"] == 0]
    clean.sort(key=lambda r: (-r[1]["right"], -r[1]["right_10db"], r[1]["wrong_10db"], -r[0][0]))
    print("floors with no other speech accepted and no command taken for another (clean, 20 dB),")
    print("best first:")
    print("confidence coverage careful ceiling | right (clean+20 dB) | 10 dB: right, wrong")
    for (floor, coverage, careful, ceiling), s in clean[:25]:
        print(f"{floor:10} {coverage:8} {careful:7} {ceiling:7} | {s['right']:.1%} "
              f"| {s['right_10db']:.1%}, {s['wrong_10db']:.0f}")  # fmt: skip
    banded = []
    for coverage, careful in product((0.5, 0.55, 0.6), [x / 2 for x in range(-26, -15)]):
        floors = by_band(rows, coverage, careful, COVERAGE_CEILING)
        banded.append(((floors, coverage, careful), score(rows, floors, coverage, careful,
                                                          COVERAGE_CEILING)))  # fmt: skip
    banded.sort(key=lambda r: (-r[1]["right"], -r[1]["right_10db"]))
    print(
        f"\na floor per noise band (ceiling {COVERAGE_CEILING}; bands by the least estimated SNR),"
    )
    print("best first: no other speech accepted, no command taken for another clean or at 20 dB:")
    print("CONFIDENCE_FLOORS | coverage careful | right (clean+20 dB) | 10 dB: right, wrong")
    for (floors, coverage, careful), s in banded[:8]:
        shown = ", ".join(f"{least:g} dB: {value}" for least, value in floors)
        print(
            f"{shown} | {coverage:8} {careful:7} | {s['right']:.1%} | {s['right_10db']:.1%}, "
            f"{s['wrong_10db']:.0f}"
        )
    coverage, careful = COVERAGE_FLOOR, CAREFUL_FLOOR
    floors = by_band(rows, coverage, careful, COVERAGE_CEILING)
    seconds = second_by_band(rows, floors, coverage, careful, COVERAGE_CEILING)
    s = score(rows, floors, coverage, careful, COVERAGE_CEILING, seconds)
    shown = ", ".join(f"{least:g} dB: {value}" for least, value in floors)
    print(f"\nwith coverage {coverage} and careful {careful} as shipped, floors {shown}")
    print("and a second opinion per band (the language model; SECOND_OPINIONS):")
    print(", ".join(f"{least:g} dB: from {low}, gap {gap}" for least, low, gap in seconds))
    print(f"right (clean+20 dB) {s['right']:.1%} | 10 dB: right {s['right_10db']:.1%}, wrong "
          f"{s['wrong_10db']:.0f} | other speech accepted {s['accepted']:.0f}")  # fmt: skip
    print("\nfor comparison, the most right with any accepted:")
    for (floor, coverage, careful, ceiling), s in sorted(results, key=lambda r: -r[1]["right"])[
        :10
    ]:
        print(f"{floor:10} {coverage:8} {careful:7} {ceiling:7} | {s['right']:.1%} | "
              f"wrong {s['wrong']:.0f} accepted {s['accepted']:.0f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
