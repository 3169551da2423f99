"""An ASK CLI (v2) project, so that ``ask deploy`` creates or updates the skill.

Layout, as the ASK CLI expects it::

    ask-resources.json                       profiles.default: skill package, code, infrastructure
    skill-package/skill.json                 the skill manifest
    skill-package/interactionModels/custom/  one model per locale, byte for byte from the repo
    lambda/                                  (Lambda only) handler, skill subset, dependencies

With no endpoint the skill runs on AWS Lambda through the ASK CLI's ``@ask-cli/lambda-deployer``;
the CLI builds ``lambda/`` and writes the function's ARN into skill.json after deploying. With
an HTTPS endpoint, the project holds only the skill package and the service runs elsewhere.

``ask deploy`` keeps its state (skill id, Lambda ARN, hashes) in ``.ask/``; writing the project
again into the same folder leaves that alone, so the next deploy updates the same skill.

The skill subscribes to Alexa's skill events (``SKILL_DISABLED`` above all: with it the skill
deletes the data of a person who disables it and cannot come back as the same user). For an
HTTPS endpoint the manifest names the endpoint and the subscriptions; for Lambda the ASK CLI
writes them into the manifest when it deploys, from ``userConfig.skillEvents``, because only then
is the function's ARN known.

What skill.json holds that this module does not own (icons, descriptions, keywords, category,
testing instructions, anything added by hand) is kept when the project is written again; what it
owns (the APIs and endpoint, the events, the locales' names and privacy policy URLs, the
manifest version) is written anew.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from skill.packaging.lambda_zip import (
    DEFAULT_LAMBDA_PYTHON,
    PROJECT_ROOT,
    REQUIREMENTS_FILE,
    PackagingError,
    lambda_sources,
    read_build_info,
    validate_python_version,
)

MODELS_DIR = PROJECT_ROOT / "interaction_models"
MARKER_NAME = ".voice-privacy-ask-project.json"
"""Marks a folder as written by us, so writing it again may replace what we wrote."""
LAMBDA_DEPLOYER = "@ask-cli/lambda-deployer"
LAMBDA_HANDLER = "lambda_function.lambda_handler"
CATEGORY = "ORGANIZERS_AND_ASSISTANTS"
PLACEHOLDER_PRIVACY_URL = "https://example.com/privacy"
TRY_OUT_ENVIRONMENT = {
    "PRIVACY_SKILL_DATABASE_URL": "sqlite:////tmp/privacy_skill.db",
    "PRIVACY_SKILL_AUDIO_DIR": "/tmp/privacy_skill_audio",
}
"""Lambda's only writable folder is /tmp, per instance and temporary: for trying the skill out.
Production sets PRIVACY_SKILL_DATABASE_URL to PostgreSQL in ask-resources.json."""

EVENT_SUBSCRIPTIONS = (
    "SKILL_ENABLED",
    "SKILL_DISABLED",
    "SKILL_PERMISSION_ACCEPTED",
    "SKILL_PERMISSION_CHANGED",
    "SKILL_ACCOUNT_LINKED",
    "SKILL_PROACTIVE_SUBSCRIPTION_CHANGED",
)
"""The skill events the skill answers (AlexaSkillEvent.*)."""
OWNED = (
    ("manifest", "apis"),
    ("manifest", "events"),
    ("manifest", "manifestVersion"),
    ("manifest", "publishingInformation", "locales", "*", "name"),
    ("manifest", "privacyAndCompliance", "locales", "*", "privacyPolicyUrl"),
)
"""The parts of skill.json this module writes every time; the rest keeps hand edits."""
ICONS = ("smallIconUri", "largeIconUri")

_GENERATED = ("ask-resources.json", "skill-package", "lambda", MARKER_NAME)
_LOCALE = re.compile(r"[a-z]{2}-[A-Z]{2}")
_SKILL_NAME_MAX = 50


@dataclass(frozen=True)
class StoreListing:
    """The skill store text for one language."""

    summary: str
    """One sentence, at most 160 characters."""
    description: str
    """What the skill does, for the store page."""
    example_phrases: tuple[str, ...]
    """Up to three; ``{invocation}`` becomes the model's invocation name. The first opens it."""
    keywords: tuple[str, ...]
    """Search keywords."""
    testing_instructions: str
    """For Amazon's certification testers."""


LISTINGS = {
    "en": StoreListing(
        summary="Control your voice recordings by voice: hear what is kept, delete it, "
        "and stop human review.",
        description=(
            "Voice Privacy puts you in control of your voice recordings. Ask what data it "
            "keeps and it tells you how many recordings it holds, from when to when, whether "
            "audio is kept and whether human review is on. Say delete what I said today, this "
            "week or in October, delete what I just said, or delete everything I've ever said; "
            "it tells you how many recordings that is and deletes them when you say yes. Say "
            "stop human review and no person will listen to your recordings; say allow human "
            "review again to undo it. Deleted means deleted: the words and audio are erased "
            "from the skill's storage, not hidden."
        ),
        example_phrases=(
            "Alexa, open {invocation}",
            "Alexa, ask {invocation} what data do you keep",
            "Alexa, ask {invocation} to stop human review",
        ),
        keywords=("privacy", "voice recordings", "delete recordings", "human review", "consent"),
        testing_instructions=(
            "Say 'Alexa, open {invocation}', then 'what data do you keep'. A new account has "
            "no recordings; the operator loads some with 'privacy-skill ingest' to test "
            "deletion ('delete what I said today', then 'yes')."
        ),
    ),
}
"""Store text by language; a model for another language needs its listing here."""


def write_ask_project(
    output_dir: Path,
    *,
    endpoint: str | None = None,
    skill_name: str = "Voice Privacy",
    privacy_policy_url: str = PLACEHOLDER_PRIVACY_URL,
    lambda_zip: Path | None = None,
    python_version: str | None = None,
) -> list[Path]:
    """Write the ASK CLI project into ``output_dir``; returns the files written, sorted.

    ``endpoint`` (an https URL) makes an HTTPS-service skill; without it the skill deploys to
    Lambda. ``lambda_zip`` (from ``package-lambda``) fills ``lambda/`` with that ZIP's contents,
    dependencies built for Lambda's platform included; without it ``lambda/`` holds the sources
    and requirements.txt, and the ASK CLI pip-installs them on the deploying machine.
    ``python_version`` picks the Lambda runtime: the ZIP's, else the newest.
    """
    if endpoint is not None:
        endpoint = validate_endpoint(endpoint)
        if lambda_zip is not None or python_version is not None:
            raise PackagingError(
                "a skill with an HTTPS endpoint has no Lambda code: "
                "give either an endpoint or a Lambda ZIP / Python version"
            )
    skill_name = skill_name.strip()
    if not skill_name or len(skill_name) > _SKILL_NAME_MAX:
        raise PackagingError(f"the skill name must be 1 to {_SKILL_NAME_MAX} characters")
    _require_url(privacy_policy_url, "privacy policy URL")
    runtime = None if endpoint else _runtime(lambda_zip, python_version)
    code = [] if runtime is None or lambda_zip else _code_sources()
    models = _models()
    manifest = skill_manifest(models, endpoint, skill_name, privacy_policy_url)
    previous = _claim(output_dir)  # everything is checked: from here on, write

    written: list[Path] = []
    package = output_dir / "skill-package"
    for locale, model in models.items():
        target = package / "interactionModels" / "custom" / f"{locale}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(model, target)
        written.append(target)
    if endpoint is None and previous.get("endpoint") is not None:
        manifest["manifest"]["apis"]["custom"]["endpoint"] = previous["endpoint"]
        manifest["manifest"]["events"] = {
            "endpoint": previous["endpoint"],
            "subscriptions": _subscriptions(),
        }
    if isinstance(previous.get("manifest"), dict):
        manifest = keep_hand_edits(manifest, previous["manifest"], set(models))
    written.append(_write_json(package / "skill.json", manifest))
    if runtime is not None:
        written += _write_lambda(output_dir / "lambda", lambda_zip, code)
    resources = ask_resources(runtime, previous.get("user_config"))
    written.append(_write_json(output_dir / "ask-resources.json", resources))
    marker = {"generator": "privacy-skill package-skill", "format": 1}
    written.append(_write_json(output_dir / MARKER_NAME, marker))
    return sorted(written)


def validate_endpoint(url: str) -> str:
    """Return ``url`` if Alexa can call it: https, a host name, port 443."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise PackagingError(f"the skill endpoint must be an https:// URL, not {url!r}")
    try:
        port = parts.port
    except ValueError as exc:
        raise PackagingError(f"the skill endpoint {url!r} has a bad port") from exc
    if port not in (None, 443):
        raise PackagingError(f"Alexa calls endpoints on port 443 only, not {port}")
    if parts.username or parts.password or parts.fragment:
        raise PackagingError("the skill endpoint must not contain credentials or a #fragment")
    return url


def skill_manifest(
    models: Mapping[str, Path], endpoint: str | None, skill_name: str, privacy_policy_url: str
) -> dict[str, Any]:
    """The skill.json manifest for the models' locales."""
    publishing: dict[str, Any] = {}
    privacy: dict[str, Any] = {}
    testing = ""
    for locale, path in models.items():
        listing = _listing(locale)
        invocation = _invocation_name(path)
        publishing[locale] = {
            "name": skill_name,
            "summary": listing.summary,
            "description": listing.description,
            "examplePhrases": [p.format(invocation=invocation) for p in listing.example_phrases],
            "keywords": list(listing.keywords),
        }
        privacy[locale] = {"privacyPolicyUrl": privacy_policy_url}
        testing = testing or listing.testing_instructions.format(invocation=invocation)
    custom: dict[str, Any] = {"interfaces": []}
    events: dict[str, Any] | None = None
    if endpoint is not None:
        custom["endpoint"] = {"uri": endpoint, "sslCertificateType": "Trusted"}
        events = {"endpoint": dict(custom["endpoint"]), "subscriptions": _subscriptions()}
    manifest: dict[str, Any] = {
        "manifest": {
            "publishingInformation": {
                "locales": publishing,
                "category": CATEGORY,
                "isAvailableWorldwide": True,
                "distributionCountries": [],
                "testingInstructions": testing,
            },
            "privacyAndCompliance": {
                "locales": privacy,
                "usesPersonalInfo": True,
                "allowsPurchases": False,
                "isChildDirected": False,
                "isExportCompliant": True,
                "containsAds": False,
            },
            "apis": {"custom": custom},
            "manifestVersion": "1.0",
        }
    }
    if events is not None:
        manifest["manifest"]["events"] = events
    return manifest


def keep_hand_edits(
    ours: dict[str, Any], previous: dict[str, Any], locales: set[str]
) -> dict[str, Any]:
    """``ours`` with every value of ``previous`` this module does not own put back (icons,
    descriptions, fields added by hand). Locales follow the interaction models."""
    merged: dict[str, Any] = _merge(ours, previous, ())
    for section in ("publishingInformation", "privacyAndCompliance"):
        per_locale = merged.get("manifest", {}).get(section, {}).get("locales")
        if isinstance(per_locale, dict):
            for locale in set(per_locale) - locales:
                del per_locale[locale]
    return merged


def manifest_warnings(skill_json: Path) -> list[str]:
    """What the manifest still lacks before certification (icons, which only a person can
    make)."""
    locales = _read_json(skill_json, "manifest", "publishingInformation", "locales") or {}
    warnings = []
    for locale, info in sorted(locales.items()):
        missing = [icon for icon in ICONS if not (isinstance(info, dict) and info.get(icon))]
        if missing:
            warnings.append(
                f"skill.json has no {' or '.join(missing)} for {locale}: add 108x108 and "
                "512x512 PNG icons before certification (they are kept when the project is "
                "written again)"
            )
    return warnings


def _merge(ours: Any, previous: Any, path: tuple[str, ...]) -> Any:
    if _owned(path) or not isinstance(ours, dict) or not isinstance(previous, dict):
        return ours if _owned(path) or not isinstance(previous, type(ours)) else previous
    merged = dict(previous)
    for key, value in ours.items():
        merged[key] = _merge(value, previous[key], (*path, key)) if key in previous else value
    return merged


def _owned(path: tuple[str, ...]) -> bool:
    return any(
        len(path) == len(owned) and all(o in ("*", p) for o, p in zip(owned, path, strict=True))
        for owned in OWNED
    )


def _subscriptions() -> list[dict[str, str]]:
    return [{"eventName": name} for name in EVENT_SUBSCRIPTIONS]


def ask_resources(runtime: str | None, previous_user_config: Any = None) -> dict[str, Any]:
    """ask-resources.json: the skill package, plus Lambda code and deployer for a runtime."""
    profile: dict[str, Any] = {"skillMetadata": {"src": "./skill-package"}}
    if runtime is not None:
        user_config: dict[str, Any] = {"lambda": {"environmentVariables": TRY_OUT_ENVIRONMENT}}
        if isinstance(previous_user_config, dict):
            user_config.update(previous_user_config)  # the operator's region, variables, ...
        user_config.update({"runtime": runtime, "handler": LAMBDA_HANDLER})
        # The ASK CLI writes these into the manifest with the function's ARN as the endpoint.
        user_config["skillEvents"] = {"subscriptions": list(EVENT_SUBSCRIPTIONS)}
        profile["code"] = {"default": {"src": "./lambda"}}
        profile["skillInfrastructure"] = {"type": LAMBDA_DEPLOYER, "userConfig": user_config}
    return {"askcliResourcesVersion": "2020-03-31", "profiles": {"default": profile}}


def _runtime(lambda_zip: Path | None, python_version: str | None) -> str:
    version = python_version
    if lambda_zip is not None:
        built_for = str(read_build_info(lambda_zip).get("python_version"))
        if version is not None and version != built_for:
            raise PackagingError(
                f"{lambda_zip} was built for Python {built_for}, not {version}: "
                f"rebuild it with --python-version {version}"
            )
        version = built_for
    return "python" + validate_python_version(version or DEFAULT_LAMBDA_PYTHON)


def _models() -> dict[str, Path]:
    models = {path.stem: path for path in sorted(MODELS_DIR.glob("*.json"))}
    if not models:
        raise PackagingError(f"no interaction models in {MODELS_DIR}")
    for locale in models:
        if not _LOCALE.fullmatch(locale):
            raise PackagingError(f"{MODELS_DIR}/{locale}.json is not named like en-US.json")
    return models


def _claim(output_dir: Path) -> dict[str, Any]:
    """Check ``output_dir`` is empty or ours; clear what we wrote before; return what to keep."""
    if output_dir.exists() and not output_dir.is_dir():
        raise PackagingError(f"{output_dir} exists and is not a folder")
    if not output_dir.exists() or not any(output_dir.iterdir()):
        output_dir.mkdir(parents=True, exist_ok=True)
        return {}
    if not (output_dir / MARKER_NAME).is_file():
        raise PackagingError(
            f"{output_dir} is not empty and is not an ASK project written by privacy-skill; "
            "choose an empty or new folder"
        )
    kept = {
        "user_config": _read_json(output_dir / "ask-resources.json", "profiles", "default",
                                  "skillInfrastructure", "userConfig"),
        "endpoint": _deployed_lambda_endpoint(output_dir / "skill-package" / "skill.json"),
        "manifest": _read_json(output_dir / "skill-package" / "skill.json"),
    }  # fmt: skip
    for name in _GENERATED:
        path = output_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    return kept


def _deployed_lambda_endpoint(skill_json: Path) -> Any:
    """The Lambda ARN ``ask deploy`` wrote into skill.json, if any (kept across rewrites)."""
    endpoint = _read_json(skill_json, "manifest", "apis", "custom", "endpoint")
    uri = endpoint.get("uri") if isinstance(endpoint, dict) else None
    return endpoint if isinstance(uri, str) and uri.startswith("arn:aws:lambda:") else None


def _code_sources() -> list[tuple[str, Path]]:
    """The handler, the skill subset, and requirements.txt for the ASK CLI's pip build."""
    return [*lambda_sources(), ("requirements.txt", REQUIREMENTS_FILE)]


def _write_lambda(
    folder: Path, lambda_zip: Path | None, code: list[tuple[str, Path]]
) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    if lambda_zip is not None:
        # No requirements.txt here: the ASK CLI then zips the folder as it is.
        with zipfile.ZipFile(lambda_zip) as archive:
            archive.extractall(folder)
            return [folder / name for name in archive.namelist() if not name.endswith("/")]
    written = []
    for name, source in code:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        written.append(target)
    return written


def _listing(locale: str) -> StoreListing:
    listing = LISTINGS.get(locale.split("-")[0])
    if listing is None:
        raise PackagingError(
            f"no skill store text for locale {locale}: add its language to LISTINGS in {__file__}"
        )
    return listing


def _invocation_name(model: Path) -> str:
    name = _read_json(model, "interactionModel", "languageModel", "invocationName")
    if not isinstance(name, str) or not name:
        raise PackagingError(f"{model} has no invocationName")
    return name


def _require_url(url: str, what: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise PackagingError(f"the {what} must be an http(s) URL, not {url!r}")


def _read_json(path: Path, *keys: str) -> Any:
    """The value at ``keys`` in the JSON file ``path``; None when absent or unreadable."""
    try:
        value: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _write_json(path: Path, data: Mapping[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
