"""Understanding the kinds of requests a first held-out list missed, and a fresh list.

The misses of an earlier measurement (150 utterances written by someone who had not read the
samples) all went to FallbackIntent, and fell into kinds: other deletion verbs (scrub, purge,
wipe, get rid of), bare objects ("delete everything"), synonyms of "last" (latest, previous,
most recent), requests phrased as goals ("i want all my recordings gone"), human review named by
who listens (employees, staff, contractors) or by a wish ("keep people from hearing"), and data
questions in other words ("what information have you collected").

``KINDS`` covers those kinds and was used while broadening the model, so it must resolve in
full. ``FRESH`` was written afterwards, in one go, and not tuned on: it has a floor and may fall
back, but must never pick another intent. ``NEAR_MISSES`` (alarms, music, reminders, lists,
lights, weather, ...) borrow the skill's words and must all fall back.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import pytest

from skill.nlu import Nlu

TODAY = date(2026, 11, 26)  # a Thursday, ISO week 2026-W48

DELETE = "DeleteRecordingsIntent"
LAST = "DeleteLastRecordingIntent"
ALL = "DeleteAllRecordingsIntent"
STOP_REVIEW = "StopHumanReviewIntent"
ALLOW_REVIEW = "AllowHumanReviewIntent"
WHAT = "WhatDataIntent"
FALLBACK = "AMAZON.FallbackIntent"


class Case(NamedTuple):
    utterance: str
    intent: str
    date: str | None = None


KINDS: tuple[Case, ...] = (
    Case('scrub what i said today', DELETE),
    Case('purge everything i said yesterday', DELETE),
    Case('scrub my recordings from last week', DELETE),
    Case('wipe out what i told you on monday', DELETE),
    Case('purge my voice history from this month', DELETE),
    Case('trash what i said today', DELETE),
    Case('get rid of everything from yesterday', DELETE),
    Case('clear out what you recorded today', DELETE),
    Case('destroy my recordings from last week', DELETE),
    Case('delete everything', ALL),
    Case('wipe everything', ALL),
    Case('erase it all', ALL),
    Case('delete all of it', ALL),
    Case('purge everything', ALL),
    Case('scrub everything', ALL),
    Case('get rid of everything', ALL),
    Case('clear everything', ALL),
    Case('remove everything', ALL),
    Case('delete it all', ALL),
    Case('purge all my recordings', ALL),
    Case('scrub all of my voice data', ALL),
    Case('wipe all recordings', ALL),
    Case('trash all my recordings', ALL),
    Case('delete my latest recording', LAST),
    Case('erase the previous recording', LAST),
    Case('remove my most recent recording', LAST),
    Case('scrub my latest command', LAST),
    Case('delete the newest recording', LAST),
    Case('purge my last recording', LAST),
    Case('wipe the previous request', LAST),
    Case('get rid of the latest thing i said', LAST),
    Case('delete my previous request', LAST),
    Case('erase the last one', LAST),
    Case('scrub that', LAST),
    Case('i want all my recordings gone', ALL),
    Case("i'd like all my voice data erased", ALL),
    Case('i want everything i said gone', ALL),
    Case('i want my voice history wiped', ALL),
    Case('i want what i said today gone', DELETE),
    Case("i'd like yesterday's recordings deleted", DELETE),
    Case('i want that gone', LAST),
    Case('i want my last recording gone', LAST),
    Case('stop employees from listening to my recordings', STOP_REVIEW),
    Case("i don't want employees listening to my recordings", STOP_REVIEW),
    Case("don't let staff listen to my recordings", STOP_REVIEW),
    Case('stop contractors from hearing my voice', STOP_REVIEW),
    Case('no contractors should listen to my recordings', STOP_REVIEW),
    Case('keep people from hearing my recordings', STOP_REVIEW),
    Case('keep reviewers from listening to my recordings', STOP_REVIEW),
    Case('i want my recordings kept private', STOP_REVIEW),
    Case('make sure nobody listens to my recordings', STOP_REVIEW),
    Case("don't let amazon employees listen", STOP_REVIEW),
    Case('stop workers listening to my voice', STOP_REVIEW),
    Case("i don't want strangers hearing my recordings", STOP_REVIEW),
    Case('stop your staff from listening', STOP_REVIEW),
    Case('no employees listening please', STOP_REVIEW),
    Case('employees can listen to my recordings', ALLOW_REVIEW),
    Case("it's fine if staff review my recordings", ALLOW_REVIEW),
    Case('let contractors listen to my recordings', ALLOW_REVIEW),
    Case("i'm ok with employees reviewing my recordings", ALLOW_REVIEW),
    Case('allow staff to listen again', ALLOW_REVIEW),
    Case('what information have you collected', WHAT),
    Case('what have you collected about me', WHAT),
    Case('what information do you have on me', WHAT),
    Case('what have you gathered about me', WHAT),
    Case('what personal data do you hold', WHAT),
    Case('what do you have stored', WHAT),
    Case("tell me what you've saved", WHAT),
    Case('what data have you collected on me', WHAT),
    Case('how much data do you have about me', WHAT),
    Case('what info do you keep', WHAT),
    Case('which recordings do you keep', WHAT),
    Case('what do you retain', WHAT),
    Case('what have you stored about my voice', WHAT),
    Case('what details do you keep about me', WHAT),
)

FRESH: tuple[Case, ...] = (
    Case('please scrub everything i said on tuesday', DELETE, '2026-12-01'),
    Case('purge what you recorded yesterday', DELETE, '2026-11-25'),
    Case('could you wipe what i said this morning', DELETE),
    Case('get rid of my recordings from last month', DELETE, '2026-10'),
    Case('erase all recordings from yesterday', DELETE, '2026-11-25'),
    Case('clear out everything from last week', DELETE, '2026-W47'),
    Case('scrub my voice history for today', DELETE, '2026-11-26'),
    Case('remove what i told you last weekend', DELETE, '2026-W47-WE'),
    Case('wipe it all', ALL),
    Case('erase everything you have', ALL),
    Case('scrub it all', ALL),
    Case('get rid of it all', ALL),
    Case('purge every recording', ALL),
    Case('delete absolutely everything', ALL),
    Case('wipe every single recording', ALL),
    Case('i want every recording gone', ALL),
    Case("i'd like all of my recordings gone", ALL),
    Case('i want everything deleted', ALL),
    Case('i want all my data erased', ALL),
    Case('remove all of my voice history', ALL),
    Case('delete the latest one', LAST),
    Case('scrub my previous command', LAST),
    Case('erase my latest request', LAST),
    Case('remove the previous thing i said', LAST),
    Case('wipe my most recent recording', LAST),
    Case('forget my latest recording', LAST),
    Case('purge the last thing i said', LAST),
    Case('i want my latest recording gone', LAST),
    Case('get rid of my newest recording', LAST),
    Case('delete what i said a moment ago', LAST),
    Case('stop staff from hearing my recordings', STOP_REVIEW),
    Case("i don't want your employees listening to me", STOP_REVIEW),
    Case('no more contractors listening to my recordings', STOP_REVIEW),
    Case("don't let workers hear my recordings", STOP_REVIEW),
    Case('keep employees from listening to my recordings', STOP_REVIEW),
    Case("i don't want reviewers hearing my voice", STOP_REVIEW),
    Case('make sure no human listens to my recordings', STOP_REVIEW),
    Case('please keep my recordings private', STOP_REVIEW),
    Case('stop any employee from listening', STOP_REVIEW),
    Case("i don't want people at amazon listening to me", STOP_REVIEW),
    Case('let employees review my recordings', ALLOW_REVIEW),
    Case('staff may listen to my recordings', ALLOW_REVIEW),
    Case("i'm fine with contractors listening to my recordings", ALLOW_REVIEW),
    Case('allow contractors to review my recordings', ALLOW_REVIEW),
    Case('what have you collected', WHAT),
    Case('what information have you gathered', WHAT),
    Case('what data do you have stored', WHAT),
    Case('what information are you holding about me', WHAT),
    Case('what do you keep on me', WHAT),
    Case('what have you kept about me', WHAT),
    Case('which of my data do you keep', WHAT),
    Case('tell me what information you have', WHAT),
    Case('what do you collect when i speak', WHAT),
    Case('how much information have you collected', WHAT),
)

NEAR_MISSES: tuple[str, ...] = (
    'delete my alarm',
    'delete all my alarms',
    'wipe the alarm',
    'scrub the last alarm',
    'purge my reminders',
    'delete the reminder',
    'delete everything on my shopping list',
    'clear my shopping list',
    'remove milk from my list',
    'delete the last item on my list',
    'erase my to do list',
    'get rid of the grocery list',
    'wipe my calendar',
    'delete my calendar events',
    'delete my last email',
    'delete my last message',
    'erase my voicemails',
    'remove the last song',
    'delete this song',
    'skip this song',
    'stop the music',
    'play the previous song',
    'play my latest playlist',
    'turn off the kitchen lights',
    'turn on the lights',
    'dim the lights',
    "what's the weather like",
    'will it rain tomorrow',
    "what's the forecast",
    'set an alarm',
    'cancel my alarm',
    'snooze',
    'set a timer',
    'stop the timer',
    'remind me to call mom',
    'what are my reminders',
    'add eggs to my list',
    "what's on my list",
    'play some jazz',
    'play music',
    'pause',
    'resume the music',
    'next song',
    'volume up',
    'what time is it',
    'tell me a joke',
    'who is the president',
    'order paper towels',
    'what have you got in the fridge',
    "what's the news",
    'turn off the tv',
    'lock the front door',
    'what information is on the news',
    'stop listening to music',
    'i want my music louder',
    'i want the lights off',
    'keep the lights on',
    'employees of the month',
    'what data plans do you have',
    'delete my contacts',
    'erase the whiteboard',
    'clear the timer',
    'remove the alarm for tomorrow',
    'get rid of my subscription',
    'cancel my order',
    'what information do you have about the weather',
    'play my last recording',
    'what is my latest order',
    'when does the store close',
    'how much does it cost',
    'what is my balance',
    'stop recording the show',
    'record the game',
    'delete the recording of the game',
    'delete the show i recorded',
    'who can hear me in the kitchen',
    'is anyone home',
    'tell staff the meeting moved',
    'call my contractor',
    'what do employees earn',
    'send a message to my staff',
    'wipe the floor',
    'scrub the pan',
    'purge the cache',
    'scrub the bathtub',
    'purge the recycle bin',
    'wipe the table',
    'delete my browser history',
    'clear my search history',
    'erase the song i just added',
    'remove the last alarm',
    'delete the previous reminder',
    'cancel my latest order',
    "what's my latest order",
    'play the latest episode',
    'play the previous episode',
    'skip to the latest news',
    'what did the staff say',
    'call the contractor',
    'email my employees',
    'schedule a meeting with staff',
    'what information do you have about dinosaurs',
    'what data does the weather service collect',
    'collect my package',
    'what have you got for dinner ideas',
    'tell me about employees at amazon',
    'who are your workers',
    'i want pizza',
    'i want the heat turned up',
    'i want my coffee hot',
    "i'd like the volume lowered",
    'i want the lights dimmed',
    'make the lights brighter',
    'keep the music playing',
    'keep the door locked',
    'keep the lights on in the kitchen',
    'everything is fine',
    'delete the last text message',
    'wipe my phone',
    'clear the queue',
    'remove the item from my cart',
    'delete my amazon account',
    'erase the photos from today',
    'delete the photos i took yesterday',
    'scrub the video back',
    'purge old emails',
    'get rid of the spam',
    'what did i buy yesterday',
    'what did i order last week',
    'what happened yesterday',
    "what's the weather this weekend",
    'remind me about it tomorrow',
    'set a timer for five minutes',
    'stop all timers',
    'turn off all alarms',
    'is the oven on',
    'is anyone at the door',
    "who's listening to the radio",
    'turn off the radio',
    'play some rain sounds',
    'can you hear me',
    'are you listening',
    "what's my name",
    'what is my address',
    'what do you know about the moon',
    'keep talking',
    'stop talking',
    'repeat that',
    'say that again',
    'louder please',
    'good night',
    'thank you',
    'i love you',
)
# Known limits of a bag-of-words matcher: harmless (an answer about data, or help), reported in
# bench/README.md, and checked here never to delete or grant.
HARMLESS_ACCEPTS: tuple[str, ...] = (
    "what did you collect from the store",  # "store" the shop, read as "store" the verb
    "how many employees does amazon have",
    "what did you say",
)
DELETES_OR_GRANTS = frozenset({DELETE, LAST, ALL, ALLOW_REVIEW})



@pytest.fixture(scope="module")
def en_us() -> Nlu:
    return Nlu.for_locale("en-US")


def test_the_lists_are_large_and_distinct() -> None:
    assert len(KINDS) >= 70 and len(FRESH) >= 50 and len(NEAR_MISSES) >= 150
    utterances = [c.utterance for c in (*KINDS, *FRESH)] + list(NEAR_MISSES)
    assert len(set(utterances)) == len(utterances)


@pytest.mark.parametrize("case", KINDS, ids=[case.utterance for case in KINDS])
def test_the_kinds_of_misses_resolve(en_us: Nlu, case: Case) -> None:
    result = en_us.parse(case.utterance, TODAY)
    assert result.intent == case.intent
    if case.date is not None:
        assert result.slots["date"] == case.date


def test_the_fresh_list_has_a_floor_and_never_picks_another_intent(en_us: Nlu) -> None:
    right = 0
    for case in FRESH:
        result = en_us.parse(case.utterance, TODAY)
        ok = result.intent == case.intent and (
            case.date is None or result.slots.get("date") == case.date
        )
        right += ok
        assert ok or result.intent == FALLBACK, f"{case.utterance!r} -> {result.intent}"
    assert right / len(FRESH) >= 0.9


@pytest.mark.parametrize("utterance", NEAR_MISSES)
def test_near_misses_fall_back(en_us: Nlu, utterance: str) -> None:
    assert en_us.parse(utterance, TODAY).intent == FALLBACK


@pytest.mark.parametrize("utterance", HARMLESS_ACCEPTS)
def test_known_limits_never_delete_or_grant(en_us: Nlu, utterance: str) -> None:
    assert en_us.parse(utterance, TODAY).intent not in DELETES_OR_GRANTS
