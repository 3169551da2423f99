"""Wiring the services to one database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from skill.config import Config
from skill.services.audit import AuditLog
from skill.services.consent import ConsentService
from skill.services.models import Summary
from skill.services.recordings import RecordingService
from skill.services.review import ReviewService
from skill.store.audio import AudioStore
from skill.store.db import open_database, reading, upgrade
from skill.store.db import ping as ping_database


@dataclass
class Services:
    """Everything the skill, the CLI and the web service act through."""

    engine: Engine
    """The database."""
    recordings: RecordingService
    """Recordings: ingest, read, delete."""
    consent: ConsentService
    """The consent ledger."""
    audit: AuditLog
    """The audit log."""
    review: ReviewService
    """The human-review queue: sampling, hand-outs, annotations."""

    def overview(self, user_id: str) -> tuple[Summary, dict[str, bool]]:
        """What is kept about a user and what they consented to, from one consistent
        snapshot in one read transaction ("what data do you keep")."""
        with reading(self.engine) as conn:
            return self.recordings.summary(user_id, conn), self.consent.state(user_id, conn)

    def ping(self) -> None:
        """Check the database answers (for health checks); raises when it cannot be reached."""
        with reading(self.engine) as conn:
            ping_database(conn)

    def close(self) -> None:
        self.engine.dispose()


def open_services(config: Config, migrate: bool = True) -> Services:
    """Open the database (migrating it to the newest schema) and wire the services.

    The default data directory is created when it is in use; an explicit location must exist.
    """
    config.ensure_data_dir()
    engine = open_database(config.database_url)
    if migrate:
        upgrade(engine)
    audit = AuditLog(engine)
    consent = ConsentService(engine, config.policy, audit)
    recordings = RecordingService(engine, AudioStore(config.audio_dir), consent, audit)
    review = ReviewService(engine, consent, audit)
    # A withdrawal of human_review purges the user's queue items in its own transaction.
    consent.withdrawal_hooks.append(review.purge_on_withdrawal)
    return Services(engine, recordings, consent, audit, review)

