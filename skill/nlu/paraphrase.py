"""Paraphrase stage of the NLU: an utterance no sample matches word for word, compared with each
sample as a bag of weighted words.

Stop words do not count, question words and the like count half, contractions are spelled out,
inflections folded ("reviewed" = "review"), and a word counts less the more intents use it
(inverse document frequency). Words the model uses interchangeably are synonyms: two samples of
an intent that differ in one word ("delete/erase what i said {date}") teach it; another intent's
synonyms count half. A spoken value anywhere in the utterance fills a slot of its type.

A sample is a candidate only if the utterance says its first content word (what it is about:
"stop ...") and agrees with it on negation ("don't ...", the negated word marked) and on being a
question ("do you ..."); it matches when it covers enough of the utterance and the utterance
enough of it (recall and F-measure thresholds). A content word no sample uses means the
utterance is not for this skill, and two intents about equally near is a guess it does not make.

What an utterance negates, the sample must negate too: "i don't want to stop human review" is
no way to stop it, whatever else it shares with "i don't want people listening". A negation
reaches through "to" after verbs such as "want" and "mean" ("i didn't mean to delete that"
negates deleting). For a privacy skill not understanding is safer than granting or deleting.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from skill.nlu.exact import Match
from skill.nlu.model import Sample, SlotRef
from skill.nlu.slots import SlotTypes, Spotter
from skill.nlu.text import (
    NEGATED,
    OWNERS,
    STOP_WORDS,
    WordKind,
    classify,
    is_content,
    is_question,
    spell_out,
    strip_fillers,
)

__all__ = ["ParaphraseIndex"]

_MAX_SPAN = 7  # words in a spoken slot value ("the twenty fifth of november twenty twenty five")
# A paraphrase must cover this share of its sample's weight (recall), and the F-measure of that
# and the share of the utterance the sample explains (precision) must reach _MIN_SCORE.
_MIN_RECALL = 0.6
_MIN_SCORE = 0.65
# A word the sample lacks but its intent uses in other samples is this much explained.
_ELSEWHERE_CREDIT = 0.5
# A synonym learned from another intent's samples counts this much.
_BORROWED = 0.5
# The best samples of two intents this close are a guess between them: better not understood.
_AMBIGUOUS = 0.05
# Negated, these verbs pass the negation on to the verb after "to": "i didn't mean to delete
# that" does not ask to delete (but "i don't agree to human review" is about human review).
_REACH_THROUGH_TO = frozenset(
    classify(verb)[0] for verb in ("want", "mean", "need", "intend", "plan", "try", "wish", "like")
)


@dataclass(frozen=True, slots=True)
class _Read:
    """A word as the paraphrase stage reads it."""

    word: str
    """Canonical form: folded, "!" before a negated word, ``{name}`` for a slot."""
    weight: float
    """Weight by kind, before specificity; 0.0 for a stop word."""
    kind: WordKind
    """What sort of word it is."""


@dataclass(frozen=True, slots=True)
class _Unit:
    """One word of a sample, for matching paraphrases."""

    word: str
    """The canonical word (``{name}`` for a slot)."""
    weight: float
    """How much it counts: less for function words and for words many intents use."""
    key: bool
    """Whether it is a content word or particle (what a sample's head must be)."""
    own: frozenset[str]
    """``word`` and the words its intent uses interchangeably with it."""
    alternatives: tuple[tuple[str, float], ...]
    """Other words that stand for it, with how much they count: the intent's synonyms, then
    those other intents use, in a fixed order."""

    @property
    def spellings(self) -> frozenset[str]:
        """``word`` and every word that stands for it."""
        return frozenset((self.word, *(word for word, _ in self.alternatives)))


@dataclass(frozen=True, eq=False, slots=True)
class _Profile:
    """A sample as a bag of weighted words, for matching paraphrases."""

    sample: Sample
    """The sample it was made from."""
    units: tuple[_Unit, ...]
    """Its words, stop words left out, each once."""
    total: float
    """The sum of their weights."""
    slots: tuple[str, ...]
    """The sample's slots, in order."""
    head: frozenset[str] | None
    """The spellings of its first key word, what it is about ("stop ...", "delete ..."): a
    paraphrase must say one."""
    negated: bool
    """Whether the sample says "not" (or "don't", "no", ...); a paraphrase must agree."""
    question: bool
    """Whether the sample is a question; a paraphrase must agree."""

    @property
    def shape(self) -> Hashable:
        """What scoring depends on: two samples of an intent with one shape match alike."""
        units = frozenset(
            (unit.weight, unit.key, frozenset(((unit.word, 1.0), *unit.alternatives)))
            for unit in self.units
        )
        return (self.sample.intent, units, self.slots, self.negated, self.question)


@dataclass(frozen=True, slots=True)
class _Said:
    """An utterance prepared for matching paraphrases."""

    units: dict[str, float]
    """Canonical word -> weight, stop words left out."""
    total: float
    """The sum of the weights."""
    by_position: list[str | None]
    """The canonical word at each position of the words said (None for a stop word)."""
    spans: dict[str, tuple[int, int, str]]
    """Slot type -> (start, end, value) of the longest run of words that is such a value."""
    strange: frozenset[str]
    """Slot types whose run has a word no sample uses (only that type's run): a sample must
    take the word as a value of that type."""
    strange_either: tuple[frozenset[str], ...]
    """For a word no sample uses that lies in the runs of several types ("ten" in "ten
    seconds", a number and a duration): the types, one of which a sample must take."""
    negated: bool
    """Whether it says "not" (or "don't", "no", ...)."""
    negations: frozenset[str]
    """The words it negates ("!stop"), but for verbs the negation reaches through ("i don't
    want to stop ..." negates stopping): a sample must say each, negated, to match it."""
    question: bool
    """Whether it is a question."""


class ParaphraseIndex:
    """Samples as weighted bags of words, and the words the model uses interchangeably."""

    def __init__(
        self,
        samples: Sequence[Sample],
        intent_slots: Mapping[str, Mapping[str, str]],
        slot_types: SlotTypes,
    ) -> None:
        self._intent_slots = intent_slots
        self._words: dict[str, tuple[str | None, float, WordKind]] = {}
        # Slot type -> how to find its values anywhere in an utterance.
        self._spotters: dict[str, Spotter] = {}
        for slot_type in sorted({t for slots in intent_slots.values() for t in slots.values()}):
            spotter = slot_types.spotter(slot_type)
            if spotter is not None:
                self._spotters[slot_type] = spotter
        spelled = [_sample_words(sample) for sample in samples]
        read = [self._read(words) for words in spelled]
        users: dict[str, set[str]] = defaultdict(set)
        for sample, reading in zip(samples, read, strict=True):
            for word in reading:
                users[word.word].add(sample.intent)
        self._vocabulary = frozenset(word.lstrip("!") for word in users)
        # Words fewer intents use say more about which one is meant (inverse document frequency).
        count = len({sample.intent for sample in samples})
        self._specificity = {
            word: math.log1p(count / len(intents)) / math.log1p(count)
            for word, intents in users.items()
        }
        synonyms = _learn_synonyms(
            (sample.intent, [word.word for word in words])
            for sample, words in zip(samples, read, strict=True)
        )
        self._intent_words: dict[str, set[str]] = defaultdict(set)
        # Candidates by (negated, question) and head word, so most samples are never scored.
        self._by_head: dict[tuple[bool, bool], dict[str, list[_Profile]]] = defaultdict(dict)
        self._headless: dict[tuple[bool, bool], list[_Profile]] = defaultdict(list)
        seen: set[Hashable] = set()
        for sample, spelling, reading in zip(samples, spelled, read, strict=True):
            profile = self._profile(sample, spelling, reading, synonyms)
            self._intent_words[sample.intent].update(w for u in profile.units for w in u.own)
            if profile.shape in seen:
                continue  # "erase what i said" matches whatever "delete what i said" does
            seen.add(profile.shape)
            mood = (profile.negated, profile.question)
            if profile.head is None:
                self._headless[mood].append(profile)
                continue
            for head in profile.head:
                self._by_head[mood].setdefault(head, []).append(profile)

    def best(self, words: Sequence[str], today: date) -> Match | None:
        """The sample ``words`` paraphrase best; None when none is near enough, or when the
        best samples of two intents are about as near."""
        said = self._prepare(spell_out(words), today)
        if said is None:
            return None
        mood = (said.negated, said.question)
        heads = self._by_head.get(mood, {})
        candidates = {p for word in said.units for p in heads.get(word, ())}
        candidates.update(self._headless.get(mood, ()))
        by_intent: dict[str, Match] = {}
        for profile in candidates:
            found = self._score(profile, said)
            if found is not None:
                held = by_intent.get(found.sample.intent)
                if held is None or found.rank > held.rank:
                    by_intent[found.sample.intent] = found
        ranked = sorted(by_intent.values(), key=lambda match: match.rank, reverse=True)
        if not ranked or (len(ranked) > 1 and ranked[0].score - ranked[1].score < _AMBIGUOUS):
            return None
        return ranked[0]

    def _prepare(self, words: list[str], today: date) -> _Said | None:
        if not words:
            return None
        spans = {
            slot_type: span
            for slot_type, spotter in self._spotters.items()
            if (span := _longest_span(words, today, spotter)) is not None
        }
        units: dict[str, float] = {}
        by_position: list[str | None] = []
        strange: set[str] = set()
        strange_either: set[frozenset[str]] = set()
        for at, read in enumerate(self._read(words, keep_stop_words=True)):
            by_position.append(read.word if read.weight else None)
            if not read.weight:
                continue
            if read.kind == "content" and read.word.lstrip("!") not in self._vocabulary:
                within = frozenset(t for t, (start, end, _) in spans.items() if start <= at < end)
                if not within:
                    return None  # a word this skill never hears: not for us
                if len(within) == 1:
                    strange |= within
                else:
                    strange_either.add(within)
            weight = self._weigh(read.word, read.weight)
            units[read.word] = max(weight, units.get(read.word, 0.0))
        if not units:
            return None  # nothing but stop words
        return _Said(
            units=units,
            total=sum(units.values()),
            by_position=by_position,
            spans=spans,
            strange=frozenset(strange),
            strange_either=tuple(strange_either),
            negated=NEGATED in units,
            negations=_negations(units) if NEGATED in units else frozenset(),
            question=is_question(words),
        )

    def _score(self, profile: _Profile, said: _Said) -> Match | None:
        units, total = said.units, said.total
        values: dict[str, str] = {}
        if profile.slots:
            units = dict(units)
            slot_types = self._intent_slots.get(profile.sample.intent, {})
            taken: set[str] = set()
            for slot in profile.slots:
                slot_type = slot_types.get(slot, "")
                span = said.spans.get(slot_type)
                if span is None or slot_type in taken:
                    continue  # no value said, or it already fills another slot
                taken.add(slot_type)
                start, end, values[slot] = span
                for word in said.by_position[start:end]:
                    total -= units.pop(word or "", 0.0)
                units["{" + slot + "}"] = 1.0
                total += 1.0
            if not said.strange <= taken or (
                said.strange_either and any(t.isdisjoint(taken) for t in said.strange_either)
            ):
                return None
        elif said.strange or said.strange_either:
            return None  # "yesterday" said, but this sample has no date slot
        if profile.head is not None and profile.head.isdisjoint(units):
            return None  # not about the same thing ("yes" among them: the word stands for one)
        matched, explained, said_weight = _overlap(profile, units)
        if said.negated and not said.negations <= explained:
            return None  # "i don't want to stop human review" is no way to stop it
        elsewhere = self._intent_words[profile.sample.intent]
        credit = sum(
            weight * _ELSEWHERE_CREDIT
            for word, weight in units.items()
            if word not in explained and word in elsewhere
        )
        recall = matched / profile.total
        precision = min(1.0, (said_weight + credit) / total)
        if recall < _MIN_RECALL or not precision:
            return None
        score = 2 * recall * precision / (recall + precision)
        return Match(profile.sample, values, round(score, 4)) if score >= _MIN_SCORE else None

    def _profile(
        self,
        sample: Sample,
        words: Sequence[str | SlotRef],
        read: Sequence[_Read],
        synonyms: Mapping[str, Mapping[str, frozenset[str]]],
    ) -> _Profile:
        units: dict[str, _Unit] = {}
        own_classes = synonyms.get(sample.intent, {})
        for word in read:
            if word.word in units:
                continue
            own = _class_of(word.word, own_classes)
            borrowed: frozenset[str] = frozenset()
            if not sample.intent.startswith("AMAZON."):  # built-ins: their phrasings only
                borrowed = frozenset().union(*(_class_of(word.word, c) for c in synonyms.values()))
            alternatives = (
                *((same, 1.0) for same in sorted(own - {word.word})),
                *((same, _BORROWED) for same in sorted(borrowed - own)),
            )
            weight = self._weigh(word.word, word.weight)
            key = word.kind in ("content", "particle")
            units[word.word] = _Unit(word.word, weight, key, own, alternatives)
        return _Profile(
            sample=sample,
            units=tuple(units.values()),
            total=sum(unit.weight for unit in units.values()),
            slots=tuple(w.name for w in words if isinstance(w, SlotRef)),
            head=next((unit.spellings for unit in units.values() if unit.key), None),
            negated=NEGATED in units,
            question=is_question(words),
        )

    def _read(self, words: Sequence[str | SlotRef], keep_stop_words: bool = False) -> list[_Read]:
        """The words that count, canonical, the words a negator governs marked ("don't keep
        that" -> not, !keep, that; "didn't mean to delete it" -> do, not, !mean, !delet: through
        "to" after a verb such as "want"); with ``keep_stop_words``, one entry for each word."""
        out: list[_Read] = []
        negating = governed = False
        for word in words:
            if isinstance(word, SlotRef):
                out.append(_Read("{" + word.name + "}", 1.0, "slot"))
                governed = False
                continue
            negating = negating or (governed and word == "to")  # "don't want to delete"
            governed = False
            unit, weight, kind = self._word(word)
            if unit is None:
                if keep_stop_words:
                    out.append(_Read(word, 0.0, "stop"))
                continue
            if negating and kind in ("content", "particle"):
                unit, negating, governed = "!" + unit, False, unit in _REACH_THROUGH_TO
            negating = negating or kind == "negator"
            out.append(_Read(unit, weight, kind))
        return out

    def _weigh(self, unit: str, weight: float) -> float:
        return weight * self._specificity.get(unit, 1.0)

    def _word(self, word: str) -> tuple[str | None, float, WordKind]:
        """A word's canonical form (None for a stop word), weight and kind; cached."""
        known = self._words.get(word)
        if known is None:
            known = self._words[word] = classify(word)
        return known


def _negations(units: Iterable[str]) -> frozenset[str]:
    """The negated words of ``units``, but for verbs the negation reaches through."""
    return frozenset(w for w in units if w[0] == "!" and w[1:] not in _REACH_THROUGH_TO)


def _overlap(profile: _Profile, units: Mapping[str, float]) -> tuple[float, set[str], float]:
    """The weight of the sample's words the utterance says, each said word standing for one
    (the same word first, then synonyms); the said words used, and their weight."""
    matched, said, explained = 0.0, 0.0, set()
    pending: list[_Unit] = []
    for unit in profile.units:
        weight = units.get(unit.word)
        if weight is not None:
            matched += unit.weight
            said += weight
            explained.add(unit.word)
        elif unit.alternatives:
            pending.append(unit)
    for unit in pending:
        for word, share in unit.alternatives:
            if word in units and word not in explained:
                matched += unit.weight * share
                said += units[word]
                explained.add(word)
                break
    return matched, explained, said


def _sample_words(sample: Sample) -> list[str | SlotRef]:
    """The sample's words as the paraphrase stage reads them: politeness around it dropped as
    from an utterance ("i want to opt out of ..." -> "opt out of ..."), contractions spelled
    out, slots in place."""
    text = " ".join(p if isinstance(p, str) else "{" + p.name + "}" for p in sample.parts)
    slots = {p.name: p for p in sample.parts if isinstance(p, SlotRef)}
    out: list[str | SlotRef] = []
    run: list[str] = []
    for token in (*strip_fillers(text).split(), None):
        if token is not None and not token.startswith("{"):
            run.append(token)
            continue
        out += spell_out(run)
        run = []
        if token is not None:
            out.append(slots[token[1:-1]])
    return out


def _learn_synonyms(
    sequences: Iterable[tuple[str, list[str]]],
) -> dict[str, dict[str, frozenset[str]]]:
    """Words each custom intent uses interchangeably: two of its samples that differ in a single
    content word ("delete what i said {date}", "erase what i said {date}") make those words
    synonyms. Returns intent -> word -> its class, itself included. Classes are not merged
    across intents: each intent's own synonyms count in full, another intent's count less."""
    by_shape: dict[tuple[str, int], list[list[str]]] = defaultdict(list)
    for intent, words in sequences:
        if len(words) >= 2 and not intent.startswith("AMAZON."):
            by_shape[(intent, len(words))].append(words)
    classes: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for (intent, _), group in by_shape.items():
        same = classes[intent]
        for i, first in enumerate(group):
            for second in group[i + 1 :]:
                differ = [(a, b) for a, b in zip(first, second, strict=True) if a != b]
                if len(differ) == 1 and all(is_content(word) for word in differ[0]):
                    merged = same.get(differ[0][0], {differ[0][0]})
                    merged |= same.get(differ[0][1], {differ[0][1]})
                    for word in merged:
                        same[word] = merged
    return {
        intent: {word: frozenset(alike) for word, alike in same.items()}
        for intent, same in classes.items()
    }


def _class_of(word: str, classes: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """``word``'s class; a negated word's is its plain class negated ("!let" ~ "!want")."""
    same = classes.get(word, frozenset()) | {word}
    if word.startswith("!"):
        same |= {"!" + plain for plain in classes.get(word[1:], ())}
    return same


def _longest_span(
    words: Sequence[str], today: date, spotter: Spotter
) -> tuple[int, int, str] | None:
    """(start, end, value) of the longest run of ``words`` that converts (the last of equally
    long runs), or None. Runs the spotter rules out are not tried."""
    could_be, convert, after_owner = spotter.could_be, spotter.convert, spotter.after_owner
    if not could_be(words):
        return None
    for length in range(min(_MAX_SPAN, len(words)), 0, -1):
        for start in range(len(words) - length, -1, -1):
            if start and not after_owner and words[start - 1] in OWNERS:
                continue
            if length == 1 and words[start] in STOP_WORDS:
                continue  # "may i ..." is not about May
            run = words[start : start + length]
            if could_be(run) and (value := convert(" ".join(run), today)) is not None:
                return start, start + length, value
    return None
