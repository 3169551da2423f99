"""The "what data do you keep" read runs one statement on the driver's cursor
(``skill.store.overview``): its snapshot must be what SQLAlchemy's ordinary execution of
that statement reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from skill.services import Services
from skill.store import overview
from skill.store.db import reading
from tests.conftest import OTHER_USER, USER, seed

PERSON = "amzn1.ask.person.P1"
NOW = datetime.now(UTC).replace(microsecond=0)


def _reference(services: Services, user: str, person: str | None) -> overview.Snapshot:
    """The statement through ``Connection.execute``, mapped column by column."""
    with reading(services.engine) as conn:
        row = (
            conn.execute(overview._STATEMENT[person is not None], {"user": user, "person": person})
            .one()
            ._mapping
        )

    def state(side: str) -> dict[str, overview.ConsentRow | None]:
        found: dict[str, overview.ConsentRow | None] = {}
        for purpose in overview.PURPOSES:
            granted, decided, withdrawn = (
                row[f"{purpose}_{side}_{field}"]
                for field in ("granted", "decided_seq", "withdrawn_seq")
            )
            found[purpose] = (
                None
                if granted is None and decided is None and withdrawn is None
                else overview.ConsentRow(
                    None if granted is None else bool(granted),
                    None if decided is None else int(decided),
                    None if withdrawn is None else int(withdrawn),
                )
            )
        return found

    total = int(row["total"] or 0)
    return overview.Snapshot(
        total=total,
        with_audio=int(row["with_audio"] or 0),
        first=row["first"],
        last=row["last"],
        account_total=int(row["account_total"] or 0) if person else total,
        account_consent=state("account"),
        person_consent=state("person") if person else {},
        account_period=row["account_period"],
        person_period=row["person_period"] if person else None,
    )


def _both_paths(services: Services, user: str, person: str | None) -> list[Any]:
    with reading(services.engine) as conn:
        in_transaction = overview.read(conn, user, person)
    return [overview.snapshot(services.engine, user, person), in_transaction]


@pytest.mark.parametrize("person", [None, PERSON, "amzn1.ask.person.OTHER"])
def test_a_user_without_anything_stored(services: Services, person: str | None) -> None:
    expected = _reference(services, USER, person)
    assert expected.total == 0 and expected.first is None
    assert expected.account_consent == {p: None for p in overview.PURPOSES}
    assert _both_paths(services, USER, person) == [expected, expected]


def test_recordings_consent_and_retention_of_the_account_and_a_person(
    services: Services,
) -> None:
    seed(services, USER, NOW - timedelta(days=3), NOW - timedelta(days=1))
    seed(services, USER, NOW - timedelta(days=2), person=PERSON)
    seed(services, OTHER_USER, NOW - timedelta(days=30))
    services.consent.set(USER, "human_review", True, channel="voice")
    services.consent.set(USER, "human_review", False, channel="voice", person=PERSON)
    services.consent.set(USER, "store_recordings", True, channel="voice", person=PERSON)
    services.retention.choose(USER, "36_MONTHS", channel="voice")
    services.retention.choose(USER, "3_MONTHS", channel="voice", person=PERSON)
    services.consent.set(OTHER_USER, "human_review", False, channel="voice")

    account = _reference(services, USER, None)
    assert (account.total, account.first, account.last) == (
        3, NOW - timedelta(days=3), NOW - timedelta(days=1)
    )  # fmt: skip
    assert account.account_consent["human_review"] is not None
    assert account.account_consent["human_review"].granted is True
    assert account.account_period == "36_MONTHS" and account.person_consent == {}
    mine = _reference(services, USER, PERSON)
    assert (mine.total, mine.account_total, mine.person_period) == (1, 3, "3_MONTHS")
    assert mine.person_consent["human_review"] is not None
    assert mine.person_consent["human_review"].granted is False
    other_person = _reference(services, USER, "amzn1.ask.person.OTHER")
    assert other_person.total == 0 and other_person.person_period is None

    for user, person, expected in (
        (USER, None, account),
        (USER, PERSON, mine),
        (USER, "amzn1.ask.person.OTHER", other_person),
        (OTHER_USER, None, _reference(services, OTHER_USER, None)),
        (OTHER_USER, PERSON, _reference(services, OTHER_USER, PERSON)),
    ):
        assert _both_paths(services, user, person) == [expected, expected], (user, person)
