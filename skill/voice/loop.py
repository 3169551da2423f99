"""A spoken dialog: audio in, through the recogniser and the NLU to the skill, and the skill's
answer spoken back.

The dialog itself (sessions, envelopes, how the skill is reached) is not this package's: a
``VoiceSession`` is handed any ``Dialog``, such as the simulator's dialog driver, by the caller
that wires the two together (the CLI). Voice and simulator never import each other.

``understand`` turns a recognition into what Alexa would send: the request type, intent and
slots, from the same NLU the typed simulator uses. Audio the recogniser rejected is not sent to
the skill at all; the person hears ``NOT_CAUGHT`` and any question the skill asked stays open
(the next "yes" still answers it), as on a device.

Two kinds of answers need a clearer hearing than the rest, because hearing them by mistake
costs more than asking again: a "yes" (it confirms a deletion) and a grant of human review
(it gives consent). Their sentences must reach ``CAREFUL_FLOOR``, not just the recogniser's
floor; a "no" or a withdrawal heard by mistake deletes or shares nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from skill.alexa.responses import speech_text
from skill.nlu import Nlu
from skill.voice.recognise import Recogniser, Recognition
from skill.voice.speech_out import Voice, plain_speech, synthesise
from skill.voice.wavio import Audio

__all__ = [
    "CAREFUL_FLOOR",
    "CAREFUL_INTENTS",
    "NOT_CAUGHT",
    "Dialog",
    "Exchange",
    "Understanding",
    "VoiceSession",
    "VoiceTurn",
    "understand",
]

NOT_CAUGHT = "Sorry, I didn't catch that."
CAREFUL_INTENTS = frozenset({"AMAZON.YesIntent", "AllowHumanReviewIntent"})
"""Intents heard only with a confidence of at least ``CAREFUL_FLOOR``."""
CAREFUL_FLOOR = -11.0
"""Calibrated with the adapted acoustic model on the tuning variants
(``bench/speech_calibrate.py``): clean or at 20 dB, a "yes" or "turn on human review" heard
wrongly scored up to -11.9 (a "turn off human review" as "turn on"); the real ones below it are
asked again."""


class Exchange(Protocol):
    """One turn with the skill, as a dialog reports it."""

    @property
    def speech(self) -> str | None:
        """What the person heard, as text; None when nothing was said."""

    @property
    def response(self) -> dict[str, Any]:
        """The skill's response envelope; empty when the skill was not asked."""


class Dialog(Protocol):
    """A session with the skill that takes what the person said, turn by turn."""

    @property
    def nlu(self) -> Nlu:
        """The interaction model's NLU, which resolves what was heard."""

    def today(self) -> date:
        """The device's local day now."""

    def say(self, utterance: str) -> Exchange:
        """Send ``utterance`` to the skill as Alexa would."""

    def end(self) -> Exchange | None:
        """End the session if the skill kept it open."""


@dataclass(frozen=True)
class Understanding:
    """What one utterance means, as Alexa would send it; all None when it was not caught."""

    recognition: Recognition
    """What the recogniser heard."""
    text: str | None
    """The words acted on; None when the audio was rejected (or needed a clearer hearing)."""
    request_type: str | None = None
    """"LaunchRequest" or "IntentRequest"; None when not caught."""
    intent: str | None = None
    """The intent; None for a launch phrase or when not caught."""
    slots: dict[str, str | None] = field(default_factory=dict)
    """Every slot of the intent, with its value (None when not filled)."""

    def as_json(self) -> dict[str, Any]:
        """``{text, request_type, intent, slots, confidence, rejected}`` for ``--json``."""
        recognition = self.recognition
        rejected: str | None = recognition.rejected
        if rejected is None and self.text is None:
            rejected = "needs-clearer-hearing"
        confidence = recognition.confidence
        return {
            "text": self.text,
            "request_type": self.request_type,
            "intent": self.intent,
            "slots": self.slots,
            "confidence": None if confidence is None else round(confidence, 2),
            "rejected": rejected,
        }


def understand(recognition: Recognition, nlu: Nlu, today: date) -> Understanding:
    """The meaning of ``recognition`` on the device's local day ``today``."""
    if recognition.text is None:
        return Understanding(recognition, None)
    result = nlu.parse(recognition.text, today)
    careful = result.intent in CAREFUL_INTENTS or nlu.yes_no(recognition.text) is True
    confidence = recognition.confidence
    if careful and (confidence is None or confidence < CAREFUL_FLOOR):
        return Understanding(recognition, None)
    return Understanding(
        recognition, recognition.text, result.request_type, result.intent, dict(result.slots)
    )


@dataclass(frozen=True)
class VoiceTurn:
    """One spoken exchange."""

    understanding: Understanding
    """What the person's audio meant."""
    turn: Exchange | None
    """The exchange with the skill; None when the audio was not caught (the skill was not
    asked)."""
    speech: str | None
    """What the person hears back, as plain words: the skill's answer, Alexa's own prompt,
    ``NOT_CAUGHT``; None when nothing is said."""


class VoiceSession:
    """One session with the skill, spoken: each ``hear`` is a turn."""

    def __init__(self, recogniser: Recogniser, dialog: Dialog, voice: Voice | None = None) -> None:
        self.recogniser = recogniser
        self.dialog = dialog
        self.voice = voice or Voice()

    def hear(self, audio: Audio) -> VoiceTurn:
        """Recognise ``audio``, send it to the skill as Alexa would, and return the exchange."""
        recognition = self.recogniser.recognise(audio)
        meaning = understand(recognition, self.dialog.nlu, self.dialog.today())
        if meaning.text is None:
            return VoiceTurn(meaning, None, NOT_CAUGHT)
        turn = self.dialog.say(meaning.text)
        return VoiceTurn(meaning, turn, spoken_answer(turn))

    def answer_audio(self, turn: VoiceTurn) -> Audio | None:
        """The answer of ``turn`` spoken, or None when there is nothing to say."""
        return synthesise(turn.speech, self.voice) if turn.speech else None

    def end(self) -> Exchange | None:
        """End the session if the skill kept it open (SessionEndedRequest)."""
        return self.dialog.end()


def spoken_answer(turn: Exchange) -> str | None:
    """The words a person hears for ``turn``: the skill's SSML made plain (pauses kept as
    punctuation) when that is what was heard, else the driver's text (Alexa's own prompts)."""
    if not turn.speech:
        return None
    body: Mapping[str, Any] = turn.response.get("response") or {}
    speech: Mapping[str, Any] = body.get("outputSpeech") or {}
    ssml = speech.get("ssml")
    if isinstance(ssml, str) and speech_text(turn.response) == turn.speech:
        return plain_speech(ssml) or turn.speech
    return turn.speech
