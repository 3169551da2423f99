"""The speech grammar says exactly what the NLU understands, compiled small and cached."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
from pocketsphinx import Jsgf  # type: ignore[import-untyped]

from skill.nlu import Nlu
from skill.voice.automaton import compile_automaton
from skill.voice.compiled import compile_grammar
from skill.voice.grammar import PRIORS, TOP_RULE, build_grammar
from skill.voice.lexicon import build_lexicon, ipa_to_arpabet
from skill.voice.phrases import Ref
from skill.voice.speakable import speech_findings
from tests.voice.conftest import MODEL, TODAY

SMALL_MODEL: dict[str, Any] = {
    "interactionModel": {
        "languageModel": {
            "invocationName": "coffee helper",
            "intents": [
                {"name": "AMAZON.StopIntent", "samples": []},
                {
                    "name": "OrderIntent",
                    "slots": [
                        {"name": "drink", "type": "DRINK"},
                        {"name": "count", "type": "AMAZON.NUMBER"},
                    ],
                    "samples": ["order {count} {drink}", "i would like a {drink}"],
                },
                {
                    "name": "SearchIntent",
                    "slots": [{"name": "query", "type": "AMAZON.SearchQuery"}],
                    "samples": ["search for {query}"],
                },
                {"name": "ZorbIntent", "samples": ["zorblax my coffee"]},
            ],
            "types": [
                {
                    "name": "DRINK",
                    "values": [
                        {"name": {"value": "espresso", "synonyms": ["short black"]}},
                        {"name": {"value": "tea"}},
                    ],
                }
            ],
        }
    }
}


@pytest.fixture(scope="module")
def en_us() -> Nlu:
    return Nlu.for_locale("en-US")


def test_every_sentence_of_the_grammar_is_understood_as_its_intent(en_us: Nlu) -> None:
    grammar = build_grammar(MODEL)
    rng = random.Random(7)
    for intent in grammar.intent_rules:
        for _ in range(40):
            sentence = grammar.sentence(rng, intent)
            result = en_us.parse(sentence, TODAY)
            assert result.intent == intent, sentence
            if intent == "DeleteRecordingsIntent" and len(sentence.split()) > 4:
                assert result.slots["date"] is not None, sentence


def test_invocations_launch_or_carry_a_command(en_us: Nlu) -> None:
    grammar = build_grammar(MODEL)
    automaton = compile_automaton(Ref(TOP_RULE), grammar.rules)
    for sentence in ("open voice privacy", "alexa launch voice privacy"):
        assert automaton.accepts(sentence)
        assert en_us.parse(sentence, TODAY).request_type == "LaunchRequest"
    one_shot = "ask voice privacy to delete what i said yesterday"
    assert automaton.accepts(one_shot)
    assert en_us.parse(one_shot, TODAY).slots == {"date": "2026-11-25", "scope": None}


def test_the_automaton_is_minimal_and_accepts_only_whole_sentences() -> None:
    grammar = build_grammar(MODEL)
    automaton = compile_automaton(Ref(TOP_RULE), grammar.rules)
    # Size costs decoding time only (the real-time factor is checked in test_recognise and
    # bench/): a generous bound, far below pocketsphinx's own JSGF conversion (22 000 states).
    assert automaton.states < 3000
    rng = random.Random(3)
    for _ in range(200):
        assert automaton.accepts(grammar.sentence(rng))
    for sentence in ("delete what", "play some jazz", "delete what i said tomorrow", ""):
        assert not automaton.accepts(sentence)
    # "sunday" alone is left out where a noisy "today" would be heard as it
    assert not automaton.accepts("delete what i said sunday")
    assert automaton.accepts("delete what i said on sunday")
    assert automaton.accepts("delete my recordings from sunday")


def test_growing_the_model_does_not_make_its_sentences_less_likely() -> None:
    """What the old bound on the automaton's size stood for: with every arc at probability 1
    (but the favoured dates), a sentence's prior is the same however many intents are added."""
    model = json.loads(MODEL.read_text())
    grown = copy.deepcopy(model)
    intents = grown["interactionModel"]["languageModel"]["intents"]
    for n in range(40):
        intents.append({"name": f"Extra{n}Intent", "samples": [
            f"delete what i said about topic {n}", f"stop human review of thing {n}",
            f"what data do you keep on item {n}", f"{n} please",
        ]})  # fmt: skip
    before = compile_automaton(Ref(TOP_RULE), build_grammar(model).rules)
    after = compile_automaton(Ref(TOP_RULE), build_grammar(grown).rules)
    assert after.transitions > before.transitions + 100  # more branching everywhere
    for sentence in (
        "stop human review",
        "delete what i said today",
        "ask voice privacy to delete what i said yesterday",
        "what data do you keep",
        "yes",
    ):
        weight = before.sentence_weight(sentence, PRIORS)
        assert weight == after.sentence_weight(sentence, PRIORS) == 1.0, sentence
    # the one prior: where "today" and "yesterday" compete with other dates, they are favoured
    assert before.sentence_weight("delete what i said in may", PRIORS) == 1 / PRIORS["today"]
    fsg = before.fsg("voice", PRIORS)
    assert max(float(line.split()[3]) for line in fsg.splitlines()
               if line.startswith("TRANSITION")) == 1.0  # fmt: skip


def test_the_jsgf_is_valid_for_pocketsphinx(tmp_path: Path) -> None:
    path = tmp_path / "voice.jsgf"
    path.write_text(build_grammar(MODEL).jsgf())
    assert Jsgf(str(path)).get_rule("voice.utterance") is not None


def test_custom_values_synonyms_and_numbers_are_said_unspeakable_samples_reported() -> None:
    grammar = build_grammar(SMALL_MODEL)
    automaton = compile_automaton(Ref(TOP_RULE), grammar.rules)
    assert automaton.accepts("order twenty two short black")
    assert automaton.accepts("ask coffee helper to i would like a tea")
    assert not automaton.accepts("search for cats")
    [skipped] = grammar.skipped
    assert (skipped.intent, skipped.sample) == ("SearchIntent", "search for {query}")
    assert "AMAZON.SearchQuery" in skipped.reason


def test_words_missing_from_cmudict_are_guessed_by_espeak_or_reported(espeak: None) -> None:
    lexicon = build_lexicon(["coffee", "zorblax"])
    assert lexicon.generated == {"zorblax"}
    assert lexicon.pronunciations["zorblax"] == [("Z", "AO", "R", "B", "L", "AE", "K", "S")]
    without = build_lexicon(["coffee", "zorblax"], espeak=None)
    assert without.unknown == {"zorblax"}
    grammar = build_grammar(SMALL_MODEL, lambda word: word not in without.unknown)
    assert "ZorbIntent" not in grammar.intent_rules
    assert any("zorblax" in s.reason for s in grammar.skipped)


def test_lint_findings_name_the_word_and_the_unspeakable_sample(espeak: None) -> None:
    findings = speech_findings(SMALL_MODEL, "coffee.json")
    by_code = {f.code: f for f in findings}
    assert by_code["no-pronunciation"].intent == "ZorbIntent"
    assert "Z AO R B L AE K S" in by_code["no-pronunciation"].message
    assert by_code["not-speakable"].sample == "search for {query}"
    assert all(f.severity == "warning" for f in findings)
    # The one intent left out on purpose: a six-digit dashboard code is typed, not heard.
    left_out = [f for f in speech_findings(MODEL) if f.code == "not-speakable"]
    assert {f.intent for f in left_out} == {"LinkDashboardIntent"}
    assert [f for f in speech_findings(MODEL) if f not in left_out] == []


def test_ipa_from_espeak_maps_onto_the_acoustic_models_phones() -> None:
    # IPA as espeak-ng writes it (its letters look like Latin ones on purpose)
    assert ipa_to_arpabet("həlˈoʊ")  # noqa: RUF001 == ("HH", "AH", "L", "OW")
    assert ipa_to_arpabet("pɹˈaɪvəsi") == ("P", "R", "AY", "V", "AH", "S", "IY")  # noqa: RUF001
    assert ipa_to_arpabet("tʃˈɜːtʃ") == ("CH", "ER", "CH")  # noqa: RUF001


def test_compiled_files_are_cached_by_the_models_content(tmp_path: Path) -> None:
    model = tmp_path / "model.json"
    model.write_text(json.dumps(SMALL_MODEL))
    first = compile_grammar(model, tmp_path / "cache")
    stamp = first.fsg.stat().st_mtime_ns
    again = compile_grammar(model, tmp_path / "cache")
    assert again == first and again.fsg.stat().st_mtime_ns == stamp
    changed = copy.deepcopy(SMALL_MODEL)
    changed["interactionModel"]["languageModel"]["intents"][1]["samples"].append("one {drink}")
    model.write_text(json.dumps(changed))
    assert compile_grammar(model, tmp_path / "cache").folder != first.folder
    assert {p.name for p in first.folder.iterdir()} == {
        "grammar.jsgf", "grammar.fsg", "words.dict", "report.json"
    }  # fmt: skip
