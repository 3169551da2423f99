"""English (US) wording: short sentences, numbers and dates a listener follows."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from skill.alexa.speech.dashboard import DashboardWords
from skill.alexa.speech.data import DataWords
from skill.alexa.speech.words import (
    DELETE_HINT,
    Card,
    ScopeKind,
    are,
    count_of,
    day_name,
    month_day,
    ordinal,
)

if TYPE_CHECKING:
    from skill.alexa.dates import DateSpan

__all__ = ["DELETE_HINT", "Card", "EnglishUS", "ScopeKind", "count_of", "day_name", "ordinal"]

MAX_READ_BACK = 300
"""Characters of a transcript read back at most (Alexa's speech is short, a transcript may
not be)."""


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
        return f"the week of {month_day(span.start, today)}"
    if span.kind == "weekend":
        if current:
            return "this weekend"
        if today - span.end <= timedelta(days=6):
            return f"last weekend, {month_day(span.start, today)} and {ordinal(span.end.day)}"
        return f"the weekend of {month_day(span.start, today)}"
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


def _escape(text: str) -> str:
    """``text`` safe inside SSML: ``&``, ``<`` and ``>`` as entities. (Not
    ``xml.sax.saxutils.escape``: importing it imports ``urllib.request``, which a
    LaunchRequest, or the CLI's help, would otherwise never load.)"""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clock(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


class EnglishUS(DataWords, DashboardWords):
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
            "And say: stop human review, so no person ever listens. "
            "To have old recordings deleted, say: keep my recordings for three months. "
            "What would you like?",
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
            "account": f"There {are(count)} {count_of(count)} from {name} on this account.",
            "everyone": f"Everyone's recordings from {name}: there {are(count)} {_number(count)}.",
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
            "account": f"There {are(count)} {count_of(count)} on this account.",
            "everyone": (
                f"Everyone's recordings: there {are(count)} {_number(count)} on this account."
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
        said = _escape(" ".join(transcript.split())[:MAX_READ_BACK].rstrip(".!? "))
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
