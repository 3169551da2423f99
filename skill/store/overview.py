"""What "what data do you keep" reads, in one statement of key lookups and index seeks.

The answer needs the summary of the recordings (``recording_counts``, and the oldest and newest
``recorded_at``), the consent state rows of the account and of the person, and their retention
choices. Each is a scalar subquery of one ``SELECT``: one round trip and one statement's
bookkeeping per request instead of three, and nothing in it grows with the user's history.
What the values *mean* (the consent rule, the retention that applies) is the services' rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BindParameter,
    Connection,
    Dialect,
    Engine,
    Select,
    bindparam,
    func,
    select,
)
from sqlalchemy.exc import DBAPIError

from skill.store import recordings as stored_recordings
from skill.store.db import reading
from skill.store.schema import (
    NO_PERSON,
    consent_state,
    recording_counts,
    recordings,
    retention_choices,
)

__all__ = ["ConsentRow", "Snapshot", "read", "snapshot"]

PURPOSES = ("human_review", "store_recordings")
"""The consent purposes read (``skill.services.models.PURPOSES``; the store imports no
service)."""
_STATE_FIELDS = ("granted", "decided_seq", "withdrawn_seq")


@dataclass(frozen=True)
class ConsentRow:
    """The parts of a ``consent_state`` row the consent rule reads (all None: no row)."""

    granted: bool | None
    decided_seq: int | None
    withdrawn_seq: int | None


@dataclass(frozen=True)
class Snapshot:
    """Everything "what data do you keep" says, as stored."""

    total: int
    """Recordings of the account, or of the person."""
    with_audio: int
    """How many of them have audio."""
    first: datetime | None
    """Oldest ``recorded_at`` (aware UTC), None without recordings."""
    last: datetime | None
    """Newest ``recorded_at``."""
    account_total: int
    """Recordings of the whole account."""
    account_consent: dict[str, ConsentRow | None]
    """Purpose -> the account's state row, None when there is none."""
    person_consent: dict[str, ConsentRow | None]
    """Purpose -> the person's state row (empty without a person)."""
    account_period: str | None
    """The account's retention choice, if any."""
    person_period: str | None
    """The person's retention choice, if any."""


def read(conn: Connection, user_id: str, person: str | None) -> Snapshot:
    """The snapshot of ``user_id`` (and of ``person``, when given), inside ``conn``'s
    transaction."""
    prepared = _Prepared.on(conn.dialect, person is not None)
    row = prepared.run(conn.connection.dbapi_connection, user_id, person, conn.invalidate)
    return prepared.snapshot(row, person)


def snapshot(engine: Engine, user_id: str, person: str | None) -> Snapshot:
    """:func:`read` on a connection of its own, in a read transaction of its own.

    On SQLite the one statement runs on a pooled driver connection as it is: a single
    statement reads one consistent snapshot of the database, so the transaction a
    ``Connection`` would begin and end around it (about 45 µs of the 60 this took) adds
    nothing. PostgreSQL keeps its ``reading`` transaction (and with it ``lock_timeout``).
    """
    if engine.dialect.name != "sqlite":
        with reading(engine) as conn:
            return read(conn, user_id, person)
    prepared = _Prepared.on(engine.dialect, person is not None)
    pooled = engine.raw_connection()
    try:
        row = prepared.run(pooled, user_id, person, pooled.invalidate)
    finally:
        pooled.close()  # back to the pool
    return prepared.snapshot(row, person)


def _state_columns(at: dict[str, int], purpose: str, side: str) -> tuple[int, int, int]:
    """Where a state row's granted, decided_seq and withdrawn_seq are in the statement's row."""
    granted, decided, withdrawn = (at[f"{purpose}_{side}_{field}"] for field in _STATE_FIELDS)
    return granted, decided, withdrawn


def _consent(row: Sequence[Any], at: tuple[int, int, int]) -> ConsentRow | None:
    """The state row in ``row``'s columns ``at`` (granted, decided_seq, withdrawn_seq)."""
    granted, decided, withdrawn = row[at[0]], row[at[1]], row[at[2]]
    if granted is None and decided is None and withdrawn is None:
        return None
    return ConsentRow(
        None if granted is None else bool(granted),
        None if decided is None else int(decided),
        None if withdrawn is None else int(withdrawn),
    )


def _statement(of_person: bool) -> Select[Any]:
    counts, state, choices = recording_counts.c, consent_state.c, retention_choices.c
    user: BindParameter[str] = bindparam("user")
    person: BindParameter[str] = bindparam("person")
    columns = stored_recordings.summary_columns(of_person)
    sides: list[tuple[str, Any]] = [("account", NO_PERSON)]
    if of_person:
        columns.append(
            select(func.sum(counts.total))
            .where(counts.user_id == user)
            .scalar_subquery()
            .label("account_total")
        )
        sides.append(("person", person))
    for side, key in sides:
        for purpose in PURPOSES:
            for field in _STATE_FIELDS:
                columns.append(
                    select(state[field])
                    .where(state.user_id == user, state.person_key == key, state.purpose == purpose)
                    .scalar_subquery()
                    .label(f"{purpose}_{side}_{field}")
                )
        columns.append(
            select(choices.period)
            .where(choices.user_id == user, choices.person_key == key)
            .scalar_subquery()
            .label(f"{side}_period")
        )
    return select(*columns)


_STATEMENT = {False: _statement(False), True: _statement(True)}
"""Built once: every "what data do you keep" runs one of them."""

_USER, _PERSON = object(), object()


class _Prepared:
    """One of the statements compiled for one dialect, run on the driver's cursor.

    Every "what data do you keep" runs this one read (the skill's most frequent request, and
    what a web worker serves most). Through ``Connection.execute`` it cost about 75 µs of
    statement bookkeeping (cache lookup, 24 bound parameters, result set-up) around a 10 µs
    query; so the SQL, the order of its parameters, which of them are the user and the
    person, where each column is in the row and the date columns' result processing are
    worked out once, and each request only fills in the user and the person. Errors are
    raised as ``Connection.execute`` raises them (``DBAPIError``; a lost connection is
    invalidated), inside the caller's transaction.
    """

    _made: ClassVar[dict[tuple[type, str, bool], _Prepared]] = {}

    def __init__(self, dialect: Dialect, of_person: bool) -> None:
        self.dialect = dialect
        statement = _STATEMENT[of_person]
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        template = compiled.construct_params({"user": _USER, "person": _PERSON})
        names = compiled.positiontup  # None: named parameters (psycopg)
        self.params: dict[str, Any] | list[Any]
        keys: list[Any]
        if names is None:
            self.params, keys = dict(template), list(template)
        else:
            self.params, keys = [template[name] for name in names], list(range(len(names)))
        self.positional = names is not None
        self.user_at = [key for key in keys if self.params[key] is _USER]
        self.person_at = [key for key in keys if self.params[key] is _PERSON]
        at = {str(column.key): index for index, column in enumerate(statement.selected_columns)}
        self.total_at, self.with_audio_at = at["total"], at["with_audio"]
        self.first_at, self.last_at = at["first"], at["last"]
        self.account_period_at = at["account_period"]
        # Read only with a person (``snapshot``), so only in the statement of a person.
        self.account_total_at = at.get("account_total", -1)
        self.person_period_at = at.get("person_period", -1)
        sides = ("account", "person") if of_person else ("account",)
        self.consent_at = {
            side: tuple((purpose, _state_columns(at, purpose, side)) for purpose in PURPOSES)
            for side in sides
        }
        time_type = recordings.c.recorded_at.type.dialect_impl(dialect)
        self.process_time = time_type.result_processor(dialect, None)

    @classmethod
    def on(cls, dialect: Dialect, of_person: bool) -> _Prepared:
        key = (type(dialect), dialect.paramstyle, of_person)
        prepared = cls._made.get(key)
        if prepared is None:
            prepared = cls._made[key] = cls(dialect, of_person)
        return prepared

    def run(
        self, dbapi_connection: Any, user_id: str, person: str | None, invalidate: Callable[[], Any]
    ) -> Sequence[Any]:
        """The row's values, with ``dbapi_connection``'s cursor; ``invalidate`` is called when
        the connection turns out lost."""
        params: Any = self.params.copy()
        for key in self.user_at:
            params[key] = user_id
        for key in self.person_at:
            params[key] = person
        if self.positional:
            params = tuple(params)
        dialect = self.dialect
        error_type = dialect.loaded_dbapi.Error
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(self.sql, params)
            row: Sequence[Any] = cursor.fetchone()
        except error_type as error:
            if dialect.is_disconnect(error, dbapi_connection, cursor):
                invalidate()
            raise DBAPIError.instance(
                self.sql, None, error, error_type, hide_parameters=True, dialect=dialect
            ) from None
        finally:
            cursor.close()
        return row

    def snapshot(self, row: Sequence[Any], person: str | None) -> Snapshot:
        """The snapshot in ``row`` (from :meth:`run`), of ``person`` when one is given."""
        total = int(row[self.total_at] or 0)  # no counts row: nothing was ever ingested
        first, last = row[self.first_at], row[self.last_at]
        if self.process_time is not None:
            first, last = self.process_time(first), self.process_time(last)
        account = {purpose: _consent(row, at) for purpose, at in self.consent_at["account"]}
        if person:
            mine = {purpose: _consent(row, at) for purpose, at in self.consent_at["person"]}
            account_total = int(row[self.account_total_at] or 0)
            person_period = row[self.person_period_at]
        else:
            mine, account_total, person_period = {}, total, None
        return Snapshot(
            total=total,
            with_audio=int(row[self.with_audio_at] or 0),
            first=first,
            last=last,
            account_total=account_total,
            account_consent=account,
            person_consent=mine,
            account_period=row[self.account_period_at],
            person_period=person_period,
        )
