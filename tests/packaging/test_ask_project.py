"""The ASK CLI project: what `ask deploy` reads is there, consistent, and safe to rewrite."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from skill.nlu import Nlu
from skill.packaging.ask_project import (
    EVENT_SUBSCRIPTIONS,
    LAMBDA_DEPLOYER,
    LAMBDA_HANDLER,
    MARKER_NAME,
    MODELS_DIR,
    manifest_warnings,
    write_ask_project,
)
from skill.packaging.lambda_zip import (
    BUILD_INFO_NAME,
    DEFAULT_LAMBDA_PYTHON,
    REQUIREMENTS_FILE,
    PackagingError,
    write_deterministic_zip,
)

ENDPOINT = "https://skill.example.org/alexa"
LOCALES = sorted(path.stem for path in MODELS_DIR.glob("*.json"))


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def manifest_of(project: Path) -> dict[str, Any]:
    data: dict[str, Any] = load(project / "skill-package" / "skill.json")["manifest"]
    return data


def profile_of(project: Path) -> dict[str, Any]:
    data: dict[str, Any] = load(project / "ask-resources.json")["profiles"]["default"]
    return data


def fake_lambda_zip(path: Path, python_version: str) -> Path:
    info = json.dumps({"python_version": python_version, "platform": "manylinux2014_x86_64"})
    write_deterministic_zip(
        path,
        [
            ("lambda_function.py", b"def lambda_handler(event, context): ...\n"),
            ("skill/__init__.py", b""),
            ("sqlalchemy/__init__.py", b""),
            (BUILD_INFO_NAME, info.encode()),
        ],
    )
    return path


def test_lambda_project_uses_the_lambda_deployer(tmp_path: Path) -> None:
    project = tmp_path / "ask"
    written = write_ask_project(project)
    resources = load(project / "ask-resources.json")
    assert resources["askcliResourcesVersion"] == "2020-03-31"
    profile = resources["profiles"]["default"]
    assert profile["skillMetadata"] == {"src": "./skill-package"}
    assert profile["code"] == {"default": {"src": "./lambda"}}
    infra = profile["skillInfrastructure"]
    assert infra["type"] == LAMBDA_DEPLOYER
    assert infra["userConfig"]["runtime"] == f"python{DEFAULT_LAMBDA_PYTHON}"
    assert infra["userConfig"]["handler"] == LAMBDA_HANDLER
    # /var/task is read-only on Lambda: the try-out database lives in /tmp.
    env = infra["userConfig"]["lambda"]["environmentVariables"]
    assert env["PRIVACY_SKILL_DATABASE_URL"].startswith("sqlite:////tmp/")
    # The deployer fills in the endpoint (the function's ARN) after deploying.
    assert manifest_of(project)["apis"] == {"custom": {"interfaces": []}}
    assert written == sorted(written) and all(path.is_file() for path in written)


def test_lambda_folder_is_buildable_by_the_ask_cli(tmp_path: Path) -> None:
    project = tmp_path / "ask"
    write_ask_project(project)
    code = project / "lambda"
    module, function = LAMBDA_HANDLER.split(".")
    assert f"def {function}(" in (code / f"{module}.py").read_text()
    assert (code / "requirements.txt").read_bytes() == REQUIREMENTS_FILE.read_bytes()
    assert (code / "skill" / "alexa" / "builder.py").is_file()
    assert (code / "skill" / "store" / "migrations" / "versions" / "0001_initial.py").is_file()
    for absent in ("web", "simulator", "voice", "packaging", "cli.py"):
        assert not (code / "skill" / absent).exists(), absent
    assert not list(code.rglob("__pycache__"))


def test_https_project_has_no_code_or_infrastructure(tmp_path: Path) -> None:
    project = tmp_path / "ask"
    write_ask_project(project, endpoint=ENDPOINT)
    assert set(profile_of(project)) == {"skillMetadata"}
    assert manifest_of(project)["apis"]["custom"] == {
        "endpoint": {"uri": ENDPOINT, "sslCertificateType": "Trusted"},
        "interfaces": [],
    }
    assert not (project / "lambda").exists()


@pytest.mark.parametrize("endpoint", [None, ENDPOINT])
def test_models_are_copied_byte_for_byte(tmp_path: Path, endpoint: str | None) -> None:
    project = tmp_path / "ask"
    write_ask_project(project, endpoint=endpoint)
    copied = project / "skill-package" / "interactionModels" / "custom"
    assert sorted(path.stem for path in copied.iterdir()) == LOCALES
    for locale in LOCALES:
        assert (copied / f"{locale}.json").read_bytes() == (
            MODELS_DIR / f"{locale}.json"
        ).read_bytes()


@pytest.mark.parametrize("endpoint", [None, ENDPOINT])
def test_everything_the_config_references_exists(tmp_path: Path, endpoint: str | None) -> None:
    project = tmp_path / "ask"
    write_ask_project(project, endpoint=endpoint)
    profile = profile_of(project)
    assert (project / profile["skillMetadata"]["src"] / "skill.json").is_file()
    for region in profile.get("code", {}).values():
        assert (project / region["src"]).is_dir()
    manifest = manifest_of(project)
    for locale in manifest["publishingInformation"]["locales"]:
        assert (
            project / "skill-package" / "interactionModels" / "custom" / f"{locale}.json"
        ).is_file()
    assert set(manifest["privacyAndCompliance"]["locales"]) == set(LOCALES)


def test_manifest_describes_a_privacy_skill(tmp_path: Path) -> None:
    project = tmp_path / "ask"
    url = "https://privacy.example.org/policy"
    write_ask_project(project, skill_name="My Voice Privacy", privacy_policy_url=url)
    manifest = manifest_of(project)
    assert manifest["manifestVersion"] == "1.0"
    assert "permissions" not in manifest, "the time zone setting needs no permission"
    publishing = manifest["publishingInformation"]
    assert publishing["isAvailableWorldwide"] is True and publishing["category"]
    compliance = manifest["privacyAndCompliance"]
    assert compliance["usesPersonalInfo"] is True
    assert compliance["allowsPurchases"] is False and compliance["containsAds"] is False
    assert compliance["isChildDirected"] is False and compliance["isExportCompliant"] is True
    for locale in LOCALES:
        listing = publishing["locales"][locale]
        assert listing["name"] == "My Voice Privacy"
        assert listing["summary"] and listing["description"] and listing["keywords"]
        assert len(listing["summary"]) <= 160
        assert compliance["locales"][locale] == {"privacyPolicyUrl": url}


@pytest.mark.parametrize("locale", LOCALES)
def test_example_phrases_are_understood_by_the_model(tmp_path: Path, locale: str) -> None:
    project = tmp_path / "ask"
    write_ask_project(project)
    phrases = manifest_of(project)["publishingInformation"]["locales"][locale]["examplePhrases"]
    assert phrases[0] == "Alexa, open voice privacy" and 1 <= len(phrases) <= 3
    nlu = Nlu.from_file(MODELS_DIR / f"{locale}.json")
    for phrase in phrases:
        assert phrase.startswith("Alexa, ")
        result = nlu.parse(phrase.removeprefix("Alexa, ").lower(), date(2026, 11, 26))
        assert result.intent != "AMAZON.FallbackIntent", phrase
    assert nlu.parse(phrases[0].removeprefix("Alexa, "), date(2026, 11, 26)).request_type == (
        "LaunchRequest"
    )


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://skill.example.org/alexa",
        "ftp://skill.example.org/alexa",
        "https:///alexa",
        "https://skill.example.org:8443/alexa",
        "https://user:secret@skill.example.org/alexa",
        "skill.example.org/alexa",
    ],
)
def test_endpoint_must_be_https_on_443(tmp_path: Path, endpoint: str) -> None:
    with pytest.raises(PackagingError, match=r"endpoint|port 443"):
        write_ask_project(tmp_path / "ask", endpoint=endpoint)
    assert not (tmp_path / "ask").exists()


def test_endpoint_with_explicit_port_443_is_accepted(tmp_path: Path) -> None:
    write_ask_project(tmp_path / "ask", endpoint="https://skill.example.org:443/alexa")


def test_a_non_empty_folder_of_something_else_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "work"
    project.mkdir()
    (project / "notes.txt").write_text("mine")
    with pytest.raises(PackagingError, match="not empty and is not an ASK project"):
        write_ask_project(project)
    assert [p.name for p in project.iterdir()] == ["notes.txt"]


def test_a_file_as_output_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(PackagingError, match="not a folder"):
        write_ask_project(target)


def test_rewriting_our_project_keeps_the_ask_cli_state(tmp_path: Path) -> None:
    project = tmp_path / "ask"
    write_ask_project(project)
    # What `ask deploy` leaves behind: its state, the Lambda ARN, the operator's settings.
    state = project / ".ask" / "ask-states.json"
    state.parent.mkdir()
    state.write_text('{"askcliStatesVersion": "2020-03-31"}')
    resources = load(project / "ask-resources.json")
    user_config = resources["profiles"]["default"]["skillInfrastructure"]["userConfig"]
    user_config["awsRegion"] = "eu-west-1"
    (project / "ask-resources.json").write_text(json.dumps(resources))
    skill_json = project / "skill-package" / "skill.json"
    manifest = load(skill_json)
    arn = {"uri": "arn:aws:lambda:eu-west-1:123456789012:function:ask-voice-privacy"}
    manifest["manifest"]["apis"]["custom"]["endpoint"] = arn
    skill_json.write_text(json.dumps(manifest))
    (project / "lambda" / "stale.py").write_text("")

    write_ask_project(project, python_version="3.13")

    assert state.read_text() == '{"askcliStatesVersion": "2020-03-31"}'
    user_config = profile_of(project)["skillInfrastructure"]["userConfig"]
    assert user_config["awsRegion"] == "eu-west-1"
    assert user_config["runtime"] == "python3.13"
    assert manifest_of(project)["apis"]["custom"]["endpoint"] == arn
    assert not (project / "lambda" / "stale.py").exists()


def test_switching_our_project_to_https_drops_the_lambda_code(tmp_path: Path) -> None:
    project = tmp_path / "ask"
    write_ask_project(project)
    write_ask_project(project, endpoint=ENDPOINT)
    assert not (project / "lambda").exists()
    assert manifest_of(project)["apis"]["custom"]["endpoint"]["uri"] == ENDPOINT


def test_lambda_zip_fills_the_code_folder_and_sets_its_runtime(tmp_path: Path) -> None:
    built = fake_lambda_zip(tmp_path / "skill.zip", "3.12")
    project = tmp_path / "ask"
    write_ask_project(project, lambda_zip=built)
    code = project / "lambda"
    with zipfile.ZipFile(built) as archive:
        for name in archive.namelist():
            assert (code / name).read_bytes() == archive.read(name)
    # No requirements.txt: the ASK CLI ships the folder as it is, wheels built for Lambda.
    assert not (code / "requirements.txt").exists()
    runtime = profile_of(project)["skillInfrastructure"]["userConfig"]["runtime"]
    assert runtime == "python3.12"


def test_lambda_zip_and_a_different_python_version_conflict(tmp_path: Path) -> None:
    built = fake_lambda_zip(tmp_path / "skill.zip", "3.12")
    with pytest.raises(PackagingError, match=r"built for Python 3\.12, not 3\.13"):
        write_ask_project(tmp_path / "ask", lambda_zip=built, python_version="3.13")


def test_a_zip_not_from_package_lambda_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.zip"
    write_deterministic_zip(other, [("index.js", b"")])
    with pytest.raises(PackagingError, match="not a Lambda ZIP from"):
        write_ask_project(tmp_path / "ask", lambda_zip=other)


def test_https_endpoint_with_lambda_code_is_refused(tmp_path: Path) -> None:
    built = fake_lambda_zip(tmp_path / "skill.zip", "3.12")
    with pytest.raises(PackagingError, match="HTTPS endpoint has no Lambda code"):
        write_ask_project(tmp_path / "ask", endpoint=ENDPOINT, lambda_zip=built)


def test_marker_identifies_the_project(tmp_path: Path) -> None:
    project = tmp_path / "ask"
    write_ask_project(project, endpoint=ENDPOINT)
    assert load(project / MARKER_NAME)["generator"] == "privacy-skill package-skill"


def test_an_https_skill_subscribes_to_skill_events_at_its_endpoint(tmp_path: Path) -> None:
    project = tmp_path / "ask"
    write_ask_project(project, endpoint=ENDPOINT)
    events = manifest_of(project)["events"]
    assert events["endpoint"] == {"uri": ENDPOINT, "sslCertificateType": "Trusted"}
    names = [s["eventName"] for s in events["subscriptions"]]
    assert "SKILL_DISABLED" in names and "SKILL_ENABLED" in names
    assert names == list(EVENT_SUBSCRIPTIONS)


def test_a_lambda_skill_has_the_ask_cli_subscribe_it_when_it_deploys(tmp_path: Path) -> None:
    project = tmp_path / "ask"
    write_ask_project(project)
    user_config = profile_of(project)["skillInfrastructure"]["userConfig"]
    assert user_config["skillEvents"] == {"subscriptions": list(EVENT_SUBSCRIPTIONS)}
    assert "events" not in manifest_of(project), "no ARN yet: the ASK CLI adds it on deploy"

    skill_json = project / "skill-package" / "skill.json"
    deployed = load(skill_json)  # what `ask deploy` writes back
    arn = {"uri": "arn:aws:lambda:eu-west-1:123456789012:function:ask-voice-privacy"}
    deployed["manifest"]["apis"]["custom"]["endpoint"] = arn
    skill_json.write_text(json.dumps(deployed))
    write_ask_project(project)
    assert manifest_of(project)["events"]["endpoint"] == arn


def test_writing_again_keeps_hand_edits_it_does_not_own(tmp_path: Path) -> None:
    project = tmp_path / "ask"
    write_ask_project(project, endpoint=ENDPOINT)
    skill_json = project / "skill-package" / "skill.json"
    edited = load(skill_json)
    locale = edited["manifest"]["publishingInformation"]["locales"]["en-US"]
    locale["smallIconUri"] = "https://cdn.example.org/small.png"
    locale["largeIconUri"] = "https://cdn.example.org/large.png"
    locale["description"] = "Our own words for the store."
    edited["manifest"]["publishingInformation"]["category"] = "LIFESTYLE"
    edited["manifest"]["permissions"] = [{"name": "alexa::devices:all:notifications:write"}]
    edited["manifest"]["apis"]["custom"]["endpoint"]["uri"] = "https://stale.example.org/alexa"
    skill_json.write_text(json.dumps(edited))

    write_ask_project(project, endpoint=ENDPOINT, privacy_policy_url="https://example.org/p")

    again = manifest_of(project)
    locale = again["publishingInformation"]["locales"]["en-US"]
    assert locale["smallIconUri"] == "https://cdn.example.org/small.png"
    assert locale["largeIconUri"] == "https://cdn.example.org/large.png"
    assert locale["description"] == "Our own words for the store."
    assert again["publishingInformation"]["category"] == "LIFESTYLE"
    assert again["permissions"] == [{"name": "alexa::devices:all:notifications:write"}]
    assert again["apis"]["custom"]["endpoint"]["uri"] == ENDPOINT, "the endpoint is ours"
    privacy = again["privacyAndCompliance"]["locales"]["en-US"]
    assert privacy["privacyPolicyUrl"] == "https://example.org/p"
    assert manifest_warnings(skill_json) == []


def test_missing_icons_are_warned_about(tmp_path: Path) -> None:
    project = tmp_path / "ask"
    write_ask_project(project, endpoint=ENDPOINT)
    [warning] = manifest_warnings(project / "skill-package" / "skill.json")
    assert "smallIconUri or largeIconUri for en-US" in warning
