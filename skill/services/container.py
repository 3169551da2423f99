"""Wiring the services to one database."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar, cast

from sqlalchemy import Connection, Engine

from skill.config import Config
from skill.services.accounts import AccountService
from skill.services.audit import AuditLog
from skill.services.consent import ConsentService
from skill.services.models import Summary
from skill.services.recordings import RecordingService
from skill.services.retention import RetentionService, RetentionView, default_period
from skill.store import overview as stored_overview
from skill.store.audio import AudioStore
from skill.store.binding import PLAINTEXT_PENDING, open_key_store, read_meta
from skill.store.db import compact, open_database, reading, upgrade
from skill.store.db import ping as ping_database
from skill.store.keystore import KeyStore

if TYPE_CHECKING:
    from skill.services.dashboard import DashboardService
    from skill.services.review import ReviewService
    from skill.services.sealing import SealResult
    from skill.services.storage import StorageService

log = logging.getLogger(__name__)

_S = TypeVar("_S")


@dataclass(frozen=True)
class Overview:
    """What "what data do you keep" says, from one snapshot."""

    summary: Summary
    """The account's recordings, or the recognised person's."""
    consent: dict[str, bool]
    """Purpose -> granted, for the account or the person."""
    account_total: int
    """How many recordings the whole account has."""
    retention: RetentionView
    """How long the account's or the person's recordings are kept, and whose choice that is."""


@dataclass
class Services:
    """Everything the skill, the CLI and the web service act through.

    ``review``, ``storage`` and ``dashboard`` are made (and their modules imported) on first
    use: a Lambda's first "what data do you keep", or an ingest, needs none of them. Their
    hooks are wired when the services open, so a withdrawal still purges the review queue
    and a deleted account's dashboards are still signed out, whether or not anything used
    those services before.
    """

    engine: Engine
    """The database."""
    recordings: RecordingService
    """Recordings: ingest, read, delete."""
    consent: ConsentService
    """The consent ledger."""
    audit: AuditLog
    """The audit log."""
    keys: KeyStore
    """The key store: the data keys that deleting destroys."""
    retention: RetentionService
    """Retention choices and the sweep that enforces them."""
    accounts: AccountService
    """Whole accounts: what disabling the skill deletes."""
    _made: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)
    _making: threading.RLock = field(
        default_factory=threading.RLock, init=False, repr=False, compare=False
    )

    @property
    def review(self) -> ReviewService:
        """The human-review queue: sampling, hand-outs, annotations."""
        return self._lazily("review", self._new_review)

    @property
    def storage(self) -> StorageService:
        """The storage check and repair (``storage.check(repair=True)`` on start and on a
        schedule)."""
        return self._lazily("storage", self._new_storage)

    @property
    def dashboard(self) -> DashboardService:
        """The privacy dashboard's browser sessions and the codes that link them by voice."""
        return self._lazily("dashboard", self._new_dashboard)

    def _lazily(self, name: str, make: Callable[[], _S]) -> _S:
        made = self._made.get(name)
        if made is None:
            with self._making:
                made = self._made.get(name)
                if made is None:
                    made = self._made[name] = make()
        return cast(_S, made)

    def _new_review(self) -> ReviewService:
        from skill.services.review import ReviewService

        return ReviewService(self.engine, self.consent, self.audit, self.keys)

    def _new_storage(self) -> StorageService:
        from skill.services.storage import StorageService

        audio = self.recordings.audio
        return StorageService(self.engine, self.keys, audio, self.audit, self.seal_plaintext)

    def _new_dashboard(self) -> DashboardService:
        from skill.services.dashboard import DashboardService

        return DashboardService(self.engine, self.keys.masters, self.audit)

    def _purge_review_queue(
        self, conn: Connection, user_id: str, purpose: str, person: str | None = None
    ) -> int:
        """The consent service's withdrawal hook (``ReviewService.purge_on_withdrawal``)."""
        return self.review.purge_on_withdrawal(conn, user_id, purpose, person)

    def _forget_dashboards(self, conn: Connection, user_id: str) -> None:
        """The account service's forget hook (``DashboardService.forget``)."""
        self.dashboard.forget(conn, user_id)

    def overview(self, user_id: str, *, person: str | None = None) -> Overview:
        """What is kept about a user (or about ``person``, with the account's total) and what
        they consented to, and how long they are kept, from one consistent snapshot: one
        statement ("what data do you keep")."""
        snapshot = stored_overview.snapshot(self.engine, user_id, person)  # one statement
        summary = Summary(snapshot.total, snapshot.with_audio, snapshot.first, snapshot.last)
        consent = self.consent.state_from(snapshot.account_consent, snapshot.person_consent)
        choices: dict[str | None, str] = {}
        if snapshot.account_period is not None:
            choices[None] = snapshot.account_period
        if person is not None and snapshot.person_period is not None:
            choices[person] = snapshot.person_period
        retention = self.retention.view_from(
            user_id, choices, person, consent["store_recordings"]
        )
        return Overview(summary, consent, snapshot.account_total, retention)

    def ping(self) -> None:
        """Check the database answers (for health checks); raises when it cannot be reached."""
        with reading(self.engine) as conn:
            ping_database(conn)

    def seal_plaintext(self) -> SealResult:
        """Seal rows and files from before encryption, then compact the database so no page
        of their plaintext survives (SQLite; PostgreSQL needs ``VACUUM FULL``, see the
        README), and sweep what a crash while sealing may have left."""
        from skill.services.sealing import seal_plaintext

        result = seal_plaintext(self.engine, self.keys, self.recordings.audio)
        if result.recordings or result.annotations:
            if not compact(self.engine):
                log.warning(
                    "sealed %d recordings: run VACUUM FULL recordings, review_annotations, "
                    "pg_statistic so their plaintext leaves the table files",
                    result.recordings,
                )
            self.storage.check(repair=True)
        return result

    def close(self) -> None:
        self.engine.dispose()
        self.keys.close()


def open_services(config: Config, migrate: bool = True, seal: bool = True) -> Services:
    """Open the database (migrating it to the newest schema), its key store, and wire the
    services.

    A key store that is missing, empty, another database's, or opened with the wrong master
    key stops here with a ``KeyStoreError`` (a ``ConfigError`` for missing settings): nothing
    is read or deleted. A database migrated from before encryption is sealed here (unless
    ``seal`` is False: ``db upgrade`` seals itself, to report it). The default data
    directory is created when it is in use; an explicit location must exist.
    """
    config.ensure_data_dir()
    engine = open_database(config.database_url)
    try:
        if migrate:
            upgrade(engine)
        keys = open_key_store(config, engine)
    except BaseException:
        engine.dispose()
        raise
    audit = AuditLog(engine)
    audio = AudioStore(config.audio_dir)
    consent = ConsentService(engine, config.policy, audit)
    recordings = RecordingService(engine, audio, consent, audit, keys)
    accounts = AccountService(engine, recordings, audit)
    retention = RetentionService(
        engine, recordings, consent, audit, default_period(config.retention_days), accounts
    )
    services = Services(engine, recordings, consent, audit, keys, retention, accounts)
    # A withdrawal of human_review purges the user's queue items in its own transaction.
    consent.withdrawal_hooks.append(services._purge_review_queue)
    # A deleted account's dashboards are signed out in the deletion's transaction.
    accounts.forget_hooks.append(services._forget_dashboards)
    if seal:
        with reading(engine) as conn:
            pending = PLAINTEXT_PENDING in read_meta(conn)
        if pending:
            services.seal_plaintext()
    return services
