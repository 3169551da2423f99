"""Whose recordings a request covers: "I" means the speaker (DESIGN.md §2, Scope).

- A recognised speaker (``context.System.person``) means their own recordings, unless they
  ask for the whole household (slot ``scope`` resolved to ``EVERYONE``).
- Without a recognised speaker a request acts on the whole account, as Alexa allows for
  deletion (always with a confirmation).
- Reading content back is narrower than deleting: a recognised speaker hears their own
  recordings; an unrecognised one only recordings that carry no person at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from skill.alexa.speech.en_US import ScopeKind
from skill.alexa.turn import Turn

__all__ = ["EVERYONE", "Scope", "scope_of"]

EVERYONE = "EVERYONE"
"""The ``HOUSEHOLD_SCOPE`` value id that asks for everyone's recordings."""


@dataclass(frozen=True)
class Scope:
    """Whose recordings, as the services and the wording need it."""

    kind: ScopeKind
    """``person``, ``account`` or ``everyone``: how the skill words it."""
    person_id: str | None
    """The recognised speaker, when there is one (for ``everyone`` too)."""

    @property
    def person(self) -> str | None:
        """The person filter for counting and deleting: only theirs, or None for all."""
        return self.person_id if self.kind == "person" else None

    @property
    def hears_unattributed_only(self) -> bool:
        """Whether read-back is limited to recordings without a person (no one recognised)."""
        return self.person_id is None


def scope_of(turn: Turn, *, household_slot: bool = False) -> Scope:
    """The scope of ``turn``; ``household_slot`` says the intent has the ``scope`` slot."""
    if turn.person_id is None:
        return Scope("account", None)
    if household_slot and turn.slot_id("scope") == EVERYONE:
        return Scope("everyone", turn.person_id)
    return Scope("person", turn.person_id)
