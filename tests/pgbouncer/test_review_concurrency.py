"""The review queue's concurrency tests (tests/services/test_review_concurrency.py), run again
with every worker's database connections going through pgbouncer in transaction mode.

The same test functions, not copies: this folder's ``database_url`` hands them the pooled URL,
so each worker's own services (own engine, own pool) become pgbouncer clients sharing 10
server connections. Row locks (``FOR UPDATE``, ``SKIP LOCKED``), ``SET LOCAL lock_timeout``
and the consent checks inside the hand-out's transaction must hold exactly as they do on a
direct connection; a prepared statement or a session setting would surface here as errors
once a client's transactions land on different server connections.
"""

from __future__ import annotations

import pytest

from tests.services.test_review_concurrency import (
    test_concurrent_reviewers_never_get_the_same_item,
    test_deletions_withdrawals_sampling_and_claims_all_at_once,
    test_hand_outs_and_annotations_never_follow_a_withdrawal,
    test_sampling_racing_withdrawals_queues_nothing_of_withdrawn_users,
)

pytestmark = pytest.mark.postgres

__all__ = [
    "test_concurrent_reviewers_never_get_the_same_item",
    "test_deletions_withdrawals_sampling_and_claims_all_at_once",
    "test_hand_outs_and_annotations_never_follow_a_withdrawal",
    "test_sampling_racing_withdrawals_queues_nothing_of_withdrawn_users",
]
