"""Alembic environment: always runs on a connection handed over by skill.store.db."""

from __future__ import annotations

from alembic import context

from skill.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
