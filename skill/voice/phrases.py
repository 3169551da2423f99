"""A tiny grammar algebra: words, sequences, alternatives, optional parts and rule references.

The speech grammar is built from these (``grammar.py``), then written out as JSGF for
pocketsphinx or walked at random to produce sentences it accepts (tests check that the NLU
understands every one of them as the intent it came from).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

__all__ = ["Alt", "Expr", "Opt", "Ref", "Seq", "Words", "alt", "jsgf_body", "sample", "words_of"]


@dataclass(frozen=True)
class Words:
    """Literal words, said in order."""

    text: str
    """The words, lower case, separated by single spaces."""


@dataclass(frozen=True)
class Seq:
    """Parts said one after the other."""

    parts: tuple[Expr, ...]
    """The parts, in order."""


@dataclass(frozen=True)
class Alt:
    """One of several options."""

    options: tuple[Expr, ...]
    """The options; at least one."""


@dataclass(frozen=True)
class Opt:
    """A part that may be left out."""

    part: Expr
    """What may be said."""


@dataclass(frozen=True)
class Ref:
    """Another rule of the grammar, by name."""

    rule: str
    """The rule's name (letters, digits and underscores)."""


Expr = Words | Seq | Alt | Opt | Ref


def alt(*options: str | Expr) -> Alt:
    """An alternative of ``options``; strings are words."""
    return Alt(tuple(Words(o) if isinstance(o, str) else o for o in options))


def seq(*parts: str | Expr) -> Seq:
    """A sequence of ``parts``; strings are words."""
    return Seq(tuple(Words(p) if isinstance(p, str) else p for p in parts))


def jsgf_body(expr: Expr) -> str:
    """``expr`` in JSGF rule syntax."""
    if isinstance(expr, Words):
        return expr.text
    if isinstance(expr, Ref):
        return f"<{expr.rule}>"
    if isinstance(expr, Opt):
        return f"[ {jsgf_body(expr.part)} ]"
    if isinstance(expr, Seq):
        return " ".join(_grouped(part) for part in expr.parts)
    return " | ".join(jsgf_body(option) for option in expr.options)


def _grouped(expr: Expr) -> str:
    return (
        f"( {jsgf_body(expr)} )"
        if isinstance(expr, Alt) and len(expr.options) > 1
        else (jsgf_body(expr))
    )


def words_of(expr: Expr) -> Iterator[str]:
    """Every word ``expr`` itself can say (not through references)."""
    if isinstance(expr, Words):
        yield from expr.text.split()
    elif isinstance(expr, Opt):
        yield from words_of(expr.part)
    elif isinstance(expr, Seq):
        for part in expr.parts:
            yield from words_of(part)
    elif isinstance(expr, Alt):
        for option in expr.options:
            yield from words_of(option)


def sample(expr: Expr, rules: Mapping[str, Expr], rng: random.Random) -> str:
    """One sentence ``expr`` accepts, chosen at random."""
    out: list[str] = []
    _walk(expr, rules, rng, out)
    return " ".join(out)


def _walk(expr: Expr, rules: Mapping[str, Expr], rng: random.Random, out: list[str]) -> None:
    if isinstance(expr, Words):
        out.extend(expr.text.split())
    elif isinstance(expr, Ref):
        _walk(rules[expr.rule], rules, rng, out)
    elif isinstance(expr, Opt):
        if rng.random() < 0.5:
            _walk(expr.part, rules, rng, out)
    elif isinstance(expr, Seq):
        for part in expr.parts:
            _walk(part, rules, rng, out)
    else:
        _walk(rng.choice(expr.options), rules, rng, out)


def rule_name(text: str) -> str:
    """A JSGF rule name made from ``text`` ("AMAZON.YesIntent" -> "AMAZON_YesIntent")."""
    return re.sub(r"\W", "_", text)
