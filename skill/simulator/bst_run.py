"""Playing a bespoken skill-testing-ml file (``bst_format.py``) the way ``bst test`` does.

Every file gets a fresh database, as a project replay file does; every test starts a new
session. In a unit test (bst's default) each utterance goes to the skill directly, as
virtual-alexa sends it, so no test has to open the skill first; an e2e test goes through
Alexa's session rules, as on a device. The response each assertion reads is the skill's
response envelope with bst's shorthand properties added (``prompt``, ``reprompt``,
``cardTitle``, ``cardContent``, ``cardImageURL``, ``sessionEnded``).
"""

from __future__ import annotations

import copy
import itertools
import math
import re
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skill.simulator.bst_format import (
    Assertion,
    BstSuite,
    BstTest,
    Interaction,
    find_replace,
    parse_suite,
)
from skill.simulator.dialog import DialogDriver, Turn
from skill.simulator.replay_format import ReplayFileError
from skill.simulator.replay_report import quoted
from skill.simulator.replay_results import CaseResult, Failure, FileResult
from skill.simulator.setup import SimulatorOptions, simulator
from skill.simulator.yaml_input import YamlInputError, read_documents, read_text

if TYPE_CHECKING:
    from skill.simulator.replay import ReplayTarget

__all__ = ["matches", "response_view", "run_bst_file", "value_at"]

Json = dict[str, Any]
_INTENT_FORM = re.compile(r"([\w.|-]*)((?: \w*=(?:\"[^\"]*\"|[^ ]*))*)")


def run_bst_file(path: Path, documents: Sequence[Any], target: ReplayTarget) -> FileResult:
    """Play every test of the bst file at ``path`` (parsed YAML ``documents``)."""
    try:
        replaced = find_replace(read_text(path), documents)
        if replaced is not None:
            documents = read_documents(path, text=replaced)
        suite = parse_suite(path, documents)
    except YamlInputError as error:
        return FileResult(str(path), path.stem, 0, error=f"{path}: {error}", format="bst")
    except ReplayFileError as error:
        return FileResult(str(path), path.stem, 0, error=str(error), format="bst")
    result = FileResult(suite.file, Path(suite.file).stem, 0, format="bst")
    with tempfile.TemporaryDirectory(prefix="privacy-skill-bst-") as tmp:
        _play_suite(suite, Path(tmp), target, result)
    result.turns = sum(case.turns for case in result.cases)
    result.failures = [failure for case in result.cases for failure in case.failures]
    errors = [case.error for case in result.cases if case.error is not None]
    result.error = errors[0] if errors else None
    return result


def _play_suite(suite: BstSuite, base: Path, target: ReplayTarget, result: FileResult) -> None:
    from skill.simulator.replay import backing

    only = any(test.only for test in suite.tests)
    configuration = suite.configuration
    model = suite.model_path()
    if model is not None and not model.is_file():
        result.error = f"{suite.file}: configuration.interactionModel: no such file: {model}"
        result.cases = [CaseResult(test.name, error=result.error) for test in suite.tests]
        return
    options = SimulatorOptions(
        user_id=str(configuration.get("userId") or "amzn1.ask.account.BST"),
        device_id=str(configuration.get("deviceId") or "amzn1.ask.device.BST"),
        locale=suite.locale,
        time=None,  # bst runs on the real clock
        transport=target.transport,
        endpoint=target.endpoint,
        sign_with=target.sign_with,
        skill_id=str(configuration.get("applicationId") or SimulatorOptions.skill_id),
        in_session=suite.unit,
        model=model,
    )
    try:
        with backing(target, base) as (services, config), simulator(
            options, services, config
        ) as driver:
            for test in suite.tests:
                if test.skip or (only and not test.only):
                    result.cases.append(CaseResult(test.name, skipped=True))
                    continue
                result.cases.append(_play_test(suite, test, driver))
    except Exception as exc:  # the simulator could not be set up: every test's error
        message = f"{type(exc).__name__}: {exc}"
        result.cases = [CaseResult(test.name, error=message) for test in suite.tests]


def _play_test(suite: BstSuite, test: BstTest, driver: DialogDriver) -> CaseResult:
    case = CaseResult(test.name)
    started = time.perf_counter()
    if suite.unit:
        driver.start_session()
    else:
        driver.end()  # e2e: a new conversation, from outside any session
    for number, interaction in enumerate(test.interactions, 1):
        stage = f"interaction {number} {quoted(interaction.utterance)}"
        try:
            if suite.unit:
                driver.address_next()
            turn = _send(driver, interaction)
        except Exception as exc:  # reported as this test's error; the next test still runs
            case.error = f"{stage}: {type(exc).__name__}: {exc}"
            break
        case.turns = number
        view = response_view(turn)
        for assertion in interaction.assertions:
            actual = value_at(view, assertion.path)
            if not matches(assertion, actual, view):
                case.failures.append(
                    Failure(
                        suite.file,
                        number,
                        interaction.utterance,
                        assertion.path,
                        _expected_text(assertion),
                        _actual_text(actual, turn),
                        test=test.name,
                    )
                )
        if interaction.stop:
            break
    case.seconds = time.perf_counter() - started
    return case


def _send(driver: DialogDriver, interaction: Interaction) -> Turn:
    def set_values(envelope: Json) -> None:
        for expression in interaction.expressions:
            set_at(envelope, expression.path, expression.value)

    said = interaction.utterance.strip()
    if said == "LaunchRequest":
        return driver.say_with(set_values, lambda: driver.launch())
    if said == "SessionEndedRequest":
        ended = driver.say_with(set_values, lambda: driver.end("USER_INITIATED"))
        return ended or Turn(said, {}, {}, None)
    if said.startswith("AudioPlayer."):
        raise ValueError("AudioPlayer requests are not supported by privacy-skill replay")
    intent, slots = interaction.intent, dict(interaction.slots)
    if intent is None:
        found = _INTENT_FORM.fullmatch(said)
        if found is not None and found[1] in driver.nlu.intents:
            intent = found[1]
            for pair in found[2].split():
                name, _, value = pair.partition("=")
                slots[name] = value.strip('"')
    if intent is not None:
        return driver.say_with(set_values, lambda: driver.intend(intent, slots, said))
    return driver.say(said, request_filter=set_values)


# --- what assertions read ---------------------------------------------------------------


def response_view(turn: Turn) -> Json:
    """The response envelope with bst's shorthand properties, as virtual-alexa gives it."""
    view: Json = copy.deepcopy(turn.response) if turn.response else {}
    body: Mapping[str, Any] = view.get("response") or {}
    speech: Mapping[str, Any] = body.get("outputSpeech") or {}
    prompt = speech.get("ssml", speech.get("text"))
    if prompt is None and not turn.response:
        prompt = turn.speech  # Alexa itself spoke (a delegated dialog's prompt)
    reprompt_body = body.get("reprompt") or {}
    reprompt: Mapping[str, Any] = reprompt_body.get("outputSpeech") or {}
    card: Mapping[str, Any] = body.get("card") or {}
    image: Mapping[str, Any] = card.get("image") or {}
    view.update(
        prompt=prompt,
        reprompt=reprompt.get("ssml", reprompt.get("text")),
        cardTitle=card.get("title"),
        cardContent=card.get("content", card.get("text")),
        cardImageURL=image.get("largeImageUrl"),
        sessionEnded=body.get("shouldEndSession") if turn.response else None,
    )
    return view


_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]|\[[\"']([^\"']+)[\"']\]")


def _segments(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for name, index, quoted_name in _SEGMENT.findall(path):
        parts.append(int(index) if index else (name or quoted_name))
    return parts


def value_at(document: Any, path: str) -> Any:
    """The value at a bst path (``response.directives[0].type``), or None."""
    current = document
    for part in _segments(path):
        if isinstance(part, int) and isinstance(current, list) and 0 <= part < len(current):
            current = current[part]
        elif isinstance(part, str) and isinstance(current, dict):
            current = current.get(part)
        else:
            return None
    return current


def set_at(document: Json, path: str, value: Any) -> None:
    """Set the value at ``path`` in ``document``, making mappings on the way."""
    parts = _segments(path)
    if not parts:
        return
    current: Any = document
    for part, following in itertools.pairwise(parts):
        if isinstance(part, int):
            current = current[part] if isinstance(current, list) and part < len(current) else {}
            continue
        if not isinstance(current.get(part), dict | list):
            current[part] = [] if isinstance(following, int) else {}
        current = current[part]
    last = parts[-1]
    if isinstance(last, int) and isinstance(current, list):
        while len(current) <= last:
            current.append(None)
        current[last] = value
    elif isinstance(current, dict):
        current[str(last)] = value


# --- comparing --------------------------------------------------------------------------


def matches(assertion: Assertion, actual: Any, view: Mapping[str, Any] | None = None) -> bool:
    """Whether ``actual`` satisfies ``assertion``, by bst's rules (see ``bst_format``). A
    ``prompt``/``reprompt`` also matches as plain speech, SSML tags removed."""
    candidates = [actual]
    if assertion.path in ("prompt", "reprompt") and isinstance(actual, str) and "<" in actual:
        candidates.append(" ".join(re.sub(r"<[^>]+>", " ", actual).split()))
    if assertion.operator == "!=":
        return all(_compare(assertion, value) for value in candidates)
    return any(_compare(assertion, value) for value in candidates)


def _compare(assertion: Assertion, actual: Any) -> bool:
    operator, expected = assertion.operator, assertion.expected
    values = expected if isinstance(expected, list) else [expected]
    if operator in (">", ">=", "<", "<="):
        return _numeric(operator, expected, actual)
    if operator == "!=":
        if expected is None:
            return actual is not None
        if actual is None:
            return True
        text = _js(actual)
        return all(_js(value) not in text for value in values)
    if expected is None:
        return actual is None
    if actual is None:
        return False
    text = _js(actual)
    for value in values:
        wanted = _js(value)
        if operator == "=~" or _is_regex(wanted):
            if _regex(wanted, text):
                return True
        elif _wildcard(wanted).search(text):
            return True
    return False


def _numeric(operator: str, expected: Any, actual: Any) -> bool:
    try:
        want, got = float(_js(expected)), float(_js(actual))
    except (TypeError, ValueError):
        return False
    if math.isnan(got):
        return False
    return {
        ">": got > want,
        ">=": got >= want,
        "<": got < want,
        "<=": got <= want,
    }[operator]


def _is_regex(text: str) -> bool:
    return len(text) >= 2 and text.startswith("/") and text.rfind("/") > 0


def _regex(pattern: str, text: str) -> bool:
    flags = 0
    if _is_regex(pattern):
        end = pattern.rfind("/")
        for letter in pattern[end + 1 :]:
            flags |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}.get(letter, 0)
        pattern = pattern[1:end]
    try:
        return re.search(pattern, text, flags) is not None
    except re.error:
        return False


def _wildcard(text: str) -> re.Pattern[str]:
    """Expected text with ``*`` for any text, matched anywhere in the value."""
    return re.compile(r"[\s\S]*".join(re.escape(part) for part in text.strip().split("*")))


def _js(value: Any) -> str:
    """A value as JavaScript turns it into text (true, 3, not True, 3.0)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return "undefined"
    return str(value)


def _expected_text(assertion: Assertion) -> str:
    expected = assertion.expected
    shown = (
        " or ".join(_shown(v) for v in expected) if isinstance(expected, list) else _shown(expected)
    )
    operator = "==" if assertion.operator == ":" else assertion.operator
    return f"{operator} {shown}"


def _actual_text(actual: Any, turn: Turn) -> str:
    if actual is None and not turn.sent and turn.note:
        return f"(nothing: {turn.note})"
    return _shown(actual)


def _shown(value: Any) -> str:
    if value is None:
        return "undefined"
    if isinstance(value, str):
        return quoted(value)
    return _js(value)

