"""Cryptographic deletion, proven on real files: these tests run on SQLite and on a real
PostgreSQL server (where a test needs only one of them, it says so)."""

from tests.conftest import both_backends

backend = both_backends
