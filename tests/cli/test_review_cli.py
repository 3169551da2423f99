"""The ``review`` verbs, as an operator and a reviewer run them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skill.cli import main
from tests.conftest import OTHER_USER, USER


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def recordings(env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two recordings each for USER (who allows human review) and OTHER_USER (who does not)."""
    lines = [
        {"user_id": user, "recorded_at": f"2026-11-26T09:0{i}:00+01:00", "transcript": text}
        for user in (USER, OTHER_USER)
        for i, text in enumerate(("turn on the lights", "play some jazz"))
    ]
    file = tmp_path / "in.jsonl"
    file.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert run(capsys, "ingest", str(file))[0] == 0
    assert (
        run(capsys, "consent", "set", "--user", USER, "--purpose", "human_review", "--grant")[0]
        == 0
    )


@pytest.mark.usefixtures("recordings")
def test_sample_claim_submit_and_withdraw(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "review", "sample", "--rate", "1", "--seed", "3", "--json")
    assert code == 0
    assert json.loads(out) == {"considered": 4, "queued": 2, "skipped_no_consent": 2}

    code, out, _ = run(capsys, "review", "list", "--json")
    items = json.loads(out)
    assert [(i["user_id"], i["state"]) for i in items] == [(USER, "pending"), (USER, "pending")]
    assert "transcript" not in out and "lights" not in out

    code, out, _ = run(capsys, "review", "claim", "--reviewer", "ann", "--count", "5", "--json")
    claimed = json.loads(out)
    assert code == 0 and [c["id"] for c in claimed] == [i["id"] for i in items]
    assert {c["transcript"] for c in claimed} == {"turn on the lights", "play some jazz"}
    assert set(claimed[0]) == {
        "id",
        "recording_id",
        "user_id",
        "recorded_at",
        "transcript",
        "has_audio",
    }

    first, second = (str(c["id"]) for c in claimed)
    code, out, _ = run(
        capsys, "review", "submit", "--reviewer", "ann", "--item", first,
        "--transcript", "turn on the light", "--label", "misrecognised",
    )  # fmt: skip
    assert (code, out) == (0, f"item {first} done\n")
    code, out, _ = run(capsys, "review", "stats", "--json")
    assert json.loads(out) == {"pending": 0, "claimed": 1, "done": 1}

    assert run(capsys, "consent", "set", "--user", USER, "--purpose", "human_review",
               "--withdraw")[0] == 0  # fmt: skip
    code, out, err = run(
        capsys, "review", "submit", "--reviewer", "ann", "--item", second,
        "--transcript", "play some jazz", "--label", "ok",
    )  # fmt: skip
    assert code == 2 and out == ""
    assert f"item {second} is no longer available" in err
    code, out, _ = run(capsys, "review", "stats")
    assert out == "pending: 0\nclaimed: 0\ndone: 1\n"

    code, out, _ = run(capsys, "audit", "--user", USER, "--json")
    actions = [e["action"] for e in json.loads(out)]
    assert actions.count("review_handout") == 2 and "review_purged" in actions
    assert "jazz" not in out and "light" not in out, "no content in the audit log"


@pytest.mark.usefixtures("recordings")
def test_plain_text_output_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "review", "sample", "--rate", "1")
    assert code == 0
    assert out == (
        "considered 4 recording(s); queued 2 for review; "
        "2 selected but not queued (no consent to human review)\n"
    )
    code, out, _ = run(capsys, "review", "claim", "--reviewer", "ann")
    lines = out.splitlines()
    assert lines[0].startswith("item ") and f"user {USER}" in lines[0]
    assert lines[1].strip() in {"turn on the lights", "play some jazz"}
    assert lines[-1] == "claimed 1 item(s)"

    code, out, _ = run(capsys, "review", "list", "--state", "claimed")
    assert "claimed" in out and "by ann" in out and out.endswith("1 item(s)\n")
    assert "lights" not in out and "jazz" not in out

    run(capsys, "review", "claim", "--reviewer", "bo")
    assert run(capsys, "review", "claim", "--reviewer", "bo")[1] == "no pending items\n"


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("review", "sample", "--rate", "0"), "rate"),
        (("review", "sample", "--rate", "1.5"), "rate"),
        (("review", "claim", "--reviewer", "ann", "--count", "0"), "count"),
        (("review", "submit", "--reviewer", "ann", "--item", "99",
          "--transcript", "x", "--label", "ok"), "item 99 is no longer available"),
    ],
)  # fmt: skip
def test_bad_requests_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("privacy-skill: ") and message in err and "Traceback" not in err
