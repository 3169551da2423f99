"""Checks on the ASK interaction models in interaction_models/.

The models are the source of truth for what a person can say. These tests make sure each model is
something the Alexa developer console / `ask deploy` would accept (schema), that the intent names
the skill depends on are there, and that the sample utterances are plentiful, well formed and
unambiguous between intents.
"""

from __future__ import annotations

import copy
import json
import re
from collections import defaultdict
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

REPO_ROOT = Path(__file__).resolve().parents[1]
MODEL_DIR = REPO_ROOT / "interaction_models"
MODEL_PATHS = sorted(MODEL_DIR.glob("*.json"))

INVOCATION_NAME_EN = "voice privacy"

CORE_INTENTS = (
    "DeleteRecordingsIntent",
    "DeleteLastRecordingIntent",
    "DeleteAllRecordingsIntent",
    "StopHumanReviewIntent",
    "AllowHumanReviewIntent",
    "WhatDataIntent",
    "WhatDidYouHearIntent",
    "SetRetentionIntent",
)
DASHBOARD_INTENTS = ("LinkDashboardIntent", "SignOutDashboardsIntent")
"""Linking a browser and signing it out: said as the page words them, so fewer samples."""
RETENTION_IDS = {"3_MONTHS", "18_MONTHS", "36_MONTHS", "UNTIL_DELETED", "DONT_SAVE"}
"""The ``RETENTION_PERIOD`` value ids (DESIGN.md §3): tools and tests use them."""
SCOPE_SLOT = {"name": "scope", "type": "HOUSEHOLD_SCOPE", "samples": []}
"""The household scope ("what everyone said") on the two intents that delete many."""
REQUIRED_BUILT_INS = (
    "AMAZON.HelpIntent",
    "AMAZON.CancelIntent",
    "AMAZON.StopIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
)
# Intents whose effect is destructive: Alexa (on Delegate) must ask before they run.
CONFIRMED_INTENTS = (
    "DeleteRecordingsIntent",
    "DeleteLastRecordingIntent",
    "DeleteAllRecordingsIntent",
)
MIN_SAMPLES = 20

# Phrases the built-in intents own; a custom sample equal to one would steal it.
BUILT_IN_PHRASES = frozenset(
    {
        "help",
        "help me",
        "what can i say",
        "cancel",
        "never mind",
        "forget it",
        "stop",
        "off",
        "shut up",
        "exit",
        "quit",
        "go home",
        "home",
        "yes",
        "yeah",
        "sure",
        "no",
        "nope",
    }
)

SLOT_REF = re.compile(r"\{([^{}]*)\}")


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _schema() -> dict[str, Any]:
    text = (
        resources.files("skill.simulator")
        .joinpath("interaction_model.schema.json")
        .read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


def _language_model(model: dict[str, Any]) -> dict[str, Any]:
    language_model: dict[str, Any] = model["interactionModel"]["languageModel"]
    return language_model


def _intents(model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {intent["name"]: intent for intent in _language_model(model)["intents"]}


def _normalise(sample: str) -> str:
    """Fold case and whitespace, and replace every slot reference with one placeholder."""
    return " ".join(SLOT_REF.sub("{slot}", sample).lower().split())


def _is_allowed_sample_text(sample: str) -> bool:
    """Lower case letters, spaces, apostrophes and periods; slot references are removed first."""
    text = SLOT_REF.sub(" ", sample)
    if text != text.lower():
        return False
    return all(char.isalpha() or char in " '." for char in text)


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = _schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.fixture(params=MODEL_PATHS, ids=[path.name for path in MODEL_PATHS])
def model_path(request: pytest.FixtureRequest) -> Path:
    path: Path = request.param
    return path


@pytest.fixture
def model(model_path: Path) -> dict[str, Any]:
    return _load(model_path)


def test_en_us_model_exists() -> None:
    assert (MODEL_DIR / "en-US.json") in MODEL_PATHS


def test_model_matches_schema(model: dict[str, Any], validator: Draft202012Validator) -> None:
    errors = [
        f"{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(model)
    ]
    assert errors == []


@pytest.mark.parametrize(
    ("breakage", "description"),
    [
        (lambda m: m["interactionModel"]["languageModel"].pop("invocationName"), "no invocation"),
        (
            lambda m: m["interactionModel"]["languageModel"].__setitem__(
                "invocationName", "Voice Privacy"
            ),
            "upper case invocation",
        ),
        (lambda m: m["interactionModel"]["languageModel"]["intents"][0].update(extra=1), "extra"),
        (
            lambda m: m["interactionModel"]["languageModel"]["intents"].append(
                {"name": "BrokenIntent", "samples": ["delete {date"]}
            ),
            "unbalanced slot brace",
        ),
        (
            lambda m: m["interactionModel"]["dialog"].__setitem__("delegationStrategy", "NEVER"),
            "unknown delegation strategy",
        ),
        (
            lambda m: m["interactionModel"]["dialog"]["intents"][0].__setitem__("prompts", {}),
            "confirmation required without a prompt",
        ),
        (
            lambda m: m["interactionModel"]["prompts"][0]["variations"][0].__setitem__(
                "type", "Text"
            ),
            "unknown variation type",
        ),
        (
            lambda m: m["interactionModel"]["prompts"][0].__setitem__("variations", []),
            "prompt without variations",
        ),
    ],
)
def test_schema_rejects_broken_models(
    breakage: Any, description: str, validator: Draft202012Validator
) -> None:
    broken = copy.deepcopy(_load(MODEL_DIR / "en-US.json"))
    breakage(broken)
    assert not validator.is_valid(broken), description


def test_invocation_name(model: dict[str, Any], model_path: Path) -> None:
    invocation = _language_model(model)["invocationName"]
    if model_path.stem.startswith("en-"):
        assert invocation == INVOCATION_NAME_EN
    else:
        assert invocation.strip() == invocation and invocation


def test_core_intents_present(model: dict[str, Any]) -> None:
    intents = _intents(model)
    custom = {name for name in intents if not name.startswith("AMAZON.")}
    assert custom == set(CORE_INTENTS) | set(DASHBOARD_INTENTS)


def test_retention_slot_and_its_value_ids(model: dict[str, Any]) -> None:
    intents = _intents(model)
    slots = intents["SetRetentionIntent"]["slots"]
    assert [(s["name"], s["type"]) for s in slots] == [("period", "RETENTION_PERIOD")]
    types = {t["name"]: t for t in _language_model(model)["types"]}
    assert {v["id"] for v in types["RETENTION_PERIOD"]["values"]} == RETENTION_IDS


def test_date_slot(model: dict[str, Any]) -> None:
    intents = _intents(model)
    assert intents["DeleteRecordingsIntent"]["slots"] == [
        {"name": "date", "type": "AMAZON.DATE"},
        SCOPE_SLOT,
    ]
    assert intents["DeleteAllRecordingsIntent"]["slots"] == [SCOPE_SLOT]
    for name in CORE_INTENTS:
        if name not in (
            "DeleteRecordingsIntent",
            "DeleteAllRecordingsIntent",
            "SetRetentionIntent",
        ):
            assert intents[name].get("slots", []) == [], name


def test_the_household_scope_has_one_value_everyone(model: dict[str, Any]) -> None:
    [scope] = [t for t in _language_model(model)["types"] if t["name"] == "HOUSEHOLD_SCOPE"]
    [value] = scope["values"]
    assert value["id"] == "EVERYONE"
    assert {"the whole household", "all of us"} <= set(value["name"]["synonyms"])


def test_most_delete_recordings_samples_carry_the_date(model: dict[str, Any]) -> None:
    samples = _intents(model)["DeleteRecordingsIntent"]["samples"]
    with_date = [sample for sample in samples if "{date}" in sample]
    assert len(with_date) * 4 >= len(samples) * 3


@pytest.mark.parametrize("intent_name", CORE_INTENTS)
def test_core_intent_has_enough_samples(model: dict[str, Any], intent_name: str) -> None:
    assert len(_intents(model)[intent_name].get("samples", [])) >= MIN_SAMPLES


def test_required_built_ins_present(model: dict[str, Any]) -> None:
    intents = _intents(model)
    missing = [name for name in REQUIRED_BUILT_INS if name not in intents]
    assert missing == []
    for name in REQUIRED_BUILT_INS:
        assert intents[name].get("samples", []) == [], name


def test_intent_names_unique(model: dict[str, Any]) -> None:
    names = [intent["name"] for intent in _language_model(model)["intents"]]
    assert len(names) == len(set(names))


def test_no_duplicate_samples(model: dict[str, Any]) -> None:
    owners: dict[str, list[str]] = defaultdict(list)
    for intent in _language_model(model)["intents"]:
        for sample in intent.get("samples", []):
            owners[_normalise(sample)].append(intent["name"])
    clashes = {sample: names for sample, names in owners.items() if len(names) > 1}
    assert clashes == {}


def test_samples_do_not_shadow_built_ins(model: dict[str, Any]) -> None:
    shadowing = [
        (name, sample)
        for name in CORE_INTENTS
        for sample in _intents(model)[name].get("samples", [])
        if _normalise(sample) in BUILT_IN_PHRASES
    ]
    assert shadowing == []


def test_slot_references_are_declared(model: dict[str, Any]) -> None:
    undeclared = []
    for intent in _language_model(model)["intents"]:
        declared = {slot["name"] for slot in intent.get("slots", [])}
        for sample in intent.get("samples", []):
            undeclared += [
                (intent["name"], sample, ref)
                for ref in SLOT_REF.findall(sample)
                if ref not in declared
            ]
    assert undeclared == []


def test_samples_use_allowed_characters(model: dict[str, Any]) -> None:
    bad = []
    for intent in _language_model(model)["intents"]:
        for sample in intent.get("samples", []):
            if (
                not _is_allowed_sample_text(sample)
                or sample != sample.strip()
                or "  " in sample
                or "}{" in sample.replace(" ", "")
            ):
                bad.append((intent["name"], sample))
    assert bad == []


def test_dialog_refers_to_declared_intents_and_slots(model: dict[str, Any]) -> None:
    intents = _intents(model)
    dialog = model["interactionModel"].get("dialog", {"intents": []})
    problems = []
    for dialog_intent in dialog["intents"]:
        name = dialog_intent["name"]
        if name not in intents:
            problems.append(f"dialog intent {name} is not declared")
            continue
        declared = {slot["name"]: slot["type"] for slot in intents[name].get("slots", [])}
        for slot in dialog_intent.get("slots", []):
            if slot["name"] not in declared:
                problems.append(f"{name}: dialog slot {slot['name']} is not declared")
            elif slot["type"] != declared[slot["name"]]:
                problems.append(f"{name}: dialog slot {slot['name']} has the wrong type")
    assert problems == []


def test_destructive_intents_require_confirmation(model: dict[str, Any]) -> None:
    dialog = model["interactionModel"]["dialog"]
    by_name = {intent["name"]: intent for intent in dialog["intents"]}
    for name in CONFIRMED_INTENTS:
        assert by_name[name]["confirmationRequired"] is True, name
        assert by_name[name]["prompts"].get("confirmation"), name
    slots = {slot["name"]: slot for slot in by_name["DeleteRecordingsIntent"]["slots"]}
    assert slots["date"]["type"] == "AMAZON.DATE"
    assert slots["date"]["elicitationRequired"] is False


def test_prompt_ids_resolve(model: dict[str, Any]) -> None:
    interaction_model = model["interactionModel"]
    prompts = {prompt["id"]: prompt for prompt in interaction_model.get("prompts", [])}
    assert len(prompts) == len(interaction_model.get("prompts", [])), "duplicate prompt id"
    intents = _intents(model)

    referenced: dict[str, str] = {}
    for dialog_intent in interaction_model.get("dialog", {"intents": []})["intents"]:
        name = dialog_intent["name"]
        for prompt_id in dialog_intent.get("prompts", {}).values():
            referenced[prompt_id] = name
        for slot in dialog_intent.get("slots", []):
            for prompt_id in slot.get("prompts", {}).values():
                referenced[prompt_id] = name
            for validation in slot.get("validations", []):
                referenced[validation["prompt"]] = name

    assert sorted(set(referenced) - set(prompts)) == [], "referenced prompt missing"
    assert sorted(set(prompts) - set(referenced)) == [], "prompt never referenced"

    # A prompt may speak the intent's own slots, and only those.
    for prompt_id, intent_name in referenced.items():
        declared = {slot["name"] for slot in intents.get(intent_name, {}).get("slots", [])}
        for variation in prompts[prompt_id]["variations"]:
            refs = set(SLOT_REF.findall(variation["value"]))
            assert refs <= declared, (prompt_id, variation["value"])
