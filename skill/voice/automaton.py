"""The grammar compiled into a minimal word automaton, written in pocketsphinx's FSG format.

pocketsphinx can read the JSGF itself, but its converter copies a rule into every place that
refers to it: the en-US model's 33 samples ending in a date became 22 000 states and 145 000
transitions, and decoding ran at 0.7 x real time. The language is the same as a minimal
deterministic automaton of a few hundred states: samples share their beginnings ("delete what
i said ...") and their endings (every ``<date>``), and a state never has two arcs with one word,
so each state's words form one small lexical tree in the decoder. The automaton's size only
costs decoding time; it does not make any sentence less likely (``WordAutomaton.fsg``).

Steps: the expression tree becomes an automaton with empty moves (Thompson's construction),
subset construction makes it deterministic, and, the language being finite (no cycles), states
with the same future (final or not, and the same word arcs to the same states) are merged from
the last state backwards, which gives the minimal automaton. Every arc has probability 1 but
for a few favoured words; the FSG adds the empty sentence (see ``WordAutomaton.fsg``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from skill.voice.phrases import Expr, Opt, Ref, Seq, Words

__all__ = ["WordAutomaton", "compile_automaton"]


@dataclass
class WordAutomaton:
    """A deterministic automaton over words: state 0 starts, ``finals`` accept."""

    arcs: list[dict[str, int]] = field(default_factory=list)
    """State -> word -> next state."""
    finals: set[int] = field(default_factory=set)
    """The accepting states."""

    @property
    def states(self) -> int:
        """How many states there are."""
        return len(self.arcs)

    @property
    def transitions(self) -> int:
        """How many word arcs there are."""
        return sum(len(out) for out in self.arcs)

    def accepts(self, sentence: str) -> bool:
        """Whether ``sentence`` (words separated by spaces) is in the language."""
        state = 0
        for word in sentence.split():
            following = self.arcs[state].get(word)
            if following is None:
                return False
            state = following
        return state in self.finals

    def fsg(self, name: str, weights: Mapping[str, float] | None = None) -> str:
        """The automaton in pocketsphinx's FSG format. FSG has one final state: accepting
        states reach an extra state by an empty (null) transition. The start state reaches it
        too: saying nothing is a sentence, so that silence or noise decodes as nothing instead
        of the nearest short command ("bye", "yup").

        Arcs are not normalised: every arc has probability 1, so every sentence has the same
        prior however many other sentences the grammar has. Sharing a state's probability
        among its exits would make each sentence less likely with every intent added (a date
        among a hundred alternatives paid 1/100 for being one), which the decoder and the
        confidence then held against right sentences. The one exception is ``weights``: a
        word in it counts that many times against the other exits of a state where it occurs
        (a prior for what people say most), so its competitors there get ``1 / weight``."""
        weights = weights or {}
        final = self.states
        lines = [
            f"FSG_BEGIN {name}",
            f"NUM_STATES {self.states + 1}",
            "START_STATE 0",
            f"FINAL_STATE {final}",
            f"TRANSITION 0 {final} 1.0",
        ]
        for state, out in enumerate(self.arcs):
            top = max([weights.get(word, 1.0) for word in out] + [1.0])
            for word, following in sorted(out.items()):
                share = weights.get(word, 1.0) / top
                lines.append(f"TRANSITION {state} {following} {share:.6f} {word}")
            if state in self.finals and state != 0:
                lines.append(f"TRANSITION {state} {final} {1 / top:.6f}")
        lines.append("FSG_END")
        return "\n".join(lines) + "\n"

    def sentence_weight(self, sentence: str, weights: Mapping[str, float] | None = None) -> float:
        """The probability ``fsg`` gives ``sentence`` (0 when it is not in the language)."""
        weights = weights or {}
        state, probability = 0, 1.0
        for word in sentence.split():
            out = self.arcs[state]
            if word not in out:
                return 0.0
            top = max([weights.get(w, 1.0) for w in out] + [1.0])
            probability *= weights.get(word, 1.0) / top
            state = out[word]
        if state not in self.finals:
            return 0.0
        top = max([weights.get(w, 1.0) for w in self.arcs[state]] + [1.0])
        return probability / top if state != 0 else probability


def compile_automaton(top: Expr, rules: Mapping[str, Expr]) -> WordAutomaton:
    """The minimal deterministic automaton of the sentences ``top`` accepts."""
    nfa = _Nfa(rules)
    start, end = nfa.add(top)
    return _minimise(_determinise(nfa, start, end))


class _Nfa:
    """Thompson's construction: ``add`` returns an expression's entry and exit states."""

    def __init__(self, rules: Mapping[str, Expr]) -> None:
        self.rules = rules
        self.empty: list[list[int]] = []
        self.words: list[list[tuple[str, int]]] = []
        self._expanding: list[str] = []

    def state(self) -> int:
        self.empty.append([])
        self.words.append([])
        return len(self.empty) - 1

    def add(self, expr: Expr) -> tuple[int, int]:
        start = self.state()
        if isinstance(expr, Words):
            at = start
            for word in expr.text.split():
                following = self.state()
                self.words[at].append((word, following))
                at = following
            return start, at
        if isinstance(expr, Ref):
            if expr.rule in self._expanding:
                raise ValueError(f"grammar rule <{expr.rule}> refers to itself")
            self._expanding.append(expr.rule)
            inner = self.add(self.rules[expr.rule])
            self._expanding.pop()
            self.empty[start].append(inner[0])
            return start, inner[1]
        end = self.state()
        if isinstance(expr, Opt):
            first, last = self.add(expr.part)
            self.empty[start] += [first, end]
            self.empty[last].append(end)
        elif isinstance(expr, Seq):
            at = start
            for part in expr.parts:
                first, last = self.add(part)
                self.empty[at].append(first)
                at = last
            self.empty[at].append(end)
        else:
            for option in expr.options:
                first, last = self.add(option)
                self.empty[start].append(first)
                self.empty[last].append(end)
        return start, end

    def closure(self, states: frozenset[int]) -> frozenset[int]:
        seen = set(states)
        todo = list(states)
        while todo:
            for following in self.empty[todo.pop()]:
                if following not in seen:
                    seen.add(following)
                    todo.append(following)
        return frozenset(seen)


def _determinise(nfa: _Nfa, start: int, end: int) -> WordAutomaton:
    first = nfa.closure(frozenset([start]))
    index = {first: 0}
    dfa = WordAutomaton(arcs=[{}])
    todo = [first]
    while todo:
        subset = todo.pop()
        number = index[subset]
        if end in subset:
            dfa.finals.add(number)
        moves: dict[str, set[int]] = {}
        for state in subset:
            for word, following in nfa.words[state]:
                moves.setdefault(word, set()).add(following)
        for word, targets in moves.items():
            target = nfa.closure(frozenset(targets))
            if target not in index:
                index[target] = len(dfa.arcs)
                dfa.arcs.append({})
                todo.append(target)
            dfa.arcs[number][word] = index[target]
    return dfa


def _minimise(dfa: WordAutomaton) -> WordAutomaton:
    """Merge states with the same future, last states first (the automaton is acyclic)."""
    order = _postorder(dfa)
    merged: dict[int, int] = {}
    signatures: dict[tuple[bool, tuple[tuple[str, int], ...]], int] = {}
    minimal = WordAutomaton()
    for state in order:
        out = tuple(sorted((w, merged[t]) for w, t in dfa.arcs[state].items()))
        signature = (state in dfa.finals, out)
        if signature not in signatures:
            signatures[signature] = len(minimal.arcs)
            minimal.arcs.append(dict(out))
            if signature[0]:
                minimal.finals.add(signatures[signature])
        merged[state] = signatures[signature]
    return _renumbered(minimal, merged[0])


def _postorder(dfa: WordAutomaton) -> list[int]:
    """States, each after every state it leads to."""
    order: list[int] = []
    seen: set[int] = set()
    stack: list[tuple[int, bool]] = [(0, False)]
    while stack:
        state, done = stack.pop()
        if done:
            order.append(state)
            continue
        if state in seen:
            continue
        seen.add(state)
        stack.append((state, True))
        for following in dfa.arcs[state].values():
            if following not in seen:
                stack.append((following, False))
    if len(order) != len(dfa.arcs):
        raise ValueError("grammar automaton has unreachable states")
    return order


def _renumbered(dfa: WordAutomaton, start: int) -> WordAutomaton:
    """The same automaton with ``start`` as state 0 and the others in breadth-first order."""
    number = {start: 0}
    queue = [start]
    for state in queue:
        for _, following in sorted(dfa.arcs[state].items()):
            if following not in number:
                number[following] = len(number)
                queue.append(following)
    out = WordAutomaton(arcs=[{} for _ in number])
    for old, new in number.items():
        out.arcs[new] = {w: number[t] for w, t in dfa.arcs[old].items()}
        if old in dfa.finals:
            out.finals.add(new)
    return out
