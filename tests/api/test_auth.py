"""Keys over real HTTP: missing, malformed, unknown and revoked keys get 401, a key without
the scope an endpoint needs gets 403, the rate limit holds across gunicorn workers with 429
and Retry-After, and every refusal is counted in /metrics by reason only."""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from pathlib import Path
from typing import Any

from skill.web.api.openapi import document
from tests.api.conftest import ALICE, Client, Reply, cli, item, make_key, user_path
from tests.web.conftest import Served

SCOPED = [
    (path, method, operation["x-scope"], operation["operationId"])
    for path, methods in document()["paths"].items()
    for method, operation in methods.items()
    if isinstance(operation, dict) and "x-scope" in operation
]
"""Every operation the OpenAPI document says needs a scope: the tests take it from there."""


def call(client: Client, operation: str, user: str = ALICE) -> Reply:
    """A valid request to ``operation``."""
    requests: dict[str, Any] = {
        "ingestRecordings": lambda: client.post(
            "/recordings", {"recordings": [item(user, "2026-11-26T09:00:00Z", "lights on")]}
        ),
        "listRecordings": lambda: client.get(user_path(user, "recordings")),
        "deleteRecordings": lambda: client.delete(user_path(user, "recordings", id="none")),
        "showConsent": lambda: client.get(user_path(user, "consent")),
        "setConsent": lambda: client.put(
            user_path(user, "consent"), {"purpose": "human_review", "granted": False}
        ),
        "listAudit": lambda: client.get(user_path(user, "audit")),
        "exportData": lambda: client.get(user_path(user, "export")),
        "showRetention": lambda: client.get(user_path(user, "retention")),
        "setRetention": lambda: client.put(
            user_path(user, "retention"), {"period": "UNTIL_DELETED", "dry_run": True}
        ),
    }
    reply: Reply = requests[operation]()
    return reply


def metric(served: Served, reason: str) -> float:
    with urllib.request.urlopen(served.url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    match = re.search(rf'privacy_skill_api_refusals_total{{reason="{reason}"}} ([0-9.e+]+)', text)
    return float(match.group(1)) if match else 0.0


def test_every_scoped_operation_is_covered() -> None:
    scopes = {scope for _, _, scope, _ in SCOPED}
    assert scopes == {"ingest", "read", "delete", "consent", "export", "audit"}


def test_requests_without_a_usable_key_get_401_and_are_counted(served: Served) -> None:
    real = make_key(served, "auth-real")
    wrong_secret = real[:-1] + ("A" if real[-1] != "A" else "B")
    unknown = "vpk_0123456789abcdef_" + "x" * 43
    cases = {
        "missing": {},
        "malformed": {"Authorization": f"Basic {real}"},
        "unknown": {"Authorization": f"Bearer {unknown}"},
    }
    before = {reason: metric(served, reason) for reason in cases}
    for reason, headers in cases.items():
        reply = Client(served, None).get(user_path(ALICE, "consent"), headers=headers)
        assert reply.status == 401, reason
        assert reply.headers["WWW-Authenticate"].startswith("Bearer ")
        assert set(reply.json) == {"error", "message"}
        assert metric(served, reason) == before[reason] + 1, reason
    for token in ("not-a-key", wrong_secret, real + "x"):
        assert Client(served, token).get(user_path(ALICE, "consent")).status == 401
    assert Client(served, real).get(user_path(ALICE, "consent")).status == 200


def test_each_operation_needs_its_own_scope(served: Served) -> None:
    denied_before = metric(served, "out_of_scope")
    denied = 0
    for scope in ("ingest", "read", "delete", "consent", "export", "audit"):
        client = Client(served, make_key(served, f"only-{scope}", scope))
        for _path, method, needed, operation in SCOPED:
            reply = call(client, operation)
            if needed == scope:
                assert reply.status == 200, (scope, operation, reply.body[:300])
            else:
                assert reply.status == 403, (scope, operation, method)
                assert needed in reply.json["message"]
                denied += 1
    assert metric(served, "out_of_scope") == denied_before + denied


def test_a_refusal_for_scope_is_in_the_persons_audit_log(served: Served, admin: Client) -> None:
    reader = Client(served, make_key(served, "reader-only", "read"))
    assert reader.get(user_path("amzn1.ask.account.AUDITED", "export")).status == 403
    events = admin.get(user_path("amzn1.ask.account.AUDITED", "audit")).json["events"]
    denied = [e for e in events if e["details"].get("outcome") == "denied"]
    assert [(e["action"], e["channel"], e["details"]["key"], e["details"]["operation"])
            for e in denied] == [("api_access", "api", "reader-only", "export")]  # fmt: skip


def test_a_revoked_key_is_refused_from_its_next_request(served: Served) -> None:
    key = make_key(served, "to-revoke")
    client = Client(served, key)
    assert client.get(user_path(ALICE, "consent")).status == 200
    before = metric(served, "revoked")

    result = cli(served, "api-keys", "revoke", "--name", "to-revoke", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["revoked_at"] is not None

    reply = client.get(user_path(ALICE, "consent"))
    assert reply.status == 401
    assert "revoked" in reply.json["message"]
    assert metric(served, "revoked") == before + 1
    listed = json.loads(cli(served, "api-keys", "list", "--json").stdout)
    assert [k["revoked_at"] is not None for k in listed if k["name"] == "to-revoke"] == [True]
    again = cli(served, "api-keys", "create", "--name", "to-revoke", "--scope", "read")
    assert again.returncode == 2 and "exists" in again.stderr


def test_the_rate_limit_holds_across_workers(served: Served) -> None:
    client = Client(served, make_key(served, "slow", "consent", rate=5))
    before = metric(served, "rate_limited")
    replies: list[Reply] = []
    lock = threading.Lock()

    def one() -> None:
        reply = client.get(user_path(ALICE, "consent"))
        with lock:
            replies.append(reply)

    threads = [threading.Thread(target=one) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    statuses = sorted(reply.status for reply in replies)
    assert statuses == [200] * 5 + [429] * 7
    limited = [reply for reply in replies if reply.status == 429]
    for reply in limited:
        assert 1 <= int(reply.headers["Retry-After"]) <= 12  # 5 a minute: one every 12 s
        assert reply.json["error"] == "Too Many Requests"
    assert metric(served, "rate_limited") == before + 7
    # Another key has its own bucket.
    assert Client(served, make_key(served, "fast", "consent")).get(
        user_path(ALICE, "consent")
    ).status == 200


def test_only_a_hash_of_the_key_is_stored(served: Served) -> None:
    result = cli(served, "api-keys", "create", "--name", "hashed", "--scope", "read")
    assert result.returncode == 0
    key = result.stdout.strip()
    assert re.fullmatch(r"vpk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}", key)
    assert "only time" in result.stderr
    secret = key[len("vpk_0123456789abcdef_") :]
    data = Path(served.env["PRIVACY_SKILL_DATABASE_URL"].removeprefix("sqlite:///")).parent
    for path in data.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path.name
    listed = cli(served, "api-keys", "list", "--json").stdout
    assert secret not in listed
    assert key not in served.log_text()
