"""How fast the simulator's NLU resolves typed utterances once the model is compiled.

The utterances are a fixed mix in the style of ``tests/simulator/test_nlu_heldout.py``: samples
as the model lists them, paraphrases, spoken dates, one-shot invocations, launch phrases,
built-ins and requests for other skills, which must fall back.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from bench.notes import note
from skill.nlu import Nlu

TODAY = date(2026, 11, 26)
UTTERANCES: tuple[str, ...] = (
    # samples, word for word
    "delete what i said today",
    "delete what i said yesterday",
    "delete what i just said",
    "delete everything i've ever said",
    "stop human review",
    "allow human review again",
    "what data do you keep",
    "how many recordings do you have",
    "help",
    "yes",
    "no",
    "cancel",
    # paraphrases
    "can you delete what i said yesterday",
    "please erase everything you recorded today",
    "i don't want anyone listening to me",
    "how much of my voice do you store",
    "please forget the last thing i told you",
    "wipe all my data",
    "it's okay if people listen to my recordings",
    "what recordings do you have of me",
    "please stop letting humans review my recordings",
    "i'm ok with humans reviewing my recordings",
    "delete yesterday's recordings",
    "get rid of that last recording",
    # spoken dates
    "delete what i said on monday",
    "delete my recordings from last week",
    "erase everything i said on november twenty fifth",
    "forget what i said last summer",
    "remove all the recordings from twenty twenty five",
    "delete what you heard on the twenty third",
    "wipe my history from last month",
    "clear everything i said the day before yesterday",
    # invocations
    "open voice privacy",
    "alexa, launch voice privacy",
    "ask voice privacy to delete what i said yesterday",
    "tell voice privacy i don't want anyone listening",
    "ask voice privacy what data it keeps",
    "delete everything i said today using voice privacy",
    # other skills' requests
    "what's the weather",
    "play some music",
    "set a timer for ten minutes",
    "order more paper towels",
    "turn off the lights",
    "delete my shopping list",
    "what's on my calendar for tomorrow",
    "how are you",
)


def nlu_per_second(quick: bool) -> dict[str, float]:
    """Compile the en-US model once, then parse the mix for about 2 s (0.5 s when ``quick``).

    Returns ``nlu_per_second`` (utterances resolved a second, after one untimed pass over the
    mix) and ``nlu_compile_seconds`` (loading and compiling the model)."""
    started = time.perf_counter()
    nlu = Nlu.for_locale("en-US")
    compile_seconds = time.perf_counter() - started
    for utterance in UTTERANCES:  # warm up: caches of words and spoken dates, as in a session
        nlu.parse(utterance, TODAY)
    budget = 0.5 if quick else 2.0
    parsed = 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < budget:
        for utterance in UTTERANCES:
            nlu.parse(utterance, TODAY)
        parsed += len(UTTERANCES)
    return {"nlu_per_second": parsed / elapsed, "nlu_compile_seconds": compile_seconds}


def nlu_accuracy(quick: bool) -> dict[str, float]:
    """Share of the test lists resolved as expected: the held-out paraphrases
    (``tests/nlu/test_heldout.py``), the kinds of misses and the fresh list written after the
    model was broadened (``tests/nlu/test_fidelity_heldout.py``), and how many out-of-domain
    near misses were accepted (must be 0)."""
    from tests.nlu import test_fidelity_heldout as fidelity
    from tests.nlu import test_heldout as heldout

    nlu = Nlu.for_locale("en-US")

    def share(cases: tuple[Any, ...]) -> float:
        right = 0
        for case in cases:
            result = nlu.parse(case.utterance, TODAY)
            got = result.request_type if case.intent == "LaunchRequest" else result.intent
            dated = case.date is None or result.slots.get("date") == case.date
            right += got == case.intent and dated
        return right / len(cases)

    in_domain = tuple(c for c in heldout.HELD_OUT if c.intent != heldout.FALLBACK)
    out_of_domain = [c.utterance for c in heldout.HELD_OUT if c.intent == heldout.FALLBACK]
    near_misses = [*out_of_domain, *fidelity.NEAR_MISSES]
    accepted = sum(nlu.parse(u, TODAY).intent != heldout.FALLBACK for u in near_misses)
    note(
        f"NLU lists: {len(in_domain)} held-out paraphrases, {len(fidelity.KINDS)} of the kinds "
        f"missed before, {len(fidelity.FRESH)} fresh, {len(near_misses)} near misses"
    )
    return {
        "nlu_heldout_accuracy": share(in_domain),
        "nlu_kinds_accuracy": share(fidelity.KINDS),
        "nlu_fresh_accuracy": share(fidelity.FRESH),
        "nlu_near_miss_accepts": float(accepted),
    }
