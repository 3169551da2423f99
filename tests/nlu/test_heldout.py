"""Held-out paraphrases: things people would say to a privacy skill that are not samples.

None of these is a sample utterance of ``interaction_models/en-US.json`` (checked below), so the
list measures how well the NLU generalises from the model, as Alexa's does. Every entry must
resolve; an out-of-domain request must still fall back rather than reach a privacy intent.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

import pytest

from skill.nlu import Nlu, normalise
from skill.nlu.spoken_dates import to_amazon_date

TODAY = date(2026, 11, 26)  # a Thursday, ISO week 2026-W48

DELETE = "DeleteRecordingsIntent"
LAST = "DeleteLastRecordingIntent"
ALL = "DeleteAllRecordingsIntent"
STOP_REVIEW = "StopHumanReviewIntent"
ALLOW_REVIEW = "AllowHumanReviewIntent"
WHAT = "WhatDataIntent"
LAUNCH = "LaunchRequest"
FALLBACK = "AMAZON.FallbackIntent"


class Case(NamedTuple):
    utterance: str
    intent: str
    date: str | None = None


# Left out: times of day and "two days ago", whose AMAZON.DATE value is uncertain.
HELD_OUT: tuple[Case, ...] = (
    # --- DeleteRecordingsIntent, with many ways of saying the day ----------------------------
    Case("can you delete what i said yesterday", DELETE, "2026-11-25"),
    Case("please erase everything you recorded today", DELETE, "2026-11-26"),
    Case("could you delete everything i said last week", DELETE, "2026-W47"),
    Case("i want to delete what i said on monday", DELETE, "2026-11-30"),
    Case("delete all my recordings from last month", DELETE, "2026-10"),
    Case("erase everything i said to you the day before yesterday", DELETE, "2026-11-24"),
    Case("remove everything i said on november twenty fifth", DELETE, "2027-11-25"),
    Case("wipe out everything you heard this weekend", DELETE, "2026-W48-WE"),
    Case("get rid of everything you heard last weekend", DELETE, "2026-W47-WE"),
    Case("can you erase my recordings from the 3rd", DELETE, "2026-12-03"),
    Case("could you please delete what i said in october", DELETE, "2027-10"),
    Case("i'd like to delete everything i said yesterday", DELETE, "2026-11-25"),
    Case("forget everything i told you this week", DELETE, "2026-W48"),
    Case("erase my voice history from last week", DELETE, "2026-W47"),
    Case("remove all the recordings from twenty twenty five", DELETE, "2025"),
    Case("delete what you recorded on tuesday", DELETE, "2026-12-01"),
    Case("please remove what you heard last month", DELETE, "2026-10"),
    Case("clear everything i said yesterday", DELETE, "2026-11-25"),
    Case("delete yesterday's recordings", DELETE, "2026-11-25"),
    Case("delete everything from today", DELETE, "2026-11-26"),
    Case("wipe everything i said in 2025", DELETE, "2025"),
    Case("delete our conversations from last thursday", DELETE, "2026-11-19"),
    Case("delete any recordings from the twenty fourth", DELETE, "2026-12-24"),
    Case("erase today's recordings please", DELETE, "2026-11-26"),
    Case("please wipe out everything i told you this month", DELETE, "2026-11"),
    Case("forget the things i said last summer", DELETE, "2026-SU"),
    Case("could you erase what i told you on saturday", DELETE, "2026-11-28"),
    Case("i'd like you to forget everything from yesterday", DELETE, "2026-11-25"),
    Case("wipe my history from last month", DELETE, "2026-10"),
    Case("delete all the things i said last week", DELETE, "2026-W47"),
    Case("erase my conversations from yesterday please", DELETE, "2026-11-25"),
    Case("erase what you heard from me on the twenty third", DELETE, "2026-12-23"),
    Case("get rid of today's recordings", DELETE, "2026-11-26"),
    Case("delete all that you recorded this weekend", DELETE, "2026-W48-WE"),
    Case("can you remove everything from last week", DELETE, "2026-W47"),
    Case("could you forget what i told you in september", DELETE, "2027-09"),
    Case("erase anything i said on tuesday", DELETE, "2026-12-01"),
    Case("i want to delete the recordings from last friday", DELETE, "2026-11-20"),
    Case("remove my voice history from last week please", DELETE, "2026-W47"),
    Case("delete the stuff i told you in october", DELETE, "2027-10"),
    Case("wipe all my recordings from this year", DELETE, "2026"),
    # --- DeleteLastRecordingIntent -----------------------------------------------------------
    Case("can you delete what i just said", LAST),
    Case("please forget the last thing i told you", LAST),
    Case("delete the last thing i said to you", LAST),
    Case("erase my last request", LAST),
    Case("forget i said that", LAST),
    Case("delete that last recording", LAST),
    Case("remove the thing i just said", LAST),
    Case("that was private, please delete it", LAST),
    Case("please don't save that", LAST),
    Case("oops delete that", LAST),
    Case("delete my last command please", LAST),
    Case("forget what i just told you", LAST),
    Case("please erase the last thing you heard", LAST),
    Case("don't keep what i just said", LAST),
    Case("that was personal, forget it", LAST),
    Case("get rid of that last recording", LAST),
    Case("forget that please", LAST),
    Case("erase my most recent recording please", LAST),
    Case("can you forget what i just said", LAST),
    Case("undo my last request", LAST),
    Case("delete the last thing i asked", LAST),
    Case("i didn't mean to say that, delete it", LAST),
    # --- DeleteAllRecordingsIntent -----------------------------------------------------------
    Case("delete everything you have ever recorded", ALL),
    Case("wipe all my data", ALL),
    Case("i want you to delete all of my recordings", ALL),
    Case("erase my whole history", ALL),
    Case("delete every recording you've made of me", ALL),
    Case("please erase all of my voice recordings", ALL),
    Case("get rid of all my voice data", ALL),
    Case("remove everything i've ever said to you", ALL),
    Case("delete all my history", ALL),
    Case("wipe everything you have recorded", ALL),
    Case("delete all of my conversations", ALL),
    Case("i want all my recordings deleted", ALL),
    Case("erase every single recording", ALL),
    Case("clear all of my voice history", ALL),
    Case("forget everything i've ever told you please", ALL),
    Case("delete every recording you have", ALL),
    Case("erase all of my voice data please", ALL),
    Case("wipe my whole voice history", ALL),
    Case("get rid of every recording", ALL),
    # --- StopHumanReviewIntent ---------------------------------------------------------------
    Case("i don't want anyone listening to me", STOP_REVIEW),
    Case("please stop letting humans review my recordings", STOP_REVIEW),
    Case("turn off human review for me", STOP_REVIEW),
    Case("stop sending my recordings to reviewers", STOP_REVIEW),
    Case("can you stop people from hearing my recordings", STOP_REVIEW),
    Case("please don't let anybody listen to my voice", STOP_REVIEW),
    Case("i do not want my recordings to be reviewed by humans", STOP_REVIEW),
    Case("turn off the human review setting", STOP_REVIEW),
    Case("stop sharing my voice with reviewers", STOP_REVIEW),
    Case("i want to stop human review of my voice recordings", STOP_REVIEW),
    Case("i don't want people listening to my voice", STOP_REVIEW),
    Case("stop letting reviewers hear my recordings", STOP_REVIEW),
    Case("i don't want anyone reviewing my recordings", STOP_REVIEW),
    Case("opt out of human review please", STOP_REVIEW),
    Case("don't let humans review my voice recordings", STOP_REVIEW),
    Case("no more people listening to my recordings", STOP_REVIEW),
    Case("i don't want humans listening to me", STOP_REVIEW),
    Case("please stop human reviewers from listening", STOP_REVIEW),
    Case("turn off manual review please", STOP_REVIEW),
    Case("disable human review for my account", STOP_REVIEW),
    Case("don't let anyone hear my recordings", STOP_REVIEW),
    # --- AllowHumanReviewIntent --------------------------------------------------------------
    Case("it's okay if people listen to my recordings", ALLOW_REVIEW),
    Case("go ahead and turn human review back on", ALLOW_REVIEW),
    Case("please enable human review again", ALLOW_REVIEW),
    Case("i'm ok with humans reviewing my recordings", ALLOW_REVIEW),
    Case("let reviewers listen to my recordings again", ALLOW_REVIEW),
    Case("opt me back into human review", ALLOW_REVIEW),
    Case("i consent to people listening to my recordings", ALLOW_REVIEW),
    Case("you can turn human review on again", ALLOW_REVIEW),
    Case("turn human review back on please", ALLOW_REVIEW),
    Case("allow reviewers to listen to my recordings", ALLOW_REVIEW),
    Case("enable human review of my recordings", ALLOW_REVIEW),
    Case("people can review my recordings again", ALLOW_REVIEW),
    Case("let humans review my recordings", ALLOW_REVIEW),
    Case("turn on manual review", ALLOW_REVIEW),
    Case("i agree to people reviewing my recordings", ALLOW_REVIEW),
    Case("i'm fine with human review", ALLOW_REVIEW),
    Case("it's fine for humans to listen again", ALLOW_REVIEW),
    # --- WhatDataIntent ----------------------------------------------------------------------
    Case("how much of my voice do you store", WHAT),
    Case("what recordings do you have of me", WHAT),
    Case("tell me what you know about me", WHAT),
    Case("what do you have on me", WHAT),
    Case("is human review turned off", WHAT),
    Case("do you keep recordings of my voice", WHAT),
    Case("how many recordings of me do you have", WHAT),
    Case("what data are you keeping about me", WHAT),
    Case("do you save my voice", WHAT),
    Case("what's stored about me", WHAT),
    Case("how long are my recordings kept", WHAT),
    Case("what information do you keep about me", WHAT),
    Case("how many of my recordings do you have", WHAT),
    Case("what do you store about my voice", WHAT),
    Case("how long will you keep my recordings", WHAT),
    Case("do you keep any recordings of me", WHAT),
    Case("is anybody reviewing my recordings", WHAT),
    Case("what have you saved about me", WHAT),
    Case("what privacy settings do i have", WHAT),
    Case("what do you know about my voice", WHAT),
    Case("do you store recordings of me", WHAT),
    Case("how long do you store my voice", WHAT),
    Case("who listens to my recordings", WHAT),
    Case("is my voice being recorded", WHAT),
    Case("is human review enabled", WHAT),
    # --- built-in intents --------------------------------------------------------------------
    Case("can you help me", "AMAZON.HelpIntent"),
    Case("what can you do for me", "AMAZON.HelpIntent"),
    Case("um help", "AMAZON.HelpIntent"),
    Case("please stop", "AMAZON.StopIntent"),
    Case("okay stop", "AMAZON.StopIntent"),
    Case("oh never mind", "AMAZON.CancelIntent"),
    Case("cancel that", "AMAZON.CancelIntent"),
    Case("yes please", "AMAZON.YesIntent"),
    Case("yeah go ahead", "AMAZON.YesIntent"),
    Case("no thank you", "AMAZON.NoIntent"),
    Case("nope not now", "AMAZON.NoIntent"),
    Case("go home please", "AMAZON.NavigateHomeIntent"),
    # --- one-shot invocations ----------------------------------------------------------------
    Case("ask voice privacy to delete what i said yesterday", DELETE, "2026-11-25"),
    Case("tell voice privacy to stop letting people listen to my recordings", STOP_REVIEW),
    Case("ask voice privacy what data it keeps", WHAT),
    Case("tell voice privacy i don't want anyone listening", STOP_REVIEW),
    Case("delete everything i said today using voice privacy", DELETE, "2026-11-26"),
    Case("ask voice privacy how many recordings it has of me", WHAT),
    Case("tell voice privacy to turn human review back on", ALLOW_REVIEW),
    Case("ask voice privacy to erase my last recording", LAST),
    Case("ask voice privacy for help", "AMAZON.HelpIntent"),
    Case("ask voice privacy to forget everything from this week", DELETE, "2026-W48"),
    Case("open voice privacy and delete all my recordings", ALL),
    Case("erase what i said last week with voice privacy", DELETE, "2026-W47"),
    # --- launching the skill -----------------------------------------------------------------
    Case("alexa, launch voice privacy", LAUNCH),
    Case("hey alexa, talk to voice privacy", LAUNCH),
    Case("open up voice privacy", LAUNCH),
    Case("open the voice privacy skill", LAUNCH),
    Case("start voice privacy please", LAUNCH),
    # --- out of domain: must fall back -------------------------------------------------------
    Case("what's the weather", FALLBACK),
    Case("play some music", FALLBACK),
    Case("set a timer for ten minutes", FALLBACK),
    Case("order more paper towels", FALLBACK),
    Case("tell me a joke", FALLBACK),
    Case("what time is it", FALLBACK),
    Case("turn off the lights", FALLBACK),
    Case("add milk to my shopping list", FALLBACK),
    Case("delete my shopping list", FALLBACK),
    Case("what's on my calendar for tomorrow", FALLBACK),
    Case("remind me to take out the trash tonight", FALLBACK),
    Case("how tall is the eiffel tower", FALLBACK),
    Case("how are you", FALLBACK),
    Case("turn up the volume", FALLBACK),
    Case("who won the game last night", FALLBACK),
    Case("call mom", FALLBACK),
    Case("set an alarm for seven tomorrow", FALLBACK),
    Case("delete the alarm", FALLBACK),
    Case("what is the capital of france", FALLBACK),
    Case("buy more cat food", FALLBACK),
    Case("set a reminder for tomorrow", FALLBACK),
    Case("what's the news today", FALLBACK),
    Case("delete my reminders", FALLBACK),
    Case("stop the timer", FALLBACK),
    Case("turn on the living room lights", FALLBACK),
    Case("how old are you", FALLBACK),
    Case("play my favorite playlist", FALLBACK),
    Case("what's my schedule this week", FALLBACK),
    Case("delete the last song from the playlist", FALLBACK),
    Case("record a voice memo", FALLBACK),
    Case("who are you", FALLBACK),
    Case("play my recordings", FALLBACK),
    Case("what did i say yesterday", FALLBACK),
    Case("delete my account", FALLBACK),
    Case("what's the temperature outside", FALLBACK),
    Case("play the radio", FALLBACK),
    Case("read me the news", FALLBACK),
    Case("stop the alarm", FALLBACK),
    Case("delete my voicemail", FALLBACK),
    Case("how many steps did i walk today", FALLBACK),
)

# Wrong answers that would do harm: the NLU may fall back, but must not pick these intents.
# For a privacy product a wrong grant or deletion is worse than not understanding: a complaint
# ("people are listening to my recordings") or a negation ("i didn't mean to delete that") must
# never grant consent or delete, and "i don't want to stop ..." must never stop it.
GRANTS = frozenset({ALLOW_REVIEW})
DELETES = frozenset({DELETE, LAST, ALL})
MUST_NOT: tuple[tuple[str, frozenset[str]], ...] = (
    ("i want human review", frozenset({STOP_REVIEW})),
    ("do not stop human review", frozenset({STOP_REVIEW})),
    ("human review", frozenset({STOP_REVIEW, ALLOW_REVIEW})),
    ("tell me about human review", frozenset({STOP_REVIEW, ALLOW_REVIEW})),
    ("don't delete my recordings", frozenset({DELETE, LAST, ALL, STOP_REVIEW})),
    ("never delete my recordings", DELETES),
    ("keep my recordings", frozenset({DELETE, LAST, ALL, STOP_REVIEW})),
    ("how do i delete my recordings", frozenset({WHAT, DELETE, LAST, ALL})),
    ("delete my first recording", frozenset({DELETE})),
    ("may i ask something", frozenset({DELETE})),
    # complaints and statements are not consent
    ("people are listening to my recordings", GRANTS),
    ("humans are listening to my recordings", GRANTS),
    ("people are reviewing my recordings", GRANTS),
    ("people listen to my recordings", GRANTS),
    ("reviewers listen to my recordings", GRANTS),
    ("humans review my recordings", GRANTS),
    ("you let people listen to my recordings", GRANTS),
    ("you let humans listen to my recordings", GRANTS),
    ("human review is enabled", GRANTS),
    # negated consent is not consent
    ("i'm not fine with human review", GRANTS),
    ("it's not fine for people to listen", GRANTS),
    ("i'm not okay with people listening to my recordings", GRANTS),
    ("i never agreed to human review", GRANTS),
    ("i don't consent to human review", GRANTS),
    ("don't turn human review back on", GRANTS),
    ("don't enable human review", GRANTS),
    ("i didn't mean to allow human review", GRANTS),
    # not deleting is not deleting
    ("i didn't mean to delete that", DELETES),
    ("i didn't mean to delete my recordings", DELETES),
    ("i never meant to delete that", DELETES),
    ("i didn't mean that", DELETES),
    ("i don't want to delete my recordings", DELETES | {STOP_REVIEW}),
    ("i don't want to delete that", DELETES),
    ("don't forget what i said yesterday", DELETES),
    ("don't erase what i said today", DELETES),
    ("you deleted my recordings", DELETES),
    # not stopping is not stopping
    ("i don't want to stop human review", frozenset({STOP_REVIEW})),
    ("don't turn off human review", frozenset({STOP_REVIEW})),
    ("i want to keep human review on", frozenset({STOP_REVIEW})),
)


@pytest.fixture(scope="module")
def en_us() -> Nlu:
    return Nlu.for_locale("en-US")


def _sample_patterns(nlu: Nlu) -> list[re.Pattern[str]]:
    """Each sample of the model as a pattern over normalised text, its slot (the model's slots
    are all AMAZON.DATE) a group."""
    patterns = []
    for intent in nlu.model["languageModel"]["intents"]:
        for sample in intent.get("samples", []):
            tokens: list[str] = []
            for part in re.findall(r"\{[^{}]*\}|[^{}]+", str(sample)):
                if part.startswith("{"):
                    tokens.append(r"(.+)")
                else:
                    tokens += map(re.escape, normalise(part).split())
            patterns.append(re.compile(" ".join(tokens)))
    return patterns


def _is_a_sample(text: str, patterns: list[re.Pattern[str]]) -> str | None:
    """The sample ``text`` is, word for word, with a date in its slot; None when it is none."""
    for pattern in patterns:
        found = pattern.fullmatch(text)
        if found is not None and all(to_amazon_date(value, TODAY) for value in found.groups()):
            return pattern.pattern
    return None


def test_the_list_is_held_out(en_us: Nlu) -> None:
    patterns = _sample_patterns(en_us)
    assert _is_a_sample("delete my recordings from last monday", patterns)
    assert _is_a_sample("delete everything i've ever said", patterns)
    assert len(HELD_OUT) >= 80
    assert len({case.utterance for case in HELD_OUT}) == len(HELD_OUT)
    custom = {DELETE, LAST, ALL, STOP_REVIEW, ALLOW_REVIEW, WHAT}
    assert custom <= {case.intent for case in HELD_OUT}
    for case in HELD_OUT:
        sample = _is_a_sample(normalise(case.utterance), patterns)
        assert sample is None, f"{case.utterance!r} is a sample ({sample!r}), not a paraphrase"


@pytest.mark.parametrize("case", HELD_OUT, ids=[case.utterance for case in HELD_OUT])
def test_paraphrase_resolves(en_us: Nlu, case: Case) -> None:
    result = en_us.parse(case.utterance, TODAY)
    if case.intent == LAUNCH:
        assert (result.request_type, result.intent) == (LAUNCH, None)
        return
    assert (result.request_type, result.intent) == ("IntentRequest", case.intent)
    if case.intent == DELETE:
        assert result.slots == {"date": case.date, "scope": None}


@pytest.mark.parametrize(("utterance", "wrong"), MUST_NOT, ids=[u for u, _ in MUST_NOT])
def test_no_harmful_guess(en_us: Nlu, utterance: str, wrong: frozenset[str]) -> None:
    assert en_us.parse(utterance, TODAY).intent not in wrong


@pytest.mark.parametrize(
    "utterance", ["people are listening to my recordings", "humans are listening to my recordings"]
)
def test_a_complaint_about_listening_is_answered_not_granted(en_us: Nlu, utterance: str) -> None:
    assert en_us.parse(utterance, TODAY).intent in (WHAT, FALLBACK)


def test_accuracy_is_total(en_us: Nlu) -> None:
    """The figure reported for the list: every paraphrase resolves as expected."""
    right = 0
    for case in HELD_OUT:
        result = en_us.parse(case.utterance, TODAY)
        got = result.request_type if case.intent == LAUNCH else result.intent
        right += got == case.intent and result.slots.get("date") == case.date
    assert right / len(HELD_OUT) == 1.0
