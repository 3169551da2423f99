"""Replay files: loading and strict validation (the format is documented in ``replay.py``).

A replay file is YAML read with YAML 1.2 scalars: only ``true``/``false`` are booleans (``say:
yes`` is the word "yes", not True) and times and dates stay text until a key that wants a time
parses it. Every mapping is checked against the keys it may have, duplicate keys included, so a
typo is an error that names the file and the place (``turns[2].expect.speech_contain``), never an
expectation that silently is not checked.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from skill.nlu import MODELS_DIR
from skill.services.models import PURPOSES
from skill.simulator.yaml_input import YamlInputError, read_documents
from skill.values import parse_aware_time, parse_zone

__all__ = [
    "DEFAULT_TIME",
    "DEFAULT_USER",
    "After",
    "Expect",
    "ReplayFileError",
    "Script",
    "Seed",
    "SeedRecording",
    "Settings",
    "Step",
    "load_script",
    "parse_duration",
]

DEFAULT_USER = "amzn1.ask.account.REPLAY"
DEFAULT_TIME = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
"""Every turn's request time unless a file pins another: files replay the same on any day."""
CONFIRMATION_STATUSES = ("NONE", "CONFIRMED", "DENIED")
_DURATION = re.compile(r"(\d+)([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

MAX_TURNS = 1000
"""Turns a file may have: a dialog test is a few; more is a mistake or an attack."""
MAX_UTTERANCE = 1000
"""Characters one ``say`` may have (Alexa's longest utterances are far shorter)."""
SessionStart = Literal["open", "closed"]
Clock = Literal["default", "pinned", "now"]

Where = str
"""A place in a file, as a reader would point at it: ``turns[2].expect.speech``."""


class ReplayFileError(ValueError):
    """A replay file cannot be used: it is missing, not YAML, or not the replay format."""

    def __init__(self, file: Path | str, where: Where, message: str) -> None:
        self.file = str(file)
        self.where = where
        self.message = message
        super().__init__(f"{file}: {where}: {message}" if where else f"{file}: {message}")


@dataclass(frozen=True)
class Settings:
    """Who speaks, when and where, for every turn of a file."""

    user: str = DEFAULT_USER
    """Alexa userId of the speaker; seed data and ``after`` checks belong to this user."""
    person: str | None = None
    """Alexa personId of the recognised speaker (``context.System.person``); None: the
    speaker's voice is not recognised. A turn may say otherwise (``person:``)."""
    time: datetime = DEFAULT_TIME
    """The pinned request time of every turn (aware)."""
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    """The device time zone the simulated Alexa Settings API reports."""
    locale: str = "en-US"
    """Device locale; picks the interaction model and the skill's language."""
    session: SessionStart = "closed"
    """``open``: the first turn is inside a session, as if the skill had just been opened;
    ``closed`` (the default): Alexa's session rules from the start."""
    clock: Clock = "default"
    """Where ``time`` comes from: ``default`` (not in the file), ``pinned`` (the file's
    ``time``) or ``now`` (``time: now``: the real clock, each turn stamped when it is sent)."""


@dataclass(frozen=True)
class SeedRecording:
    """One recording stored before the first turn."""

    at: datetime
    """When it was said (aware); ``ago`` in the file is resolved against ``settings.time``."""
    transcript: str
    """What was recognised."""
    audio: bool = True
    """Whether a (tiny, generated) WAV file is stored with it."""
    ago: timedelta | None = None
    """How long before the run's time it was said (``ago`` in the file), so a run on another
    clock (``time: now``, a signed endpoint) counts back from its own time."""
    person: str | None = None
    """The recognised person who said it; None: no voice was recognised."""

    def when(self, now: datetime) -> datetime:
        """When it was said, for a run whose first turn is at ``now``."""
        return self.at if self.ago is None else now - self.ago


@dataclass(frozen=True)
class Seed:
    """Data put in place before the first turn."""

    recordings: tuple[SeedRecording, ...] = ()
    """Recordings of ``settings.user``."""
    consent: Mapping[str, bool] = field(default_factory=dict)
    """Purpose -> granted, recorded through the consent service (channel ``cli``)."""

    @property
    def empty(self) -> bool:
        return not self.recordings and not self.consent


@dataclass(frozen=True)
class Expect:
    """What one turn must show; None (or empty) means "not checked"."""

    request: str | None = None
    """The request type sent to the skill (LaunchRequest, IntentRequest, ...)."""
    speech: str | None = None
    """The whole of what was heard, whitespace runs counted as one space."""
    speech_contains: tuple[str, ...] = ()
    """Parts the speech must contain, each checked on its own."""
    speech_matches: re.Pattern[str] | None = None
    """A regular expression ``re.search`` must find in the speech."""
    intent: str | None = None
    """The intent name sent to the skill."""
    slots: Mapping[str, str | None] = field(default_factory=dict)
    """Slot name -> value sent; only the slots named are checked, None means "not filled"."""
    confirmation: str | None = None
    """``intent.confirmationStatus`` sent: NONE, CONFIRMED or DENIED."""
    directives: tuple[str, ...] | None = None
    """The exact list of directive types in the response; () means none."""
    session_ends: bool | None = None
    """Whether the session is over after the turn (the skill ended it)."""
    card_title: str | None = None
    """The title of the card the skill sent."""
    card_contains: tuple[str, ...] = ()
    """Parts the card's text must contain."""


@dataclass(frozen=True)
class Step:
    """One turn of the script: an utterance and its expectations."""

    say: str
    """What the person says (typed, as to the simulator)."""
    expect: Expect
    """What must be seen for this turn."""
    person: str | Literal["settings"] | None = "settings"
    """Who is recognised saying it: a personId, None (``person: null``: nobody), or
    ``settings`` (the file's ``settings.person``)."""


@dataclass(frozen=True)
class After:
    """Checks on stored data once the dialog is over."""

    recordings: int | None = None
    """How many recordings ``settings.user`` has left; None means not checked."""
    consent: Mapping[str, bool] = field(default_factory=dict)
    """Purpose -> granted, as the consent service reports it now."""

    @property
    def empty(self) -> bool:
        return self.recordings is None and not self.consent


@dataclass(frozen=True)
class Script:
    """A validated replay file."""

    file: str
    """The path it was loaded from, as given."""
    name: str
    """What the dialog shows (the file's ``name``, else its stem)."""
    settings: Settings
    """Speaker, time, zone and locale."""
    seed: Seed
    """Data in place before the first turn."""
    turns: tuple[Step, ...]
    """The turns, in order (at least one)."""
    after: After
    """Checks after the last turn."""


# --- YAML reading ---------------------------------------------------------------------------


def _read_yaml(path: Path, text: str | None = None) -> Any:
    try:
        documents = read_documents(path, text=text)
    except YamlInputError as error:
        raise ReplayFileError(path, "", str(error)) from None
    if len(documents) > 1:
        raise ReplayFileError(path, "", "a replay file is one YAML document (no '---' between)")
    return documents[0] if documents else None


# --- validation -----------------------------------------------------------------------------


class _Checker:
    """Validation helpers that know which file they are reading."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: Where, message: str) -> ReplayFileError:
        return ReplayFileError(self.path, where, message)

    def mapping(
        self,
        value: Any,
        where: Where,
        allowed: tuple[str, ...],
        required: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where or "top level", f"expected a mapping, got {_kind(value)}")
        for key in value:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), allowed, n=1)
                known = f"did you mean {hint[0]!r}?" if hint else f"known: {', '.join(allowed)}"
                raise self.fail(_join(where, str(key)), f"unknown key ({known})")
        for key in required:
            if key not in value:
                raise self.fail(where or "top level", f"missing required key {key!r}")
        return value

    def text(self, value: Any, where: Where, *, empty_ok: bool = False) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)  # `slots: {number: 3}` means the text "3"
        if not isinstance(value, str):
            raise self.fail(where, f"expected text, got {_kind(value)}")
        if not empty_ok and not value.strip():
            raise self.fail(where, "must not be empty")
        return value

    def texts(self, value: Any, where: Where) -> tuple[str, ...]:
        if isinstance(value, list):
            return tuple(self.text(item, f"{where}[{i}]") for i, item in enumerate(value, 1))
        return (self.text(value, where),)

    def flag(self, value: Any, where: Where) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, f"expected true or false, got {_kind(value)}")
        return value

    def moment(self, value: Any, where: Where) -> datetime:
        try:
            return parse_aware_time(self.text(value, where))
        except ValueError as error:
            raise self.fail(where, str(error)) from None

    def consent(self, value: Any, where: Where) -> dict[str, bool]:
        given = self.mapping(value, where, PURPOSES)
        return {
            purpose: self.flag(granted, _join(where, purpose)) for purpose, granted in given.items()
        }


def load_script(path: Path, text: str | None = None) -> Script:
    """Read and validate one replay file (``text``: its contents, already read); raise
    ReplayFileError naming what is wrong."""
    check = _Checker(path)
    top = check.mapping(
        _read_yaml(path, text), "", ("name", "settings", "seed", "turns", "after"), ("turns",)
    )
    name = check.text(top["name"], "name") if "name" in top else path.stem
    settings = _settings(check, top.get("settings", {}))
    seed = _seed(check, top.get("seed", {}), settings.time)
    turns = top["turns"]
    if not isinstance(turns, list) or not turns:
        raise check.fail("turns", "expected a list of at least one turn")
    if len(turns) > MAX_TURNS:
        raise check.fail("turns", f"{len(turns):,} turns; a file may have at most {MAX_TURNS:,}")
    steps = tuple(_step(check, turn, f"turns[{i}]") for i, turn in enumerate(turns, 1))
    return Script(str(path), name, settings, seed, steps, _after(check, top.get("after", {})))


def _settings(check: _Checker, value: Any) -> Settings:
    given = check.mapping(
        value, "settings", ("user", "person", "time", "timezone", "locale", "session")
    )
    settings = Settings()
    user = check.text(given["user"], "settings.user") if "user" in given else settings.user
    person = check.text(given["person"], "settings.person") if given.get("person") else None
    time, clock = settings.time, settings.clock
    if given.get("time") == "now":
        time, clock = datetime.now(UTC).replace(microsecond=0), "now"
    elif "time" in given:
        time, clock = check.moment(given["time"], "settings.time"), "pinned"
    session = settings.session
    if "session" in given:
        chosen = check.text(given["session"], "settings.session")
        if chosen not in ("open", "closed"):
            raise check.fail("settings.session", "expected open or closed")
        session = "open" if chosen == "open" else "closed"
    zone = settings.zone
    if "timezone" in given:
        try:
            zone = parse_zone(check.text(given["timezone"], "settings.timezone"))
        except ValueError as error:
            raise check.fail("settings.timezone", str(error)) from None
    locale = settings.locale
    if "locale" in given:
        locale = check.text(given["locale"], "settings.locale")
        if "/" in locale or not (MODELS_DIR / f"{locale}.json").is_file():
            raise check.fail("settings.locale", f"no interaction model for {locale!r}")
    return Settings(
        user=user,
        person=person,
        time=time,
        zone=zone,
        locale=locale,
        session=session,
        clock=clock,
    )


def _seed(check: _Checker, value: Any, now: datetime) -> Seed:
    given = check.mapping(value, "seed", ("recordings", "consent"))
    listed = given.get("recordings", [])
    if not isinstance(listed, list):
        raise check.fail("seed.recordings", f"expected a list, got {_kind(listed)}")
    recordings = []
    for i, item in enumerate(listed, 1):
        where = f"seed.recordings[{i}]"
        entry = check.mapping(
            item, where, ("at", "ago", "transcript", "audio", "person"), ("transcript",)
        )
        if ("at" in entry) == ("ago" in entry):
            raise check.fail(where, "give exactly one of 'at' (a time) or 'ago' (e.g. 2h)")
        ago = None
        if "at" in entry:
            at = check.moment(entry["at"], f"{where}.at")
        else:
            try:
                ago = parse_duration(check.text(entry["ago"], f"{where}.ago"))
            except ValueError as exc:
                raise check.fail(f"{where}.ago", str(exc)) from None
            at = now - ago
        audio = check.flag(entry["audio"], f"{where}.audio") if "audio" in entry else True
        transcript = check.text(entry["transcript"], f"{where}.transcript")
        person = check.text(entry["person"], f"{where}.person") if entry.get("person") else None
        recordings.append(SeedRecording(at, transcript, audio, ago, person))
    consent = check.consent(given["consent"], "seed.consent") if "consent" in given else {}
    return Seed(tuple(recordings), consent)


def _step(check: _Checker, value: Any, where: Where) -> Step:
    given = check.mapping(value, where, ("say", "expect", "person"), ("say",))
    say = check.text(given["say"], f"{where}.say")
    if len(say) > MAX_UTTERANCE:
        raise check.fail(f"{where}.say", f"longer than {MAX_UTTERANCE:,} characters")
    person: str | Literal["settings"] | None = "settings"
    if "person" in given:
        person = None if given["person"] is None else check.text(given["person"], f"{where}.person")
    return Step(say, _expect(check, given.get("expect", {}), f"{where}.expect"), person)


_EXPECT_KEYS = (
    "request",
    "speech",
    "speech_contains",
    "speech_matches",
    "intent",
    "slots",
    "confirmation",
    "directives",
    "session_ends",
    "card_title",
    "card_contains",
)


def _expect(check: _Checker, value: Any, where: Where) -> Expect:
    given = check.mapping(value, where, _EXPECT_KEYS)

    def text(key: str) -> str | None:
        return check.text(given[key], _join(where, key)) if key in given else None

    def texts(key: str) -> tuple[str, ...]:
        return check.texts(given[key], _join(where, key)) if key in given else ()

    pattern = None
    if "speech_matches" in given:
        source = check.text(given["speech_matches"], _join(where, "speech_matches"))
        try:
            pattern = re.compile(source)
        except re.error as exc:
            where_pattern = _join(where, "speech_matches")
            raise check.fail(where_pattern, f"bad regular expression: {exc}") from None
    slots: dict[str, str | None] = {}
    if "slots" in given:
        slot_values = given["slots"]
        if not isinstance(slot_values, dict):
            raise check.fail(_join(where, "slots"), f"expected a mapping, got {_kind(slot_values)}")
        for slot, slot_value in slot_values.items():
            slot_where = _join(where, f"slots.{slot}")
            slots[check.text(slot, slot_where)] = (
                None if slot_value is None else check.text(slot_value, slot_where)
            )
    confirmation = text("confirmation")
    if confirmation is not None and confirmation not in CONFIRMATION_STATUSES:
        raise check.fail(
            _join(where, "confirmation"), f"expected one of {', '.join(CONFIRMATION_STATUSES)}"
        )
    directives = None
    if "directives" in given:
        if not isinstance(given["directives"], list):
            raise check.fail(_join(where, "directives"), "expected a list ([] for none)")
        directives = check.texts(given["directives"], _join(where, "directives"))
    ends = (
        check.flag(given["session_ends"], _join(where, "session_ends"))
        if ("session_ends" in given)
        else None
    )
    return Expect(
        request=text("request"),
        speech=text("speech"),
        speech_contains=texts("speech_contains"),
        speech_matches=pattern,
        intent=text("intent"),
        slots=slots,
        confirmation=confirmation,
        directives=directives,
        session_ends=ends,
        card_title=text("card_title"),
        card_contains=texts("card_contains"),
    )


def _after(check: _Checker, value: Any) -> After:
    given = check.mapping(value, "after", ("recordings", "consent"))
    count = None
    if "recordings" in given:
        count = given["recordings"]
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise check.fail("after.recordings", "expected a whole number, 0 or more")
    consent = check.consent(given["consent"], "after.consent") if "consent" in given else {}
    return After(count, consent)


def parse_duration(text: str) -> timedelta:
    """``90s``, ``15m``, ``2h``, ``3d``, ``1w`` or combinations such as ``1d12h``."""
    compact = text.replace(" ", "")
    if not compact or _DURATION.sub("", compact):
        raise ValueError(
            f"{text!r} is not a duration: a number and a unit (s, m, h, d, w), e.g. 2h or 1d12h"
        )
    total = timedelta()
    for amount, unit in _DURATION.findall(compact):
        total += timedelta(**{_UNITS[unit]: int(amount)})
    return total


def _join(where: Where, key: str) -> Where:
    return f"{where}.{key}" if where else key


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    names: dict[type, str] = {dict: "a mapping", list: "a list", str: "text"}
    return names.get(type(value), type(value).__name__)
