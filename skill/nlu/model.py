"""Model stage of the NLU: an ASK interaction model loaded and its samples compiled.

Every sample utterance becomes a sequence of literal words and slot references; the built-in
intents the model declares get the phrasings Alexa understands for them without samples.
A broken model is an ``InteractionModelError`` (configuration, not something a user said).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skill.nlu.errors import InteractionModelError, UnknownLocaleError
from skill.nlu.slots import Converter, SlotTypes
from skill.nlu.text import normalise

__all__ = [
    "BUILTIN_PHRASES",
    "FALLBACK",
    "MODELS_DIR",
    "NO",
    "YES",
    "CompiledModel",
    "InteractionModelError",
    "Sample",
    "SlotRef",
    "UnknownLocaleError",
    "compile_model",
    "json_nesting_error",
    "model_path",
    "read_model_text",
]

MODELS_DIR = Path(__file__).parents[2] / "interaction_models"
"""The repository's interaction models, one JSON file per locale: the source of truth."""

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


@dataclass(frozen=True)
class SlotRef:
    """A slot reference inside a sample utterance."""

    name: str
    """The slot's name as the intent declares it."""
    convert: Converter = field(compare=False, repr=False)
    """How the words it captures become the slot's value (by the slot's type)."""
    known: frozenset[str] | None = field(default=None, compare=False, repr=False)
    """For a type that takes any words (custom, free text): the values it knows, names and
    synonyms; words it does not know are a guess at a value. None when the type's format
    validates every value (AMAZON.DATE, AMAZON.NUMBER, ...)."""


@dataclass(frozen=True)
class Sample:
    """One compiled sample utterance."""

    intent: str
    """The intent the sample belongs to."""
    parts: tuple[str | SlotRef, ...]
    """Literal words and slot references, in order."""
    literals: frozenset[str]
    """The sample's literal words; an utterance lacking one cannot match."""
    literal_words: int
    """How many literal words the sample has."""
    order: int
    """Position in the model: of equally good matches, the sample listed first wins."""
    open_slots: tuple[SlotRef, ...] = ()
    """Its slot references whose type takes any words (``SlotRef.known`` set)."""


@dataclass(frozen=True)
class CompiledModel:
    """An interaction model, its samples compiled."""

    root: Mapping[str, Any]
    """The ``interactionModel`` object as loaded (languageModel, dialog, prompts)."""
    invocation_name: str
    """The invocation name, normalised."""
    slot_types: SlotTypes
    """The slot types its slots use."""
    intent_slots: dict[str, dict[str, str]]
    """Intent -> slot name -> slot type, intents and slots in model order."""
    samples: list[Sample]
    """Every intent's samples (built-in phrasings first), in model order."""
    slot_samples: dict[tuple[str, str], list[Sample]]
    """(intent, slot) -> the slot's own samples ("for {date}"), answers when Alexa asks."""
    yes_no: list[Sample]
    """Yes and no as Alexa understands them during a confirmation, declared or not."""
    dialog_intents: frozenset[str]
    """The intents the model's dialog section covers."""


def model_path(locale: str) -> Path:
    """``interaction_models/<locale>.json``; ``UnknownLocaleError`` when there is none."""
    path = MODELS_DIR / f"{locale}.json"
    if not path.is_file():
        available = sorted(p.stem for p in MODELS_DIR.glob("*.json"))
        raise UnknownLocaleError(
            f"no interaction model for locale {locale!r} in {MODELS_DIR}; "
            f"available: {', '.join(available) or 'none'}"
        )
    return path


MAX_MODEL_BYTES = 4 * 1024 * 1024
"""The largest interaction model file read: the shipped en-US model is about 20 KB, and
models with large slot catalogues a few hundred KB. A file past this is refused unread."""
MAX_MODEL_DEPTH = 64
"""The deepest JSON nesting read (an interaction model nests about 8 levels)."""
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def json_nesting_error(text: str, limit: int = MAX_MODEL_DEPTH) -> str | None:
    """Why ``text`` nests too deeply to parse, or None: found by a scan of its brackets
    (strings skipped) before ``json.loads``, which would recurse once a level."""
    depth = 0
    for token in _JSON_TOKENS.finditer(text):
        bracket = token.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth > limit:
                line = text.count("\n", 0, token.start()) + 1
                return f"JSON nested deeper than {limit} levels (line {line})"
        elif bracket in ("]", "}"):
            depth -= 1
    return None


def read_model_text(path: Path, max_bytes: int = MAX_MODEL_BYTES) -> str:
    """The text of a model file; ``InteractionModelError`` when it is missing, too large
    (checked before reading) or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InteractionModelError(
                f"{path}: {size / 1024 / 1024:.1f} MiB is larger than the "
                f"{max_bytes // 1024 // 1024} MiB an interaction model may be"
            )
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)
    except FileNotFoundError as error:
        raise InteractionModelError(f"interaction model not found: {path}") from error
    except OSError as error:
        raise InteractionModelError(f"{path}: cannot be read ({error.strerror})") from error
    if len(data) > max_bytes:
        raise InteractionModelError(f"{path}: larger than {max_bytes:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InteractionModelError(f"{path}: not UTF-8 text (byte {error.start})") from error


def read_model(path: Path) -> Mapping[str, Any]:
    """The JSON object in ``path`` (within the size and nesting limits)."""
    text = read_model_text(path)
    nesting = json_nesting_error(text)
    if nesting is not None:
        raise InteractionModelError(f"{path}: {nesting}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InteractionModelError(f"{path}: not valid JSON: {error}") from error
    if not isinstance(data, Mapping):
        raise InteractionModelError(f"{path}: expected a JSON object")
    return data


def compile_model(model: Mapping[str, Any] | Path) -> CompiledModel:
    """Load (from a path) and compile an interaction model, with or without the outer
    ``interactionModel`` key."""
    if isinstance(model, Path):
        model = read_model(model)
    root = model.get("interactionModel", model)
    language = root.get("languageModel") if isinstance(root, Mapping) else None
    if not isinstance(language, Mapping):
        raise InteractionModelError("interaction model has no interactionModel.languageModel")
    compiler = _Compiler(SlotTypes(language.get("types", [])))
    for intent in language.get("intents", []):
        compiler.add_intent(intent)
    dialog = root.get("dialog") or {}
    return CompiledModel(
        root=root,
        invocation_name=normalise(str(language.get("invocationName", ""))),
        slot_types=compiler.slot_types,
        intent_slots=compiler.intent_slots,
        samples=compiler.samples,
        slot_samples=compiler.slot_samples,
        yes_no=compiler.yes_no(),
        dialog_intents=frozenset(str(i.get("name")) for i in dialog.get("intents", [])),
    )


class _Compiler:
    def __init__(self, slot_types: SlotTypes) -> None:
        self.slot_types = slot_types
        self.intent_slots: dict[str, dict[str, str]] = {}
        self.samples: list[Sample] = []
        self.slot_samples: dict[tuple[str, str], list[Sample]] = {}
        self._declared: dict[str, list[str]] = {}

    def add_intent(self, intent: Mapping[str, Any]) -> None:
        name = str(intent.get("name", ""))
        if not name:
            raise InteractionModelError("an intent in the interaction model has no name")
        slots = {str(s["name"]): str(s.get("type", "")) for s in intent.get("slots", [])}
        self.intent_slots[name] = slots
        samples = [str(s) for s in intent.get("samples", [])]
        self._declared[name] = samples
        for text in (*BUILTIN_PHRASES.get(name, ()), *samples):
            self.samples.append(self.compile(name, text, len(self.samples)))
        for slot in intent.get("slots", []):
            self.slot_samples[(name, str(slot["name"]))] = [
                self.compile(name, str(text)) for text in slot.get("samples", [])
            ]

    def yes_no(self) -> list[Sample]:
        return [
            self.compile(answer, text)
            for answer in (YES, NO)
            for text in (*BUILTIN_PHRASES[answer], *self._declared.get(answer, []))
        ]

    def compile(self, intent: str, text: str, order: int = 0) -> Sample:
        slots = self.intent_slots.get(intent, {})
        parts: list[str | SlotRef] = []
        for token in re.findall(r"\{[^{}]*\}|[^{}]+", text):
            if token.startswith("{"):
                name = token[1:-1].strip()
                if name not in slots:
                    raise InteractionModelError(
                        f"{intent}: sample {text!r} uses undeclared slot {{{name}}}"
                    )
                slot_type = slots[name]
                convert = self.slot_types.converter(slot_type)
                parts.append(SlotRef(name, convert, self.slot_types.known(slot_type)))
            else:
                parts.extend(normalise(token).split())
        literals = [part for part in parts if isinstance(part, str)]
        open_slots = tuple(p for p in parts if isinstance(p, SlotRef) and p.known is not None)
        return Sample(intent, tuple(parts), frozenset(literals), len(literals), order, open_slots)
