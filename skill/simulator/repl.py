"""Talk to the skill by typing: an interactive loop around the dialog driver.

Each line the person types is one utterance; the loop prints what Alexa says back, the card the
skill sent, and what a dialog directive means ("(asks you to confirm)"). When the skill ends the
session the loop says "(session ended)" and keeps going, as on a device: outside a session only
an utterance that names the skill reaches it, and the loop says so, and how to phrase it ("ask
voice privacy to ..."), when one does not. "quit" or "exit" leave, ending an open session the way
Alexa does (SessionEndedRequest, USER_INITIATED); end of input (Ctrl-D) or Ctrl-C leave as a
person who walks away does (the reprompt, silence, then EXCEEDED_MAX_REPROMPTS).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from skill.simulator.dialog import DialogDriver, Turn

__all__ = ["HISTORY_FILE", "describe_directive", "print_turn", "run_repl"]

HISTORY_FILE = Path.home() / ".privacy_skill_history"
_QUIT = {"quit", "exit"}
_PROMPT = "You: "


def run_repl(
    driver: DialogDriver,
    console: Console,
    read: Callable[[str], str] = input,
) -> int:
    """Read utterances with ``read`` until the person leaves; returns the exit status (0)."""
    interactive = read is input and sys.stdin.isatty()
    console.print(
        Text(
            f'Talking to "{driver.nlu.invocation_name}". Say "open '
            f'{driver.nlu.invocation_name}" first, or "ask {driver.nlu.invocation_name} to ..."; '
            '"quit" leaves.',
            style="dim",
        )
    )
    with _history(HISTORY_FILE if interactive else None):
        walked_away = True
        try:
            walked_away = _loop(driver, console, read, echo=not interactive)
        finally:
            ended = driver.finish() if walked_away else driver.end()
            if ended is not None:
                if ended.speech:
                    console.print(Text.assemble(("Alexa: ", "bold green"), ended.speech))
                console.print(Text("(session ended)", style="dim"))
    return 0


def _loop(driver: DialogDriver, console: Console, read: Callable[[str], str], echo: bool) -> bool:
    """Play turns until the person leaves; True when they walked away (end of input, Ctrl-C),
    False when they said "quit" or "exit"."""
    while True:
        try:
            # When input is piped, the echo below shows the line; no bare prompt.
            line = read("" if echo and read is input else _PROMPT)
        except (EOFError, KeyboardInterrupt):
            console.print()
            return True
        utterance = line.strip()
        if not utterance:
            continue
        if echo:  # a terminal already shows what was typed after the prompt
            console.print(Text.assemble(("You: ", "bold cyan"), utterance))
        if utterance.lower() in _QUIT:
            return False
        try:
            turn = driver.say(utterance)
        except Exception as error:  # the skill failed; show it, as Alexa's error tone would
            console.print(Text(f"(the skill failed: {type(error).__name__}: {error})", "red"))
            continue
        print_turn(console, turn)
        if turn.sent and not driver.session_open:
            console.print(Text("(session ended)", style="dim"))


def print_turn(console: Console, turn: Turn) -> None:
    """Print what Alexa said for ``turn``, its card and any dialog directive; for an
    utterance Alexa kept from the skill, why and how to phrase it instead."""
    if not turn.sent and turn.note is not None and turn.speech is None:
        console.print(Text(f"({turn.note})", style="yellow"))
        return
    speech = turn.speech if turn.speech is not None else "(says nothing)"
    console.print(Text.assemble(("Alexa: ", "bold green"), speech))
    body: Mapping[str, Any] = turn.response.get("response") or {}
    card: Mapping[str, Any] = body.get("card") or {}
    if card:
        title = str(card.get("title") or card.get("type", "card"))
        content = str(card.get("content") or card.get("text") or "")
        console.print(Text.assemble(("  [card] ", "magenta"), (title, "bold")))
        for line in content.splitlines():
            console.print(Text("    " + line))
    for directive in body.get("directives") or []:
        console.print(Text("  " + describe_directive(directive), style="dim"))


def describe_directive(directive: Mapping[str, Any]) -> str:
    """A short human description of a response directive."""
    kind = str(directive.get("type", "?"))
    if kind == "Dialog.ConfirmIntent":
        return "(asks you to confirm)"
    if kind == "Dialog.ConfirmSlot":
        return f"(asks you to confirm the {directive.get('slotToConfirm')})"
    if kind == "Dialog.ElicitSlot":
        return f"(asks you for the {directive.get('slotToElicit')})"
    if kind == "Dialog.Delegate":
        return "(lets Alexa continue the dialog)"
    return f"(directive {kind})"


@contextmanager
def _history(path: Path | None) -> Iterator[None]:
    """Line editing and history in ``path`` for a terminal; nothing otherwise."""
    if path is None:
        yield
        return
    try:
        import readline
    except ImportError:  # not on every platform; typing still works without it
        yield
        return
    with suppress(OSError):  # first run: no history yet
        readline.read_history_file(path)
    readline.set_history_length(1000)
    try:
        yield
    finally:
        with suppress(OSError):  # a read-only home should not break leaving the loop
            readline.write_history_file(path)
