"""Slot types the simulator understands: custom types with synonyms and entity resolution,
AMAZON.NUMBER and AMAZON.DURATION, in Alexa's formats, as parsed and as sent to a skill."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils.predicate import is_intent_name, is_request_type
from ask_sdk_model.dialog.elicit_slot_directive import ElicitSlotDirective

from skill.nlu import Nlu, ResolvedValue, SlotResolution
from skill.nlu.numbers import to_amazon_duration, to_amazon_number
from skill.simulator.dialog import DialogDriver
from skill.simulator.envelopes import Caller, intent_request
from tests.simulator.test_dialog import Recorder

Json = dict[str, Any]
TODAY = date(2026, 11, 26)
SKILL_ID = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"
AUTHORITY = f"amzn1.er-authority.echo-sdk.{SKILL_ID}.DRINK"
MATCH, NO_MATCH = "ER_SUCCESS_MATCH", "ER_SUCCESS_NO_MATCH"
COFFEE, TEA = ResolvedValue("coffee", "COFFEE"), ResolvedValue("tea", "TEA")

MODEL: Json = {
    "interactionModel": {
        "languageModel": {
            "invocationName": "coffee corner",
            "intents": [
                {"name": "AMAZON.FallbackIntent", "samples": []},
                {"name": "AMAZON.StopIntent", "samples": []},
                {
                    "name": "OrderIntent",
                    "slots": [
                        {"name": "count", "type": "AMAZON.NUMBER"},
                        {"name": "drink", "type": "DRINK", "samples": ["a {drink}", "an {drink}"]},
                    ],
                    "samples": [
                        "order {count} {drink}",
                        "order a {drink}",
                        "order {drink}",
                        "order",
                    ],
                },
                {
                    "name": "RateIntent",
                    "slots": [{"name": "stars", "type": "AMAZON.NUMBER"}],
                    "samples": ["rate it {stars} stars", "give it {stars} stars"],
                },
                {
                    "name": "TimerIntent",
                    "slots": [{"name": "length", "type": "AMAZON.DURATION"}],
                    "samples": ["set a timer for {length}", "start a timer for {length}"],
                },
            ],
            "types": [
                {
                    "name": "DRINK",
                    "values": [
                        {
                            "id": "COFFEE",
                            "name": {
                                "value": "coffee",
                                "synonyms": ["espresso", "Flat White", "cup of joe"],
                            },
                        },
                        {"id": "TEA", "name": {"value": "tea", "synonyms": ["earl grey"]}},
                        {"name": {"value": "hot chocolate", "synonyms": ["cocoa"]}},
                        {"id": "LATTE", "name": {"value": "latte", "synonyms": ["flat white"]}},
                    ],
                }
            ],
        }
    }
}


@pytest.fixture(scope="module")
def nlu() -> Nlu:
    return Nlu(MODEL)


class TestCustomTypes:
    def test_canonical_name_resolves_with_its_id(self, nlu: Nlu) -> None:
        result = nlu.parse("order coffee", TODAY)
        assert (result.intent, result.slots) == ("OrderIntent", {"count": None, "drink": "coffee"})
        assert result.resolutions == {"drink": SlotResolution("DRINK", MATCH, (COFFEE,))}

    def test_synonym_value_is_the_words_said(self, nlu: Nlu) -> None:
        result = nlu.parse("Order a cup of joe!", TODAY)
        assert result.slots["drink"] == "cup of joe"
        assert result.resolutions["drink"] == SlotResolution("DRINK", MATCH, (COFFEE,))

    def test_synonyms_match_whatever_their_case(self, nlu: Nlu) -> None:
        result = nlu.parse("order EARL GREY", TODAY)
        assert result.slots["drink"] == "earl grey"
        assert result.resolutions["drink"].values == (TEA,)

    def test_a_value_without_an_id_resolves_to_its_name_only(self, nlu: Nlu) -> None:
        resolution = nlu.parse("order cocoa", TODAY).resolutions["drink"]
        assert resolution.values == (ResolvedValue("hot chocolate"),)

    def test_a_synonym_of_two_values_resolves_to_both(self, nlu: Nlu) -> None:
        resolution = nlu.parse("order a flat white", TODAY).resolutions["drink"]
        assert resolution == SlotResolution(
            "DRINK", MATCH, (COFFEE, ResolvedValue("latte", "LATTE"))
        )

    def test_an_unknown_value_still_fills_the_slot_without_a_match(self, nlu: Nlu) -> None:
        result = nlu.parse("order a lemonade", TODAY)
        assert (result.intent, result.slots["drink"]) == ("OrderIntent", "lemonade")
        assert result.resolutions == {"drink": SlotResolution("DRINK", NO_MATCH)}

    def test_words_around_a_known_value_are_not_part_of_it(self, nlu: Nlu) -> None:
        result = nlu.parse("order the espresso", TODAY)
        assert (result.intent, result.slots["drink"]) == ("OrderIntent", "espresso")
        assert result.resolutions["drink"].values == (COFFEE,)
        assert nlu.parse("order a lemonade please", TODAY).slots["drink"] == "lemonade"

    def test_slots_of_built_in_types_have_no_resolution(self, nlu: Nlu) -> None:
        result = nlu.parse("order two espresso", TODAY)
        assert result.slots == {"count": "2", "drink": "espresso"}
        assert set(result.resolutions) == {"drink"}

    def test_a_known_value_is_found_in_a_paraphrase(self, nlu: Nlu) -> None:
        result = nlu.parse("could you order me an espresso", TODAY)
        assert (result.intent, result.slots["drink"]) == ("OrderIntent", "espresso")
        assert result.resolutions["drink"].values == (COFFEE,)

    def test_slot_answer_and_its_resolution(self, nlu: Nlu) -> None:
        value = nlu.parse_slot("OrderIntent", "drink", "an earl grey", TODAY)
        assert value == "earl grey"
        assert nlu.resolution("OrderIntent", "drink", value).values == (TEA,)  # type: ignore[union-attr]
        assert nlu.resolution("OrderIntent", "count", "2") is None
        assert nlu.resolution("OrderIntent", "nope", "2") is None


class TestNumbers:
    @pytest.mark.parametrize(
        ("said", "value"),
        [
            ("rate it twenty five stars", "25"),
            ("rate it one hundred and three stars", "103"),
            ("rate it 7 stars", "7"),
            ("give it zero stars", "0"),
            ("give it a hundred stars", "100"),
            ("give it two thousand and twenty six stars", "2026"),
            ("give it minus four stars", "-4"),
        ],
    )
    def test_number_words_become_digits(self, nlu: Nlu, said: str, value: str) -> None:
        assert nlu.parse(said, TODAY).slots == {"stars": value}

    @pytest.mark.parametrize("said", ["rate it many stars", "rate it five six stars"])
    def test_non_numbers_do_not_match(self, nlu: Nlu, said: str) -> None:
        assert nlu.parse(said, TODAY).intent == "AMAZON.FallbackIntent"

    @pytest.mark.parametrize(
        ("phrase", "value"),
        [
            ("twelve hundred", "1200"),
            ("one million two hundred thousand", "1200000"),
            ("ninety nine thousand nine hundred ninety nine", "99999"),
            ("negative nine", "-9"),
            ("007", "7"),
        ],
    )
    def test_amazon_number(self, phrase: str, value: str) -> None:
        assert to_amazon_number(phrase) == value

    @pytest.mark.parametrize(
        "phrase",
        ["hundred", "thousand", "a", "and", "twenty zero", "seventy twenty", "one hundred and"],
    )
    def test_not_a_number(self, phrase: str) -> None:
        assert to_amazon_number(phrase) is None


class TestDurations:
    @pytest.mark.parametrize(
        ("said", "value"),
        [
            ("five minutes", "PT5M"),
            ("two hours", "PT2H"),
            ("three days", "P3D"),
            ("a week", "P1W"),
            ("an hour and a half", "PT1H30M"),
            ("ten seconds", "PT10S"),
            ("two months", "P2M"),
            ("one year", "P1Y"),
        ],
    )
    def test_durations_are_iso_8601(self, nlu: Nlu, said: str, value: str) -> None:
        result = nlu.parse(f"set a timer for {said}", TODAY)
        assert (result.intent, result.slots, result.resolutions) == (
            "TimerIntent",
            {"length": value},
            {},
        )

    def test_a_duration_is_found_in_a_paraphrase(self, nlu: Nlu) -> None:
        result = nlu.parse("please set me a timer for ten seconds", TODAY)
        assert (result.intent, result.slots) == ("TimerIntent", {"length": "PT10S"})

    def test_a_capture_that_is_no_duration_does_not_match(self, nlu: Nlu) -> None:
        assert nlu.parse("set a timer for a while", TODAY).intent == "AMAZON.FallbackIntent"

    @pytest.mark.parametrize(
        ("phrase", "value"),
        [
            ("half an hour", "PT30M"),
            ("two hours and thirty minutes", "PT2H30M"),
            ("two years three hours ten minutes", "P2YT3H10M"),
            ("one and a half hours", "PT1H30M"),
            ("a minute and a half", "PT1M30S"),
            ("a day and a half", "P1DT12H"),
            ("a year and a half", "P1Y6M"),
            ("three quarters of an hour", "PT45M"),
            ("a couple of days", "P2D"),
            ("eight weeks", "P8W"),
            ("90 minutes", "PT90M"),
        ],
    )
    def test_amazon_duration(self, phrase: str, value: str) -> None:
        assert to_amazon_duration(phrase) == value

    @pytest.mark.parametrize(
        "phrase", ["minutes", "five", "a week and a half", "two hours and", "an hour an hour"]
    )
    def test_not_a_duration(self, phrase: str) -> None:
        assert to_amazon_duration(phrase) is None


# --- the request envelope the skill gets -------------------------------------------------------


def build_order_skill() -> Any:
    """Asks for a drink until it has one, then says how Alexa resolved it."""
    sb = SkillBuilder()

    @sb.request_handler(can_handle_func=is_intent_name("OrderIntent"))
    def order(handler_input: Any) -> Any:
        intent = handler_input.request_envelope.request.intent
        builder = handler_input.response_builder
        drink = intent.slots["drink"]
        if not drink.value:
            builder.add_directive(
                ElicitSlotDirective(updated_intent=intent, slot_to_elicit="drink")
            )
            return builder.speak("Which drink?").ask("Which drink?").response
        authority = drink.resolutions.resolutions_per_authority[0]
        found = [f"{v.value.name}={v.value.id}" for v in authority.values or []]
        count = intent.slots["count"].value or "1"
        heard = f"{count} {drink.value}: {authority.status.code.value} {' '.join(found)}"
        return builder.speak(heard.strip()).ask("Anything else?").response

    @sb.request_handler(can_handle_func=is_intent_name("TimerIntent"))
    def timer(handler_input: Any) -> Any:
        length = handler_input.request_envelope.request.intent.slots["length"]
        return handler_input.response_builder.speak(f"Timer {length.value}.").response

    @sb.request_handler(can_handle_func=is_request_type("SessionEndedRequest"))
    def ended(handler_input: Any) -> Any:
        return handler_input.response_builder.response

    return sb.create()


def driver(recorder: Recorder, nlu: Nlu) -> DialogDriver:
    now = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
    return DialogDriver(  # in a session from the start: bare commands reach the skill
        recorder, nlu, Caller(skill_id=SKILL_ID), lambda: now, ZoneInfo("UTC"), in_session=True
    )


def test_the_request_carries_entity_resolution_as_alexa_fills_it(nlu: Nlu) -> None:
    turn = driver(Recorder(build_order_skill()), nlu).say("order two espresso")
    slots = turn.request["request"]["intent"]["slots"]
    assert slots["drink"] == {
        "name": "drink",
        "value": "espresso",
        "confirmationStatus": "NONE",
        "resolutions": {
            "resolutionsPerAuthority": [
                {
                    "authority": AUTHORITY,
                    "status": {"code": "ER_SUCCESS_MATCH"},
                    "values": [{"value": {"name": "coffee", "id": "COFFEE"}}],
                }
            ]
        },
    }
    assert slots["count"] == {"name": "count", "value": "2", "confirmationStatus": "NONE"}
    assert turn.speech == "2 espresso: ER_SUCCESS_MATCH coffee=COFFEE"


def test_no_match_carries_the_status_and_no_values(nlu: Nlu) -> None:
    turn = driver(Recorder(build_order_skill()), nlu).say("order a lemonade")
    drink = turn.request["request"]["intent"]["slots"]["drink"]
    assert drink["value"] == "lemonade"
    assert drink["resolutions"] == {
        "resolutionsPerAuthority": [{"authority": AUTHORITY, "status": {"code": NO_MATCH}}]
    }
    assert turn.speech == "1 lemonade: ER_SUCCESS_NO_MATCH"


def test_an_elicited_custom_slot_is_resolved_too(nlu: Nlu) -> None:
    recorder = Recorder(build_order_skill())
    talk = driver(recorder, nlu)
    asked = talk.say("order")
    assert asked.request["request"]["intent"]["slots"]["drink"] == {
        "name": "drink",
        "confirmationStatus": "NONE",
    }
    assert asked.speech == "Which drink?"
    answer = talk.say("a cup of joe")
    drink = answer.request["request"]["intent"]["slots"]["drink"]
    assert drink["value"] == "cup of joe"
    assert drink["resolutions"]["resolutionsPerAuthority"][0]["values"] == [
        {"value": {"name": "coffee", "id": "COFFEE"}}
    ]
    assert answer.speech == "1 cup of joe: ER_SUCCESS_MATCH coffee=COFFEE"


def test_an_answer_that_restates_the_intent_is_resolved_too(nlu: Nlu) -> None:
    talk = driver(Recorder(build_order_skill()), nlu)
    talk.say("order")
    answer = talk.say("order three cocoa")
    slots = answer.request["request"]["intent"]["slots"]
    assert (slots["count"]["value"], slots["drink"]["value"]) == ("3", "cocoa")
    values = slots["drink"]["resolutions"]["resolutionsPerAuthority"][0]["values"]
    assert values == [{"value": {"name": "hot chocolate"}}]
    assert answer.speech == "3 cocoa: ER_SUCCESS_MATCH hot chocolate=None"


def test_a_duration_slot_is_sent_as_iso_8601(nlu: Nlu) -> None:
    turn = driver(Recorder(build_order_skill()), nlu).say("set a timer for an hour and a half")
    length = turn.request["request"]["intent"]["slots"]["length"]
    assert length == {"name": "length", "value": "PT1H30M", "confirmationStatus": "NONE"}
    assert turn.speech == "Timer PT1H30M."


def test_intent_request_without_resolutions_is_unchanged() -> None:
    now = datetime(2026, 11, 26, tzinfo=UTC)
    request = intent_request(Caller(), now, "OrderIntent", {"drink": "tea", "count": None})
    assert request["request"]["intent"]["slots"] == {
        "drink": {"name": "drink", "confirmationStatus": "NONE", "value": "tea"},
        "count": {"name": "count", "confirmationStatus": "NONE"},
    }
