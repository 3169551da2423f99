"""The API keys verbs: ``api-keys create|list|revoke``."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from skill.cli import api_keys as cli_keys
from skill.cli import main
from skill.services import Services
from skill.services import api_keys as service_keys
from skill.store.schema import audit_events


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_knows_the_services_scopes_and_default_rate() -> None:
    assert cli_keys.SCOPES == service_keys.SCOPES
    assert cli_keys.DEFAULT_RATE == service_keys.DEFAULT_RATE_PER_MINUTE


def test_create_prints_the_key_once_list_never_does_revoke_ends_it(
    env: dict[str, str], services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "api-keys", "create", "--name", "platform",
                       "--scope", "ingest,read", "--json")  # fmt: skip
    assert code == 0
    created = json.loads(out)
    assert set(created) == {"key", "name", "key_id", "scopes", "rate_per_minute",
                            "created_at", "revoked_at"}  # fmt: skip
    assert created["scopes"] == ["ingest", "read"] and created["rate_per_minute"] == 600
    secret = created["key"][21:]

    code, out, _ = run(capsys, "api-keys", "list", "--json")
    assert code == 0 and secret not in out
    assert [k["name"] for k in json.loads(out)] == ["platform"]
    code, out, _ = run(capsys, "api-keys", "list")
    assert "platform  ingest,read  600/min" in out and "active" in out

    code, out, _ = run(capsys, "api-keys", "revoke", "--name", "platform")
    assert (code, out.strip()) == (0, "revoked platform")
    found = service_keys.ApiKeyService(services.engine, services.audit).authenticate(
        created["key"]
    )
    assert found == service_keys.AuthFailure("revoked")
    with services.engine.connect() as conn:
        rows = conn.execute(
            select(audit_events.c.action, audit_events.c.details)
            .where(audit_events.c.user_id.is_(None))
            .order_by(audit_events.c.id)
        ).all()
    assert [(row.action, row.details["key"]) for row in rows] == [
        ("api_key_created", "platform"), ("api_key_revoked", "platform")
    ]  # fmt: skip
    assert secret not in repr(rows)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--name", "x", "--scope", "read,write"], "unknown scope 'write'"),
        (["--name", "x", "--scope", ","], "at least one scope"),
        (["--name", "has space", "--scope", "read"], "key name"),
        (["--name", "x", "--scope", "read", "--rate", "0"], "--rate"),
    ],
)
def test_create_refuses_what_it_cannot_make(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    code, _, err = run(capsys, "api-keys", "create", *argv, "--json")
    assert code == 2
    assert says in json.loads(err)["message"]


def test_revoking_an_unknown_key_is_an_input_error(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "api-keys", "revoke", "--name", "nobody", "--json")
    assert code == 2 and json.loads(err)["error"] == "input"
