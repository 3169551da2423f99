"""Typed-utterance understanding against an ASK interaction model.

The model is compiled once. An utterance is normalised (lower case, punctuation other than
apostrophes removed, spaces collapsed) and resolved in two stages, the way home-assistant/hassil
first matches templates and then scores partial matches:

1. Word for word. Every sample utterance is a sequence of literal words and slot captures; a slot
   capture takes one or more words and must convert to a value of its slot type (an AMAZON.DATE
   capture that is not a date does not match). The best match wins by literal coverage, the share
   of the utterance's words matched by a sample's literal words; ties go to the match with fewer
   slots, then to the sample the model lists first. Politeness around a command ("can you ...",
   "... for me please") is tried without it when the words as said match nothing.
2. Paraphrase. When no sample matches word for word, the utterance (without politeness) is
   compared with each sample as a bag of weighted words (``_Profile``): stop words do not count,
   question words and the like count half, contractions are spelled out, inflections folded
   ("reviewed" = "review"), and a word counts less the more intents use it (inverse document
   frequency). Words the model uses interchangeably are synonyms: two samples of an intent that
   differ in one word ("delete/erase what i said {date}") teach it; another intent's synonyms
   count half. A spoken value anywhere in the utterance fills a slot of its type. A sample is a
   candidate only if the utterance says its first content word (what it is about: "stop ...")
   and agrees with it on negation ("don't ...", the negated word marked) and on being a question
   ("do you ..."); it matches when it covers enough of the utterance and the utterance enough of
   it (recall and F-measure thresholds). A content word no sample uses means the utterance is
   not for this skill, and two intents about equally near is a guess it does not make.

Built-in intents the model declares match their usual phrasings without samples. Invocation
phrases ("open voice privacy", "ask voice privacy to ...", "... using voice privacy") become a
LaunchRequest or an IntentRequest for the rest of the phrase. Nothing matching is a result
(AMAZON.FallbackIntent, or no intent when the model declares none), not an exception.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any, Literal

from skill.simulator.spoken_dates import could_be_date, to_amazon_date

__all__ = [
    "InteractionModelError",
    "Nlu",
    "NluResult",
    "UnknownLocaleError",
    "normalise",
]

MODELS_DIR = Path(__file__).parents[2] / "interaction_models"
FALLBACK = "AMAZON.FallbackIntent"
YES = "AMAZON.YesIntent"
NO = "AMAZON.NoIntent"

# Phrasings Alexa understands for built-in intents without any sample utterances.
BUILTIN_PHRASES: dict[str, tuple[str, ...]] = {
    "AMAZON.HelpIntent": (
        "help", "what can i say", "help me", "what can you do", "what can i do",
        "how does this work", "i need help",
    ),
    "AMAZON.StopIntent": (
        "stop", "shut up", "off", "that's all", "be quiet", "quit", "exit", "goodbye", "bye",
        "i'm done", "that's it",
    ),
    "AMAZON.CancelIntent": ("cancel", "never mind", "nevermind", "forget it", "cancel it"),
    YES: (
        "yes", "yeah", "yep", "yup", "sure", "ok", "okay", "please do", "go ahead", "do it",
        "of course", "correct", "that's right",
    ),
    NO: ("no", "nope", "no thanks", "don't", "nah", "no way", "not now", "don't do it"),
    "AMAZON.NavigateHomeIntent": ("go home", "home", "go back home"),
}  # fmt: skip
_LAUNCH_VERBS = (
    r"(?:open|open up|launch|start|start up|begin|load|resume|run|use|play|talk to|ask|tell)"
)
_ONE_SHOT_CONNECTORS = ("to", "about", "for", "if", "whether", "that")
# Politeness around a command, tried without it when the words as said match nothing.
_LEADING_FILLERS = (
    "please", "kindly", "just", "can you", "could you", "would you", "will you", "i want to",
    "i'd like to", "i would like to", "i want you to", "i'd like you to", "i would like you to",
    "i need you to", "i need to", "go ahead and", "tell me", "let me know", "i want to know",
    "i'd like to know", "i would like to know", "um", "uh", "oh", "oh no", "oops", "whoops",
    "ah", "hmm", "er", "okay", "ok", "so", "well", "hey", "alright", "now",
)  # fmt: skip
_TRAILING_FILLERS = (
    "please", "now", "right now", "thanks", "thank you", "for me", "as well", "too", "then",
    "okay", "if you can", "if you could", "if possible",
)  # fmt: skip


class InteractionModelError(ValueError):
    """The interaction model is missing or malformed (broken configuration, not a user error)."""


class UnknownLocaleError(InteractionModelError, LookupError):
    """No interaction model exists for the requested locale."""


@dataclass(frozen=True)
class NluResult:
    """What Alexa would send the skill for one utterance."""

    request_type: Literal["LaunchRequest", "IntentRequest"]
    """The request type: a launch phrase opens the skill, anything else is an intent."""
    intent: str | None
    """The intent name; None for a LaunchRequest, or when nothing matched and the model
    declares no AMAZON.FallbackIntent."""
    slots: dict[str, str | None]
    """Every slot the intent declares, with its resolved value; None when not filled."""
    score: float
    """How well the winning sample matched, 0.0 to 1.0: its literal coverage when it matched
    word for word, its weighted word overlap when the utterance is a paraphrase; 1.0 for a
    launch phrase, 0.0 when nothing matched."""


@dataclass(frozen=True)
class _Slot:
    """A slot reference inside a sample utterance."""

    name: str
    """The slot's name as the intent declares it."""


@dataclass(frozen=True)
class _Sample:
    """One compiled sample utterance."""

    intent: str
    """The intent the sample belongs to."""
    parts: tuple[str | _Slot, ...]
    """Literal words and slot captures, in order."""
    literal_words: int
    """How many literal words the sample has."""
    order: int
    """Position in the model: of equally good matches, the sample listed first wins."""

    @property
    def literals(self) -> frozenset[str]:
        """The sample's literal words; an utterance lacking one cannot match."""
        return frozenset(part for part in self.parts if isinstance(part, str))


@dataclass(frozen=True)
class _Match:
    """A sample that matched the whole utterance."""

    sample: _Sample
    """The matching sample."""
    values: dict[str, str]
    """Converted slot values by slot name."""
    score: float
    """Literal coverage (word for word) or weighted overlap (paraphrase)."""

    @property
    def rank(self) -> tuple[float, int, int]:
        return (self.score, -len(self.values), -self.sample.order)


Converter = Callable[[str, date], str | None]

# Spoken dates recur (every "yesterday" in a benchmark or a long dialog): convert each phrase once
# per day.
_amazon_date: Converter = lru_cache(maxsize=16384)(to_amazon_date)


def normalise(text: str) -> str:
    """Lower case, punctuation other than apostrophes removed, whitespace collapsed."""
    text = text.lower().replace("\u2019", "'")
    return " ".join(re.sub(r"[^\w\s']|_", " ", text).split())


class Nlu:
    """An interaction model compiled for matching typed utterances."""

    def __init__(self, model: Mapping[str, Any] | Path) -> None:
        if isinstance(model, Path):
            model = _read_model(model)
        root = model.get("interactionModel", model)
        language = root.get("languageModel") if isinstance(root, Mapping) else None
        if not isinstance(language, Mapping):
            raise InteractionModelError("interaction model has no interactionModel.languageModel")
        self.model: Mapping[str, Any] = root
        """The ``interactionModel`` object as loaded (languageModel, dialog, prompts)."""
        self.invocation_name = normalise(str(language.get("invocationName", "")))
        """The invocation name, normalised ("voice privacy")."""
        self._custom_values = _custom_values(language.get("types", []))
        self._intent_slots: dict[str, dict[str, str]] = {}
        self._converters: dict[tuple[str, str], Converter] = {}
        self._slot_samples: dict[tuple[str, str], list[_Sample]] = {}
        self._samples: list[_Sample] = []
        self._declared_samples: dict[str, list[str]] = {}
        for intent in language.get("intents", []):
            self._add_intent(intent)
        self._index = _ExactIndex(self._samples)
        self._paraphrases = _ParaphraseIndex(self._samples, self._intent_slots, self._custom_values)
        self._yes_no = [
            self._compile(answer, text, self._intent_slots.get(answer, {}))
            for answer in (YES, NO)
            for text in (*BUILTIN_PHRASES[answer], *self._declared_samples.get(answer, []))
        ]
        self._answers = _ParaphraseIndex(self._yes_no, {}, {})
        dialog = root.get("dialog") or {}
        self._dialog_intents = {str(i.get("name")) for i in dialog.get("intents", [])}
        self._launch, self._one_shots = _invocation_patterns(self.invocation_name)

    @classmethod
    def from_file(cls, path: Path) -> Nlu:
        """Load and compile the interaction model JSON at ``path``."""
        return cls(path)

    @classmethod
    def for_locale(cls, locale: str) -> Nlu:
        """Load ``interaction_models/<locale>.json`` from the repository."""
        path = MODELS_DIR / f"{locale}.json"
        if not path.is_file():
            available = sorted(p.stem for p in MODELS_DIR.glob("*.json"))
            raise UnknownLocaleError(
                f"no interaction model for locale {locale!r} in {MODELS_DIR}; "
                f"available: {', '.join(available) or 'none'}"
            )
        return cls(path)

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
        text = _strip_wake_word(normalise(utterance))
        if self.invocation_name:
            bare = _strip_fillers(text)
            if self._launch.fullmatch(text) or self._launch.fullmatch(bare):
                return NluResult("LaunchRequest", None, {}, 1.0)
            for said in dict.fromkeys((text, bare)):
                for pattern in self._one_shots:
                    found = pattern.fullmatch(said)
                    if found is not None:
                        return self._resolve(_one_shot_candidates(found["rest"]), today)
        return self._resolve([text], today)

    def yes_no(self, utterance: str) -> bool | None:
        """True for a yes, False for a no, None otherwise. Alexa understands these while it
        asks for a confirmation even when the model declares no Yes/No intents: as said,
        without politeness, led by one ("no, keep it"), or paraphrased ("yeah go ahead")."""
        text = _strip_wake_word(normalise(utterance))
        words = text.split()
        tries = [t.split() for t in _as_said_and_bare(text)]
        if len(words) > 1 and words[0] not in _LEADING_FILLERS:  # "okay, stop" is not a yes
            tries.append(words[:1])
        for said in tries:
            for sample in self._yes_no:
                if _match(sample, said, date.min, self._converter) is not None:
                    return sample.intent == YES
        found = self._answers.best(_strip_fillers(text).split(), date.min)
        return None if found is None else found.sample.intent == YES

    def parse_slot(self, intent: str, slot: str, utterance: str, today: date) -> str | None:
        """The value ``utterance`` gives ``intent``'s ``slot`` when Alexa has asked for it:
        the slot's own samples ("for {date}") or the bare value. None when it gives none."""
        if self.slot_type(intent, slot) is None:
            return None
        for text in _as_said_and_bare(_strip_wake_word(normalise(utterance))):
            words = text.split()
            if not words:
                continue
            for sample in self._slot_samples.get((intent, slot), []):
                found = _match(sample, words, today, self._converter)
                if found is not None and slot in found.values:
                    return found.values[slot]
            value = self._converter(intent, slot)(text, today)
            if value is not None:
                return value
        return None

    # --- compiling ------------------------------------------------------------------------

    def _add_intent(self, intent: Mapping[str, Any]) -> None:
        name = str(intent.get("name", ""))
        if not name:
            raise InteractionModelError("an intent in the interaction model has no name")
        slots = {str(s["name"]): str(s.get("type", "")) for s in intent.get("slots", [])}
        self._intent_slots[name] = slots
        for slot, slot_type in slots.items():
            self._converters[(name, slot)] = self._convert_as(slot_type)
        samples = [str(s) for s in intent.get("samples", [])]
        self._declared_samples[name] = samples
        for text in (*BUILTIN_PHRASES.get(name, ()), *samples):
            self._samples.append(self._compile(name, text, slots, order=len(self._samples)))
        for slot in intent.get("slots", []):
            self._slot_samples[(name, str(slot["name"]))] = [
                self._compile(name, str(text), slots) for text in slot.get("samples", [])
            ]

    def _compile(self, intent: str, text: str, slots: Mapping[str, str], order: int = 0) -> _Sample:
        parts: list[str | _Slot] = []
        for token in re.findall(r"\{[^{}]*\}|[^{}]+", text):
            if token.startswith("{"):
                name = token[1:-1].strip()
                if name not in slots:
                    raise InteractionModelError(
                        f"{intent}: sample {text!r} uses undeclared slot {{{name}}}"
                    )
                parts.append(_Slot(name))
            else:
                parts.extend(normalise(token).split())
        literal = sum(1 for part in parts if isinstance(part, str))
        return _Sample(intent, tuple(parts), literal, order)

    def _convert_as(self, slot_type: str) -> Converter:
        if slot_type == "AMAZON.DATE":
            return _amazon_date
        synonyms = self._custom_values.get(slot_type, {})
        return lambda text, _today: synonyms.get(text, text)

    def _converter(self, intent: str, slot: str) -> Converter:
        return self._converters.get((intent, slot)) or self._convert_as("")

    # --- matching -------------------------------------------------------------------------

    def _resolve(self, candidates: Sequence[str], today: date) -> NluResult:
        polite = [(text, _strip_fillers(text)) for text in candidates]
        best: _Match | None = None
        for text in dict.fromkeys([*candidates, *(bare for _, bare in polite)]):
            best = self._index.best(text.split(), today, self._converter)
            if best is not None:
                break
        if best is None:  # a paraphrase; politeness around it is not part of it
            for bare in dict.fromkeys(bare for _, bare in polite):
                found = self._paraphrases.best(bare.split(), today)
                if found is not None and (best is None or found.rank > best.rank):
                    best = found
        if best is None:
            intent = FALLBACK if FALLBACK in self._intent_slots else None
            return NluResult("IntentRequest", intent, self._empty_slots(intent), 0.0)
        name = best.sample.intent
        slots = self._empty_slots(name) | best.values
        return NluResult("IntentRequest", name, dict(slots), best.score)

    def _empty_slots(self, intent: str | None) -> dict[str, str | None]:
        return dict.fromkeys(self.slot_names(intent) if intent else (), None)


# --- word for word ------------------------------------------------------------------------


class _ExactIndex:
    """Samples indexed so that an utterance is only tried against samples it could match."""

    def __init__(self, samples: Sequence[_Sample]) -> None:
        self._whole: dict[str, _Sample] = {}
        self._by_first_word: dict[str, list[_Sample]] = defaultdict(list)
        self._slot_first: list[_Sample] = []
        self._literals: dict[int, frozenset[str]] = {}
        for sample in samples:
            if sample.literal_words == len(sample.parts):
                self._whole.setdefault(" ".join(map(str, sample.parts)), sample)
                continue
            self._literals[sample.order] = sample.literals
            first = sample.parts[0]
            if isinstance(first, str):
                self._by_first_word[first].append(sample)
            else:
                self._slot_first.append(sample)

    def best(
        self, words: Sequence[str], today: date, converter: Callable[[str, str], Converter]
    ) -> _Match | None:
        if not words:
            return None
        whole = self._whole.get(" ".join(words))
        if whole is not None:  # all words literal: nothing covers more
            return _Match(whole, {}, 1.0)
        said = frozenset(words)
        best: _Match | None = None
        for sample in chain(self._by_first_word.get(words[0], ()), self._slot_first):
            if sample.literal_words >= len(words) or not self._literals[sample.order] <= said:
                continue
            found = _match(sample, words, today, converter)
            if found is not None and (best is None or found.rank > best.rank):
                best = found
        return best


def _match(
    sample: _Sample,
    words: Sequence[str],
    today: date,
    converter: Callable[[str, str], Converter],
) -> _Match | None:
    """Match the whole of ``words`` against ``sample``; the first valid capture split wins."""
    if not words or sample.literal_words > len(words):
        return None
    for values in _captures(sample.parts, 0, words, 0, sample.intent, today, converter):
        return _Match(sample, values, sample.literal_words / len(words))
    return None


def _captures(
    parts: Sequence[str | _Slot],
    part_at: int,
    words: Sequence[str],
    word_at: int,
    intent: str,
    today: date,
    converter: Callable[[str, str], Converter],
) -> Iterator[dict[str, str]]:
    if part_at == len(parts):
        if word_at == len(words):
            yield {}
        return
    part = parts[part_at]
    if isinstance(part, str):
        if word_at < len(words) and words[word_at] == part:
            yield from _captures(parts, part_at + 1, words, word_at + 1, intent, today, converter)
        return
    convert = converter(intent, part.name)
    remaining_literals = sum(1 for p in parts[part_at + 1 :] if isinstance(p, str))
    for end in range(word_at + 1, len(words) - remaining_literals + 1):
        value = convert(" ".join(words[word_at:end]), today)
        if value is None:
            continue
        for rest in _captures(parts, part_at + 1, words, end, intent, today, converter):
            yield {part.name: value, **rest}


# --- paraphrases ---------------------------------------------------------------------------


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that carry no intent: pronouns, prepositions, modal verbs, politeness.
_STOP_WORDS = _word_set(
    "a an the my mine me myself i you your yours yourself we our ours us it its they them their "
    "of to for from at with about by and or so as be being been am can could would will should "
    "shall may might must please kindly um uh oh hey alexa well if whether very too there here "
    "then"
)
# Words that say something, but less than content words: question words, auxiliaries,
# determiners, placeholders ("stuff"), intensifiers. They count half, and one the model never
# uses is no reason to reject an utterance.
_LIGHT_WORDS = _word_set(
    "what how who when where why which is are do that this these those all every just really "
    "actually also now again some any anything something whatever stuff much more go ahead "
    "right thank thanks single literally totally completely entirely absolutely definitely "
    "simply basically"
)
_LIGHT_WEIGHT = 0.5
# Direction words change a verb's meaning ("turn on" / "turn off"): they count in full, and one
# the model never uses is no reason to reject an utterance either.
_PARTICLES = _word_set("on off in out up down back away over")
_NEGATORS = _word_set("not no never nope nah")
# The canonical form of every negator; not a word, so no folded word can collide with it.
_NEGATED = "~not"
# A question starts with one of these (contractions spelled out), unless "not" follows.
_QUESTION_WORDS = _word_set(
    "what how who when where why which is are do have can could will would should may"
)
_IRREGULAR = {
    "kept": "keep", "heard": "hear", "told": "tell", "said": "say", "says": "say", "made": "make",
    "had": "have", "has": "have", "did": "do", "does": "do", "done": "do", "was": "is",
    "were": "are", "got": "get", "gotten": "get", "knew": "know", "known": "know", "sent": "send",
    "gave": "give", "given": "give", "took": "take", "taken": "take", "saw": "see", "seen": "see",
    "thought": "think", "spoke": "speak", "spoken": "speak", "ok": "okay", "alright": "okay",
    "into": "in", "onto": "on",
}  # fmt: skip
_SPELLED_OUT = {
    "nobody": ("not", "anybody"), "noone": ("not", "anyone"), "nothing": ("not", "anything"),
    "nevermind": ("never", "mind"), "can't": ("can", "not"), "cannot": ("can", "not"),
    "won't": ("will", "not"), "ain't": ("is", "not"), "let's": ("let", "us"),
}  # fmt: skip
_CONTRACTED = {"re": "are", "ve": "have", "m": "am", "d": "would", "ll": "will"}
_IS_CONTRACTED = _word_set("what that it there here who how where when he she")
# A value right after one of these is not a slot value: "my first recording" is not the 1st.
_OWNERS = _word_set("my your our their his her its a an")
_MAX_SPAN = 7  # words in a spoken slot value ("the twenty fifth of november twenty twenty five")

# A paraphrase must cover this share of its sample's weight (recall), and the F-measure of that
# and the share of the utterance the sample explains (precision) must reach _MIN_SCORE.
_MIN_RECALL = 0.6
_MIN_SCORE = 0.65
# A word the sample lacks but its intent uses in other samples is this much explained.
_ELSEWHERE_CREDIT = 0.5
# A synonym learned from another intent's samples counts this much.
_BORROWED = 0.5
# The best samples of two intents this close are a guess between them: better not understood.
_AMBIGUOUS = 0.05

_Kind = Literal["stop", "light", "particle", "negator", "content", "slot"]


@dataclass(frozen=True, slots=True)
class _Read:
    """A word as the paraphrase stage reads it."""

    word: str
    """Canonical form: folded, "!" before a negated word, ``{name}`` for a slot."""
    weight: float
    """Weight by kind, before specificity; 0.0 for a stop word."""
    kind: _Kind
    """What sort of word it is."""


@dataclass(frozen=True, slots=True)
class _Unit:
    """One word of a sample, for matching paraphrases."""

    word: str
    """The canonical word (``{name}`` for a slot)."""
    weight: float
    """How much it counts: less for function words and for words many intents use."""
    key: bool
    """Whether it is a content word or particle (what a sample's head must be)."""
    own: frozenset[str]
    """``word`` and the words its intent uses interchangeably with it."""
    alternatives: tuple[tuple[str, float], ...]
    """Other words that stand for it, with how much they count: the intent's synonyms, then
    those other intents use, in a fixed order."""

    @property
    def spellings(self) -> frozenset[str]:
        """``word`` and every word that stands for it."""
        return frozenset((self.word, *(word for word, _ in self.alternatives)))


@dataclass(frozen=True, eq=False, slots=True)
class _Profile:
    """A sample as a bag of weighted words, for matching paraphrases."""

    sample: _Sample
    """The sample it was made from."""
    units: tuple[_Unit, ...]
    """Its words, stop words left out, each once."""
    total: float
    """The sum of their weights."""
    slots: tuple[str, ...]
    """The sample's slots, in order."""
    head: frozenset[str] | None
    """The spellings of its first key word, what it is about ("stop ...", "delete ..."): a
    paraphrase must say one."""
    negated: bool
    """Whether the sample says "not" (or "don't", "no", ...); a paraphrase must agree."""
    question: bool
    """Whether the sample is a question; a paraphrase must agree."""

    @property
    def shape(self) -> Hashable:
        """What scoring depends on: two samples of an intent with one shape match alike."""
        units = frozenset(
            (unit.weight, unit.key, frozenset(((unit.word, 1.0), *unit.alternatives)))
            for unit in self.units
        )
        return (self.sample.intent, units, self.slots, self.negated, self.question)


@dataclass(frozen=True, slots=True)
class _Said:
    """An utterance prepared for matching paraphrases."""

    units: dict[str, float]
    """Canonical word -> weight, stop words left out."""
    total: float
    """The sum of the weights."""
    by_position: list[str | None]
    """The canonical word at each position of the words said (None for a stop word)."""
    spans: dict[str, tuple[int, int, str]]
    """Slot type -> (start, end, value) of the longest run of words that is such a value."""
    strange: frozenset[str]
    """Slot types whose run has a word no sample uses: a sample must take it as a slot value."""
    negated: bool
    """Whether it says "not" (or "don't", "no", ...)."""
    question: bool
    """Whether it is a question."""


class _ParaphraseIndex:
    """Samples as weighted bags of words, and the words the model uses interchangeably."""

    def __init__(
        self,
        samples: Sequence[_Sample],
        intent_slots: Mapping[str, Mapping[str, str]],
        custom_values: Mapping[str, Mapping[str, str]],
    ) -> None:
        self._intent_slots = intent_slots
        self._words: dict[str, tuple[str | None, float, _Kind]] = {}
        # Slot type -> converter, and a test that rules out words without trying their runs.
        # Other types are free text: only a word-for-word match can tell where a value ends.
        self._converters: dict[str, tuple[Converter, Callable[[Sequence[str]], bool]]] = {}
        for slot_type in sorted({t for slots in intent_slots.values() for t in slots.values()}):
            if slot_type == "AMAZON.DATE":
                self._converters[slot_type] = (_amazon_date, could_be_date)
            elif slot_type in custom_values:
                self._converters[slot_type] = (_known(custom_values[slot_type]), bool)
        spelled = [_sample_words(sample) for sample in samples]
        read = [self._read(words) for words in spelled]
        users: dict[str, set[str]] = defaultdict(set)
        for sample, reading in zip(samples, read, strict=True):
            for word in reading:
                users[word.word].add(sample.intent)
        self._vocabulary = frozenset(word.lstrip("!") for word in users)
        # Words fewer intents use say more about which one is meant (inverse document frequency).
        count = len({sample.intent for sample in samples})
        self._specificity = {
            word: math.log1p(count / len(intents)) / math.log1p(count)
            for word, intents in users.items()
        }
        synonyms = _learn_synonyms(
            (sample.intent, [word.word for word in words])
            for sample, words in zip(samples, read, strict=True)
        )
        self._intent_words: dict[str, set[str]] = defaultdict(set)
        # Candidates by (negated, question) and head word, so most samples are never scored.
        self._by_head: dict[tuple[bool, bool], dict[str, list[_Profile]]] = defaultdict(dict)
        self._headless: dict[tuple[bool, bool], list[_Profile]] = defaultdict(list)
        seen: set[Hashable] = set()
        for sample, spelling, reading in zip(samples, spelled, read, strict=True):
            profile = self._profile(sample, spelling, reading, synonyms)
            self._intent_words[sample.intent].update(w for u in profile.units for w in u.own)
            if profile.shape in seen:
                continue  # "erase what i said" matches whatever "delete what i said" does
            seen.add(profile.shape)
            mood = (profile.negated, profile.question)
            if profile.head is None:
                self._headless[mood].append(profile)
                continue
            for head in profile.head:
                self._by_head[mood].setdefault(head, []).append(profile)

    def best(self, words: Sequence[str], today: date) -> _Match | None:
        """The sample ``words`` paraphrase best; None when none is near enough, or when the
        best samples of two intents are about as near."""
        said = self._prepare(_spell_out(words), today)
        if said is None:
            return None
        mood = (said.negated, said.question)
        heads = self._by_head.get(mood, {})
        candidates = {p for word in said.units for p in heads.get(word, ())}
        candidates.update(self._headless.get(mood, ()))
        by_intent: dict[str, _Match] = {}
        for profile in candidates:
            found = self._score(profile, said)
            if found is not None:
                held = by_intent.get(found.sample.intent)
                if held is None or found.rank > held.rank:
                    by_intent[found.sample.intent] = found
        ranked = sorted(by_intent.values(), key=lambda match: match.rank, reverse=True)
        if not ranked or (len(ranked) > 1 and ranked[0].score - ranked[1].score < _AMBIGUOUS):
            return None
        return ranked[0]

    def _prepare(self, words: list[str], today: date) -> _Said | None:
        if not words:
            return None
        spans = {
            slot_type: span
            for slot_type, (convert, could_be) in self._converters.items()
            if (span := _longest_span(words, today, convert, could_be)) is not None
        }
        units: dict[str, float] = {}
        by_position: list[str | None] = []
        strange: set[str] = set()
        for at, read in enumerate(self._read(words, keep_stop_words=True)):
            by_position.append(read.word if read.weight else None)
            if not read.weight:
                continue
            if read.kind == "content" and read.word.lstrip("!") not in self._vocabulary:
                within = {t for t, (start, end, _) in spans.items() if start <= at < end}
                if not within:
                    return None  # a word this skill never hears: not for us
                strange |= within
            weight = self._weigh(read.word, read.weight)
            units[read.word] = max(weight, units.get(read.word, 0.0))
        if not units:
            return None  # nothing but stop words
        first = _IRREGULAR.get(words[0], words[0])
        return _Said(
            units=units,
            total=sum(units.values()),
            by_position=by_position,
            spans=spans,
            strange=frozenset(strange),
            negated=_NEGATED in units,
            question=first in _QUESTION_WORDS and words[1:2] != ["not"],
        )

    def _score(self, profile: _Profile, said: _Said) -> _Match | None:
        units, total = said.units, said.total
        values: dict[str, str] = {}
        if profile.slots:
            units = dict(units)
            slot_types = self._intent_slots.get(profile.sample.intent, {})
            taken: set[str] = set()
            for slot in profile.slots:
                slot_type = slot_types.get(slot, "")
                span = said.spans.get(slot_type)
                if span is None or slot_type in taken:
                    continue  # no value said, or it already fills another slot
                taken.add(slot_type)
                start, end, values[slot] = span
                for word in said.by_position[start:end]:
                    total -= units.pop(word or "", 0.0)
                units["{" + slot + "}"] = 1.0
                total += 1.0
            if not said.strange <= taken:
                return None
        elif said.strange:
            return None  # "yesterday" said, but this sample has no date slot
        if profile.head is not None and profile.head.isdisjoint(units):
            return None  # not about the same thing ("yes" among them: the word stands for one)
        matched, explained, said_weight = _overlap(profile, units)
        elsewhere = self._intent_words[profile.sample.intent]
        credit = sum(
            weight * _ELSEWHERE_CREDIT
            for word, weight in units.items()
            if word not in explained and word in elsewhere
        )
        recall = matched / profile.total
        precision = min(1.0, (said_weight + credit) / total)
        if recall < _MIN_RECALL or not precision:
            return None
        score = 2 * recall * precision / (recall + precision)
        return _Match(profile.sample, values, round(score, 4)) if score >= _MIN_SCORE else None

    def _profile(
        self,
        sample: _Sample,
        words: Sequence[str | _Slot],
        read: Sequence[_Read],
        synonyms: Mapping[str, Mapping[str, frozenset[str]]],
    ) -> _Profile:
        units: dict[str, _Unit] = {}
        own_classes = synonyms.get(sample.intent, {})
        for word in read:
            if word.word in units:
                continue
            own = _class_of(word.word, own_classes)
            borrowed: frozenset[str] = frozenset()
            if not sample.intent.startswith("AMAZON."):  # built-ins: their phrasings only
                borrowed = frozenset().union(*(_class_of(word.word, c) for c in synonyms.values()))
            alternatives = (
                *((same, 1.0) for same in sorted(own - {word.word})),
                *((same, _BORROWED) for same in sorted(borrowed - own)),
            )
            weight = self._weigh(word.word, word.weight)
            key = word.kind in ("content", "particle")
            units[word.word] = _Unit(word.word, weight, key, own, alternatives)
        first = words[0] if words and isinstance(words[0], str) else ""
        return _Profile(
            sample=sample,
            units=tuple(units.values()),
            total=sum(unit.weight for unit in units.values()),
            slots=tuple(w.name for w in words if isinstance(w, _Slot)),
            head=next((unit.spellings for unit in units.values() if unit.key), None),
            negated=_NEGATED in units,
            question=_IRREGULAR.get(first, first) in _QUESTION_WORDS and "not" not in words[1:2],
        )

    def _read(self, words: Sequence[str | _Slot], keep_stop_words: bool = False) -> list[_Read]:
        """The words that count, canonical, the word a negator governs marked ("don't keep
        that" -> not, !keep, that); with ``keep_stop_words``, one entry for each word."""
        out: list[_Read] = []
        negating = False
        for word in words:
            if isinstance(word, _Slot):
                out.append(_Read("{" + word.name + "}", 1.0, "slot"))
                continue
            unit, weight, kind = self._word(word)
            if unit is None:
                if keep_stop_words:
                    out.append(_Read(word, 0.0, "stop"))
                continue
            if negating and kind in ("content", "particle"):
                unit, negating = "!" + unit, False
            negating = negating or kind == "negator"
            out.append(_Read(unit, weight, kind))
        return out

    def _weigh(self, unit: str, weight: float) -> float:
        return weight * self._specificity.get(unit, 1.0)

    def _word(self, word: str) -> tuple[str | None, float, _Kind]:
        """A word's canonical form (None for a stop word), weight and kind; cached."""
        known = self._words.get(word)
        if known is None:
            known = self._words[word] = _classify(word)
        return known


def _overlap(profile: _Profile, units: Mapping[str, float]) -> tuple[float, set[str], float]:
    """The weight of the sample's words the utterance says, each said word standing for one
    (the same word first, then synonyms); the said words used, and their weight."""
    matched, said, explained = 0.0, 0.0, set()
    pending: list[_Unit] = []
    for unit in profile.units:
        weight = units.get(unit.word)
        if weight is not None:
            matched += unit.weight
            said += weight
            explained.add(unit.word)
        elif unit.alternatives:
            pending.append(unit)
    for unit in pending:
        for word, share in unit.alternatives:
            if word in units and word not in explained:
                matched += unit.weight * share
                said += units[word]
                explained.add(word)
                break
    return matched, explained, said


def _classify(word: str) -> tuple[str | None, float, _Kind]:
    word = _IRREGULAR.get(word, word)
    if word in _STOP_WORDS:
        return None, 0.0, "stop"
    if word in _NEGATORS:
        return _NEGATED, _LIGHT_WEIGHT, "negator"
    if word in _LIGHT_WORDS:
        return word, _LIGHT_WEIGHT, "light"
    if word in _PARTICLES:
        return word, 1.0, "particle"
    return _fold(word), 1.0, "content"


def _fold(word: str) -> str:
    """Inflections folded: "recordings", "recorded", "recording" -> "record"; "letting" -> "let";
    "stores", "storing" -> "stor"."""
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def _spell_out(words: Sequence[str]) -> list[str]:
    """Contractions and negative pronouns spelled out: "don't" -> "do not", "what's" -> "what
    is", "yesterday's" -> "yesterday", "no one" -> "not anyone"."""
    out: list[str] = []
    at = 0
    while at < len(words):
        word = words[at]
        at += 1
        if word == "no" and at < len(words) and words[at] == "one":
            out += ["not", "anyone"]
            at += 1
        elif word in _SPELLED_OUT:
            out += _SPELLED_OUT[word]
        elif word.endswith("n't") and len(word) > 3:
            out += [word[:-3], "not"]
        elif "'" in word:
            head, _, tail = word.partition("'")
            if tail == "s":
                out += [head, "is"] if head in _IS_CONTRACTED else [head]
            elif tail in _CONTRACTED and head:
                out += [head, _CONTRACTED[tail]]
            else:
                out.append(word.replace("'", ""))
        else:
            out.append(word)
    return out


def _sample_words(sample: _Sample) -> list[str | _Slot]:
    """The sample's words as the paraphrase stage reads them: politeness around it dropped as
    from an utterance ("i want to opt out of ..." -> "opt out of ..."), contractions spelled
    out, slots in place."""
    text = " ".join(p if isinstance(p, str) else "{" + p.name + "}" for p in sample.parts)
    out: list[str | _Slot] = []
    run: list[str] = []
    for token in (*_strip_fillers(text).split(), None):
        if token is not None and not token.startswith("{"):
            run.append(token)
            continue
        out += _spell_out(run)
        run = []
        if token is not None:
            out.append(_Slot(token[1:-1]))
    return out


def _learn_synonyms(
    sequences: Iterable[tuple[str, list[str]]],
) -> dict[str, dict[str, frozenset[str]]]:
    """Words each custom intent uses interchangeably: two of its samples that differ in a single
    content word ("delete what i said {date}", "erase what i said {date}") make those words
    synonyms. Returns intent -> word -> its class, itself included. Classes are not merged
    across intents: each intent's own synonyms count in full, another intent's count less."""
    by_shape: dict[tuple[str, int], list[list[str]]] = defaultdict(list)
    for intent, words in sequences:
        if len(words) >= 2 and not intent.startswith("AMAZON."):
            by_shape[(intent, len(words))].append(words)
    classes: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for (intent, _), group in by_shape.items():
        same = classes[intent]
        for i, first in enumerate(group):
            for second in group[i + 1 :]:
                differ = [(a, b) for a, b in zip(first, second, strict=True) if a != b]
                if len(differ) == 1 and all(_is_content(word) for word in differ[0]):
                    merged = same.get(differ[0][0], {differ[0][0]})
                    merged |= same.get(differ[0][1], {differ[0][1]})
                    for word in merged:
                        same[word] = merged
    return {
        intent: {word: frozenset(alike) for word, alike in same.items()}
        for intent, same in classes.items()
    }


def _is_content(word: str) -> bool:
    return not word.startswith("{") and _classify(word.lstrip("!"))[2] == "content"


def _class_of(word: str, classes: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """``word``'s class; a negated word's is its plain class negated ("!let" ~ "!want")."""
    same = classes.get(word, frozenset()) | {word}
    if word.startswith("!"):
        same |= {"!" + plain for plain in classes.get(word[1:], ())}
    return same


def _longest_span(
    words: Sequence[str],
    today: date,
    convert: Converter,
    could_be: Callable[[Sequence[str]], bool],
) -> tuple[int, int, str] | None:
    """(start, end, value) of the longest run of ``words`` that converts (the last of equally
    long runs), or None. Runs ``could_be`` rules out are not tried."""
    if not could_be(words):
        return None
    for length in range(min(_MAX_SPAN, len(words)), 0, -1):
        for start in range(len(words) - length, -1, -1):
            if start and words[start - 1] in _OWNERS:
                continue
            if length == 1 and words[start] in _STOP_WORDS:
                continue  # "may i ..." is not about May
            run = words[start : start + length]
            if could_be(run) and (value := convert(" ".join(run), today)) is not None:
                return start, start + length, value
    return None


def _known(values: Mapping[str, str]) -> Converter:
    """A custom slot type's converter for paraphrases: its listed values and synonyms only."""
    return lambda text, _today: values.get(text)


# --- shared helpers ------------------------------------------------------------------------


def _read_model(path: Path) -> Mapping[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise InteractionModelError(f"interaction model not found: {path}") from error
    except json.JSONDecodeError as error:
        raise InteractionModelError(f"{path}: not valid JSON: {error}") from error
    if not isinstance(data, Mapping):
        raise InteractionModelError(f"{path}: expected a JSON object")
    return data


def _custom_values(types: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Custom slot type -> {normalised value or synonym: canonical value}."""
    table: dict[str, dict[str, str]] = {}
    for slot_type in types:
        values = table.setdefault(str(slot_type.get("name")), {})
        for entry in slot_type.get("values", []):
            name = entry.get("name", {})
            canonical = str(name.get("value", ""))
            for spoken in [canonical, *name.get("synonyms", [])]:
                values.setdefault(normalise(str(spoken)), canonical)
    return table


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


def _alternation(phrases: Iterable[str]) -> str:
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


_POLITENESS = re.compile(
    rf"(?:(?:{_alternation(_LEADING_FILLERS)}) )*(.+?)(?: (?:{_alternation(_TRAILING_FILLERS)}))*"
)


def _strip_fillers(text: str) -> str:
    """``text`` without politeness around it: "can you please X for me" -> "X"."""
    found = _POLITENESS.fullmatch(text)
    return found[1] if found else text


def _as_said_and_bare(text: str) -> list[str]:
    bare = _strip_fillers(text)
    return [text, bare] if bare != text else [text]


def _strip_wake_word(text: str) -> str:
    for wake in ("hey alexa ", "alexa "):
        if text.startswith(wake):
            return text[len(wake) :]
    return text
