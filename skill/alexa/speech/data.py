"""English (US) wording about what is kept and for how long: "what data do you keep", and
choosing a retention period ("keep my recordings for three months", "don't save my
recordings")."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from skill.alexa.speech.words import (
    DELETE_HINT,
    Card,
    ScopeKind,
    are,
    count_of,
    day_name,
    month_day,
)
from skill.services.models import Summary
from skill.services.periods import Period

__all__ = ["DataWords"]

_MONTHS = {3: "three months", 18: "eighteen months", 36: "thirty-six months"}
CHOICES_HINT = (
    "three months, eighteen months, thirty-six months, until you delete them, or don't save them"
)


def kept_for(period: Period) -> str:
    """'for three months', 'for 30 days', 'until you delete them'."""
    if period.months is not None:
        return f"for {_MONTHS.get(period.months, f'{period.months} months')}"
    if period.days is not None:
        return f"for {count_of(period.days, 'day')}"
    return "until you delete them"


def _whose(scope: ScopeKind) -> str:
    return "your recordings" if scope == "person" else "this account's recordings"


class DataWords:
    """Sentences about kept data and retention (mixed into each locale's speech)."""

    # -- what data ---------------------------------------------------------------
    def what_data(
        self,
        summary: Summary,
        consent: dict[str, bool],
        retention: Period,
        source: str,
        zone: ZoneInfo,
        today: date,
        scope: ScopeKind = "account",
        account_total: int = 0,
    ) -> tuple[str, Card]:
        review = "on" if consent.get("human_review") else "off"
        storing = consent.get("store_recordings", True)
        parts: list[str] = []
        if summary.total and summary.first and summary.last:
            first = summary.first.astimezone(zone).date()
            last = summary.last.astimezone(zone).date()
            span = (
                f"all from {day_name(first, today)}"
                if first == last
                else f"from {month_day(first, today)} to {day_name(last, today)}"
            )
            if scope == "person":
                parts.append(
                    f"I keep {count_of(summary.total)} of yours, {span}, "
                    f"out of {account_total:,} on this account."
                )
            else:
                parts.append(f"I keep {count_of(summary.total)} on this account, {span}.")
            parts.append(self._audio(summary))
        elif scope == "person" and account_total:
            parts.append(
                f"I don't have any recordings of yours; there {are(account_total)} "
                f"{count_of(account_total)} on this account."
            )
        elif scope == "person":
            parts.append("I don't have any recordings of yours.")
        else:
            parts.append("I don't have any recordings on this account.")
        them = "it" if summary.total == 1 else "them"
        parts.append(
            f"Human review is {review}"
            + (
                f", so no person listens to {them}."
                if review == "off"
                else ": a very small share may be heard by trained reviewers."
            )
        )
        if not storing:
            parts.append("You've turned off storing, so I don't keep new recordings.")
        parts.append(self.retention_sentence(retention, source, scope))
        if summary.total:
            parts.append(f"To delete, {DELETE_HINT}.")
        card = self._data_card(summary, consent, kept_for(retention).removeprefix("for "), zone)
        return " ".join(parts), card

    def retention_sentence(self, period: Period, source: str, scope: ScopeKind) -> str:
        """ "Your recordings are kept for three months, as you chose, then deleted." """
        whose = "Your recordings are" if scope == "person" else "Recordings on this account are"
        if period.forever:
            why = " as you chose" if source == "person" else ""
            return f"{whose} kept until you delete them{',' if why else ''}{why}."
        why = {
            "person": ", as you chose",
            "account": ", as chosen for this account",
        }.get(source, "")
        return f"{whose} kept {kept_for(period)}{why}, then deleted."

    def _audio(self, summary: Summary) -> str:
        if summary.with_audio == 0:
            return "I keep only the text, no audio."
        if summary.with_audio == summary.total:
            return "All of them include audio." if summary.total > 1 else "It includes audio."
        if summary.with_audio == 1:
            return "One of them includes audio."
        return f"{summary.with_audio:,} of them include audio."

    def _data_card(
        self, summary: Summary, consent: dict[str, bool], kept: str, zone: ZoneInfo
    ) -> Card:
        lines = [f"Recordings: {summary.total:,}"]
        if summary.first and summary.last:
            first = summary.first.astimezone(zone)
            last = summary.last.astimezone(zone)
            lines.append(f"From: {first:%B} {first.day}, {first.year}")
            lines.append(f"To: {last:%B} {last.day}, {last.year}")
        lines.append(f"With audio: {summary.with_audio:,}")
        lines.append(f"Human review: {'on' if consent.get('human_review') else 'off'}")
        storing = "on" if consent.get("store_recordings") else "off"
        lines.append(f"Storing new recordings: {storing}")
        lines.append(f"Kept: {kept}")
        lines.append('To delete: say "delete what I said today" or "delete everything I\'ve said".')
        lines.append('To stop human review: say "stop human review".')
        lines.append('To change how long: say "keep my recordings for three months".')
        return Card("Your voice data", "\n".join(lines))

    # -- choosing how long --------------------------------------------------------
    def ask_period(self, current: Period, saving: bool, scope: ScopeKind) -> tuple[str, str]:
        """No period said: what applies now, and the choices."""
        now = (
            f"I keep {_whose(scope)} {kept_for(current)}."
            if saving
            else f"Saving is off for {'you' if scope == 'person' else 'this account'}."
        )
        return (
            f"{now} How long should I keep them? You can say {CHOICES_HINT}.",
            f"How long should I keep them? You can say {CHOICES_HINT}.",
        )

    def period_not_understood(self) -> tuple[str, str]:
        return (
            f"Sorry, I can't keep recordings for that long. You can say {CHOICES_HINT}. "
            "Which would you like?",
            f"You can say {CHOICES_HINT}.",
        )

    def confirm_period(self, period: Period, count: int, scope: ScopeKind) -> str:
        whose = "your recordings" if scope == "person" else "recordings on this account"
        return (
            f"Keeping {whose} {kept_for(period)} means deleting {count_of(count)} "
            "that are older than that, now. This can't be undone. Should I go ahead?"
        )

    def period_set(
        self,
        chosen: Period,
        applied: Period,
        deleted: int,
        resumed: bool,
        scope: ScopeKind,
    ) -> str:
        parts = ["Okay."]
        if resumed:
            parts.append("I'll save new recordings again.")
        if deleted:
            parts.append(f"I deleted {count_of(deleted)} that were older.")
        whose = "your recordings" if scope == "person" else "this account's recordings"
        if chosen.forever:
            parts.append(f"From now on, I keep {whose} until you delete them.")
        else:
            parts.append(f"From now on, I keep {whose} {kept_for(chosen)}, then delete them.")
        if applied != chosen:
            parts.append(
                f"This account keeps recordings only {kept_for(applied)}, "
                f"so yours go after that."
            )
        return " ".join(parts)

    def period_unchanged(self, period: Period, scope: ScopeKind) -> str:
        return f"I already keep {_whose(scope)} {kept_for(period)}. Nothing changed."

    def period_kept(self, current: Period, scope: ScopeKind) -> str:
        return f"Okay, nothing changed. I still keep {_whose(scope)} {kept_for(current)}."

    def saving_stopped(self, was_on: bool, kept: int, scope: ScopeKind) -> str:
        whom = "your" if scope == "person" else "this account's"
        first = (
            f"Okay, I won't save {whom} new recordings."
            if was_on
            else f"Saving is already off for {'you' if scope == 'person' else 'this account'}."
        )
        if not kept:
            return f"{first} There are none saved."
        return (
            f"{first} {count_of(kept).capitalize()} {are(kept)} still saved. "
            f"Should I delete {'it' if kept == 1 else 'them'} too?"
        )

    def saving_stopped_kept(self, current: Period) -> str:
        if current.forever:
            return "Okay, I kept them, until you delete them."
        return f"Okay, I kept them. They're deleted after {kept_for(current).removeprefix('for ')}."

    def saving_stopped_deleted(self, count: int) -> str:
        if not count:
            return "There was nothing left to delete, and I won't save new recordings."
        return f"Done. I deleted {count_of(count)}, and I won't save new ones."

    def saving_resumed(self, current: Period, scope: ScopeKind) -> str:
        return (
            f"Okay, I'll save {_whose(scope)} again, and keep them {kept_for(current)}. "
            "To stop, say: don't save my recordings."
        )
