"""Bespoken skill-testing-ml files (what ``bst test`` runs), read into tests ``replay`` can play.

A bst user brings their test files as they are. The common subset is understood::

    ---
    configuration:            # optional first document
      locale: en-US           # picks the interaction model
      userId: amzn1.ask.account.X   # also deviceId, applicationId, accessToken
      interactionModel: models/en-US.json   # relative to the test file (else the locale's)
      findReplace: {INVOCATION_NAME: voice privacy}   # replaced in the text before parsing
      type: unit              # unit (the default): each utterance goes to the skill directly;
                              #   e2e: as to a device, Alexa's session rules apply
    ---                       # each further document is one test, in a new session
    - test: Launch and ask    # the test's name (also test.only, test.skip); tags are read
    - LaunchRequest: "Voice Privacy here*"      # reserved words: LaunchRequest,
    - what data do you keep:                    #   SessionEndedRequest, exit
      - prompt == "I keep *"                    # == (wildcard *), =~ (regex), !=, > < >= <=
      - response.card.title: Your voice data    # any path in the response, written path: value
      - response.shouldEndSession == true
      - cardContent =~ /Recordings: \\d+/        # /regex/flags
    - "delete what i said today":
      - intent: DeleteRecordingsIntent          # sets the intent explicitly; other keys of
        date: "2026-11-26"                      #   the same item are its slots
      - request.request.locale: en-US           # request.* sets a value on the request sent
    - yes: Done*                                # utterance: expected prompt
    - exit

As in bst, ``prompt`` is the response's ``outputSpeech`` (its SSML, or its text), ``reprompt``
the reprompt's, ``cardTitle``/``cardContent``/``cardImageURL`` the card's, and ``sessionEnded``
``response.shouldEndSession``; ``==`` and ``path: value`` match the expected text anywhere in
the value, ``*`` standing for any text, and ``undefined`` means absent. Unlike bst, text other
than ``*`` matches literally (bst reads ``.`` and parentheses as regular-expression syntax),
and ``prompt`` also matches the speech with its SSML tags removed.

Not supported, and said so when used: ``goto``/labels, AudioPlayer requests, e2e-only
properties (``transcript``, ``caption``), filters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from skill.simulator.replay_format import ReplayFileError

__all__ = [
    "Assertion",
    "BstSuite",
    "BstTest",
    "Expression",
    "Interaction",
    "is_bst_file",
    "parse_suite",
]

Operator = Literal["==", "=~", "!=", ">", ">=", "<", "<=", ":"]
_OPERATORS: tuple[str, ...] = (" == ", " =~ ", " != ", " >= ", " <= ", " > ", " < ")
_RESERVED = ("LaunchRequest", "SessionEndedRequest")
MAX_TESTS = 500
MAX_INTERACTIONS = 500


@dataclass(frozen=True)
class Assertion:
    """One check on the response: ``path operator value``."""

    path: str
    """A bst path: ``prompt``, ``reprompt``, ``cardTitle``, ... or ``response.card.title``."""
    operator: Operator
    """How to compare; ``:`` is ``path: value`` (wildcards, or a regex written /.../)."""
    expected: Any
    """The expected value: text, a number, true/false, None (``undefined``), or a list of
    values any one of which may match."""


@dataclass(frozen=True)
class Expression:
    """``request.<path>: value``: a value set on the request before it is sent."""

    path: str
    """The path inside the request envelope (``request.locale``, ``context.System...``)."""
    value: Any
    """The value to set."""


@dataclass(frozen=True)
class Interaction:
    """One utterance or request of a test, and what its response must show."""

    utterance: str
    """What is said, or a reserved word (LaunchRequest, SessionEndedRequest, exit)."""
    intent: str | None = None
    """An explicitly set intent (``intent: Name``); the utterance is then not understood."""
    slots: Mapping[str, str] = field(default_factory=dict)
    """Slot values for the explicit intent."""
    assertions: tuple[Assertion, ...] = ()
    """The checks, in order."""
    expressions: tuple[Expression, ...] = ()
    """Values set on the request."""
    stop: bool = False
    """An ``exit`` assertion: the test ends after this interaction."""


@dataclass(frozen=True)
class BstTest:
    """One ``---`` document: a conversation in a new session."""

    name: str
    """From ``- test: name``, else "Test N"."""
    interactions: tuple[Interaction, ...]
    """What is said, in order."""
    only: bool = False
    """``test.only``: run only the tests so marked."""
    skip: bool = False
    """``test.skip``: reported as skipped."""
    tags: tuple[str, ...] = ()
    """``- tags: a, b``."""


@dataclass(frozen=True)
class BstSuite:
    """A bst test file."""

    file: str
    """The path it was read from."""
    configuration: Mapping[str, Any]
    """Its ``configuration`` document (empty when it has none)."""
    tests: tuple[BstTest, ...]
    """Its tests, in order."""

    @property
    def locale(self) -> str:
        locales = self.configuration.get("locales")
        if isinstance(locales, str) and locales.strip():
            return locales.split(",")[0].strip()
        return str(self.configuration.get("locale") or "en-US")

    @property
    def unit(self) -> bool:
        """Whether utterances go to the skill directly (bst unit tests) rather than through
        Alexa's session rules (e2e tests, spoken to a device)."""
        return str(self.configuration.get("type") or "unit") != "e2e"

    def model_path(self) -> Path | None:
        """``interactionModel``, relative to the file's folder, or None (the locale's)."""
        given = self.configuration.get("interactionModel")
        if not isinstance(given, str) or not given:
            return None
        path = Path(given)
        if not path.is_absolute() and not path.exists():
            path = Path(self.file).parent / given
        return path


def is_bst_file(documents: Sequence[Any]) -> bool:
    """Whether YAML ``documents`` are a bst file: tests are lists, a configuration comes first
    (a project replay file is one mapping with ``turns``)."""
    if not documents:
        return False
    first = documents[0]
    if isinstance(first, list):  # unless it is a project file's turns without "turns:"
        return not any(isinstance(item, dict) and "say" in item for item in first)
    return isinstance(first, dict) and "configuration" in first and "turns" not in first


def find_replace(text: str, documents: Sequence[Any]) -> str | None:
    """``text`` with the configuration's ``findReplace`` applied, or None when it has none."""
    first = documents[0] if documents else None
    configuration = first.get("configuration") if isinstance(first, dict) else None
    table = configuration.get("findReplace") if isinstance(configuration, dict) else None
    if not isinstance(table, dict) or not table:
        return None
    for find, replace in table.items():
        text = text.replace(str(find), str(replace))
    return text


def parse_suite(path: Path, documents: Sequence[Any]) -> BstSuite:
    """The tests of a bst file; ``ReplayFileError`` naming the test and line of what is
    wrong."""
    configuration: dict[str, Any] = {}
    tests_raw = list(documents)
    first = tests_raw[0] if tests_raw else None
    if isinstance(first, dict) and "configuration" in first:
        if not isinstance(first["configuration"], dict):
            raise ReplayFileError(path, "configuration", "expected a mapping")
        configuration = dict(first["configuration"])
        tests_raw = tests_raw[1:]
    tests = []
    for number, raw in enumerate(tests_raw, 1):
        if raw is None:
            continue  # an empty document, as a trailing ---
        if not isinstance(raw, list):
            raise ReplayFileError(path, f"test {number}", "expected a list of interactions")
        tests.append(_test(path, raw, number))
    if not tests:
        raise ReplayFileError(path, "", "no tests in this bst file")
    if len(tests) > MAX_TESTS:
        raise ReplayFileError(path, "", f"{len(tests):,} tests; a file may have {MAX_TESTS:,}")
    return BstSuite(str(path), configuration, tuple(tests))


def _test(path: Path, raw: list[Any], number: int) -> BstTest:
    name, only, skip = f"Test {number}", False, False
    tags: tuple[str, ...] = ()
    interactions: list[Interaction] = []
    for index, item in enumerate(raw):
        if index < 2 and isinstance(item, dict) and len(item) >= 1:
            key = next(iter(item))
            if key in ("test", "test.only", "test.skip"):
                name = str(item[key])
                only, skip = key == "test.only", key == "test.skip"
                continue
            if key == "tags":
                tags = tuple(t.strip() for t in str(item[key]).split(",") if t.strip())
                continue
        where = f"test {number} ({name}), interaction {len(interactions) + 1}"
        interactions.append(_interaction(path, where, item))
    if len(interactions) > MAX_INTERACTIONS:
        raise ReplayFileError(path, f"test {number}", f"more than {MAX_INTERACTIONS} interactions")
    return BstTest(name, tuple(interactions), only, skip, tags)


def _interaction(path: Path, where: str, item: Any) -> Interaction:
    if isinstance(item, str | int | float) and not isinstance(item, bool):
        utterance, assertion = _string_assertion(path, where, str(item), utterance_first=True)
        if utterance == "exit":  # said, it ends the session; and the test ends with it
            return Interaction(utterance, stop=True)
        return Interaction(utterance, assertions=(assertion,) if assertion else ())
    if not isinstance(item, dict) or len(item) != 1:
        raise ReplayFileError(path, where, "expected an utterance, or utterance: assertions")
    utterance, elements = next(iter(item.items()))
    utterance = str(utterance)
    if elements is None:
        return Interaction(utterance)
    if not isinstance(elements, list):  # "utterance: expected prompt"
        return Interaction(utterance, assertions=(Assertion("prompt", ":", _clean(elements)),))
    intent: str | None = None
    slots: dict[str, str] = {}
    assertions: list[Assertion] = []
    expressions: list[Expression] = []
    stop = False
    for element in elements:
        if isinstance(element, str | int | float) and not isinstance(element, bool):
            text = str(element).strip()
            if text == "exit":
                stop = True
                continue
            _, assertion = _string_assertion(path, where, text, utterance_first=False)
            if assertion is not None:
                assertions.append(assertion)
            continue
        if not isinstance(element, dict) or not element:
            raise ReplayFileError(path, where, f"cannot read {element!r} as an assertion")
        key = str(next(iter(element)))
        if key == "intent":
            intent = str(element["intent"])
            slots.update({str(k): str(_clean(v)) for k, v in element.items() if k != "intent"})
        elif key == "slots":
            given = element["slots"]
            if not isinstance(given, dict):
                raise ReplayFileError(path, where, "slots: expected a mapping")
            slots.update({str(k): str(_clean(v)) for k, v in given.items()})
        elif key in ("label", "goto"):
            raise ReplayFileError(path, where, f"{key} is not supported by privacy-skill replay")
        elif key.startswith("request"):
            expressions.append(Expression(key.partition(".")[2], _clean(element[key])))
        elif key.startswith("set "):
            raise ReplayFileError(path, where, "set expressions are not supported")
        else:
            _check_path(path, where, key)
            assertions.append(Assertion(key, ":", _clean(element[key])))
    return Interaction(
        utterance, intent, slots, tuple(assertions), tuple(expressions), stop
    )


def _string_assertion(
    path: Path, where: str, text: str, *, utterance_first: bool
) -> tuple[str, Assertion | None]:
    """ "Help == you can say" (an utterance and its prompt) or "prompt == you can say"."""
    if text.strip() == "exit":
        return "exit", None
    for operator in _OPERATORS:
        at = text.find(operator)
        if at > -1:
            left, right = text[:at].strip(), text[at + len(operator) :].strip()
            if " goto " in right:
                raise ReplayFileError(path, where, "goto is not supported by privacy-skill replay")
            name = operator.strip()
            if utterance_first:
                return left, Assertion("prompt", name, _clean(right))  # type: ignore[arg-type]
            _check_path(path, where, left)
            return "", Assertion(left, name, _clean(right))  # type: ignore[arg-type]
    if utterance_first:
        return text.strip(), None
    raise ReplayFileError(path, where, f"not an assertion (path operator value): {text!r}")


def _check_path(path: Path, where: str, key: str) -> None:
    if not re.fullmatch(r"[A-Za-z_$][\w$]*(?:\.[\w$]+|\[\d+\])*", key):
        raise ReplayFileError(path, where, f"not a response path: {key!r}")


def _clean(value: Any) -> Any:
    """bst's value rules: "undefined"/"null" mean none, quotes around text are dropped."""
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if not isinstance(value, str):
        return value
    if value in ("undefined", "null"):
        return None
    if value in ("true", "false"):  # as bst reads "prompt == true" written in a string
        return value == "true"
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value
