"""Scripted dialog tests: ``privacy-skill replay FILE ...`` plays YAML dialogs and checks them.

A replay file is one conversation with the skill, played through the same simulator as
``simulate`` (NLU, dialog driver, device time zone served on loopback), with what each turn must
show. Every run gets a fresh SQLite database and audio folder in a temporary directory, never
the operator's database, so a file replays the same anywhere. The format::

    name: Delete today's recordings after confirming
    settings:                          # all optional
      user: amzn1.ask.account.REPLAY   # the speaker's Alexa userId (this default)
      time: 2026-11-26T15:00:00Z       # request time of every turn (this default: files are
                                       #   repeatable); needs a UTC offset; "now": the clock
      timezone: Europe/Berlin          # device time zone (default UTC)
      locale: en-US                    # interaction model and wording (default en-US)
      session: open                    # start inside a session: the first turn needs no
                                       #   "open voice privacy" (default closed: Alexa's rules)
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

Seed recordings are stored first, then seed consent is recorded. After the last turn, if the
session is still open, the person says nothing: Alexa speaks the reprompt, hears silence and
sends a SessionEndedRequest (EXCEEDED_MAX_REPROMPTS).

The ``endpoint`` transport reaches a skill whose database is not ours: files with ``seed`` or
``after`` are refused there, unless the endpoint runs on this process's database
(``shared``, ``--shared-database``): then each file seeds and checks a fresh user of its own
(``settings.user`` with a random suffix), whose recordings are deleted afterwards. Signed
(``--sign``), requests carry the real clock, since a verifying endpoint accepts only requests
stamped within 150 s of its own clock: a file that pins ``settings.time`` is refused there.

Bespoken skill-testing-ml files (``bst test`` YAML) run too: see ``bst_format.py``.
"""

from __future__ import annotations

import tempfile
import time
import uuid
import wave
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

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
from skill.simulator.replay_report import (
    as_json,
    print_result,
    print_totals,
    quoted,
    shown,
    write_junit,
)
from skill.simulator.replay_results import AFTER_TURN, CaseResult, Failure, FileResult
from skill.simulator.setup import SimulatorOptions, TransportName, simulator
from skill.simulator.yaml_input import YamlInputError, read_documents, read_text

__all__ = [
    "AFTER_TURN",
    "Failure",
    "FileResult",
    "ReplayFileError",
    "ReplayTarget",
    "load_script",
    "print_result",
    "run_file",
    "run_files",
]


@dataclass(frozen=True)
class ReplayTarget:
    """Where the skill under test runs, and whose database seeds and checks use."""

    transport: TransportName = "in-process"
    """How requests reach the skill."""
    endpoint: str | None = None
    """The URL for the ``endpoint`` transport."""
    sign_with: Path | None = None
    """Sign requests with the dev-certs material in this folder (``--sign``)."""
    shared: Config | None = None
    """The database the endpoint runs on, when it is this process's (``--shared-database``):
    ``seed`` and ``after`` use it. None: a fresh temporary database for each file (in
    process, Lambda), or none at all (an endpoint)."""

    @property
    def signed(self) -> bool:
        return self.sign_with is not None


def run_file(
    path: Path,
    transport: TransportName = "in-process",
    endpoint: str | None = None,
    *,
    target: ReplayTarget | None = None,
) -> FileResult:
    """Play one replay file (either format) and check every expectation."""
    target = target or ReplayTarget(transport, endpoint)
    started = time.perf_counter()
    result = _run(path, target)
    result.seconds = time.perf_counter() - started
    return result


def run_files(
    paths: Iterable[Path],
    console: Console,
    transport: TransportName = "in-process",
    endpoint: str | None = None,
    *,
    target: ReplayTarget | None = None,
    json_output: bool = False,
    junit: Path | None = None,
) -> int:
    """Play every file (a folder means its ``*.yaml`` and ``*.yml``), report, and return the
    exit status: 0 if every file passed, else 1. ``json_output`` prints one JSON object
    instead of the terminal report; ``junit`` also writes JUnit XML there."""
    target = target or ReplayTarget(transport, endpoint)
    results: list[FileResult] = []
    for path in _expand(paths):
        result = run_file(path, target=target)
        results.append(result)
        if not json_output:
            print_result(console, result)
    if json_output:
        print(as_json(results))
    else:
        print_totals(console, results)
    if junit is not None:
        write_junit(junit, results)
    return 0 if all(result.passed for result in results) else 1


# --- playing ------------------------------------------------------------------------------


def _run(path: Path, target: ReplayTarget) -> FileResult:
    if target.transport == "endpoint" and not target.endpoint:
        return FileResult(str(path), path.stem, 0, error="the endpoint transport needs a URL")
    try:
        text = read_text(path)
        documents = read_documents(path, text=text)
    except YamlInputError as error:
        return FileResult(str(path), path.stem, 0, error=f"{path}: {error}")
    from skill.simulator.bst_format import is_bst_file

    if is_bst_file(documents):
        from skill.simulator.bst_run import run_bst_file

        return run_bst_file(path, documents, target)
    try:
        script = load_script(path, text)
    except ReplayFileError as exc:
        return FileResult(str(path), path.stem, 0, error=str(exc))
    result = FileResult(script.file, script.name, 0)
    refused = _refusal(script, target)
    if refused is None:
        with tempfile.TemporaryDirectory(prefix="privacy-skill-replay-") as tmp:
            _play(script, Path(tmp), target, result)
    else:
        result.error = refused
    result.cases = [CaseResult(script.name, result.turns, result.failures, result.error)]
    return result


def _refusal(script: Script, target: ReplayTarget) -> str | None:
    """Why ``script`` cannot run against ``target``, or None."""
    if target.transport != "endpoint":
        return None
    if target.shared is None:
        sections = [
            key
            for key, empty in (("seed", script.seed.empty), ("after", script.after.empty))
            if not empty
        ]
        if sections:
            return (
                f"{script.file}: {' and '.join(sections)} cannot be used with the endpoint "
                "transport: the remote skill's database is not ours to fill or inspect "
                "(if the endpoint runs on this PRIVACY_SKILL_DATABASE_URL, add "
                "--shared-database)"
            )
    if target.signed and script.settings.clock == "pinned":
        return (
            f"{script.file}: settings.time pins every request to "
            f"{script.settings.time.isoformat()}, but a verifying endpoint refuses requests "
            "stamped more than 150 s from its own clock; use `time: now` (or leave time out) "
            "to replay this file over --sign"
        )
    return None


@contextmanager
def backing(target: ReplayTarget, base: Path) -> Iterator[tuple[Services, Config]]:
    """The services seeds and checks use: the endpoint's shared database, or a fresh SQLite
    database and audio folder under ``base``."""
    if target.shared is not None:
        config = target.shared
    else:
        env = {
            "PRIVACY_SKILL_DATABASE_URL": f"sqlite:///{base / 'replay.db'}",
            "PRIVACY_SKILL_AUDIO_DIR": str(base / "audio"),
        }
        config = Config.from_env(env, data_dir=base)
    services = open_services(config)
    try:
        yield services, config
    finally:
        services.close()


def run_clock(target: ReplayTarget, pinned: datetime | None) -> datetime | None:
    """The pinned time for a run, or None for the real clock (a signed endpoint always)."""
    return None if target.signed else pinned


def _play(script: Script, base: Path, target: ReplayTarget, result: FileResult) -> None:
    settings = script.settings
    pinned = run_clock(target, None if settings.clock == "now" else settings.time)
    start = pinned or datetime.now(UTC)
    user = settings.user
    if target.shared is not None:  # never touch anyone's data in a real database
        user = f"{settings.user}.replay-{uuid.uuid4().hex[:12]}"
    stage = "seeding the database"
    with backing(target, base) as (services, config):
        try:
            _seed(services, script, user, start, base)
            options = SimulatorOptions(
                user_id=user,
                locale=settings.locale,
                zone=settings.zone,
                time=pinned,
                transport=target.transport,
                endpoint=target.endpoint,
                sign_with=target.sign_with,
                in_session=settings.session == "open",
                person_id=settings.person,
            )
            with simulator(options, services, config) as driver:
                for step_number, step in enumerate(script.turns, 1):
                    stage = f"turn {step_number} {_quoted(step.say)}"
                    driver.caller.person_id = (
                        settings.person if step.person == "settings" else step.person
                    )
                    turn = driver.say(step.say)
                    result.turns = step_number
                    result.failures += _check_turn(
                        script.file, step_number, step.expect, turn, ends=not driver.session_open
                    )
                stage = "ending the session"
                driver.finish()
            stage = "checking the stored data"
            result.failures += _check_after(script, services, user)
        except Exception as exc:  # reported as this file's error; the other files still run
            result.error = f"{stage}: {type(exc).__name__}: {exc}"
        finally:
            if target.shared is not None:
                services.recordings.delete_all(user, channel="cli")


def _seed(services: Services, script: Script, user: str, start: datetime, base: Path) -> None:
    wav = _tiny_wav(base / "seed.wav") if any(r.audio for r in script.seed.recordings) else None
    services.recordings.ingest(
        [
            NewRecording(
                user_id=user,
                recorded_at=item.when(start),
                transcript=item.transcript,
                audio_file=wav if item.audio else None,
                person_id=item.person,
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
                Failure(file, number, turn.utterance, name, shown(expected), shown(actual))
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


def _check_after(script: Script, services: Services, user: str) -> list[Failure]:
    failures: list[Failure] = []
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
                    shown(granted),
                    shown(state[purpose]),
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


_quoted = quoted
