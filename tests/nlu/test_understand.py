"""Typed utterances resolve to the request Alexa would send."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from skill.nlu import (
    InteractionModelError,
    Nlu,
    NluResult,
    ResolvedValue,
    SlotResolution,
    UnknownLocaleError,
)
from skill.nlu import model as nlu_model

TODAY = date(2026, 11, 26)
FALLBACK = "AMAZON.FallbackIntent"
EN_US = Path(__file__).parents[2] / "interaction_models" / "en-US.json"

MODEL: dict[str, Any] = {
    "interactionModel": {
        "languageModel": {
            "invocationName": "Test Skill",
            "intents": [
                {"name": "AMAZON.HelpIntent", "samples": []},
                {"name": "AMAZON.StopIntent", "samples": []},
                {"name": "AMAZON.YesIntent", "samples": ["go ahead"]},
                {"name": "AMAZON.NoIntent", "samples": []},
                {"name": "AMAZON.FallbackIntent", "samples": []},
                {
                    "name": "DeleteRecordingsIntent",
                    "slots": [{"name": "date", "type": "AMAZON.DATE", "samples": ["for {date}"]}],
                    "samples": [
                        "delete what i said {date}",
                        "delete what i said on {date}",
                        "delete {date}",
                        "delete what i said",
                    ],
                },
                {"name": "StopHumanReviewIntent", "samples": ["stop human review"]},
                {
                    "name": "PaintIntent",
                    "slots": [
                        {"name": "colour", "type": "COLOUR"},
                        {"name": "finish", "type": "COLOUR"},
                    ],
                    "samples": ["paint it {colour}", "paint {colour} {finish}"],
                },
                {
                    "name": "PaintOneIntent",
                    "slots": [{"name": "colour", "type": "COLOUR"}],
                    "samples": ["paint {colour}"],
                },
            ],
            "types": [
                {
                    "name": "COLOUR",
                    "values": [{"name": {"value": "red", "synonyms": ["crimson", "scarlet red"]}}],
                }
            ],
        }
    }
}


@pytest.fixture(scope="module")
def nlu() -> Nlu:
    return Nlu(MODEL)


def intent(result: NluResult) -> tuple[str | None, dict[str, str | None]]:
    return result.intent, result.slots


def test_date_slot_is_converted(nlu: Nlu) -> None:
    result = nlu.parse("Delete what I said yesterday!", TODAY)
    assert result == NluResult(
        "IntentRequest", "DeleteRecordingsIntent", {"date": "2026-11-25"}, 0.8
    )


def test_more_literal_words_win(nlu: Nlu) -> None:
    # "delete {date}" and "delete what i said {date}" both match; the latter covers more words
    assert nlu.parse("delete what i said last week", TODAY).score == pytest.approx(4 / 6)
    # "delete what i said on {date}" beats "delete what i said {date}" capturing "on monday"
    result = nlu.parse("delete what i said on monday", TODAY)
    assert result.slots == {"date": "2026-11-30"}
    assert result.score == pytest.approx(5 / 6)


def test_capture_that_is_not_a_date_does_not_match(nlu: Nlu) -> None:
    assert intent(nlu.parse("delete what i said to my mother", TODAY)) == (
        "AMAZON.FallbackIntent",
        {},
    )


def test_unfilled_slots_are_present_as_none(nlu: Nlu) -> None:
    assert intent(nlu.parse("delete what i said", TODAY)) == (
        "DeleteRecordingsIntent",
        {"date": None},
    )


def test_custom_slot_value_is_what_was_said_resolved_to_canonical_value(nlu: Nlu) -> None:
    result = nlu.parse("paint it scarlet red", TODAY)
    assert result.slots == {"colour": "scarlet red", "finish": None}
    assert result.resolutions == {
        "colour": SlotResolution("COLOUR", "ER_SUCCESS_MATCH", (ResolvedValue("red"),))
    }
    result = nlu.parse("paint it teal", TODAY)
    assert result.slots == {"colour": "teal", "finish": None}
    assert result.resolutions == {"colour": SlotResolution("COLOUR", "ER_SUCCESS_NO_MATCH")}


def test_equal_coverage_prefers_fewer_slots(nlu: Nlu) -> None:
    # "paint {colour} {finish}" and "paint {colour}" both cover one word in three
    assert intent(nlu.parse("paint crimson gloss", TODAY)) == (
        "PaintOneIntent",
        {"colour": "crimson gloss"},
    )


@pytest.mark.parametrize(
    ("utterance", "expected"),
    [
        ("help", "AMAZON.HelpIntent"),
        ("What can I say?", "AMAZON.HelpIntent"),
        ("shut up", "AMAZON.StopIntent"),
        ("that's all", "AMAZON.StopIntent"),
        ("That\u2019s all", "AMAZON.StopIntent"),
        ("yeah", "AMAZON.YesIntent"),
        ("please do", "AMAZON.YesIntent"),
        ("go ahead", "AMAZON.YesIntent"),
        ("no thanks", "AMAZON.NoIntent"),
        ("don't", "AMAZON.NoIntent"),
        # not declared by this model, so Alexa does not know them
        ("cancel", "AMAZON.FallbackIntent"),
        ("go home", "AMAZON.FallbackIntent"),
    ],
)
def test_builtins_match_only_when_declared(nlu: Nlu, utterance: str, expected: str) -> None:
    assert nlu.parse(utterance, TODAY).intent == expected


@pytest.mark.parametrize(
    "utterance",
    ["open test skill", "Alexa, launch Test Skill", "talk to test skill", "ask test skill"],
)
def test_launch_phrases(nlu: Nlu, utterance: str) -> None:
    assert nlu.parse(utterance, TODAY) == NluResult("LaunchRequest", None, {}, 1.0)


@pytest.mark.parametrize(
    "utterance",
    [
        "ask test skill to stop human review",
        "tell test skill to stop human review",
        "ask test skill stop human review",
        "open test skill and stop human review",
        "stop human review using test skill",
        "stop human review with test skill",
    ],
)
def test_one_shot_invocations(nlu: Nlu, utterance: str) -> None:
    assert intent(nlu.parse(utterance, TODAY)) == ("StopHumanReviewIntent", {})


def test_one_shot_with_a_slot(nlu: Nlu) -> None:
    result = nlu.parse("ask test skill to delete what i said today", TODAY)
    assert intent(result) == ("DeleteRecordingsIntent", {"date": "2026-11-26"})


def test_politeness_is_tolerated(nlu: Nlu) -> None:
    assert nlu.parse("please stop human review", TODAY).intent == "StopHumanReviewIntent"
    assert nlu.parse("delete what i said today please", TODAY).slots == {"date": "2026-11-26"}


def test_no_match_is_fallback(nlu: Nlu) -> None:
    result = nlu.parse("what's the weather", TODAY)
    assert result == NluResult("IntentRequest", "AMAZON.FallbackIntent", {}, 0.0)
    assert nlu.parse("", TODAY).intent == "AMAZON.FallbackIntent"


def test_no_match_without_fallback_is_no_intent() -> None:
    model = json.loads(json.dumps(MODEL))
    intents = model["interactionModel"]["languageModel"]["intents"]
    intents[:] = [i for i in intents if i["name"] != "AMAZON.FallbackIntent"]
    result = Nlu(model).parse("what's the weather", TODAY)
    assert result == NluResult("IntentRequest", None, {}, 0.0)


def test_yes_no_is_understood_even_when_not_declared() -> None:
    bare = Nlu({"languageModel": {"invocationName": "x", "intents": []}})
    assert bare.yes_no("Yep.") is True
    assert bare.yes_no("nope") is False
    assert bare.yes_no("delete it") is None


def test_yes_no_led_by_an_answer_or_paraphrased() -> None:
    bare = Nlu({"languageModel": {"invocationName": "x", "intents": []}})
    assert bare.yes_no("No, keep it.") is False
    assert bare.yes_no("yes please") is True
    assert bare.yes_no("yeah go ahead") is True
    assert bare.yes_no("okay stop") is None  # "okay" there is not an answer


def test_slot_answer(nlu: Nlu) -> None:
    assert nlu.parse_slot("DeleteRecordingsIntent", "date", "yesterday", TODAY) == "2026-11-25"
    assert nlu.parse_slot("DeleteRecordingsIntent", "date", "for last week", TODAY) == "2026-W47"
    assert nlu.parse_slot("DeleteRecordingsIntent", "date", "my mother", TODAY) is None
    assert nlu.parse_slot("PaintIntent", "colour", "crimson", TODAY) == "crimson"
    assert nlu.resolution("PaintIntent", "colour", "crimson") == SlotResolution(
        "COLOUR", "ER_SUCCESS_MATCH", (ResolvedValue("red"),)
    )
    assert nlu.resolution("DeleteRecordingsIntent", "date", "2026-11-25") is None
    assert nlu.parse_slot("PaintIntent", "nope", "crimson", TODAY) is None


def test_model_facts(nlu: Nlu) -> None:
    assert nlu.invocation_name == "test skill"
    assert "DeleteRecordingsIntent" in nlu.intents
    assert nlu.slot_names("PaintIntent") == ("colour", "finish")
    assert nlu.slot_type("DeleteRecordingsIntent", "date") == "AMAZON.DATE"
    assert not nlu.has_dialog("DeleteRecordingsIntent")


def test_from_file(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(MODEL))
    assert Nlu.from_file(path).parse("stop human review", TODAY).intent == "StopHumanReviewIntent"


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ({"interactionModel": {}}, "languageModel"),
        (
            {"languageModel": {"intents": [{"name": "A", "samples": ["say {missing}"]}]}},
            "undeclared slot {missing}",
        ),
        ({"languageModel": {"intents": [{"samples": ["x"]}]}}, "no name"),
    ],
)
def test_broken_models_are_configuration_errors(model: dict[str, Any], message: str) -> None:
    with pytest.raises(InteractionModelError, match=message):
        Nlu(model)


def test_broken_file_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(InteractionModelError, match="not valid JSON"):
        Nlu.from_file(tmp_path / "bad.json")
    with pytest.raises(InteractionModelError, match="not found"):
        Nlu.from_file(tmp_path / "missing.json")


def test_unknown_locale_lists_available(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "en-GB.json").write_text(json.dumps(MODEL))
    (tmp_path / "de-DE.json").write_text(json.dumps(MODEL))
    monkeypatch.setattr(nlu_model, "MODELS_DIR", tmp_path)
    with pytest.raises(UnknownLocaleError, match=r"'fr-FR'.*available: de-DE, en-GB"):
        Nlu.for_locale("fr-FR")
    assert Nlu.for_locale("en-GB").invocation_name == "test skill"


NOTES_MODEL: dict[str, Any] = {
    "languageModel": {
        "invocationName": "note keeper",
        "intents": [
            {"name": "AMAZON.FallbackIntent", "samples": []},
            {
                "name": "ClearNotesIntent",
                "slots": [{"name": "day", "type": "AMAZON.DATE"}],
                "samples": ["delete my notes", "erase my notes", "delete the notes from {day}"],
            },
            {"name": "ReadNotesIntent", "samples": ["read my notes", "what notes do you have"]},
            {"name": "KeepNotesIntent", "samples": ["keep my notes safe"]},
            {"name": "GuardNotesIntent", "samples": ["keep my notes secret"]},
        ],
    }
}


@pytest.fixture(scope="module")
def notes() -> Nlu:
    return Nlu(NOTES_MODEL)


class TestParaphrases:
    """Utterances no sample matches word for word, resolved as the nearest sample's intent."""

    def test_synonyms_come_from_the_model(self, notes: Nlu) -> None:
        # "delete my notes" / "erase my notes": erase stands for delete in any of its samples
        result = notes.parse("could you erase all the notes from yesterday", TODAY)
        assert intent(result) == ("ClearNotesIntent", {"day": "2026-11-25"})
        assert 0 < result.score < 1

    def test_inflections_and_politeness_do_not_matter(self, notes: Nlu) -> None:
        assert notes.parse("please just delete the note for me", TODAY).intent == "ClearNotesIntent"
        assert notes.parse("reading my notes", TODAY).intent == "ReadNotesIntent"

    def test_a_word_the_model_never_uses_falls_back(self, notes: Nlu) -> None:
        assert notes.parse("delete my notes and photos", TODAY).intent == FALLBACK

    def test_a_date_needs_a_sample_with_a_date_slot(self, notes: Nlu) -> None:
        assert notes.parse("read my notes from yesterday", TODAY).intent == FALLBACK

    def test_negation_must_agree(self, notes: Nlu) -> None:
        assert notes.parse("don't delete my notes", TODAY).intent == FALLBACK
        assert notes.parse("never erase the notes", TODAY).intent == FALLBACK

    def test_a_question_is_not_a_command(self, notes: Nlu) -> None:
        assert notes.parse("do you delete my notes", TODAY).intent == FALLBACK
        assert notes.parse("which notes do you have", TODAY).intent == "ReadNotesIntent"

    def test_what_a_sample_is_about_must_be_said(self, notes: Nlu) -> None:
        # shares "my notes" with "read my notes", but not "read"
        assert notes.parse("my notes", TODAY).intent == FALLBACK

    def test_two_intents_equally_near_is_not_a_guess(self, notes: Nlu) -> None:
        assert notes.parse("keep my notes", TODAY).intent == FALLBACK
        assert notes.parse("keep my notes very safe", TODAY).intent == "KeepNotesIntent"


NEGATIONS_MODEL: dict[str, Any] = {
    "languageModel": {
        "invocationName": "note keeper",
        "intents": [
            {"name": "AMAZON.FallbackIntent", "samples": []},
            {
                "name": "ClearNotesIntent",
                "samples": ["delete my notes", "erase my notes", "delete my last note"],
            },
            {
                "name": "ProtectNotesIntent",
                "samples": [
                    "i don't want anyone reading my notes",
                    "stop sharing my notes",
                    "don't share my notes",
                ],
            },
            {"name": "ShareNotesIntent", "samples": ["share my notes", "let people read my notes"]},
        ],
    }
}


@pytest.fixture(scope="module")
def negations() -> Nlu:
    return Nlu(NEGATIONS_MODEL)


class TestNegatedParaphrases:
    """What an utterance says not to do decides what it can mean."""

    def test_a_negated_sample_still_matches(self, negations: Nlu) -> None:
        assert negations.parse("please don't share my notes", TODAY).intent == "ProtectNotesIntent"

    @pytest.mark.parametrize(
        "utterance",
        ["i don't want to delete my notes", "i didn't mean to delete my notes"],
    )
    def test_the_negation_reaches_the_verb_after_to(self, negations: Nlu, utterance: str) -> None:
        # "don't want" is in a sample, but the person does not want to delete, nor to protect
        assert negations.parse(utterance, TODAY).intent == FALLBACK

    def test_not_wanting_to_do_it_is_not_doing_it(self, negations: Nlu) -> None:
        assert negations.parse("i don't want to stop sharing my notes", TODAY).intent == FALLBACK

    def test_not_wanting_what_a_sample_forbids_is_that_sample(self, negations: Nlu) -> None:
        result = negations.parse("i don't want to share my notes", TODAY)
        assert result.intent == "ProtectNotesIntent"


@pytest.fixture(scope="module")
def en_us() -> Nlu:
    return Nlu.for_locale("en-US")


@pytest.mark.skipif(not EN_US.exists(), reason="interaction_models/en-US.json not written yet")
class TestEnUsModel:
    def test_delete_today(self, en_us: Nlu) -> None:
        result = en_us.parse("delete what i said today", TODAY)
        assert intent(result) == ("DeleteRecordingsIntent", {"date": "2026-11-26", "scope": None})

    def test_one_shot_stop_human_review(self, en_us: Nlu) -> None:
        result = en_us.parse("ask voice privacy to stop human review", TODAY)
        assert intent(result) == ("StopHumanReviewIntent", {})

    def test_open(self, en_us: Nlu) -> None:
        assert en_us.parse("open voice privacy", TODAY).request_type == "LaunchRequest"

    def test_yes(self, en_us: Nlu) -> None:
        assert en_us.parse("yes", TODAY).intent == "AMAZON.YesIntent"

    def test_weather_is_fallback(self, en_us: Nlu) -> None:
        assert en_us.parse("what's the weather", TODAY).intent == "AMAZON.FallbackIntent"

    @pytest.mark.parametrize(
        ("utterance", "expected"),
        [
            (
                "delete what I said yesterday",
                ("DeleteRecordingsIntent", {"date": "2026-11-25", "scope": None}),
            ),
            (
                "delete what I said this week",
                ("DeleteRecordingsIntent", {"date": "2026-W48", "scope": None}),
            ),
            ("delete what i just said", ("DeleteLastRecordingIntent", {})),
            ("delete everything I've ever said", ("DeleteAllRecordingsIntent", {"scope": None})),
            ("stop human review", ("StopHumanReviewIntent", {})),
            ("allow human review again", ("AllowHumanReviewIntent", {})),
            ("what data do you keep", ("WhatDataIntent", {})),
            ("cancel", ("AMAZON.CancelIntent", {})),
        ],
    )
    def test_design_phrases(
        self, en_us: Nlu, utterance: str, expected: tuple[str, dict[str, str | None]]
    ) -> None:
        assert intent(en_us.parse(utterance, TODAY)) == expected
