"""``/privacy/settings``: human review on or off, and how long recordings are kept, recorded
with channel ``web`` for the person who linked the session (or, without a recognised voice,
for the account), exactly as the same choice by voice. A retention period that would delete
recordings already kept is confirmed first, with the count."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, redirect, request, url_for

from skill.services.periods import CHOICES, DONT_SAVE, PERIODS
from skill.web.dashboard.context import Dash, asked_when

__all__ = ["PERIOD_LABELS", "register"]

PERIOD_LABELS = {
    "3_MONTHS": "3 months",
    "18_MONTHS": "18 months",
    "36_MONTHS": "36 months",
    "UNTIL_DELETED": "Until I delete them",
    DONT_SAVE: "Don't save new recordings",
}


def kept_for(period_id: str, days: int | None) -> str:
    if period_id in PERIOD_LABELS:
        return PERIOD_LABELS[period_id]
    return f"{days} days" if days else period_id


def register(bp: Blueprint, dash: Dash) -> None:
    guard = dash.guard
    services = dash.services

    @bp.get("/settings")
    def settings() -> Any:
        session = guard.linked()
        sight = dash.sight(session)
        consent = services.consent.state(sight.user_id, person=sight.person)
        view = services.retention.view(sight.user_id, person=sight.person)
        services.dashboard.record_access(session, "settings.view")
        return dash.page(
            "dashboard/settings.html",
            review=consent["human_review"],
            saving=view.saving,
            applies=kept_for(view.period.id, view.period.days),
            source=view.source,
            chosen=view.chosen if view.saving else DONT_SAVE,
            choices=[(p, PERIOD_LABELS[p]) for p in CHOICES],
            kind=sight.kind,
            saved=request.args.get("saved"),
            deleted=request.args.get("deleted", type=int),
        )

    @bp.post("/settings/review")
    def set_review() -> Any:
        session = guard.check_post()
        sight = dash.sight(session)
        value = request.form.get("human_review")
        if value not in ("on", "off"):
            abort(400, "choose on or off")
        services.consent.set(
            sight.user_id, "human_review", value == "on", channel="web", person=sight.person
        )
        return redirect(url_for("dashboard.settings", saved="review"), 303)

    @bp.post("/settings/retention")
    def set_retention() -> Any:
        session = guard.check_post()
        sight = dash.sight(session)
        period = request.form.get("period", "")
        if period not in CHOICES:
            abort(400, "choose one of the periods shown")
        retention = services.retention
        if period == DONT_SAVE:
            retention.stop_saving(sight.user_id, channel="web", person=sight.person)
            return redirect(url_for("dashboard.settings", saved="retention"), 303)
        if request.form.get("confirmed") != "yes":
            asked_at = datetime.now(UTC)
            count = retention.would_delete(sight.user_id, period, person=sight.person, at=asked_at)
            if count:
                return dash.page(
                    "dashboard/confirm_retention.html",
                    period=period,
                    label=PERIOD_LABELS[period],
                    count=count,
                    asked_at=asked_at.isoformat(),
                    kind=sight.kind,
                )
        else:
            asked_at = asked_when(request.form.get("asked_at"))
        change = retention.choose(
            sight.user_id, period, channel="web", person=sight.person, at=asked_at
        )
        assert period in PERIODS
        return redirect(
            url_for("dashboard.settings", saved="retention", deleted=change.deleted), 303
        )
