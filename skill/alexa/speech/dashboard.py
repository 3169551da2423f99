"""English (US) wording for the privacy dashboard: linking a browser by the code it shows
("link code 4 8 1 5 2 3"), and signing dashboards out."""

from __future__ import annotations

from typing import Literal

from skill.alexa.speech.words import ScopeKind, count_of

__all__ = ["DashboardWords", "RefusalReason", "spoken_address"]

RefusalReason = Literal["unknown", "expired", "too_many", "used"]

WARNING = "A browser will show your voice history. Only say yes for a screen you are looking at."
"""What linking does, said before the person agrees (the issue's wording)."""


def spoken_address(url: str) -> str:
    """A dashboard address as it is said: without ``https://`` ("privacy.example.com
    slash privacy")."""
    bare = url.split("://", 1)[-1]
    return bare.replace("/", " slash ")


def spoken_digits(code: str) -> str:
    """ "481523" -> "4 8 1 5 2 3": said one digit at a time."""
    return " ".join(code)


class DashboardWords:
    """Sentences about the dashboard (mixed into each locale's speech)."""

    def dashboard_not_set_up(self) -> str:
        return (
            "The privacy dashboard isn't set up for this skill, so there's no page to link. "
            "You can still do everything by voice: ask, what data do you keep."
        )

    def ask_link_code(self, url: str) -> tuple[str, str]:
        where = spoken_address(url)
        return (
            f"To see your recordings in a browser, open {where}. It shows a code of six "
            "digits. Say: link code, then the digits. What's the code?",
            "Say: link code, then the six digits the page shows.",
        )

    def confirm_link(self, code: str, scope: ScopeKind) -> str:
        whose = (
            ""
            if scope == "person"
            else " Your voice isn't recognised, so it shows this account's recordings made "
            "without a recognised voice."
        )
        return f"{WARNING}{whose} Should I link the page showing {spoken_digits(code)}?"

    def linked(self, scope: ScopeKind) -> str:
        what = (
            "your recordings"
            if scope == "person"
            else "this account's recordings made without a recognised voice"
        )
        return (
            f"Done. In a few seconds the page shows {what}. "
            "To sign it out, say: sign out my dashboards."
        )

    def link_declined(self) -> str:
        return "Okay, I didn't link anything."

    def link_refused(self, reason: RefusalReason, url: str) -> str:
        where = spoken_address(url)
        if reason == "too_many":
            return (
                "Too many codes didn't match, so I've stopped checking codes for ten minutes. "
                "Nothing was linked."
            )
        if reason == "expired":
            return (
                "That code has expired, so I didn't link anything. Reload the page for a new "
                "code, and say it within ten minutes."
            )
        if reason == "used":
            return (
                "That code was just used, or its page was closed, so I didn't link anything. "
                f"Open {where} again for a new code."
            )
        return (
            "That code doesn't match a page waiting to be linked, so I didn't link anything. "
            f"Check the six digits on {where}, and say: link code, then the digits."
        )

    def signed_out(self, count: int, scope: ScopeKind) -> str:
        whose = " of yours" if scope == "person" else ""
        if count == 0:
            return f"No dashboard{whose} was signed in, so there was nothing to sign out."
        return (
            f"Done. I signed out {count_of(count, 'dashboard')}{whose}. "
            "A page needs a new code to show anything again."
        )
