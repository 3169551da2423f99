"""The operator CLI's --person: consent and recordings of one recognised speaker."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from skill.cli import main
from skill.services import Services
from tests.conftest import USER, seed

ANN = "amzn1.ask.person.ANN"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_consent_per_person(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "consent", "set", "--user", USER, "--purpose", "human_review", "--grant")
    run(capsys, "consent", "set", "--user", USER, "--person", ANN, "--purpose", "human_review",
        "--withdraw")  # fmt: skip
    _, out = run(capsys, "consent", "show", "--user", USER, "--person", ANN, "--json")
    assert json.loads(out)["human_review"] is False
    _, out = run(capsys, "consent", "show", "--user", USER, "--json")
    assert json.loads(out)["human_review"] is True
    _, out = run(capsys, "audit", "--user", USER, "--json")
    assert json.loads(out)[-1]["details"]["person"] == ANN


def test_recordings_of_one_person(
    env: dict[str, str], services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC)
    seed(services, USER, now - timedelta(minutes=5), person=ANN, transcript=lambda i: "anns")
    seed(services, USER, now - timedelta(minutes=6), transcript=lambda i: "guest")
    _, out = run(capsys, "recordings", "list", "--user", USER, "--person", ANN, "--json")
    assert [r["transcript"] for r in json.loads(out)] == ["anns"]
    code, out = run(capsys, "recordings", "delete", "--user", USER, "--person", ANN, "--all",
                    "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["count"] == 1
    assert [r.transcript for r in services.recordings.list(USER)] == ["guest"]
