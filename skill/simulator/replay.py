"""Scripted dialog tests: ``privacy-skill replay FILE ...`` plays YAML dialogs and checks them.

A replay file is one conversation with the skill, played through the same simulator as
``simulate`` (NLU, dialog driver, device time zone served on loopback), with what each turn must
show. Every run gets a fresh SQLite database and audio folder in a temporary directory, never
the operator's database, so a file replays the same anywhere. The format::

    name: Delete today's recordings after confirming
    settings:                          # all optional
      user: amzn1.ask.account.REPLAY   # the speaker's Alexa userId (this default)
      time: 2026-11-26T15:00:00Z       # request time of every turn (this default: files are
                                       #   repeatable); needs a UTC offset
      timezone: Europe/Berlin          # device time zone (default UTC)
      locale: en-US                    # interaction model and wording (default en-US)
    seed:                              # optional: data in place before the first turn
      recordings:                      # recordings of settings.user
        - {ago: 1h, transcript: "turn on the lights"}   # before settings.time: s, m, h, d, w
                                                        #   units, combinable: 1d12h
        - {at: 2026-11-20T10:00:00+01:00, transcript: "x", audio: false}
                                       # audio: a tiny WAV is stored with it unless false
      consent: {human_review: true}    # purpose -> granted (channel cli)
    turns:                             # required, at least one
      - say: open voice privacy        # what the person says
        expect:                        # optional; every key is optional
          request: LaunchRequest       # request type sent to the skill
          speech: "exact text"         # all that was heard (runs of spaces count as one)
          speech_contains: "part"      # or a list of parts, each must be in the speech
          speech_matches: "regex"      # re.search in the speech
          intent: DeleteRecordingsIntent        # intent sent to the skill
          slots: {date: "2026-11-26"}           # slot values sent; only the slots named are
                                                #   checked; null = not filled
          confirmation: CONFIRMED               # intent.confirmationStatus sent
          directives: [Dialog.ConfirmIntent]    # exact list of directive types ([] = none)
          session_ends: true           # whether the session is over after this turn
          card_title: "Your voice data"
          card_contains: "Recordings: 2"        # or a list of parts
    after:                             # optional: stored data after the last turn
      recordings: 1                    # how many recordings settings.user has left
      consent: {human_review: false}

Text matching is case-sensitive. YAML is read with YAML 1.2 scalars: ``say: yes`` is the word
"yes" and only ``true``/``false`` are booleans. Unknown or repeated keys anywhere are errors, so
a misspelt expectation cannot silently pass. When Alexa answers without asking the skill (it runs
a delegated dialog, or understood nothing), the turn has no request: ``request``, ``intent``,
``slots`` and ``confirmation`` then compare against nothing and ``directives`` against [].

Seed recordings are stored first, then seed consent is recorded. After the last turn the session
is ended with a SessionEndedRequest, as when a person walks away.
The ``endpoint`` transport reaches a skill whose database is not ours: files with ``seed`` or
``after`` are refused there.
"""

from __future__ import annotations

import json
import tempfile
import wave
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from skill.config import Config
from skill.services import Services, open_services
from skill.services.models import NewRecording
from skill.simulator.dialog import Turn
from skill.simulator.replay_format import (
    Expect,
    ReplayFileError,
    Script,
    load_script,
)
from skill.simulator.setup import SimulatorOptions, TransportName, simulator

__all__ = ["Failure", "FileResult", "ReplayFileError", "load_script", "run_file", "run_files"]

AFTER_TURN = 0
"""``Failure.turn`` of a failed ``after`` check."""
_NOTHING = "(nothing)"


@dataclass(frozen=True)
class Failure:
    """One unmet expectation."""

    file: str
    """The replay file."""
    turn: int
    """1-based turn number; 0 (``AFTER_TURN``) for the ``after`` checks."""
    utterance: str
    """What was said on that turn; empty for the ``after`` checks."""
    field: str
    """The expectation: ``speech``, ``slots.date``, ``after.recordings``, ..."""
    expected: str
    """What the file expects, as shown in the report (text in double quotes)."""
    actual: str
    """What happened, shown the same way; ``(nothing)`` when there was nothing."""


@dataclass
class FileResult:
    """The outcome of one replay file."""

    file: str
    """The replay file, as given."""
    name: str
    """The dialog's name (the file's stem when the file could not be read)."""
    turns: int
    """How many turns were played."""
    failures: list[Failure] = field(default_factory=list)
    """Unmet expectations, in the order they were checked."""
    error: str | None = None
    """Why the file could not be played (broken file, skill unreachable, ...); None if it ran."""

    @property
    def passed(self) -> bool:
        return self.error is None and not self.failures


def run_file(
    path: Path, transport: TransportName = "in-process", endpoint: str | None = None
) -> FileResult:
    """Play one replay file against a fresh database and check every expectation."""
    try:
        script = load_script(path)
    except ReplayFileError as exc:
        return FileResult(str(path), path.stem, 0, error=str(exc))
    result = FileResult(script.file, script.name, 0)
    if transport == "endpoint":
        if not endpoint:
            result.error = "the endpoint transport needs a URL"
            return result
        refused = [
            key
            for key, empty in (("seed", script.seed.empty), ("after", script.after.empty))
            if not empty
        ]
        if refused:
            result.error = (
                f"{script.file}: {' and '.join(refused)} cannot be used with the endpoint "
                "transport: the remote skill's database is not ours to fill or inspect"
            )
            return result
    with tempfile.TemporaryDirectory(prefix="privacy-skill-replay-") as tmp:
        _play(script, Path(tmp), transport, endpoint, result)
    return result


def run_files(
    paths: Iterable[Path],
    console: Console,
    transport: TransportName = "in-process",
    endpoint: str | None = None,
) -> int:
    """Play every file (a folder means its ``*.yaml`` and ``*.yml``), print a report, and
    return the exit status: 0 if every file passed, else 1."""
    passed = failed = 0
    for path in _expand(paths):
        result = run_file(path, transport, endpoint)
        print_result(console, result)
        if result.passed:
            passed += 1
        else:
            failed += 1
    style = "bold green" if not failed else "bold red"
    console.print(Text(f"{passed} passed, {failed} failed", style=style))
    return 0 if not failed else 1


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
    for failure in result.failures:
        where = (
            "after the last turn"
            if failure.turn == AFTER_TURN
            else f"turn {failure.turn} {_quoted(failure.utterance)}"
        )
        console.print(Text.assemble("      ", where, ": ", (failure.field, "bold")))
        expected = Text.assemble("          expected ", (failure.expected, "green"))
        actual = Text.assemble("          actual   ", (failure.actual, "red"))
        console.print(expected, soft_wrap=True)  # unbroken, to copy into a file
        console.print(actual, soft_wrap=True)


# --- playing ------------------------------------------------------------------------------


def _play(
    script: Script, base: Path, transport: TransportName, endpoint: str | None, result: FileResult
) -> None:
    env = {
        "PRIVACY_SKILL_DATABASE_URL": f"sqlite:///{base / 'replay.db'}",
        "PRIVACY_SKILL_AUDIO_DIR": str(base / "audio"),
    }
    config = Config.from_env(env, data_dir=base)
    options = SimulatorOptions(
        user_id=script.settings.user,
        locale=script.settings.locale,
        zone=script.settings.zone,
        time=script.settings.time,
        transport=transport,
        endpoint=endpoint,
    )
    services = open_services(config)
    stage = "seeding the database"
    try:
        _seed(services, script, base)
        with simulator(options, services, config) as driver:
            for step_number, step in enumerate(script.turns, 1):
                stage = f"turn {step_number} {_quoted(step.say)}"
                turn = driver.say(step.say)
                result.turns = step_number
                result.failures += _check_turn(
                    script.file, step_number, step.expect, turn, ends=not driver.session_open
                )
            stage = "ending the session"
            driver.end()
        stage = "checking the stored data"
        result.failures += _check_after(script, services)
    except Exception as exc:  # reported as this file's error; the other files still run
        result.error = f"{stage}: {type(exc).__name__}: {exc}"
    finally:
        services.close()


def _seed(services: Services, script: Script, base: Path) -> None:
    user = script.settings.user
    wav = _tiny_wav(base / "seed.wav") if any(r.audio for r in script.seed.recordings) else None
    services.recordings.ingest(
        [
            NewRecording(
                user_id=user,
                recorded_at=item.at,
                transcript=item.transcript,
                audio_file=wav if item.audio else None,
            )
            for item in script.seed.recordings
        ],
        channel="cli",
    )
    for purpose, granted in script.seed.consent.items():
        services.consent.set(user, purpose, granted, channel="cli")


def _tiny_wav(path: Path) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(b"\x00\x00" * 1600)
    return path


# --- checking -----------------------------------------------------------------------------


def _check_turn(file: str, number: int, expect: Expect, turn: Turn, ends: bool) -> list[Failure]:
    failures: list[Failure] = []

    def check(name: str, expected: Any, actual: Any, ok: bool | None = None) -> None:
        if not (expected == actual if ok is None else ok):
            failures.append(
                Failure(file, number, turn.utterance, name, _shown(expected), _shown(actual))
            )

    request: dict[str, Any] = turn.request.get("request") or {}
    intent: dict[str, Any] = request.get("intent") or {}
    body: dict[str, Any] = turn.response.get("response") or {}
    card: dict[str, Any] = body.get("card") or {}
    speech = turn.speech
    if expect.request is not None:
        check("request", expect.request, request.get("type"))
    if expect.speech is not None:
        check("speech", expect.speech, speech, _squeezed(expect.speech) == _squeezed(speech))
    for part in expect.speech_contains:
        check("speech_contains", part, speech, speech is not None and part in speech)
    if expect.speech_matches is not None:
        found = speech is not None and expect.speech_matches.search(speech) is not None
        check("speech_matches", expect.speech_matches.pattern, speech, found)
    if expect.intent is not None:
        check("intent", expect.intent, intent.get("name"))
    slots: dict[str, Any] = intent.get("slots") or {}
    for slot, value in expect.slots.items():
        check(f"slots.{slot}", value, (slots.get(slot) or {}).get("value"))
    if expect.confirmation is not None:
        check("confirmation", expect.confirmation, intent.get("confirmationStatus"))
    if expect.directives is not None:
        sent = [str(d.get("type")) for d in body.get("directives") or []]
        check("directives", list(expect.directives), sent)
    if expect.session_ends is not None:
        check("session_ends", expect.session_ends, ends)
    if expect.card_title is not None:
        check("card_title", expect.card_title, card.get("title"))
    card_text = card.get("content") or card.get("text")
    for part in expect.card_contains:
        check("card_contains", part, card_text, card_text is not None and part in card_text)
    return failures


def _check_after(script: Script, services: Services) -> list[Failure]:
    failures: list[Failure] = []
    user = script.settings.user
    if script.after.recordings is not None:
        left = services.recordings.total(user)
        if left != script.after.recordings:
            failures.append(
                Failure(
                    script.file,
                    AFTER_TURN,
                    "",
                    "after.recordings",
                    str(script.after.recordings),
                    str(left),
                )
            )
    state = services.consent.state(user) if script.after.consent else {}
    for purpose, granted in script.after.consent.items():
        if state[purpose] != granted:
            failures.append(
                Failure(
                    script.file,
                    AFTER_TURN,
                    "",
                    f"after.consent.{purpose}",
                    _shown(granted),
                    _shown(state[purpose]),
                )
            )
    return failures


def _expand(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        else:
            yield path


def _squeezed(text: str | None) -> str | None:
    return None if text is None else " ".join(text.split())


def _shown(value: Any) -> str:
    if value is None:
        return _NOTHING
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _quoted(value)
    if isinstance(value, list):
        return "[" + ", ".join(str(item) for item in value) + "]"
    return str(value)


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
