"""Text stage of the NLU: what an utterance's words are before any sample is tried.

Normalisation (case, punctuation, whitespace), the wake word, politeness around a command
("can you ... for me please"), contractions spelled out ("don't" -> "do not") and the word
classes the paraphrase stage weighs: stop words, light words, particles, negators, and
inflections folded ("recordings", "recorded" -> "record").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

__all__ = [
    "LEADING_FILLERS",
    "NEGATED",
    "OWNERS",
    "STOP_WORDS",
    "WordKind",
    "as_said_and_bare",
    "classify",
    "goal_as_command",
    "is_content",
    "is_question",
    "normalise",
    "spell_out",
    "strip_fillers",
    "strip_wake_word",
]


def normalise(text: str) -> str:
    """Lower case, punctuation other than apostrophes removed, whitespace collapsed."""
    text = text.lower().replace("\u2019", "'")
    return " ".join(re.sub(r"[^\w\s']|_", " ", text).split())


def strip_wake_word(text: str) -> str:
    """``text`` (normalised) without a leading "alexa" or "hey alexa"."""
    for wake in ("hey alexa ", "alexa "):
        if text.startswith(wake):
            return text[len(wake) :]
    return text


# --- politeness ------------------------------------------------------------------------------

# Politeness around a command, tried without it when the words as said match nothing.
LEADING_FILLERS = (
    "please", "kindly", "just", "can you", "could you", "would you", "will you", "i want to",
    "i'd like to", "i would like to", "i want you to", "i'd like you to", "i would like you to",
    "i need you to", "i need to", "go ahead and", "tell me", "let me know", "i want to know",
    "i'd like to know", "i would like to know", "um", "uh", "oh", "oh no", "oops", "whoops",
    "ah", "hmm", "er", "okay", "ok", "so", "well", "hey", "alright", "now",
)  # fmt: skip
_TRAILING_FILLERS = (
    "please", "now", "right now", "thanks", "thank you", "for me", "as well", "too", "then",
    "okay", "if you can", "if you could", "if possible",
)  # fmt: skip


def _alternation(phrases: Iterable[str]) -> str:
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


_POLITENESS = re.compile(
    rf"(?:(?:{_alternation(LEADING_FILLERS)}) )*(.+?)(?: (?:{_alternation(_TRAILING_FILLERS)}))*"
)


def strip_fillers(text: str) -> str:
    """``text`` without politeness around it: "can you please X for me" -> "X"."""
    found = _POLITENESS.fullmatch(text)
    return found[1] if found else text


# A wish for something to be gone is a request to delete it: "i want all my recordings gone",
# "i'd like yesterday's recordings deleted" mean "delete all my recordings", "delete
# yesterday's recordings". Only a plain wish: "i don't want ... deleted" is no request.
_GOAL = re.compile(
    r"(?:i want|i'd like|i would like|i need|please make|make) (?P<what>.+?) "
    r"(?:gone|deleted|erased|removed|wiped|wiped out|cleared|forgotten|scrubbed|purged|"
    r"destroyed|gotten rid of)"
)


def goal_as_command(text: str) -> str | None:
    """A goal-phrased request as the command it asks for ("i want X gone" -> "delete X"), or
    None when ``text`` is not one."""
    found = _GOAL.fullmatch(text)
    return None if found is None else f"delete {found['what']}"


def as_said_and_bare(text: str) -> list[str]:
    """``text``, then ``text`` without politeness when that differs."""
    bare = strip_fillers(text)
    return [text, bare] if bare != text else [text]


# --- word classes ----------------------------------------------------------------------------


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that carry no intent: pronouns, prepositions, modal verbs, politeness.
STOP_WORDS = _word_set(
    "a an the my mine me myself i you your yours yourself we our ours us it its they them their "
    "of to for from at with about by and or so as be being been am can could would will should "
    "shall may might must please kindly um uh oh hey alexa well if whether very too there here "
    "then"
)
# Words that say something, but less than content words: question words, auxiliaries,
# determiners, placeholders ("stuff"), intensifiers. They count half, and one the model never
# uses is no reason to reject an utterance.
_LIGHT_WORDS = _word_set(
    "what how who when where why which is are do that this these those all every just really "
    "actually also now again some any anything something whatever stuff much more go ahead "
    "right thank thanks single literally totally completely entirely absolutely definitely "
    "simply basically"
)
_LIGHT_WEIGHT = 0.5
# Direction words change a verb's meaning ("turn on" / "turn off"): they count in full, and one
# the model never uses is no reason to reject an utterance either.
_PARTICLES = _word_set("on off in out up down back away over")
_NEGATORS = _word_set("not no never nope nah")
# The canonical form of every negator; not a word, so no folded word can collide with it.
NEGATED = "~not"
# A question starts with one of these (contractions spelled out), unless "not" follows.
_QUESTION_WORDS = _word_set(
    "what how who when where why which is are do have can could will would should may"
)
_IRREGULAR = {
    "kept": "keep", "heard": "hear", "told": "tell", "said": "say", "says": "say", "made": "make",
    "had": "have", "has": "have", "did": "do", "does": "do", "done": "do", "was": "is",
    "were": "are", "got": "get", "gotten": "get", "knew": "know", "known": "know", "sent": "send",
    "gave": "give", "given": "give", "took": "take", "taken": "take", "saw": "see", "seen": "see",
    "thought": "think", "spoke": "speak", "spoken": "speak", "ok": "okay", "alright": "okay",
    "into": "in", "onto": "on", "meant": "mean",
}  # fmt: skip
_SPELLED_OUT = {
    "nobody": ("not", "anybody"), "noone": ("not", "anyone"), "nothing": ("not", "anything"),
    "nevermind": ("never", "mind"), "can't": ("can", "not"), "cannot": ("can", "not"),
    "won't": ("will", "not"), "ain't": ("is", "not"), "let's": ("let", "us"),
}  # fmt: skip
_CONTRACTED = {"re": "are", "ve": "have", "m": "am", "d": "would", "ll": "will"}
_IS_CONTRACTED = _word_set("what that it there here who how where when he she")
# A value right after one of these is not a slot value: "my first recording" is not the 1st.
OWNERS = _word_set("my your our their his her its a an")

WordKind = Literal["stop", "light", "particle", "negator", "content", "slot"]


def classify(word: str) -> tuple[str | None, float, WordKind]:
    """A word's canonical form (None for a stop word), weight by kind, and kind."""
    word = _IRREGULAR.get(word, word)
    if word in STOP_WORDS:
        return None, 0.0, "stop"
    if word in _NEGATORS:
        return NEGATED, _LIGHT_WEIGHT, "negator"
    if word in _LIGHT_WORDS:
        return word, _LIGHT_WEIGHT, "light"
    if word in _PARTICLES:
        return word, 1.0, "particle"
    return _fold(word), 1.0, "content"


def is_content(word: str) -> bool:
    """Whether a canonical word ("!" before a negated one) is a content word, not a slot."""
    return not word.startswith("{") and classify(word.lstrip("!"))[2] == "content"


def is_question(words: Sequence[object]) -> bool:
    """Whether ``words`` (contractions spelled out) ask something: "do you ...", not "do not"."""
    first = words[0] if words and isinstance(words[0], str) else ""
    return _IRREGULAR.get(first, first) in _QUESTION_WORDS and "not" not in words[1:2]


def _fold(word: str) -> str:
    """Inflections folded: "recordings", "recorded", "recording" -> "record"; "letting" -> "let";
    "stores", "storing" -> "stor"."""
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def spell_out(words: Sequence[str]) -> list[str]:
    """Contractions and negative pronouns spelled out: "don't" -> "do not", "what's" -> "what
    is", "yesterday's" -> "yesterday", "no one" -> "not anyone"."""
    out: list[str] = []
    at = 0
    while at < len(words):
        word = words[at]
        at += 1
        if word == "no" and at < len(words) and words[at] == "one":
            out += ["not", "anyone"]
            at += 1
        elif word in _SPELLED_OUT:
            out += _SPELLED_OUT[word]
        elif word.endswith("n't") and len(word) > 3:
            out += [word[:-3], "not"]
        elif "'" in word:
            head, _, tail = word.partition("'")
            if tail == "s":
                out += [head, "is"] if head in _IS_CONTRACTED else [head]
            elif tail in _CONTRACTED and head:
                out += [head, _CONTRACTED[tail]]
            else:
                out.append(word.replace("'", ""))
        else:
            out.append(word)
    return out
