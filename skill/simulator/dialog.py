"""The dialog driver: plays Alexa's part of a conversation with the skill, one utterance a turn.

Each utterance goes through the NLU, becomes a request envelope (``envelopes.py``) and is handed
to ``invoke`` (the skill in-process, a Lambda handler or an HTTPS endpoint). The driver keeps what
Alexa keeps between turns: the session (opened on the first request, ``new`` only then, closed
when the skill says ``shouldEndSession: true``), the session attributes the skill returned, and
any dialog directive still waiting for an answer:

- ``Dialog.ConfirmIntent`` / ``Dialog.ConfirmSlot``: a yes or no is sent back as the intent with
  its (or the slot's) ``confirmationStatus`` set to CONFIRMED or DENIED;
- ``Dialog.ElicitSlot``: the answer fills the slot Alexa asked for;
- ``Dialog.Delegate``: Alexa runs the next step of the model's dialog section (a required slot,
  a slot or intent confirmation) with the model's prompts, and sends the intent back with
  ``dialogState`` COMPLETED once nothing is left. Intents whose delegation strategy is ALWAYS are
  delegated before the skill sees them, as Alexa does.

An answer that is not a yes/no or a slot value is understood as a new utterance, as on a device.

Session rules, as Alexa applies them (README, "Session rules", gives the sources):

- outside a session only an utterance that names the skill reaches it: "open voice privacy" (a
  LaunchRequest) or a one-shot request ("ask voice privacy to ...", "... using voice
  privacy"); anything else is handled by Alexa and the skill gets nothing. ``in_session=True``
  (or ``start_session()``) starts the driver inside a session, as if the skill had just been
  opened: the next utterance goes to the skill without naming it;
- AMAZON.FallbackIntent is sent only within a session; a one-shot request that matches no
  intent is Alexa's to answer;
- "exit" and "quit" end an open session with a SessionEndedRequest (USER_INITIATED); the
  skill's answer to it is not spoken;
- ``finish()``: the person says nothing more. With the session open, Alexa speaks the last
  reprompt, waits, and sends a SessionEndedRequest (EXCEEDED_MAX_REPROMPTS).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from skill.alexa.responses import speech_text, strip_ssml
from skill.nlu import FALLBACK, Nlu, NluResult, SlotResolution
from skill.simulator.envelopes import (
    Caller,
    Json,
    Session,
    fill_slot,
    intent_request,
    launch_request,
    session_ended_request,
)

__all__ = ["NOT_SENT", "NOT_UNDERSTOOD", "DialogDriver", "Turn"]

# What Alexa says itself when nothing matches and the model declares no FallbackIntent.
NOT_UNDERSTOOD = "Sorry, I don't know that."
NOT_SENT = "handled by Alexa, not sent to the skill"
"""The start of ``Turn.note`` when Alexa kept an utterance from the skill (session rules)."""
_MAX_DELEGATE_HOPS = 3
Question = Literal["ConfirmIntent", "ConfirmSlot", "ElicitSlot"]
_QUESTIONS: dict[str, Question] = {
    "ConfirmIntent": "ConfirmIntent",
    "ConfirmSlot": "ConfirmSlot",
    "ElicitSlot": "ElicitSlot",
}

Invoke = Callable[[Json], Json]
T = TypeVar("T")


@dataclass
class Turn:
    """One exchange: what the person said, what the skill got and answered, what was heard."""

    utterance: str
    """What the person said (typed); empty for the SessionEndedRequest ``end()`` sends."""
    request: dict[str, Any]
    """The request envelope sent to the skill; empty when Alexa answered without the skill."""
    response: dict[str, Any]
    """The skill's response envelope; empty when the skill was not asked."""
    speech: str | None
    """What the person heard: the outputSpeech text with SSML tags stripped, or Alexa's own
    prompt while it runs a delegated dialog (or the reprompt before a session times out);
    None when nothing was said."""
    note: str | None = None
    """What Alexa did besides, in words: why the skill was not asked (starts with
    ``NOT_SENT``), or how the session ended; None for an ordinary turn."""
    session_open: bool = False
    """Whether the skill's session is open after this turn."""

    @property
    def sent(self) -> bool:
        """Whether this turn sent a request to the skill."""
        return bool(self.request)

    def as_json(self) -> dict[str, Any]:
        """The turn for ``simulate --json`` and scripts: ``{utterance, request, response,
        speech}``; ``request`` and ``response`` are null when the skill was not asked."""
        return {
            "utterance": self.utterance,
            "request": self.request or None,
            "response": self.response or None,
            "speech": self.speech,
        }


@dataclass(frozen=True)
class _Pending:
    """A dialog question the next utterance may answer."""

    kind: Question
    """Which question was asked."""
    intent: Json
    """The intent to send back with the answer (the directive's ``updatedIntent``)."""
    slot: str | None
    """The slot being confirmed or elicited; None for ConfirmIntent."""
    delegated: bool
    """True when Alexa asked from the model's dialog section after a Dialog.Delegate."""


class DialogDriver:
    """Alexa's side of a conversation with one skill, for one caller."""

    def __init__(
        self,
        invoke: Invoke,
        nlu: Nlu,
        caller: Caller,
        clock: Callable[[], datetime],
        zone: ZoneInfo,
        *,
        in_session: bool = False,
    ) -> None:
        self.invoke = invoke
        self.nlu = nlu
        self.caller = caller
        self.clock = clock
        self.zone = zone
        self._session: Session | None = None
        self._pending: _Pending | None = None
        self._last_intent: Json | None = None
        self._addressed = in_session  # the next utterance goes to the skill unnamed
        self._reprompt: str | None = None
        self._filter: Callable[[Json], None] | None = None

    def today(self) -> date:
        """The device's local day at the driver's clock."""
        return self.clock().astimezone(self.zone).date()

    @property
    def session_open(self) -> bool:
        """Whether the skill kept the session open after the last turn."""
        return self._session is not None

    def start_session(self) -> None:
        """Start inside a session: the next utterance goes to the skill without naming it, in
        a new session (an open one is dropped without a request, as a new test starts)."""
        self._session, self._pending, self._addressed = None, None, True

    def say(self, utterance: str, request_filter: Callable[[Json], None] | None = None) -> Turn:
        """Send what the person said to the skill, the way Alexa would, and return the turn.
        ``request_filter`` may change each request envelope before it is sent."""
        return self.say_with(request_filter, lambda: self._say(utterance))

    def say_with(self, request_filter: Callable[[Json], None] | None, action: Callable[[], T]) -> T:
        """Run ``action`` (``launch``, ``intend``, ``end``) with ``request_filter`` applied to
        every request envelope it sends."""
        self._filter = request_filter
        try:
            return action()
        finally:
            self._filter = None

    def intend(self, intent: str, slots: Mapping[str, str], utterance: str = "") -> Turn:
        """Send ``intent`` with ``slots`` as given, not understood from words (bst's explicit
        ``intent:``), in the open session or a new one."""
        now = self.clock()
        self._pending = None
        resolutions = {
            name: found
            for name, value in slots.items()
            if (found := self.nlu.resolution(intent, name, value)) is not None
        }
        values: dict[str, str | None] = dict.fromkeys(self.nlu.slot_names(intent))
        values.update(slots)
        return self._start_intent(now, utterance, intent, values, resolutions)

    def address_next(self) -> None:
        """The next utterance goes to the skill even if no session is open (bst unit tests
        talk to the skill directly); an open session goes on."""
        self._addressed = True

    def launch(self, utterance: str = "LaunchRequest") -> Turn:
        """A LaunchRequest in a new session, whatever was said (bst's ``LaunchRequest``)."""
        self._session, self._pending = None, None
        now = self.clock()
        return self._send(now, utterance, launch_request(self.caller, now, self._open_session()))

    def _say(self, utterance: str) -> Turn:
        now = self.clock()
        today = now.astimezone(self.zone).date()
        if self.nlu.is_exit(utterance):
            return self._exit(utterance)
        result = self.nlu.parse(utterance, today)
        if result.request_type == "LaunchRequest":
            self._session, self._pending = None, None
            envelope = launch_request(self.caller, now, self._open_session())
            return self._send(now, utterance, envelope)
        if self._session is None and not self._addressed:
            if not result.invoked and self.nlu.yes_no(utterance) is not None:
                return self._not_sent(utterance, "no session is open, so no question waits for it")
            if not result.invoked:
                return self._not_sent(
                    utterance,
                    "no session is open and it does not name the skill; say "
                    f'"{self.nlu.addressed(utterance)}", or "open {self.nlu.invocation_name}" '
                    "first",
                )
            if result.intent in (None, FALLBACK):
                return self._not_sent(
                    utterance, "the skill has no intent for that request (FallbackIntent is "
                    "sent only within a session)"
                )
        pending, self._pending = self._pending, None
        if pending is not None and self._session is not None:
            answered = self._answer(pending, utterance, result, today)
            if answered is not None:
                if not pending.delegated:
                    return self._send_intent(now, utterance, answered, "IN_PROGRESS")
                if self._strategy(str(answered["name"])) == "ALWAYS":
                    return self._delegate(now, utterance, answered, None, hops=0)
                done = self._next_step(answered) is None
                state = "COMPLETED" if done else "IN_PROGRESS"
                return self._send_intent(now, utterance, answered, state)
        if result.intent is None:
            return Turn(utterance, {}, {}, NOT_UNDERSTOOD, session_open=self.session_open)
        return self._start_intent(now, utterance, result.intent, result.slots, result.resolutions)

    def end(self, reason: str = "USER_INITIATED") -> Turn | None:
        """Send SessionEndedRequest (USER_INITIATED) if a session is open, as "quit" does."""
        self._addressed = False
        if self._session is None:
            return None
        session, self._session, self._pending = self._session, None, None
        envelope = session_ended_request(self.caller, self.clock(), session, reason)
        if self._filter is not None:
            self._filter(envelope)
        response = self.invoke(envelope)
        return Turn("", envelope, response, None, note=f"the session ended ({reason})")

    def finish(self) -> Turn | None:
        """The person says nothing more. With the session open, Alexa speaks the last
        reprompt, hears silence, and ends the session: SessionEndedRequest with
        EXCEEDED_MAX_REPROMPTS (None when no session is open)."""
        reprompt = self._reprompt
        turn = self.end("EXCEEDED_MAX_REPROMPTS")
        if turn is None:
            return None
        note = "no answer: Alexa reprompted, heard silence and ended the session"
        if reprompt is None:
            note = "no answer: Alexa heard silence and ended the session"
        return Turn("", turn.request, turn.response, reprompt, note=note)

    # --- sending --------------------------------------------------------------------------

    def _start_intent(
        self,
        now: datetime,
        utterance: str,
        name: str,
        slots: Mapping[str, str | None],
        resolutions: Mapping[str, SlotResolution],
    ) -> Turn:
        intent: Json = intent_request(self.caller, now, name, dict(slots), resolutions=resolutions)[
            "request"
        ]["intent"]
        if not self.nlu.has_dialog(name):
            return self._send_intent(now, utterance, intent, None)
        if self._strategy(name) == "ALWAYS":
            return self._delegate(now, utterance, intent, None, hops=0)
        return self._send_intent(now, utterance, intent, "STARTED")

    def _exit(self, utterance: str) -> Turn:
        """ "exit" or "quit": Alexa ends an open session; the skill's answer is not spoken."""
        if self._session is None:
            self._addressed = False
            return self._not_sent(utterance, "no session is open, so there is nothing to exit")
        ended = self.end() or Turn(utterance, {}, {}, None)
        return Turn(utterance, ended.request, ended.response, None, note=ended.note)

    def _not_sent(self, utterance: str, why: str) -> Turn:
        return Turn(
            utterance, {}, {}, None, note=f"{NOT_SENT}: {why}", session_open=self.session_open
        )

    def _open_session(self) -> Session:
        if self._session is None:
            self._session = Session()
        self._addressed = False
        return self._session

    def _send_intent(
        self, now: datetime, utterance: str, intent: Json, dialog_state: str | None, hops: int = 0
    ) -> Turn:
        envelope = intent_request(
            self.caller,
            now,
            str(intent["name"]),
            session=self._open_session(),
            dialog_state=dialog_state,
        )
        envelope["request"]["intent"] = _complete_intent(intent)
        self._last_intent = envelope["request"]["intent"]
        return self._send(now, utterance, envelope, hops)

    def _send(self, now: datetime, utterance: str, envelope: Json, hops: int = 0) -> Turn:
        if self._filter is not None:
            self._filter(envelope)
        try:
            response = self.invoke(envelope)
        except Exception:
            self._session, self._pending = None, None  # Alexa ends the session on a skill error
            raise
        body: Json = response.get("response") or {}
        directive = _dialog_directive(body)
        keep_open = body.get("shouldEndSession") is False or (
            directive is not None and body.get("shouldEndSession") is not True
        )
        if keep_open and self._session is not None:
            self._session.new = False
            self._session.attributes = dict(response.get("sessionAttributes") or {})
            self._reprompt = _reprompt_text(body)
        else:
            self._session, directive = None, None
        turn = Turn(utterance, envelope, response, speech_text(response), session_open=keep_open)
        if directive is None:
            return turn
        kind = str(directive["type"]).removeprefix("Dialog.")
        intent = directive.get("updatedIntent") or self._last_intent
        if intent is None:
            return turn
        if kind == "Delegate":
            return self._delegate(now, utterance, intent, turn, hops + 1)
        question = _QUESTIONS.get(kind)
        if question is not None:
            slot = directive.get("slotToConfirm") or directive.get("slotToElicit")
            self._pending = _Pending(question, intent, slot, delegated=False)
        return turn

    # --- answering dialog questions -------------------------------------------------------

    def _answer(
        self, pending: _Pending, utterance: str, result: NluResult, today: date
    ) -> Json | None:
        """The intent to send back if ``utterance`` answers ``pending``, else None."""
        intent = _complete_intent(pending.intent)
        if pending.kind in ("ConfirmIntent", "ConfirmSlot"):
            yes = self.nlu.yes_no(utterance)
            if yes is None:
                return None
            status = "CONFIRMED" if yes else "DENIED"
            if pending.kind == "ConfirmIntent":
                intent["confirmationStatus"] = status
            else:
                _slot(intent, pending.slot or "")["confirmationStatus"] = status
            return intent
        name, slot = str(intent["name"]), pending.slot or ""
        if result.intent == name and result.slots.get(slot) is not None:
            for filled, value in result.slots.items():  # "delete what I said yesterday"
                if value is not None:
                    resolution = result.resolutions.get(filled)
                    fill_slot(_slot(intent, filled), value, resolution, self.caller.skill_id)
            return intent
        if result.intent not in (None, FALLBACK) and str(result.intent).startswith("AMAZON."):
            return None  # "cancel", "help" and "stop" still work while Alexa asks for a slot
        value = self.nlu.parse_slot(name, slot, utterance, today)
        if value is None:
            return None
        resolution = self.nlu.resolution(name, slot, value)
        fill_slot(_slot(intent, slot), value, resolution, self.caller.skill_id)
        return intent

    # --- delegation (the model's dialog section) ------------------------------------------

    def _delegate(
        self, now: datetime, utterance: str, intent: Json, turn: Turn | None, hops: int
    ) -> Turn:
        """Run the next step Alexa would take for a delegated dialog."""
        step = self._next_step(intent)
        if step is None:
            if hops > _MAX_DELEGATE_HOPS:  # the skill keeps delegating a completed dialog
                return turn or Turn(utterance, {}, {}, None, session_open=self.session_open)
            return self._send_intent(now, utterance, intent, "COMPLETED", hops)
        kind, slot, prompt = step
        self._open_session()
        self._pending = _Pending(kind, _complete_intent(intent), slot, delegated=True)
        speech = self._prompt_text(prompt, intent)
        self._reprompt = speech
        if turn is None:
            return Turn(utterance, {}, {}, speech, session_open=True)
        return Turn(utterance, turn.request, turn.response, speech, session_open=True)

    def _dialog_rules(self, intent_name: str) -> Json:
        dialog: Json = self.nlu.model.get("dialog") or {}
        for rules in dialog.get("intents", []):
            if rules.get("name") == intent_name:
                return dict(rules)
        return {}

    def _strategy(self, intent_name: str) -> str:
        dialog: Json = self.nlu.model.get("dialog") or {}
        rules = self._dialog_rules(intent_name)
        return str(rules.get("delegationStrategy") or dialog.get("delegationStrategy") or "ALWAYS")

    def _next_step(self, intent: Json) -> tuple[Question, str | None, str] | None:
        """The question Alexa asks next for a delegated ``intent``, or None when done."""
        rules = self._dialog_rules(str(intent.get("name")))
        slots: Json = intent.get("slots") or {}
        for slot_rules in rules.get("slots", []):
            name = str(slot_rules.get("name"))
            slot: Json = slots.get(name) or {}
            prompts: Json = slot_rules.get("prompts") or {}
            if slot_rules.get("elicitationRequired") and not slot.get("value"):
                return "ElicitSlot", name, str(prompts.get("elicitation", ""))
            if (
                slot_rules.get("confirmationRequired")
                and slot.get("value")
                and slot.get("confirmationStatus", "NONE") == "NONE"
            ):
                return "ConfirmSlot", name, str(prompts.get("confirmation", ""))
        if rules.get("confirmationRequired") and intent.get("confirmationStatus", "NONE") == "NONE":
            return "ConfirmIntent", None, str((rules.get("prompts") or {}).get("confirmation", ""))
        return None

    def _prompt_text(self, prompt_id: str, intent: Json) -> str | None:
        for prompt in self.nlu.model.get("prompts", []):
            if prompt.get("id") == prompt_id and prompt.get("variations"):
                variation: Json = prompt["variations"][0]
                text = _fill_prompt(str(variation.get("value", "")), intent.get("slots") or {})
                return strip_ssml(text) if variation.get("type") == "SSML" else text
        return None


def _fill_prompt(text: str, slots: Mapping[str, Any]) -> str:
    """Put slot values into a prompt ("... what you said {date}?"), as Alexa does."""

    def value(found: re.Match[str]) -> str:
        return str((slots.get(found[1]) or {}).get("value", found[0]))

    return re.sub(r"\{(\w+)\}", value, text)


def _reprompt_text(body: Mapping[str, Any]) -> str | None:
    """The reprompt's words, which Alexa speaks when the person does not answer."""
    reprompt = body.get("reprompt")
    if not isinstance(reprompt, Mapping):
        return None
    return speech_text({"response": reprompt})


def _dialog_directive(body: Mapping[str, Any]) -> Json | None:
    for directive in body.get("directives") or []:
        if str(directive.get("type", "")).startswith("Dialog.") and directive["type"] != (
            "Dialog.UpdateDynamicEntities"
        ):
            return dict(directive)
    return None


def _complete_intent(intent: Mapping[str, Any]) -> Json:
    """A copy of ``intent`` with the fields Alexa always sends."""
    complete: Json = copy.deepcopy(dict(intent))
    complete.setdefault("confirmationStatus", "NONE")
    slots: Json = complete.setdefault("slots", {})
    for name, slot in slots.items():
        slot.setdefault("name", name)
        slot.setdefault("confirmationStatus", "NONE")
    return complete


def _slot(intent: Json, name: str) -> Json:
    slots: Json = intent.setdefault("slots", {})
    slot: Json = slots.setdefault(name, {"name": name, "confirmationStatus": "NONE"})
    return slot
