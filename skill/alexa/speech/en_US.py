"""English (US) wording: short sentences, numbers and dates a listener follows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from skill.alexa.dates import DateSpan
from skill.services.models import Summary

DELETE_HINT = "say: delete what I said today, or: delete everything I've said"
MAX_READ_BACK = 300
"""Characters of a transcript read back at most (Alexa's speech is short, a transcript may
not be)."""
ScopeKind = Literal["person", "account", "everyone"]
"""Whose recordings a sentence is about: the recognised speaker's, the whole account's (an
unrecognised speaker), or everyone's (a recognised speaker who said so)."""


@dataclass(frozen=True)
class Card:
    """A simple card for the Alexa app."""

    title: str
    """Card title."""
    content: str
    """Plain-text body, one fact a line."""


def ordinal(n: int) -> str:
    """1 -> 1st, 22 -> 22nd, 13 -> 13th."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def count_of(n: int, noun: str = "recording") -> str:
    """'one recording', '12 recordings', '1,204 recordings'."""
    return f"one {noun}" if n == 1 else f"{n:,} {noun}s"


def day_name(day: date, today: date) -> str:
    """'today', 'yesterday', 'Monday, November 23rd', with the year when it is not this year."""
    if day == today:
        return "today"
    if day == today - timedelta(days=1):
        return "yesterday"
    text = f"{day:%A}, {day:%B} {ordinal(day.day)}"
    return text if day.year == today.year else f"{text}, {day.year}"


def _month_day(day: date, today: date) -> str:
    text = f"{day:%B} {ordinal(day.day)}"
    return text if day.year == today.year else f"{text}, {day.year}"


def span_name(span: DateSpan, today: date) -> str:
    """A phrase that fits after 'from': 'today', 'last week', 'October 2025', 'the 2020s'."""
    current = span.start <= today <= span.end
    if span.kind == "day":
        return day_name(span.start, today)
    if span.kind == "week":
        if current:
            return "this week"
        if span.start == today - timedelta(days=today.weekday() + 7):
            return "last week"
        return f"the week of {_month_day(span.start, today)}"
    if span.kind == "weekend":
        if current:
            return "this weekend"
        if today - span.end <= timedelta(days=6):
            return f"last weekend, {_month_day(span.start, today)} and {ordinal(span.end.day)}"
        return f"the weekend of {_month_day(span.start, today)}"
    if span.kind == "month":
        if current:
            return "this month"
        return f"{span.start:%B}" if span.start.year == today.year else f"{span.start:%B %Y}"
    if span.kind == "year":
        return "this year" if current else str(span.start.year)
    if span.kind == "decade":
        return f"the {span.start.year}s"
    season = span.season or "season"
    return f"this {season}" if current else f"{season} {span.start.year}"


def _are(count: int) -> str:
    return "is" if count == 1 else "are"


def _number(count: int) -> str:
    return "one" if count == 1 else f"{count:,}"


def _moment(local: datetime, today: date) -> str:
    """ "At 9:14 this morning", "Yesterday at 4:05 PM", "On Monday, November 23rd at 8:00 AM"."""
    if local.date() == today:
        part = (
            "this morning"
            if local.hour < 12
            else ("this afternoon" if local.hour < 18 else "this evening")
        )
        return f"At {_clock(local).removesuffix(' AM').removesuffix(' PM')} {part}"
    if local.date() == today - timedelta(days=1):
        return f"Yesterday at {_clock(local)}"
    return f"On {day_name(local.date(), today)} at {_clock(local)}"


def _clock(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


class EnglishUS:
    """Every sentence the skill speaks in English."""

    locale = "en-US"

    # -- session ----------------------------------------------------------------
    def welcome(self) -> tuple[str, str]:
        return (
            "Voice Privacy here. You can ask what data I keep, say delete what I said today, "
            "or say stop human review. What would you like?",
            "You can say: what data do you keep. What would you like?",
        )

    def help(self) -> tuple[str, str]:
        return (
            "I help you control your voice recordings. Say: what data do you keep, to hear "
            "what's stored. Say: delete what I said today, or yesterday, or this week. "
            "Say: delete what I just said, or: delete everything I've said. "
            "And say: stop human review, so no person ever listens. What would you like?",
            "What would you like to do?",
        )

    def short_help(self) -> tuple[str, str]:
        return (
            "You can ask what data I keep, or say delete what I said today. What would you like?",
            "What would you like to do?",
        )

    def goodbye(self) -> str:
        return "Goodbye."

    def fallback(self) -> tuple[str, str]:
        return (
            "Sorry, I can't help with that. You can ask what data I keep, delete recordings, "
            "or stop human review. What would you like?",
            "What would you like to do?",
        )

    def error(self) -> str:
        return "Sorry, something went wrong on my side, and nothing was changed. Please try again."

    def unreadable_request(self) -> str:
        return "Sorry, I couldn't make sense of that request, so I didn't change anything."

    def no_user(self) -> str:
        return "Sorry, I couldn't tell whose recordings to look at, so I didn't change anything."

    # -- deleting a date range ---------------------------------------------------
    def date_not_understood(self) -> tuple[str, str]:
        return (
            "Sorry, I didn't catch which day you mean. You can say: delete what I said today, "
            "or yesterday, or this week.",
            "Which day should I delete?",
        )

    def date_in_future(self) -> str:
        return "I can only delete recordings from the past, and that's in the future."

    def span(self, span: DateSpan, today: date) -> str:
        return span_name(span, today)

    def shifted_note(self, span: DateSpan, today: date) -> str:
        return f"I can only delete the past, so I'm taking that as {span_name(span, today)}. "

    def nothing_in_span(self, span: DateSpan, today: date, scope: ScopeKind) -> str:
        name = span_name(span, today)
        if scope == "person":
            return f"You have no recordings from {name}, so there's nothing to delete."
        return f"There are no recordings from {name} on this account, so there's nothing to delete."

    def confirm_span(self, count: int, span: DateSpan, today: date, scope: ScopeKind) -> str:
        them = "it" if count == 1 else "them"
        name = span_name(span, today)
        found = {
            "person": f"You have {count_of(count)} from {name}.",
            "account": f"There {_are(count)} {count_of(count)} from {name} on this account.",
            "everyone": f"Everyone's recordings from {name}: there {_are(count)} {_number(count)}.",
        }[scope]
        return f"{found} Should I delete {them}? This can't be undone."

    def deleted_span(self, count: int, label: str, scope: ScopeKind) -> str:
        if scope == "everyone":
            return f"Done. I deleted everyone's recordings from {label}, {count_of(count)} in all."
        where = "" if scope == "person" else " on this account"
        return f"Done. I deleted {count_of(count)} from {label}{where}."

    def kept(self) -> str:
        return "Okay, I didn't delete anything."

    # -- deleting the newest -----------------------------------------------------
    def nothing_at_all(self, scope: ScopeKind) -> str:
        if scope == "person":
            return "You don't have any recordings, so there's nothing to delete."
        return "There are no recordings on this account, so there's nothing to delete."

    def confirm_newest(
        self, recorded_at: datetime, zone: ZoneInfo, today: date, scope: ScopeKind
    ) -> str:
        local = recorded_at.astimezone(zone)
        which = (
            "Your most recent recording"
            if scope == "person"
            else ("The most recent recording on this account")
        )
        return (
            f"{which} is from {day_name(local.date(), today)} at {_clock(local)}. "
            "Should I delete it?"
        )

    def deleted_newest(self, scope: ScopeKind) -> str:
        if scope == "person":
            return "Done. I deleted your most recent recording."
        return "Done. I deleted the most recent recording on this account."

    def newest_already_gone(self) -> str:
        return "That recording is already gone, so there was nothing left to delete."

    # -- deleting everything -----------------------------------------------------
    def confirm_all(self, count: int, scope: ScopeKind) -> str:
        what = "it" if count == 1 else f"all {count:,} of them"
        found = {
            "person": f"You have {count_of(count)} in total.",
            "account": f"There {_are(count)} {count_of(count)} on this account.",
            "everyone": (
                f"Everyone's recordings: there {_are(count)} {_number(count)} on this account."
            ),
        }[scope]
        return f"{found} Should I delete {what}? This can't be undone."

    def deleted_all(self, count: int, scope: ScopeKind) -> str:
        if scope == "person":
            return f"Done. I deleted {count_of(count)}. Nothing you've said is stored anymore."
        deleted = (
            f"everyone's recordings, {count_of(count)} in all"
            if scope == "everyone"
            else count_of(count)
        )
        return f"Done. I deleted {deleted}. Nothing said on this account is stored anymore."

    # -- what did you hear -----------------------------------------------------
    def heard(self, recorded_at: datetime, transcript: str, zone: ZoneInfo, today: date) -> str:
        local = recorded_at.astimezone(zone)
        said = escape(" ".join(transcript.split())[:MAX_READ_BACK].rstrip(".!? "))
        return f"{_moment(local, today)} I heard: {said}. Should I delete it?"

    def heard_nothing(self, scope: ScopeKind) -> str:
        if scope == "person":
            return "I don't have any recordings of yours, so there's nothing to read back."
        return (
            "I don't have any recordings I can read back to you. I read recordings only to "
            "the person whose voice I recognised, and this account has none without one."
        )

    def deleted_heard(self, gone: bool) -> str:
        return "Done. I deleted it." if gone else self.newest_already_gone()

    def kept_heard(self) -> str:
        return "Okay, I kept it."

    def heard_reprompt(self) -> str:
        return "Should I delete that recording?"

    # -- human review ------------------------------------------------------------
    def review_stopped(self, was_on: bool, purged: int, scope: ScopeKind = "person") -> str:
        whose, them = ("you", "your") if scope == "person" else ("this account", "its")
        if not was_on:
            return (
                f"Human review was already off for {whose}, and it stays off. "
                f"No person listens to {them} recordings."
            )
        text = (
            f"Okay, human review is now off for {whose}. "
            f"No person will listen to {them} recordings."
        )
        if purged:
            text += f" I also removed {count_of(purged)} that were waiting for review."
        return text

    def review_allowed(self, was_on: bool, scope: ScopeKind = "person") -> str:
        whose, them = ("you", "your") if scope == "person" else ("this account", "its")
        if was_on:
            return (
                f"Human review is already on for {whose}. To turn it off, say: stop human review."
            )
        return (
            f"Okay, human review is on for {whose}. A very small share of {them} recordings may "
            "be heard by trained reviewers to improve recognition. To turn it off, say: stop "
            "human review."
        )

    # -- what data ---------------------------------------------------------------
    def what_data(
        self,
        summary: Summary,
        consent: dict[str, bool],
        retention_days: int | None,
        zone: ZoneInfo,
        today: date,
        scope: ScopeKind = "account",
        account_total: int = 0,
    ) -> tuple[str, Card]:
        review = "on" if consent.get("human_review") else "off"
        storing = consent.get("store_recordings", True)
        kept = (
            "until you delete them"
            if retention_days is None
            else (f"for {count_of(retention_days, 'day')}")
        )
        parts: list[str] = []
        if summary.total and summary.first and summary.last:
            first = summary.first.astimezone(zone).date()
            last = summary.last.astimezone(zone).date()
            span = (
                f"all from {day_name(first, today)}"
                if first == last
                else f"from {_month_day(first, today)} to {day_name(last, today)}"
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
                f"I don't have any recordings of yours; there {_are(account_total)} "
                f"{count_of(account_total)} on this account."
            )
        elif scope == "person":
            parts.append("I don't have any recordings of yours.")
        else:
            parts.append("I don't have any recordings on this account.")
        parts.append(
            f"Human review is {review}"
            + (
                ", so no person listens to them."
                if review == "off"
                else ": a very small share may be heard by trained reviewers."
            )
        )
        if not storing:
            parts.append("You've turned off storing, so I don't keep new recordings.")
        parts.append(f"Recordings are kept {kept}.")
        if summary.total:
            parts.append(f"To delete, {DELETE_HINT}.")
        return " ".join(parts), self._data_card(summary, consent, kept, zone)

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
        return Card("Your voice data", "\n".join(lines))
