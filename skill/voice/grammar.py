"""The speech grammar: every sentence the interaction model understands, as JSGF for pocketsphinx.

Built from the same compiled model the NLU uses (``skill.nlu.model``), so the words
the recogniser can hear are exactly the words the NLU can resolve:

- each sample utterance, its slots expanded into the phrases their types allow: AMAZON.DATE
  as spoken dates the NLU resolves (today, yesterday, the day before yesterday, this/last
  week, weekend, month and year, weekdays, months, seasons, "november twenty fifth", "the
  third", "twenty twenty five"; "on monday", "last monday", "in october" where the sample has
  no preposition of its own), AMAZON.NUMBER as zero to ninety-nine and a hundred,
  AMAZON.DURATION as a count and a unit, a custom type as its values and synonyms (numbers
  in them spoken: "18 months" is "eighteen months");
- the built-in intents the model declares, in the phrasings Alexa understands without samples,
  and yes and no, which Alexa understands while it asks for a confirmation;
- the invocation forms: "open voice privacy" (launch, start, talk to), "ask voice privacy
  [to] <command>", "tell voice privacy [to] <command>", each with an optional "alexa" first.

A sample whose slot type has no finite phrase list (AMAZON.SearchQuery, AMAZON.FirstName, a
custom type without values) cannot be said to a grammar recogniser: it is left out and reported
(``Grammar.skipped``), as is any phrase with a word no pronunciation exists for.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skill.nlu import CARDINALS, TENS, CompiledModel, Sample, SlotRef, compile_model
from skill.voice.phrases import (
    Alt,
    Expr,
    Opt,
    Ref,
    Seq,
    Words,
    alt,
    jsgf_body,
    rule_name,
    sample,
    seq,
    words_of,
)

__all__ = ["PRIORS", "TOP_RULE", "Grammar", "SkippedSample", "build_grammar"]

TOP_RULE = "utterance"
GRAMMAR_VERSION = "6"
PRIORS = {"today": 16.0, "yesterday": 16.0}
"""Words said far more often than the alternatives where they occur, weighted so in the FSG: the
dates people delete most. Without it, "today" in a noisy room is sometimes heard as "in may"."""
"""Changes whenever the sentences generated for the same model change (part of the cache key)."""

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_SEASONS = ("winter", "spring", "summer", "fall", "autumn")
_ORDINALS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
    "eighteenth", "nineteenth",
)  # fmt: skip
_UNITS = ("second", "minute", "hour", "day", "week", "month", "year")
_PREPOSITIONS = frozenset({"on", "in", "during", "for", "from", "since", "of", "at", "to"})
_LAUNCH_VERBS = ("open", "launch", "start", "talk to")
_ONE_SHOT_VERBS = ("ask", "tell")
_WAKE_WORD = "alexa"
TYPED_ONLY = {
    "LinkDashboardIntent": "a dashboard code has six digits, more than the numbers the offline "
    "grammar says (zero to a hundred); link it by typing (dialog, simulate) or on a device",
}
"""Intents the offline recogniser cannot carry out, left out of its grammar (and reported):
every hearing of them would be refused, and their sentences would only compete with the
commands it can hear."""


@dataclass(frozen=True)
class SkippedSample:
    """A sample utterance the grammar leaves out, and why."""

    intent: str
    """The intent it belongs to."""
    sample: str
    """The sample as the model writes it."""
    reason: str
    """Why it cannot be said to the recogniser."""


@dataclass
class Grammar:
    """The sentences the recogniser listens for, as named rules."""

    rules: dict[str, Expr] = field(default_factory=dict)
    """Rule name -> what it says. ``utterance`` is the top rule."""
    intent_rules: dict[str, str] = field(default_factory=dict)
    """Intent -> the rule holding its phrases."""
    invocation_name: str = ""
    """The invocation name, normalised."""
    skipped: list[SkippedSample] = field(default_factory=list)
    """Samples left out, with the reason."""

    def jsgf(self, name: str = "voice") -> str:
        """The grammar in JSGF; ``<utterance>`` is its one public rule."""
        lines = ["#JSGF V1.0;", "", f"grammar {name};", ""]
        for rule, expr in self.rules.items():
            public = "public " if rule == TOP_RULE else ""
            lines.append(f"{public}<{rule}> = {jsgf_body(expr)};")
        return "\n".join(lines) + "\n"

    def words(self) -> set[str]:
        """Every word the grammar can say."""
        return {word for expr in self.rules.values() for word in words_of(expr)}

    def sentence(self, rng: random.Random, intent: str | None = None) -> str:
        """A sentence the grammar accepts, at random: one of ``intent``'s when given."""
        rule = TOP_RULE if intent is None else self.intent_rules[intent]
        return sample(Ref(rule), self.rules, rng)


def build_grammar(
    model: Mapping[str, Any] | Path | CompiledModel,
    speakable: Callable[[str], bool] = lambda _word: True,
) -> Grammar:
    """The grammar of ``model``; phrases with a word ``speakable`` refuses are left out."""
    compiled = model if isinstance(model, CompiledModel) else compile_model(model)
    builder = _Builder(compiled, speakable)
    return builder.build()


class _Builder:
    def __init__(self, compiled: CompiledModel, speakable: Callable[[str], bool]) -> None:
        self.compiled = compiled
        self.speakable = speakable
        self.grammar = Grammar(invocation_name=compiled.invocation_name)

    def build(self) -> Grammar:
        by_intent: dict[str, list[Sample]] = {}
        for sample_ in self.compiled.samples:
            by_intent.setdefault(sample_.intent, []).append(sample_)
        for answer in self.compiled.yes_no:  # understood in a confirmation, declared or not
            if answer.intent not in self.compiled.intent_slots:
                by_intent.setdefault(answer.intent, []).append(answer)
        commands: list[Expr] = []
        built_ins: list[Expr] = []
        for intent, samples in by_intent.items():
            if intent in TYPED_ONLY:
                for left_out in samples:
                    self._skip(intent, left_out, TYPED_ONLY[intent])
                continue
            options = [self._sample(intent, s) for s in samples]
            kept = _unique(o for o in options if o is not None)
            if not kept:
                continue
            rule = "intent_" + rule_name(intent)
            self.grammar.rules[rule] = Alt(tuple(kept))
            self.grammar.intent_rules[intent] = rule
            (built_ins if intent.startswith("AMAZON.") else commands).append(Ref(rule))
        top: list[Expr] = []
        if commands:
            self.grammar.rules["command"] = Alt(tuple(commands))
            top.append(Ref("command"))
        top.extend(built_ins)
        top.extend(self._invocations(bool(commands)))
        self.grammar.rules[TOP_RULE] = seq(Opt(Words(_WAKE_WORD)), Alt(tuple(top)))
        return self.grammar

    # --- samples --------------------------------------------------------------------------

    def _sample(self, intent: str, sample_: Sample) -> Expr | None:
        parts: list[Expr] = []
        previous: str | None = None
        for part in sample_.parts:
            if isinstance(part, str):
                if not self.speakable(part):
                    self._skip(intent, sample_, f'no pronunciation for "{part}"')
                    return None
                parts.append(Words(part))
                previous = part
                continue
            slot_type = self.compiled.intent_slots.get(intent, {}).get(part.name, "")
            rule = self._slot_rule(slot_type, part, after_preposition=previous in _PREPOSITIONS)
            if rule is None:
                self._skip(intent, sample_, f"slot type {slot_type} has no phrase list")
                return None
            parts.append(Ref(rule))
            previous = None
        return _merge_words(parts)

    def _skip(self, intent: str, sample_: Sample, reason: str) -> None:
        text = " ".join(p if isinstance(p, str) else f"{{{p.name}}}" for p in sample_.parts)
        skipped = SkippedSample(intent, text, reason)
        if skipped not in self.grammar.skipped:
            self.grammar.skipped.append(skipped)

    def _slot_rule(self, slot_type: str, ref: SlotRef, after_preposition: bool) -> str | None:
        rules = self.grammar.rules
        if slot_type == "AMAZON.DATE":
            if "date" not in rules:
                rules.update(_date_rules())
            return "date" if after_preposition else "date_spoken"
        if slot_type in ("AMAZON.NUMBER", "AMAZON.DURATION"):
            if "number" not in rules:
                rules.update(_number_rules())
            return "number" if slot_type == "AMAZON.NUMBER" else "duration"
        name = "slot_" + rule_name(slot_type)
        if name not in rules:
            spoken = {_digits_spoken(v) for v in ref.known or ()}  # "18 months": eighteen ...
            values = sorted(v for v in spoken if all(map(self.speakable, v.split())))
            if not values:
                return None
            rules[name] = alt(*values)
        return name

    def _invocations(self, has_commands: bool) -> list[Expr]:
        name = self.compiled.invocation_name
        if not name or not all(map(self.speakable, name.split())):
            return []
        self.grammar.rules["invocation_name"] = seq(Opt(Words("the")), name)
        launch = seq(alt(*_LAUNCH_VERBS), Ref("invocation_name"))
        self.grammar.rules["launch"] = launch
        forms: list[Expr] = [Ref("launch")]
        if has_commands:
            one_shot = seq(alt(*_ONE_SHOT_VERBS), Ref("invocation_name"), Opt(Words("to")))
            self.grammar.rules["one_shot"] = seq(one_shot, Ref("command"))
            forms.append(Ref("one_shot"))
        return forms


# --- slot phrase rules ---------------------------------------------------------------------


def _date_rules() -> dict[str, Expr]:
    """Spoken dates the NLU resolves (``skill.nlu.spoken_dates``), past-leaning: a
    deletion never targets the future, so "tomorrow" and "next week" are not offered.

    ``date`` follows a preposition the sample has ("my recordings from {date}"); ``date_spoken``
    stands alone ("what i said {date}") and asks a weekday, month or season for a preposition or
    "this"/"last" before it: "what i said sunday" is rare, and leaving it out keeps noisy
    "today" from being heard as "sunday"."""
    twenty_to_ninth = [f"twenty {o}" for o in _ORDINALS[:9]]
    qualified = alt("this", "last")
    return {
        "weekday": alt(*_WEEKDAYS),
        "month": alt(*_MONTHS),
        "ordinal": alt(*_ORDINALS, "twentieth", *twenty_to_ninth, "thirtieth", "thirty first"),
        "season": alt(*_SEASONS),
        "year": seq("twenty twenty", Opt(alt(*list(CARDINALS)[1:10]))),
        "relative_date": alt(
            "today",
            "yesterday",
            "the day before yesterday",
            seq(alt("this", "last", "past"), alt("week", "weekend", "month", "year")),
        ),
        "day_phrase": alt(
            seq(Opt(qualified), Ref("weekday")),
            seq(Ref("month"), Opt(Words("the")), Ref("ordinal")),
            seq("the", Ref("ordinal"), Opt(seq("of", Ref("month")))),
        ),
        "period_phrase": alt(
            seq(Opt(qualified), Ref("month")), seq(Opt(qualified), Ref("season")), Ref("year")
        ),
        "date": alt(Ref("relative_date"), Ref("day_phrase"), Ref("period_phrase")),
        "date_spoken": alt(
            Ref("relative_date"),
            seq(qualified, alt(Ref("weekday"), Ref("month"), Ref("season"))),
            seq("on", Ref("day_phrase")),
            seq("in", Ref("period_phrase")),
        ),
    }


def _number_rules() -> dict[str, Expr]:
    ones = list(CARDINALS)[1:10]
    return {
        "number": alt(
            *CARDINALS,
            seq(alt(*TENS), Opt(alt(*ones))),
            seq(alt("a", "one"), "hundred"),
        ),
        "duration": seq(
            alt("a", "an", Ref("number")), alt(*_UNITS, *(f"{unit}s" for unit in _UNITS))
        ),
    }


# --- helpers -------------------------------------------------------------------------------

_ONES_WORDS = {n: word for word, n in CARDINALS.items()}
_TENS_WORDS = {n: word for word, n in TENS.items()}


def _digits_spoken(phrase: str) -> str:
    """``phrase`` with each whole number below 1,000 written as it is said: a slot value "18
    months" is heard as "eighteen months" (the NLU reads either)."""
    return " ".join(_number_words(int(w)) if w.isdigit() and int(w) < 1000 else w
                    for w in phrase.split())  # fmt: skip


def _number_words(number: int) -> str:
    if number < 20:
        return _ONES_WORDS[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return _TENS_WORDS[tens * 10] + (f" {_ONES_WORDS[ones]}" if ones else "")
    hundreds, rest = divmod(number, 100)
    head = f"{_ONES_WORDS[hundreds]} hundred"
    return head if not rest else f"{head} {_number_words(rest)}"


def _merge_words(parts: list[Expr]) -> Expr:
    """Runs of words joined into one ``Words``; a single part on its own."""
    merged: list[Expr] = []
    for part in parts:
        if isinstance(part, Words) and merged and isinstance(merged[-1], Words):
            merged[-1] = Words(f"{merged[-1].text} {part.text}")
        else:
            merged.append(part)
    return merged[0] if len(merged) == 1 else Seq(tuple(merged))


def _unique(options: Iterable[Expr]) -> list[Expr]:
    return list(dict.fromkeys(options))
