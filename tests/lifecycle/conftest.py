"""Retention, the sweep and skill events: these tests run on SQLite and on a real PostgreSQL
server."""

from tests.conftest import both_backends

backend = both_backends
