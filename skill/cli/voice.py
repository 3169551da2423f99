"""The voice verbs: ``speak``, ``listen`` and ``voice``. Here the voice front end meets the
simulator: the recogniser hears, the simulator's dialog driver carries the session.

- ``speak TEXT -o WAV``: espeak-ng, 16 kHz mono 16-bit; SSML is spoken as its plain words.
- ``listen WAV``: recognise one utterance and resolve it with the NLU; with ``--respond`` also
  run it against the skill (addressed to it, as inside an open session) and speak the answer to
  ``-o WAV``.
- ``voice [WAV ...]``: the files are successive turns, spoken to a device: Alexa's session
  rules apply ("open voice privacy" first, or ``--in-session``); the microphone when no file is
  given and one exists; ``--respond-dir`` receives each answer as a WAV file.

``speak`` and a plain ``listen`` need no database; the dialog verbs open the services.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skill.cli.args import Verbs, add_session_options
from skill.cli.context import Context
from skill.cli.simulator import options_from
from skill.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from skill.voice.loop import VoiceSession, VoiceTurn
    from skill.voice.recognise import Recogniser
    from skill.voice.wavio import Audio

__all__ = ["register"]


def register(verbs: Verbs) -> None:
    speak = verbs.add_parser("speak", help="say TEXT (or SSML) with espeak-ng into a WAV file")
    speak.add_argument("text", metavar="TEXT", help="what to say; SSML is spoken as plain words")
    speak.add_argument("-o", "--output", type=Path, required=True, metavar="WAV")
    _add_voice_options(speak)
    speak.set_defaults(run=_speak)

    listen = verbs.add_parser(
        "listen", help="recognise a spoken command in a WAV file (offline, pocketsphinx)"
    )
    listen.add_argument("wav", type=Path, metavar="WAV", help="any PCM WAV, 8 to 48 kHz")
    listen.add_argument("--json", action="store_true", help="print {text, intent, slots, ...}")
    listen.add_argument(
        "--respond", action="store_true", help="send it to the skill and show its answer"
    )
    listen.add_argument(
        "-o", "--output", type=Path, metavar="WAV", help="with --respond: speak the answer here"
    )
    _add_voice_options(listen)
    add_session_options(listen, default_user="amzn1.ask.account.SIMULATED")
    listen.set_defaults(run=_listen)

    voice = verbs.add_parser(
        "voice", help="a spoken dialog: WAV files as successive turns of one session"
    )
    voice.add_argument(
        "wavs", nargs="*", type=Path, metavar="WAV", help="the turns (default: the microphone)"
    )
    voice.add_argument(
        "--respond-dir", type=Path, metavar="DIR", help="write each answer as DIR/turn-N.wav"
    )
    voice.add_argument("--json", action="store_true", help="one JSON object per turn")
    _add_voice_options(voice)
    add_session_options(voice, default_user="amzn1.ask.account.DEMO")
    voice.set_defaults(run=_voice)


def _add_voice_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--voice", default="en-us", help="espeak-ng voice, e.g. en-us, en-gb-x-rp, en-us+f2"
    )
    parser.add_argument("--rate", type=int, default=175, help="words a minute (default 175)")
    parser.add_argument("--pitch", type=int, default=50, help="pitch, 0 to 99 (default 50)")


def _speak(args: argparse.Namespace, ctx: Context) -> int:
    from skill.voice.speech_out import Voice, synthesise
    from skill.voice.wavio import write_wav

    audio = synthesise(args.text, Voice(args.voice, args.rate, args.pitch))
    write_wav(args.output, audio)
    print(f"{args.output}: {audio.seconds:.2f} s, 16 kHz mono")
    return 0


def _recogniser(locale: str) -> Recogniser:
    from skill.nlu import model_path
    from skill.voice.recognise import Recogniser

    return Recogniser.for_model(model_path(locale))


def _listen(args: argparse.Namespace, ctx: Context) -> int:
    from skill.nlu import Nlu
    from skill.simulator.envelopes import now_utc
    from skill.simulator.setup import simulator
    from skill.voice.loop import VoiceSession, understand
    from skill.voice.speech_out import Voice
    from skill.voice.wavio import read_wav, write_wav

    if args.output and not args.respond:
        raise InputError("-o goes with --respond (it is where the answer is spoken)")
    audio = read_wav(args.wav)
    recogniser = _recogniser(args.locale)
    # Its one command is addressed to the skill, as if the skill had just been opened.
    options = replace(options_from(args, ctx.config), in_session=True)
    if not args.respond:
        moment = options.time or now_utc()
        meaning = understand(
            recogniser.recognise(audio),
            Nlu.for_locale(args.locale),
            moment.astimezone(options.zone).date(),
        )
        _print_understanding(meaning.as_json(), None, args.json)
        return 0
    with simulator(options, ctx.services, ctx.config) as driver:
        session = VoiceSession(recogniser, driver, Voice(args.voice, args.rate, args.pitch))
        turn = session.hear(audio)
        answer = session.answer_audio(turn)
        if args.output and answer is not None:
            write_wav(args.output, answer)
        driver.finish()  # no more turns: the person says nothing more
    written = args.output if answer is not None else None
    result = turn.understanding.as_json() | {"speech": turn.speech}
    if args.output:
        result["answer"] = None if written is None else str(written)
    _print_understanding(result, written, args.json)
    return 0


def _voice(args: argparse.Namespace, ctx: Context) -> int:
    from rich.console import Console

    from skill.simulator.setup import simulator
    from skill.voice.loop import VoiceSession
    from skill.voice.speech_out import Voice
    from skill.voice.wavio import read_wav

    recogniser = _recogniser(args.locale)
    turns: Iterable[tuple[str, Audio]]
    if args.wavs:  # every file read first: a bad one stops the dialog before it starts
        turns = [(str(path), read_wav(path)) for path in args.wavs]
    else:
        from skill.voice.mic import microphone_turns, open_microphone

        turns = _labelled(microphone_turns(open_microphone()))
    console = Console(highlight=False)
    options = options_from(args, ctx.config)
    with simulator(options, ctx.services, ctx.config) as driver:
        session = VoiceSession(recogniser, driver, Voice(args.voice, args.rate, args.pitch))
        try:
            for number, (source, audio) in enumerate(turns, start=1):
                turn = session.hear(audio)
                answer_path = _write_answer(session, turn, args.respond_dir, number)
                _show_turn(console, source, turn, answer_path, args.json)
        except KeyboardInterrupt:  # Ctrl-C ends the dialog; the session is closed below
            if not args.json:  # --json output stays one object a line
                console.print("(stopped)")
        driver.finish()  # no more turns: the person says nothing more
    return 0


def _labelled(audio: Iterator[Audio]) -> Iterator[tuple[str, Audio]]:
    print("Listening; say something, Ctrl-C to stop.", file=sys.stderr)
    for number, utterance in enumerate(audio, start=1):
        yield f"microphone #{number}", utterance


def _write_answer(
    session: VoiceSession, turn: VoiceTurn, folder: Path | None, number: int
) -> Path | None:
    from skill.voice.wavio import write_wav

    if folder is None:
        return None
    answer = session.answer_audio(turn)
    if answer is None:
        return None
    return write_wav(folder / f"turn-{number:02d}.wav", answer)


def _show_turn(
    console: Console, source: str, turn: VoiceTurn, answer: Path | None, as_json: bool
) -> None:
    from rich.text import Text

    meaning = turn.understanding.as_json()
    if as_json:
        record = {"file": source, **meaning, "speech": turn.speech}
        record["answer"] = None if answer is None else str(answer)
        print(json.dumps(record))
        return
    heard = meaning["text"] or f"({_why(meaning)})"
    console.print(Text.assemble(("You: ", "bold cyan"), heard, (f"  [{source}]", "dim")))
    if turn.speech:
        console.print(Text.assemble(("Alexa: ", "bold green"), turn.speech))
    note = getattr(turn.turn, "note", None)  # the simulator's word on a turn Alexa kept
    if not turn.speech and note:
        console.print(Text(f"({note})", style="yellow"))
    if answer is not None:
        console.print(Text(f"(answer spoken to {answer})", style="dim"))


def _print_understanding(result: dict[str, Any], answer: Path | None, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result))
        return
    if result["text"] is None:
        print(f"didn't catch that ({_why(result)})")
    else:
        slots = {k: v for k, v in result["slots"].items() if v is not None}
        what = result["intent"] or result["request_type"]
        print(f"heard: {result['text']}  (confidence {result['confidence']})")
        print(f"understood: {what} {slots if slots else ''}".rstrip())
    if result.get("speech"):
        print(f"Alexa: {result['speech']}")
    if answer is not None:
        print(f"answer spoken to {answer}")


def _why(result: dict[str, Any]) -> str:
    reasons = {
        "no-sentence": "no command heard",
        "incomplete": "not a whole command",
        "low-confidence": "not sure enough",
        "ignored-speech": "not a command I know",
        "stretched-over-noise": "only noise",
        "noise": "only noise",
        "needs-clearer-hearing": "say it again, a little clearer",
    }
    return reasons.get(str(result["rejected"]), str(result["rejected"]))
