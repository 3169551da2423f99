"""Checks an ASK interaction model for what the Alexa developer console would refuse or trip on.

Two layers: the JSON Schema next to this module (structure: required keys, name patterns, enum
values), then content rules the schema cannot express: invocation name requirements, required
built-in intents, samples colliding between intents, slot references, characters Alexa refuses in
samples, slot types, and the dialog model's references to intents, slots and prompts.

A problem is a `Finding`, not an exception; a clean model gives an empty list. Errors are what
Alexa rejects or what makes recognition ambiguous; warnings are dead weight (an unused slot or
prompt, a sample repeated within one intent).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from skill.nlu import MAX_MODEL_BYTES, Finding, Severity, json_nesting_error, normalise

__all__ = ["Finding", "Severity", "has_errors", "lint_file", "lint_model"]

REQUIRED_BUILT_INS = (
    "AMAZON.CancelIntent",
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.FallbackIntent",
)
# Alexa's invocation name requirements (developer docs, "Choose the Invocation Name"): no wake
# words or "skill"/"app", no launch phrases or connecting words, and a two-word name may not
# spend a word on an article, pronoun or preposition.
WAKE_WORDS = frozenset({"alexa", "amazon", "echo", "computer", "ziggy", "skill", "app"})
LAUNCH_WORDS = frozenset(
    {"run", "start", "play", "resume", "use", "launch", "ask", "open", "tell", "load", "begin",
     "enable"}
)  # fmt: skip
CONNECTING_WORDS = frozenset(
    {"to", "from", "in", "using", "with", "about", "for", "that", "by", "if", "and", "whether"}
)
TWO_WORD_FILLERS = frozenset({"the", "a", "an", "my", "for", "to", "of"})

SLOT_REF = re.compile(r"\{([A-Za-z][A-Za-z_]*)\}")
# Besides letters (any script, with its combining marks) and spaces: what Alexa accepts in
# samples and invocation names. A period must follow a letter ("a.m.", "a. b. c.").
SAMPLE_PUNCTUATION = "'-."
INVOCATION_PUNCTUATION = "'."


def has_errors(findings: Sequence[Finding]) -> bool:
    """Whether any finding is an error (warnings alone pass)."""
    return any(finding.severity == "error" for finding in findings)


def lint_file(path: Path) -> list[Finding]:
    """Lint one model file; a file that cannot be read or parsed is one error finding, as is
    one past the size or nesting limits (``MAX_MODEL_BYTES``, checked before reading)."""
    try:
        size = path.stat().st_size
        if size > MAX_MODEL_BYTES:
            message = (
                f"the file is {size / 1024 / 1024:.1f} MiB; an interaction model may be at most "
                f"{MAX_MODEL_BYTES // 1024 // 1024} MiB, so it was not read"
            )
            return [Finding("error", "file-too-large", message, path=str(path))]
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        return [
            Finding("error", "file-unreadable", f"cannot read the file: {reason}", path=str(path))
        ]
    nesting = json_nesting_error(text)
    if nesting is not None:
        return [Finding("error", "too-deep", f"{nesting}; not parsed", path=str(path))]
    try:
        model = json.loads(text)
    except json.JSONDecodeError as error:
        message = f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        return [Finding("error", "invalid-json", message, path=str(path))]
    except RecursionError:  # defence in depth: the nesting scan comes first
        return [Finding("error", "too-deep", "JSON nested too deeply", path=str(path))]
    return lint_model(model, str(path))


def lint_model(model: Mapping[str, Any], path: str = "<model>") -> list[Finding]:
    """Every finding for one interaction model (the parsed JSON), in model order."""
    findings = list(_schema_findings(model))
    root = _mapping(model.get("interactionModel")) if isinstance(model, Mapping) else {}
    language = _mapping(root.get("languageModel"))
    if isinstance(language.get("intents"), list):  # else the schema findings say what is wrong
        findings += _content_findings(root, language)
    return [replace(finding, path=path) for finding in findings]


def _content_findings(root: Mapping[str, Any], language: Mapping[str, Any]) -> Iterator[Finding]:
    intents = _objects(language.get("intents"))
    yield from _invocation_findings(language.get("invocationName"))
    yield from _intent_findings(intents, _objects(language.get("types")))
    yield from _collision_findings(intents)
    yield from _dialog_findings(
        intents, _mapping(root.get("dialog")), _objects(root.get("prompts"))
    )


# --- helpers: content checks run on whatever the schema let through, so read defensively ---


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _objects(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _name(value: Mapping[str, Any]) -> str:
    name = value.get("name")
    return name if isinstance(name, str) else ""


def _is_built_in(intent_name: str) -> bool:
    return intent_name.startswith("AMAZON.")


@cache
def _validator() -> Any:
    text = (
        resources.files("skill.simulator")
        .joinpath("interaction_model.schema.json")
        .read_text("utf-8")
    )
    return Draft202012Validator(json.loads(text))


# --- checks ---


def _schema_findings(model: Any) -> Iterator[Finding]:
    for error in _validator().iter_errors(model):
        intent, sample = _located(model, list(error.absolute_path))
        message = f"{error.json_path}: {error.message}"
        yield Finding("error", "schema", message, intent, sample)


def _located(model: Any, parts: list[str | int]) -> tuple[str | None, str | None]:
    """The intent (and sample) a JSON path runs through, for naming them in a finding."""
    intent: str | None = None
    sample: str | None = None
    node = model
    for before, part in zip([None, *parts], parts, strict=False):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if before == "intents" and isinstance(node, Mapping) and isinstance(node.get("name"), str):
            intent = node["name"]
        elif before == "samples" and isinstance(node, str):
            sample = node
    return intent, sample


def _invocation_findings(name: Any) -> Iterator[Finding]:
    if not isinstance(name, str):
        return  # the schema reports a missing or non-string name
    words = name.split()
    bare = {word.lower().rstrip(".").removesuffix("'s") for word in words}

    def finding(code: str, message: str) -> Finding:
        return Finding("error", code, message, sample=name)

    if name != name.lower():
        yield finding("invocation-case", "the invocation name must be lower case")
    if offending := _offending_characters(name, INVOCATION_PUNCTUATION):
        yield finding(
            "invocation-characters",
            f'the invocation name may not hold "{offending}": only letters, spaces, possessive '
            "apostrophes and periods in abbreviations (spell numbers out)",
        )
    if len(words) < 2:
        yield finding("invocation-one-word", "the invocation name must be two or more words")
    if len(words) == 2 and TWO_WORD_FILLERS & bare:
        yield finding(
            "invocation-filler-word",
            "a two-word invocation name may not use an article, pronoun or preposition",
        )
    for word in sorted(WAKE_WORDS & bare):
        yield finding("invocation-wake-word", f'the invocation name contains "{word}"')
    for word in sorted((LAUNCH_WORDS | CONNECTING_WORDS) & bare):
        yield finding(
            "invocation-launch-word",
            f'the invocation name contains the launch phrase or connecting word "{word}"',
        )


def _intent_findings(
    intents: list[Mapping[str, Any]], types: list[Mapping[str, Any]]
) -> Iterator[Finding]:
    names = [_name(intent) for intent in intents]
    for missing in (name for name in REQUIRED_BUILT_INS if name not in names):
        yield Finding("error", "missing-built-in", f"the model must declare {missing}", missing)
    declared_types = {_name(slot_type) for slot_type in types}
    seen: set[str] = set()
    for intent in intents:
        name = _name(intent)
        if name in seen:
            yield Finding("error", "intent-duplicate", "the intent is declared twice", name)
        seen.add(name)
        samples = _strings(intent.get("samples"))
        if not samples and not _is_built_in(name):
            yield Finding("error", "intent-no-samples", "a custom intent needs samples", name)
        slots = _objects(intent.get("slots"))
        slot_names = {_name(slot) for slot in slots}
        slot_samples = [sample for slot in slots for sample in _strings(slot.get("samples"))]
        used: set[str] = set()
        for sample in samples + slot_samples:
            yield from _sample_text_findings(name, sample)
            for ref in SLOT_REF.findall(sample):
                used.add(ref)
                if ref not in slot_names:
                    message = f"the sample uses slot {{{ref}}}, which the intent does not declare"
                    yield Finding("error", "slot-undeclared", message, name, sample)
        folded: set[str] = set()
        for sample in samples:
            key = " ".join(sample.lower().split())
            if key in folded:
                message = "the intent lists this sample more than once"
                yield Finding("warning", "sample-duplicate", message, name, sample)
            folded.add(key)
        for slot in slots:
            slot_name, slot_type = _name(slot), slot.get("type")
            if slot_name and slot_name not in used:
                message = f"slot {slot_name} is declared but no sample uses it"
                yield Finding("warning", "slot-unused", message, name)
            if (
                isinstance(slot_type, str)
                and not _is_built_in(slot_type)
                and slot_type not in declared_types
            ):
                message = f"slot {slot_name} has type {slot_type}, which is not declared in types"
                yield Finding("error", "slot-type-unknown", message, name)


def _sample_text_findings(intent: str, sample: str) -> Iterator[Finding]:
    text = SLOT_REF.sub(" ", sample)
    if "{" in text or "}" in text or "}{" in sample:
        message = "slot braces must be balanced, hold a slot name, and be separated by a space"
        yield Finding("error", "sample-braces", message, intent, sample)
        text = text.replace("{", " ").replace("}", " ")
    if offending := _offending_characters(text, SAMPLE_PUNCTUATION):
        message = (
            f'a sample may not hold "{offending}": only letters, spaces, possessive apostrophes, '
            'hyphens, periods in abbreviations and {slot} references (spell numbers out: "five")'
        )
        yield Finding("error", "sample-characters", message, intent, sample)


def _offending_characters(text: str, punctuation: str) -> str:
    """The characters Alexa refuses in text, each once, in order of appearance."""
    offending = [
        char
        for index, char in enumerate(text)
        if not (_is_letter(char) or char == " " or char in punctuation)
        or (char == "." and (index == 0 or not _is_letter(text[index - 1])))
    ]
    return "".join(dict.fromkeys(offending))


def _is_letter(char: str) -> bool:
    return unicodedata.category(char)[0] in "LM"


def _collision_findings(intents: list[Mapping[str, Any]]) -> Iterator[Finding]:
    """Samples that two intents share: Alexa cannot tell which one the person meant."""
    exact: dict[str, str] = {}
    by_shape: dict[str, str] = {}
    for intent in intents:
        name = _name(intent)
        for sample in dict.fromkeys(_strings(intent.get("samples"))):
            folded = " ".join(sample.lower().split())
            shape = "{}".join(normalise(part) for part in SLOT_REF.split(sample)[::2])
            if exact.get(folded, name) != name:
                message = f"the same sample belongs to {exact[folded]}"
                yield Finding("error", "sample-collision", message, name, sample)
            elif by_shape.get(shape, name) != name:
                message = f"collides after slot normalisation with a sample of {by_shape[shape]}"
                yield Finding("error", "sample-slot-collision", message, name, sample)
            exact.setdefault(folded, name)
            by_shape.setdefault(shape, name)


def _dialog_findings(
    intents: list[Mapping[str, Any]],
    dialog: Mapping[str, Any],
    prompts: list[Mapping[str, Any]],
) -> Iterator[Finding]:
    slot_types = {
        _name(intent): {_name(slot): slot.get("type") for slot in _objects(intent.get("slots"))}
        for intent in intents
    }
    defined: dict[str, Mapping[str, Any]] = {}
    for prompt in prompts:
        prompt_id = prompt.get("id")
        if isinstance(prompt_id, str):
            if prompt_id in defined:
                yield Finding(
                    "error", "prompt-duplicate", "prompt id defined twice", None, prompt_id
                )
            defined[prompt_id] = prompt
    referenced: set[str] = set()
    for dialog_intent in _objects(dialog.get("intents")):
        name = _name(dialog_intent)
        if name not in slot_types:
            message = "the dialog model names an intent the language model does not declare"
            yield Finding("error", "dialog-intent-unknown", message, name)
        declared = slot_types.get(name, {})
        prompt_ids = _strings(list(_mapping(dialog_intent.get("prompts")).values()))
        for slot in _objects(dialog_intent.get("slots")):
            slot_name, slot_type = _name(slot), slot.get("type")
            prompt_ids += _strings(list(_mapping(slot.get("prompts")).values()))
            prompt_ids += _strings([v.get("prompt") for v in _objects(slot.get("validations"))])
            if name in slot_types and slot_name not in declared:
                message = f"dialog slot {slot_name} is not declared on the intent"
                yield Finding("error", "dialog-slot-unknown", message, name)
            elif slot_name in declared and slot_type != declared[slot_name]:
                message = (
                    f"dialog slot {slot_name} has type {slot_type}, "
                    f"the language model says {declared[slot_name]}"
                )
                yield Finding("error", "dialog-slot-type", message, name)
        for prompt_id in prompt_ids:
            referenced.add(prompt_id)
            if prompt_id not in defined:
                message = f"prompt {prompt_id} is referenced but not defined"
                yield Finding("error", "prompt-undefined", message, name, prompt_id)
                continue
            for variation in _objects(defined[prompt_id].get("variations")):
                value = variation.get("value")
                for ref in SLOT_REF.findall(value if isinstance(value, str) else ""):
                    if ref not in declared:
                        message = f"prompt {prompt_id} speaks {{{ref}}}, not a slot of the intent"
                        yield Finding("error", "prompt-slot-undeclared", message, name, value)
    for prompt_id in (prompt_id for prompt_id in defined if prompt_id not in referenced):
        message = f"prompt {prompt_id} is defined but nothing refers to it"
        yield Finding("warning", "prompt-unused", message, None, prompt_id)
