"""Understanding stage of the NLU: an utterance resolved against an ASK interaction model.

The model is compiled once (``model``). An utterance is normalised (``text``: lower
case, punctuation other than apostrophes removed, spaces collapsed) and resolved in two stages,
the way home-assistant/hassil first matches templates and then scores partial matches:

1. Word for word (``exact``): literal words as said, slot captures converted by their slot
   type (``slots``: AMAZON.DATE, AMAZON.NUMBER, AMAZON.DURATION in Alexa's formats; a custom
   type takes the words said, with entity resolution). Politeness around a command ("can you
   ...", "... for me please") is tried without it when the words as said match nothing.
2. Paraphrase (``paraphrase``): when no sample matches word for word, the utterance (without
   politeness) is compared with each sample as a bag of weighted words. So is an utterance whose
   word-for-word match took words a custom slot type does not know ("order the espresso"): a
   paraphrase of the same intent with a value it knows wins.

Built-in intents the model declares match their usual phrasings without samples. Invocation
phrases ("open voice privacy", "ask voice privacy to ...", "... using voice privacy") become a
LaunchRequest or an IntentRequest for the rest of the phrase. Nothing matching is a result
(AMAZON.FallbackIntent, or no intent when the model declares none), not an exception.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from skill.nlu.exact import ExactIndex, Match, match
from skill.nlu.model import FALLBACK, YES, compile_model, model_path
from skill.nlu.paraphrase import ParaphraseIndex
from skill.nlu.results import NluResult
from skill.nlu.slots import SlotResolution
from skill.nlu.text import (
    LEADING_FILLERS,
    as_said_and_bare,
    goal_as_command,
    normalise,
    strip_fillers,
    strip_wake_word,
)

__all__ = ["Nlu"]

_LAUNCH_VERBS = (
    r"(?:open|open up|launch|start|start up|begin|load|resume|run|use|play|talk to|ask|tell)"
)
_ONE_SHOT_CONNECTORS = ("to", "about", "for", "if", "whether", "that")
_EXIT_WORDS = frozenset({"exit", "quit"})
# "ask voice privacy what data do you keep" reads better without "to".
_QUESTION_STARTS = frozenset(
    {"what", "how", "who", "when", "where", "why", "which", "is", "are", "do", "does", "did",
     "can", "could", "will", "would", "have", "has"}
)  # fmt: skip


class Nlu:
    """An interaction model compiled for matching typed utterances."""

    def __init__(self, model: Mapping[str, Any] | Path) -> None:
        compiled = compile_model(model)
        self.model: Mapping[str, Any] = compiled.root
        """The ``interactionModel`` object as loaded (languageModel, dialog, prompts)."""
        self.invocation_name = compiled.invocation_name
        """The invocation name, normalised ("voice privacy")."""
        self._types = compiled.slot_types
        self._intent_slots = compiled.intent_slots
        self._slot_samples = compiled.slot_samples
        self._dialog_intents = compiled.dialog_intents
        self._yes_no = compiled.yes_no
        self._samples = compiled.samples
        self._index = ExactIndex(compiled.samples)
        self._launch, self._one_shots = _invocation_patterns(self.invocation_name)

    @functools.cached_property
    def _paraphrases(self) -> ParaphraseIndex:
        # Built on first use: most of compiling a model, and an utterance that matches a
        # sample or the invocation exactly ("open voice privacy") never needs it.
        return ParaphraseIndex(self._samples, self._intent_slots, self._types)

    @functools.cached_property
    def _answers(self) -> ParaphraseIndex:
        return ParaphraseIndex(self._yes_no, {}, self._types)

    @classmethod
    def from_file(cls, path: Path) -> Nlu:
        """Load and compile the interaction model JSON at ``path``."""
        return cls(path)

    @classmethod
    def for_locale(cls, locale: str) -> Nlu:
        """Load ``interaction_models/<locale>.json`` from the repository."""
        return cls(model_path(locale))

    @property
    def intents(self) -> tuple[str, ...]:
        """The intents the model declares, in model order."""
        return tuple(self._intent_slots)

    def slot_names(self, intent: str) -> tuple[str, ...]:
        """The slots ``intent`` declares (empty for an unknown intent)."""
        return tuple(self._intent_slots.get(intent, {}))

    def slot_type(self, intent: str, slot: str) -> str | None:
        """The declared type of ``intent``'s ``slot``, or None when it has no such slot."""
        return self._intent_slots.get(intent, {}).get(slot)

    def has_dialog(self, intent: str) -> bool:
        """Whether the model's dialog section covers ``intent`` (Alexa then sends dialogState)."""
        return intent in self._dialog_intents

    def parse(self, utterance: str, today: date) -> NluResult:
        """Resolve ``utterance`` as Alexa would on the device's local day ``today``."""
        text = strip_wake_word(normalise(utterance))
        if self.invocation_name:
            bare = strip_fillers(text)
            if self._launch.fullmatch(text) or self._launch.fullmatch(bare):
                return NluResult("LaunchRequest", None, {}, 1.0, invoked=True)
            for said in dict.fromkeys((text, bare)):
                for pattern in self._one_shots:
                    found = pattern.fullmatch(said)
                    if found is not None:
                        result = self._resolve(_one_shot_candidates(found["rest"]), today)
                        return replace(result, invoked=True)
        return self._resolve([text], today)

    def is_exit(self, utterance: str) -> bool:
        """Whether ``utterance`` is "exit" or "quit" (with or without "alexa"): Alexa ends the
        skill's session itself (SessionEndedRequest, USER_INITIATED) and the skill gets no
        turn."""
        return strip_fillers(strip_wake_word(normalise(utterance))) in _EXIT_WORDS

    def addressed(self, utterance: str) -> str:
        """``utterance`` in a form that reaches the skill outside a session: "ask voice
        privacy to delete what i said", "ask voice privacy what data do you keep"."""
        text = strip_fillers(strip_wake_word(normalise(utterance)))
        first = text.split(" ", 1)[0]
        joiner = " " if first in _QUESTION_STARTS else " to "
        return f"ask {self.invocation_name}{joiner}{text}"

    def yes_no(self, utterance: str) -> bool | None:
        """True for a yes, False for a no, None otherwise. Alexa understands these while it
        asks for a confirmation even when the model declares no Yes/No intents: as said,
        without politeness, led by one ("no, keep it"), or paraphrased ("yeah go ahead")."""
        text = strip_wake_word(normalise(utterance))
        words = text.split()
        tries = [t.split() for t in as_said_and_bare(text)]
        if len(words) > 1 and words[0] not in LEADING_FILLERS:  # "okay, stop" is not a yes
            tries.append(words[:1])
        for said in tries:
            for sample in self._yes_no:
                if match(sample, said, date.min) is not None:
                    return sample.intent == YES
        found = self._answers.best(strip_fillers(text).split(), date.min)
        return None if found is None else found.sample.intent == YES

    def parse_slot(self, intent: str, slot: str, utterance: str, today: date) -> str | None:
        """The value ``utterance`` gives ``intent``'s ``slot`` when Alexa has asked for it:
        the slot's own samples ("for {date}") or the bare value. None when it gives none."""
        slot_type = self.slot_type(intent, slot)
        if slot_type is None:
            return None
        convert = self._types.converter(slot_type)
        for text in as_said_and_bare(strip_wake_word(normalise(utterance))):
            words = text.split()
            if not words:
                continue
            for sample in self._slot_samples.get((intent, slot), []):
                found = match(sample, words, today)
                if found is not None and slot in found.values:
                    return found.values[slot]
            value = convert(text, today)
            if value is not None:
                return value
        return None

    def resolution(self, intent: str, slot: str, value: str) -> SlotResolution | None:
        """Entity resolution of ``value`` (the words said) for ``intent``'s ``slot``; None when
        the slot's type is not one of the model's own."""
        slot_type = self.slot_type(intent, slot)
        return None if slot_type is None else self._types.resolve(slot_type, value)

    def _resolve(self, candidates: Sequence[str], today: date) -> NluResult:
        bare = list(dict.fromkeys(strip_fillers(text) for text in candidates))
        goals = [goal for text in bare if (goal := goal_as_command(text)) is not None]
        candidates, bare = [*candidates, *goals], [*bare, *goals]
        best: Match | None = None
        for text in dict.fromkeys([*candidates, *bare]):
            found = self._index.best(text.split(), today)
            if found is not None and (best is None or found.rank > best.rank):
                best = found
            if best is not None and not best.guesses:
                break  # as said, unless a slot took words such as "please" it does not know
        if best is None or best.guesses:
            # A paraphrase (politeness around it is not part of it); or, when a slot took words
            # it does not know ("order the espresso"), the same intent with a value it knows.
            found = self._paraphrase(bare, today)
            if best is None or (found is not None and found.sample.intent == best.sample.intent):
                best = found
        if best is None:
            intent = FALLBACK if FALLBACK in self._intent_slots else None
            return NluResult("IntentRequest", intent, self._empty_slots(intent), 0.0)
        name = best.sample.intent
        slots = self._empty_slots(name) | best.values
        return NluResult("IntentRequest", name, slots, best.score, self._resolutions(best))

    def _paraphrase(self, candidates: Sequence[str], today: date) -> Match | None:
        best: Match | None = None
        for text in candidates:
            found = self._paraphrases.best(text.split(), today)
            if found is not None and (best is None or found.rank > best.rank):
                best = found
        return best

    def _resolutions(self, found: Match) -> dict[str, SlotResolution]:
        resolutions: dict[str, SlotResolution] = {}
        for slot, value in found.values.items():
            resolution = self.resolution(found.sample.intent, slot, value)
            if resolution is not None:
                resolutions[slot] = resolution
        return resolutions

    def _empty_slots(self, intent: str | None) -> dict[str, str | None]:
        return dict.fromkeys(self.slot_names(intent) if intent else (), None)


def _invocation_patterns(invocation: str) -> tuple[re.Pattern[str], list[re.Pattern[str]]]:
    name = re.escape(invocation) + "(?: skill)?"
    launch = re.compile(rf"{_LAUNCH_VERBS} (?:the )?{name}")
    one_shots = [
        re.compile(rf"(?:ask|tell) (?:the )?{name} (?P<rest>.+)"),
        re.compile(rf"{_LAUNCH_VERBS} (?:the )?{name} and (?P<rest>.+)"),
        re.compile(rf"(?P<rest>.+?) (?:using|with|from|on) (?:the )?{name}"),
    ]
    return launch, one_shots


def _one_shot_candidates(rest: str) -> list[str]:
    """ "to stop human review" -> try "stop human review", then the words as said."""
    first, _, remainder = rest.partition(" ")
    if first in _ONE_SHOT_CONNECTORS and remainder:
        return [remainder, rest]
    return [rest]
