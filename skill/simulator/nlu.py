"""Typed-utterance understanding against an ASK interaction model.

The model is compiled once: every sample utterance becomes a sequence of literal words and slot
captures. An utterance is normalised (lower case, punctuation other than apostrophes removed,
spaces collapsed) and matched against every sample; a slot capture takes one or more words and
must convert to a value of its slot type (an AMAZON.DATE capture that is not a date does not
match). The best match wins by literal coverage, the share of the utterance's words matched by a
sample's literal words, as home-assistant/hassil scores; ties go to the match with fewer slots.

Built-in intents the model declares match their usual phrasings without samples. Invocation
phrases ("open voice privacy", "ask voice privacy to ...", "... using voice privacy") become a
LaunchRequest or an IntentRequest for the rest of the phrase. Nothing matching is a result
(AMAZON.FallbackIntent, or no intent when the model declares none), not an exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from skill.simulator.spoken_dates import to_amazon_date

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
    "AMAZON.HelpIntent": ("help", "what can i say", "help me"),
    "AMAZON.StopIntent": ("stop", "shut up", "off", "that's all"),
    "AMAZON.CancelIntent": ("cancel", "never mind", "forget it"),
    YES: ("yes", "yeah", "yep", "sure", "ok", "okay", "please do"),
    NO: ("no", "nope", "no thanks", "don't"),
    "AMAZON.NavigateHomeIntent": ("go home", "home"),
}
_LAUNCH_VERBS = (
    r"(?:open|open up|launch|start|start up|begin|load|resume|run|use|play|talk to|ask|tell)"
)
_ONE_SHOT_CONNECTORS = ("to", "about", "for", "if", "whether", "that")
# Politeness around a command; tried only when the utterance as said matches nothing.
_LEADING_FILLERS = ("please", "can you", "could you", "would you", "i want to", "i'd like to")
_TRAILING_FILLERS = ("please", "now", "thanks", "thank you")


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
    """Literal coverage of the winning sample, 0.0 to 1.0 (1.0 for a launch phrase)."""


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


@dataclass(frozen=True)
class _Match:
    """A sample that matched the whole utterance."""

    sample: _Sample
    """The matching sample."""
    values: dict[str, str]
    """Converted slot values by slot name."""
    coverage: float
    """Share of the utterance's words matched by the sample's literal words."""

    @property
    def rank(self) -> tuple[float, int]:
        return (self.coverage, -len(self.values))


Converter = Callable[[str, date], str | None]


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
        self._slot_samples: dict[tuple[str, str], list[_Sample]] = {}
        self._samples: list[_Sample] = []
        self._declared_samples: dict[str, list[str]] = {}
        for intent in language.get("intents", []):
            self._add_intent(intent)
        self._yes_no = [
            self._compile(answer, text, self._intent_slots.get(answer, {}))
            for answer in (YES, NO)
            for text in (*BUILTIN_PHRASES[answer], *self._declared_samples.get(answer, []))
        ]
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
            if self._launch.fullmatch(text):
                return NluResult("LaunchRequest", None, {}, 1.0)
            for pattern in self._one_shots:
                found = pattern.fullmatch(text)
                if found is not None:
                    return self._resolve(_one_shot_candidates(found["rest"]), today)
        return self._resolve([text], today)

    def yes_no(self, utterance: str) -> bool | None:
        """True for a yes, False for a no, None otherwise. Alexa understands these while it
        asks for a confirmation even when the model declares no Yes/No intents."""
        words = _strip_wake_word(normalise(utterance)).split()
        for sample in self._yes_no:
            if _match(sample, words, date.min, self._converter) is not None:
                return sample.intent == YES
        return None

    def parse_slot(self, intent: str, slot: str, utterance: str, today: date) -> str | None:
        """The value ``utterance`` gives ``intent``'s ``slot`` when Alexa has asked for it:
        the slot's own samples ("for {date}") or the bare value. None when it gives none."""
        slot_type = self.slot_type(intent, slot)
        if slot_type is None:
            return None
        words = _strip_wake_word(normalise(utterance)).split()
        if not words:
            return None
        for sample in self._slot_samples.get((intent, slot), []):
            found = _match(sample, words, today, self._converter)
            if found is not None and slot in found.values:
                return found.values[slot]
        return self._converter(intent, slot)(" ".join(words), today)

    # --- compiling ------------------------------------------------------------------------

    def _add_intent(self, intent: Mapping[str, Any]) -> None:
        name = str(intent.get("name", ""))
        if not name:
            raise InteractionModelError("an intent in the interaction model has no name")
        slots = {str(s["name"]): str(s.get("type", "")) for s in intent.get("slots", [])}
        self._intent_slots[name] = slots
        samples = [str(s) for s in intent.get("samples", [])]
        self._declared_samples[name] = samples
        for text in (*BUILTIN_PHRASES.get(name, ()), *samples):
            self._samples.append(self._compile(name, text, slots))
        for slot in intent.get("slots", []):
            self._slot_samples[(name, str(slot["name"]))] = [
                self._compile(name, str(text), slots) for text in slot.get("samples", [])
            ]

    def _compile(self, intent: str, text: str, slots: Mapping[str, str]) -> _Sample:
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
        return _Sample(intent, tuple(parts), literal)

    def _converter(self, intent: str, slot: str) -> Converter:
        slot_type = self.slot_type(intent, slot) or ""
        if slot_type == "AMAZON.DATE":
            return to_amazon_date
        synonyms = self._custom_values.get(slot_type, {})
        return lambda text, _today: synonyms.get(text, text)

    # --- matching -------------------------------------------------------------------------

    def _resolve(self, candidates: Sequence[str], today: date) -> NluResult:
        best: _Match | None = None
        for text in _with_fillers_stripped(candidates):
            words = text.split()
            for sample in self._samples:
                found = _match(sample, words, today, self._converter)
                if found is not None and (best is None or found.rank > best.rank):
                    best = found
            if best is not None:
                break
        if best is None:
            intent = FALLBACK if FALLBACK in self._intent_slots else None
            return NluResult("IntentRequest", intent, self._empty_slots(intent), 0.0)
        name = best.sample.intent
        slots = self._empty_slots(name) | best.values
        return NluResult("IntentRequest", name, dict(slots), best.coverage)

    def _empty_slots(self, intent: str | None) -> dict[str, str | None]:
        return dict.fromkeys(self.slot_names(intent) if intent else (), None)


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
    remaining_literals = sum(1 for p in parts[part_at + 1 :] if isinstance(p, str))
    for end in range(word_at + 1, len(words) - remaining_literals + 1):
        value = converter(intent, part.name)(" ".join(words[word_at:end]), today)
        if value is None:
            continue
        for rest in _captures(parts, part_at + 1, words, end, intent, today, converter):
            yield {part.name: value, **rest}


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
    name = re.escape(invocation)
    launch = re.compile(rf"{_LAUNCH_VERBS} (?:the )?{name}")
    one_shots = [
        re.compile(rf"(?:ask|tell) (?:the )?{name} (?P<rest>.+)"),
        re.compile(rf"{_LAUNCH_VERBS} (?:the )?{name} and (?P<rest>.+)"),
        re.compile(rf"(?P<rest>.+?) (?:using|with|from) (?:the )?{name}"),
    ]
    return launch, one_shots


def _one_shot_candidates(rest: str) -> list[str]:
    """ "to stop human review" -> try "stop human review", then the words as said."""
    first, _, remainder = rest.partition(" ")
    if first in _ONE_SHOT_CONNECTORS and remainder:
        return [remainder, rest]
    return [rest]


def _with_fillers_stripped(candidates: Sequence[str]) -> Iterator[str]:
    yield from candidates
    for text in candidates:
        stripped = text
        for filler in _LEADING_FILLERS:
            if stripped.startswith(filler + " "):
                stripped = stripped[len(filler) + 1 :]
        for filler in _TRAILING_FILLERS:
            if stripped.endswith(" " + filler):
                stripped = stripped[: -len(filler) - 1]
        if stripped != text:
            yield stripped


def _strip_wake_word(text: str) -> str:
    for wake in ("hey alexa ", "alexa "):
        if text.startswith(wake):
            return text[len(wake) :]
    return text
