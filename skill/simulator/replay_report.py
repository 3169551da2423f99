"""Replay reports: the terminal's, ``--json`` (one object) and ``--junit`` (JUnit XML for CI).

JUnit XML follows the shape CI servers read (Jenkins, GitLab, GitHub actions that publish test
results): ``<testsuites>`` with one ``<testsuite>`` a file and one ``<testcase>`` a test, a
``<failure>`` for unmet expectations (all of them in its text), an ``<error>`` for a test that
could not be played, ``<skipped/>`` for a skipped one.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from skill.simulator.replay_results import AFTER_TURN, CaseResult, Failure, FileResult

__all__ = ["as_json", "print_result", "print_totals", "write_junit"]

_NOTHING = "(nothing)"


def print_result(console: Console, result: FileResult) -> None:
    """One file's verdict, then each failure: turn, utterance, field, expected and actual."""
    verdict = ("PASS", "bold green") if result.passed else ("FAIL", "bold red")
    turns = f"{result.turns} turn" + ("" if result.turns == 1 else "s")
    console.print(
        Text.assemble(verdict, "  ", result.file, "  ", (f"{result.name} ({turns})", "dim")),
        soft_wrap=True,
    )
    if result.error is not None:
        console.print(Text.assemble("      ", ("error: ", "red"), result.error), soft_wrap=True)
    if result.format == "bst":
        for case in result.cases:
            _print_case(console, case)
        return
    for failure in result.failures:
        _print_failure(console, failure, "      ")


def _print_case(console: Console, case: CaseResult) -> None:
    mark = "skipped" if case.skipped else ("ok" if case.passed else "failed")
    style = {"ok": "green", "failed": "red", "skipped": "yellow"}[mark]
    console.print(Text.assemble("    ", (mark, style), "  ", case.name), soft_wrap=True)
    if case.error is not None:
        console.print(Text.assemble("        ", ("error: ", "red"), case.error), soft_wrap=True)
    for failure in case.failures:
        _print_failure(console, failure, "        ")


def _print_failure(console: Console, failure: Failure, indent: str) -> None:
    where = (
        "after the last turn"
        if failure.turn == AFTER_TURN
        else f"turn {failure.turn} {quoted(failure.utterance)}"
    )
    console.print(Text.assemble(indent, where, ": ", (failure.field, "bold")), soft_wrap=True)
    expected = Text.assemble(indent, "    expected ", (failure.expected, "green"))
    actual = Text.assemble(indent, "    actual   ", (failure.actual, "red"))
    console.print(expected, soft_wrap=True)  # unbroken, to copy into a file
    console.print(actual, soft_wrap=True)


def print_totals(console: Console, results: Sequence[FileResult]) -> None:
    """The last line: ``N passed, M failed`` (files)."""
    failed = sum(not result.passed for result in results)
    style = "bold green" if not failed else "bold red"
    console.print(Text(f"{len(results) - failed} passed, {failed} failed", style=style))


def as_json(results: Sequence[FileResult]) -> str:
    """``{"passed", "failed", "files": [...]}``: the shape is in the README (replay)."""
    failed = sum(not result.passed for result in results)
    return json.dumps(
        {
            "passed": len(results) - failed,
            "failed": failed,
            "files": [result.as_json() for result in results],
        },
        ensure_ascii=False,
    )


def write_junit(path: Path, results: Sequence[FileResult]) -> None:
    """Write the run as JUnit XML to ``path`` (its folder is created)."""
    root = ET.Element("testsuites", name="privacy-skill replay")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    seconds = 0.0
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    for result in results:
        cases = result.cases or [
            CaseResult(result.name, result.turns, result.failures, result.error)
        ]
        suite = ET.SubElement(root, "testsuite", name=result.file, timestamp=stamp)
        counts = {"tests": len(cases), "failures": 0, "errors": 0, "skipped": 0}
        for case in cases:
            element = ET.SubElement(
                suite, "testcase", classname=result.file, name=case.name, time=_secs(case.seconds)
            )
            if case.skipped:
                ET.SubElement(element, "skipped")
                counts["skipped"] += 1
            elif case.error is not None:
                ET.SubElement(element, "error", message=case.error, type="error").text = case.error
                counts["errors"] += 1
            elif case.failures:
                first = case.failures[0]
                summary = f"{_where(first)}: {first.field}"
                if len(case.failures) > 1:
                    summary += f" (and {len(case.failures) - 1} more)"
                failure = ET.SubElement(element, "failure", message=summary, type="expectation")
                failure.text = "\n".join(_failure_lines(case.failures))
                counts["failures"] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", _secs(result.seconds))
        seconds += result.seconds
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", _secs(seconds))
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _failure_lines(failures: Sequence[Failure]) -> list[str]:
    lines = []
    for failure in failures:
        lines.append(f"{_where(failure)}: {failure.field}")
        lines.append(f"    expected {failure.expected}")
        lines.append(f"    actual   {failure.actual}")
    return lines


def _where(failure: Failure) -> str:
    if failure.turn == AFTER_TURN:
        return "after the last turn"
    return f"turn {failure.turn} {quoted(failure.utterance)}"


def _secs(seconds: float) -> str:
    return f"{seconds:.3f}"


def shown(value: Any) -> str:
    """A value as reports show it: text in double quotes, ``(nothing)`` for none."""
    if value is None:
        return _NOTHING
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quoted(value)
    if isinstance(value, list):
        return "[" + ", ".join(str(item) for item in value) + "]"
    return str(value)


def quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
