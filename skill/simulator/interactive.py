"""`privacy-skill dialog`: type to the real skill, with a local Settings API."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import Console

from skill.config import Config
from skill.simulator.repl import run_repl
from skill.simulator.setup import SimulatorOptions, simulator

if TYPE_CHECKING:
    from skill.services import Services


def run_interactive(
    services: Services | Callable[[], Services], config: Config, options: SimulatorOptions
) -> int:
    """Run the interactive dialog until the person types quit or closes input (``services``
    may be a function that opens them when a turn first needs data)."""
    console = Console()
    with simulator(options, services, config) as driver:
        console.print(
            f"[bold]Voice Privacy[/bold] simulator: you are {options.user_id}, device time zone "
            f"{options.zone.key}. Type what you would say to Alexa: [italic]open voice "
            "privacy[/italic] first, then [italic]what data do you keep[/italic] or "
            "[italic]delete what I said today[/italic]; or in one go, [italic]ask voice "
            "privacy what data do you keep[/italic]. Type quit to leave."
        )
        return run_repl(driver, console)
