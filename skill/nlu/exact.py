"""Exact stage of the NLU: an utterance matched word for word against the samples.

A sample's literal words must be said as they are; a slot reference captures one or more words
that must convert to a value of its slot type. The best match has the highest literal coverage
(the share of the utterance's words matched by literal words); ties go to the match with fewer
slots, then to the sample the model lists first. A capture of words its type does not know as a
value (a custom type takes any words) is a guess: of equally covering matches, the one with
fewer guesses wins ("order two espresso" is a number and a drink, not the drink "two espresso").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain

from skill.nlu.model import Sample, SlotRef

__all__ = ["ExactIndex", "Match", "match"]


@dataclass(frozen=True)
class Match:
    """A sample that matched the whole utterance."""

    sample: Sample
    """The matching sample."""
    values: dict[str, str]
    """Converted slot values by slot name."""
    score: float
    """Literal coverage (word for word) or weighted overlap (paraphrase)."""
    guesses: int = 0
    """How many captures are words their slot type does not know as a value."""

    @property
    def rank(self) -> tuple[float, int, int, int]:
        """Better matches rank higher: score, fewer guesses, fewer slots, model order."""
        return (self.score, -self.guesses, -len(self.values), -self.sample.order)


class ExactIndex:
    """Samples indexed so that an utterance is only tried against samples it could match."""

    def __init__(self, samples: Sequence[Sample]) -> None:
        self._whole: dict[str, Sample] = {}
        self._by_first_word: dict[str, list[Sample]] = defaultdict(list)
        self._slot_first: list[Sample] = []
        for sample in samples:
            if sample.literal_words == len(sample.parts):
                self._whole.setdefault(" ".join(map(str, sample.parts)), sample)
                continue
            first = sample.parts[0]
            if isinstance(first, str):
                self._by_first_word[first].append(sample)
            else:
                self._slot_first.append(sample)

    def best(self, words: Sequence[str], today: date) -> Match | None:
        """The best sample ``words`` match word for word, or None."""
        if not words:
            return None
        whole = self._whole.get(" ".join(words))
        if whole is not None:  # all words literal: nothing covers more
            return Match(whole, {}, 1.0)
        said = frozenset(words)
        best: Match | None = None
        for sample in chain(self._by_first_word.get(words[0], ()), self._slot_first):
            if sample.literal_words >= len(words) or not sample.literals <= said:
                continue
            found = match(sample, words, today)
            if found is not None and (best is None or found.rank > best.rank):
                best = found
        return best


def match(sample: Sample, words: Sequence[str], today: date) -> Match | None:
    """Match the whole of ``words`` against ``sample``: the first capture split with the fewest
    guesses wins."""
    if not words or sample.literal_words > len(words):
        return None
    captures = _captures(sample.parts, 0, words, 0, today)
    if not sample.open_slots:  # every value is validated: the first split is as good as any
        values = next(captures, None)
        return None if values is None else Match(sample, values, sample.literal_words / len(words))
    best: Match | None = None
    for values in captures:
        guesses = sum(values[slot.name] not in (slot.known or ()) for slot in sample.open_slots)
        if best is None or guesses < best.guesses:
            best = Match(sample, values, sample.literal_words / len(words), guesses)
            if not guesses:
                break
    return best


def _captures(
    parts: Sequence[str | SlotRef], part_at: int, words: Sequence[str], word_at: int, today: date
) -> Iterator[dict[str, str]]:
    if part_at == len(parts):
        if word_at == len(words):
            yield {}
        return
    part = parts[part_at]
    if isinstance(part, str):
        if word_at < len(words) and words[word_at] == part:
            yield from _captures(parts, part_at + 1, words, word_at + 1, today)
        return
    remaining_literals = sum(1 for p in parts[part_at + 1 :] if isinstance(p, str))
    for end in range(word_at + 1, len(words) - remaining_literals + 1):
        value = part.convert(" ".join(words[word_at:end]), today)
        if value is None:
            continue
        for rest in _captures(parts, part_at + 1, words, end, today):
            yield {part.name: value, **rest}
