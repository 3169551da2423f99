"""The retention sweep: it deletes exactly what is older than what applies to it, with the
guarantees of any deletion; from the CLI, from an EventBridge schedule through the Lambda
handler, and from several processes at once without doing anything twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import text

from skill.cli import main
from skill.config import Config
from skill.services import Services, open_services
from skill.services.models import NewRecording
from skill.store import retention as stored
from tests.conftest import OTHER_USER, USER, make_wav, seed

CLI = str(Path(sys.executable).with_name("privacy-skill"))
ANN = "amzn1.ask.person.ANN"


def days_ago(*days: int) -> list[datetime]:
    now = datetime.now(UTC)
    return [now - timedelta(days=d) for d in days]


def ages(services: Services, user: str = USER, person: str | None = None) -> list[int]:
    now = datetime.now(UTC)
    kept = services.recordings.list(user, person=person)
    return sorted(round((now - r.recorded_at) / timedelta(days=1)) for r in kept)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object]]:
    code = main([*argv, "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out or err)


def test_the_default_keeps_eighteen_calendar_months(services: Services, tmp_path: Path) -> None:
    wav = make_wav(tmp_path / "in" / "old.wav")
    services.recordings.ingest(
        [NewRecording(USER, t, "old enough to go", audio_file=wav) for t in days_ago(600, 900)]
    )
    seed(services, USER, *days_ago(1, 300, 500))
    seed(services, OTHER_USER, *days_ago(560))
    files_before = sorted(p.name for p in (tmp_path / "audio").rglob("*") if p.is_file())
    assert len(files_before) == 2

    result = services.retention.sweep()

    assert (result.users, result.deleted) == (2, 3)
    assert ages(services) == [1, 300, 500]
    assert ages(services, OTHER_USER) == []
    assert [p for p in (tmp_path / "audio").rglob("*") if p.is_file()] == [], "audio gone"
    [entry] = [e for e in services.audit.for_user(USER) if e.action == "recordings_deleted"]
    assert (entry.channel, entry.details["scope"], entry.details["count"]) == (
        "retention",
        "retention",
        2,
    )
    assert entry.details["keys_destroyed"] == 2 and entry.details["period"] == "18_MONTHS"
    assert services.retention.sweep().deleted == 0, "nothing twice"


def test_each_choice_applies_to_its_own_recordings(services: Services) -> None:
    seed(services, USER, *days_ago(10, 100, 1200), person=ANN)
    seed(services, USER, *days_ago(10, 100, 1200))
    seed(services, OTHER_USER, *days_ago(10, 100, 1200))
    services.retention.choose(USER, "36_MONTHS", channel="cli")
    services.retention.choose(USER, "3_MONTHS", channel="cli", person=ANN)
    services.retention.choose(OTHER_USER, "UNTIL_DELETED", channel="cli")
    # Choosing applied at once; what became due since is the sweep's.
    seed(services, USER, *days_ago(95), person=ANN)
    seed(services, USER, *days_ago(1090, 1100))  # 36 calendar months are 1,095 or 1,096 days

    result = services.retention.sweep()

    assert (result.users, result.deleted) == (1, 2)
    assert ages(services, person=ANN) == [10]
    assert ages(services) == [10, 10, 100, 1090]
    assert ages(services, OTHER_USER) == [10, 100, 1200]


def test_a_deployment_default_in_days(config: Config, services: Services) -> None:
    seed(services, USER, *days_ago(5, 29, 31, 400))
    services.close()
    thirty = open_services(replace(config, retention_days=30))
    try:
        assert thirty.retention.view(USER).period.id == "30_DAYS"
        assert thirty.retention.sweep().deleted == 2
        assert ages(thirty) == [5, 29]
    finally:
        thirty.close()


def test_dry_run_counts_and_deletes_nothing_then_the_cli_sweeps(
    env: dict[str, str], services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(services, USER, *days_ago(1, 700, 800))
    seed(services, OTHER_USER, *days_ago(700))

    code, would = run(capsys, "retention", "sweep", "--dry-run")
    assert code == 0 and would == {"users": 2, "deleted": 3, "dry_run": True}
    assert ages(services) == [1, 700, 800]

    code, done = run(capsys, "retention", "sweep")
    assert code == 0 and done == {"users": 2, "deleted": 3}
    assert ages(services) == [1]

    assert main(["retention", "sweep"]) == 0
    assert capsys.readouterr().out == "deleted 0 recording(s) of 0 account(s)\n"


def test_retention_show_and_set_from_the_cli(
    env: dict[str, str], services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(services, USER, *days_ago(1, 200), person=ANN)
    code, shown = run(capsys, "retention", "show", "--user", USER, "--person", ANN)
    assert code == 0
    assert (shown["period"], shown["source"], shown["chosen"], shown["saving"]) == (
        "18_MONTHS",
        "default",
        None,
        True,
    )

    code, planned = run(
        capsys, "retention", "set", "--user", USER, "--person", ANN, "--period", "3_MONTHS",
        "--dry-run",
    )  # fmt: skip
    assert (code, planned) == (0, {"period": "3_MONTHS", "would_delete": 1})
    assert ages(services, person=ANN) == [1, 200]

    code, changed = run(
        capsys, "retention", "set", "--user", USER, "--person", ANN, "--period", "3_MONTHS"
    )
    assert code == 0 and changed["deleted"] == 1 and changed["period"] == "3_MONTHS"
    assert ages(services, person=ANN) == [1]
    entry = [e for e in services.audit.for_user(USER) if e.action == "retention_changed"][-1]
    assert entry.channel == "cli" and entry.details["person"] == ANN

    code, stopped = run(capsys, "retention", "set", "--user", USER, "--period", "DONT_SAVE")
    assert code == 0 and stopped["saving"] is False
    assert services.consent.state(USER)["store_recordings"] is False


def test_bad_periods_and_settings_are_refused_clearly(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["retention", "set", "--user", USER, "--period", "4_MONTHS"]) == 2
    assert "invalid choice: '4_MONTHS'" in capsys.readouterr().err

    monkeypatch.setenv("PRIVACY_SKILL_RETENTION_DAYS", "0")
    code, error = run(capsys, "retention", "show", "--user", USER)
    assert code == 2 and "at least 1" in str(error["message"])
    assert "until they are deleted is each person's own choice" in str(error["message"])

    monkeypatch.setenv("PRIVACY_SKILL_RETENTION_DAYS", "thirty")
    assert main(["retention", "sweep"]) == 2
    assert "whole number of days" in capsys.readouterr().err

    monkeypatch.delenv("PRIVACY_SKILL_RETENTION_DAYS")
    monkeypatch.setenv("PRIVACY_SKILL_SWEEP_INTERVAL", "1 fortnight")
    assert main(["retention", "sweep"]) == 2
    assert "PRIVACY_SKILL_SWEEP_INTERVAL" in capsys.readouterr().err


def test_a_pending_account_deletion_a_crash_interrupted_is_finished(services: Services) -> None:
    seed(services, USER, *days_ago(1, 2))
    services.retention.choose(USER, "36_MONTHS", channel="cli")
    with services.engine.begin() as conn:  # the event was recorded, then the process died
        stored.record_pending(conn, USER, "skill_disabled", datetime.now(UTC))

    result = services.retention.sweep()

    assert result.accounts_finished == 1
    assert services.recordings.total(USER) == 0
    assert services.retention.view(USER).chosen is None
    assert services.accounts.pending() == []
    [entry] = [e for e in services.audit.for_user(USER) if e.action == "account_deleted"]
    assert entry.channel == "event" and entry.details["recordings"] == 2


def test_one_sweep_at_a_time_and_a_dead_holder_is_taken_over(services: Services) -> None:
    seed(services, USER, *days_ago(700))
    now = datetime.now(UTC)
    with services.engine.begin() as conn:  # another process is sweeping
        stored.take_lease(
            conn, "retention_sweep", "busy", now, now + timedelta(minutes=5), due_only=False
        )
    assert services.retention.sweep(wait=0.5).ran is False
    assert services.recordings.total(USER) == 1

    with services.engine.begin() as conn:  # ... and died: its lease ran out
        conn.execute(
            text("UPDATE maintenance_leases SET expires_at = :t"),
            {"t": (now - timedelta(seconds=1)).replace(tzinfo=None)
             if services.engine.dialect.name == "sqlite" else now - timedelta(seconds=1)},
        )  # fmt: skip
    assert services.retention.sweep().deleted == 1


def test_a_schedule_runs_one_sweep_per_interval(services: Services) -> None:
    seed(services, USER, *days_ago(700))
    first = services.retention.sweep(schedule=3600)
    second = services.retention.sweep(schedule=3600)
    assert (first.ran, first.deleted) == (True, 1)
    assert second.ran is False, "not due for another hour"
    due = services.retention.next_due()
    assert due is not None and timedelta(minutes=59) < due - datetime.now(UTC) <= timedelta(hours=1)
    assert services.retention.sweep().ran is True, "a sweep by hand runs whenever nobody sweeps"


def _spawn(env: dict[str, str], *argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        argv, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_two_sweeps_started_together_delete_everything_once(
    env: dict[str, str], services: Services
) -> None:
    users = [f"amzn1.ask.account.U{i:03d}" for i in range(40)]
    services.recordings.ingest(
        [
            NewRecording(user, t, f"old {n}")
            for user in users
            for n, t in enumerate(days_ago(*range(600, 650)))
        ]
        + [NewRecording(user, t, "recent") for user in users for t in days_ago(3)]
    )
    sweeps = [_spawn(env, CLI, "retention", "sweep", "--json") for _ in range(2)]
    outputs = []
    for sweep in sweeps:
        out, err = sweep.communicate(timeout=240)
        assert sweep.returncode == 0, err
        outputs.append(json.loads(out))

    # One sweeps; the other waits for it, then finds nothing left.
    assert sorted((int(o["users"]), int(o["deleted"])) for o in outputs) == [(0, 0), (40, 2000)]
    for user in users:
        assert services.recordings.total(user) == 1
        deletions = [e for e in services.audit.for_user(user) if e.action == "recordings_deleted"]
        assert [e.details["count"] for e in deletions] == [50], "each group deleted once"


def test_scheduled_sweeps_from_processes_started_together_run_once(
    env: dict[str, str], services: Services
) -> None:
    seed(services, USER, *days_ago(700, 701))
    code = (
        "from skill.config import Config\n"
        "from skill.services import open_services\n"
        "from skill.services.maintenance import run_maintenance\n"
        "s = open_services(Config.from_env(), migrate=False)\n"
        "r = run_maintenance(s, schedule=3600)\n"
        "print(int(r.ran), r.deleted)\n"
    )
    runs = [_spawn(env, sys.executable, "-c", code) for _ in range(3)]
    results = []
    for process in runs:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        results.append(tuple(int(x) for x in out.split()))
    assert sorted(results) == [(0, 0), (0, 0), (1, 2)]


def test_an_eventbridge_schedule_runs_the_sweep_through_the_lambda_handler(
    lambda_module: ModuleType, config: Config, services: Services
) -> None:
    seed(services, USER, *days_ago(1, 700))
    handler = lambda_module.make_handler(config)
    event = {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-12-01T03:00:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/privacy-skill-sweep"],
        "detail": {},
    }
    assert handler(event, None) == {"users": 1, "deleted": 1}
    assert ages(services) == [1]
    seed(services, USER, *days_ago(700))
    lookalike = {**event, "source": "my.app"}
    answer = handler(lookalike, None)
    assert answer["response"] == {} and "users" not in answer, "not a schedule: no sweep"
    assert ages(services) == [1, 700]
