"""Audit entries are kept at least 24 months: nothing in the product deletes them (the README
says how an operator may prune entries older than that). A deletion of every recording leaves
the person's audit log in place."""

from __future__ import annotations

import re

from tests.api.conftest import Client, item, user_path
from tests.conftest import ROOT

_DELETES_AUDIT = re.compile(
    r"delete\(\s*(schema\.)?audit_events|DELETE\s+FROM\s+audit_events|audit_events\.delete\(",
    re.IGNORECASE,
)


def test_no_code_deletes_audit_entries() -> None:
    found = [
        str(path.relative_to(ROOT))
        for folder in ("skill", "lambda")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if _DELETES_AUDIT.search(path.read_text())
    ]
    assert found == []


def test_deleting_everything_keeps_the_audit_log(admin: Client) -> None:
    user = "amzn1.ask.account.AUDITKEPT"
    pushed = {"recordings": [item(user, "2026-11-26T09:00:00Z", "x")]}
    assert admin.post("/recordings", pushed).status == 200
    assert admin.delete(user_path(user, "recordings", all="true")).json == {"deleted": 1}
    actions = [e["action"] for e in admin.get(user_path(user, "audit")).json["events"]]
    assert actions == ["api_access", "recordings_deleted"]
