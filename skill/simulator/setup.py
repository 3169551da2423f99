"""One place that assembles a simulator: transport, Settings API stub, NLU and dialog driver.

Used by ``dialog``, ``simulate`` and ``replay`` so that all three behave alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from skill.config import Config
from skill.nlu import Nlu
from skill.simulator.dialog import DialogDriver
from skill.simulator.envelopes import DEFAULT_SKILL_ID, Caller, now_utc
from skill.simulator.settings_stub import SettingsStub
from skill.simulator.transports import Invoke, in_process, over_http, through_lambda

if TYPE_CHECKING:
    from skill.services import Services

UTC_ZONE = ZoneInfo("UTC")
TransportName = Literal["in-process", "lambda", "endpoint"]


@dataclass(frozen=True)
class SimulatorOptions:
    """Who talks, from where, when, and how the skill is reached."""

    user_id: str = "amzn1.ask.account.SIMULATED"
    """Alexa userId of the simulated account."""
    device_id: str = "amzn1.ask.device.SIMULATED"
    """Alexa deviceId of the simulated device."""
    locale: str = "en-US"
    """Device locale; picks the interaction model."""
    zone: ZoneInfo = UTC_ZONE
    """The device time zone the local Settings API reports."""
    time: datetime | None = None
    """A pinned request time for every turn; None means the real clock."""
    transport: TransportName = "in-process"
    """How requests reach the skill."""
    endpoint: str | None = None
    """The URL for the ``endpoint`` transport."""
    skill_id: str = DEFAULT_SKILL_ID
    """The application id requests are addressed to."""
    sign_with: Path | None = None
    """For the endpoint transport: sign requests with dev-certs material from this folder."""
    model: Path | None = None
    """An interaction model file to understand utterances with; None: the locale's."""
    in_session: bool = False
    """Start inside an open session: the first utterance reaches the skill without naming it
    (otherwise Alexa's session rules apply from the start)."""
    person_id: str | None = None
    """Alexa personId of the recognised speaker (``context.System.person``); None: the voice
    is not recognised."""


def make_invoke(
    options: SimulatorOptions, services: Services | Callable[[], Services], config: Config
) -> Invoke:
    """How requests reach the skill; ``services`` may be a function that opens them on first
    use (in process, a request that needs no data then opens no database)."""
    if options.transport == "lambda":
        return through_lambda(config)
    if options.transport == "endpoint":
        if not options.endpoint:
            raise ValueError("the endpoint transport needs a URL")
        from skill.simulator.signing import dev_signer  # cryptography: only for --sign

        signer = dev_signer(options.sign_with) if options.sign_with else None
        return over_http(options.endpoint, signer=signer)
    return in_process(services, config)


@contextmanager
def simulator(
    options: SimulatorOptions, services: Services | Callable[[], Services], config: Config
) -> Iterator[DialogDriver]:
    """A dialog driver wired to the skill, with the device zone served on loopback."""
    invoke = make_invoke(options, services, config)
    nlu = Nlu.from_file(options.model) if options.model else Nlu.for_locale(options.locale)
    pinned = options.time
    clock: Callable[[], datetime] = (lambda: pinned) if pinned is not None else now_utc
    with SettingsStub(default_zone=options.zone.key).running() as stub:
        caller = Caller(
            user_id=options.user_id,
            device_id=options.device_id,
            skill_id=options.skill_id,
            locale=options.locale,
            api_endpoint=stub.endpoint,
            api_access_token=stub.access_token,
            person_id=options.person_id,
        )
        yield DialogDriver(invoke, nlu, caller, clock, options.zone, in_session=options.in_session)
