"""`privacy-skill dialog`: type to the real skill, in process, with a local Settings API."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console

from skill.alexa.builder import build_skill, handle_event
from skill.config import Config
from skill.services import Services
from skill.simulator.dialog import DialogDriver
from skill.simulator.envelopes import Caller, now_utc
from skill.simulator.nlu import Nlu
from skill.simulator.repl import run_repl
from skill.simulator.settings_stub import SettingsStub


def run_interactive(
    services: Services, config: Config, *, user_id: str, zone: ZoneInfo, locale: str
) -> int:
    """Run the interactive dialog until the person types quit or closes input."""
    skill = build_skill(services, config)
    nlu = Nlu.for_locale(locale)
    console = Console()

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        return handle_event(skill, event)

    with SettingsStub(default_zone=zone.key).running() as stub:
        caller = Caller(user_id=user_id, locale=locale, api_endpoint=stub.endpoint)
        driver = DialogDriver(invoke, nlu, caller, now_utc, zone)
        console.print(
            f"[bold]Voice Privacy[/bold] simulator: you are {user_id}, device time zone "
            f"{zone.key}. Type what you would say, e.g. [italic]open voice privacy[/italic], "
            "[italic]what data do you keep[/italic], [italic]delete what I said today[/italic]. "
            "Type quit to leave."
        )
        return run_repl(driver, console)
