"""The Flask app factory: the Alexa endpoint, a health check, JSON errors, request logs.

``POST /alexa`` checks every request here, at the boundary, before flask-ask-sdk sees it: the
signature on the raw bytes, then the envelope's shape, timestamp and application id. A refused
request is logged by this module as one WARNING line with the reason (never the body) and
answered with 400; only a verified envelope reaches the SDK's adapter, which runs the skill.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Any

from flask import Flask, g, jsonify, request
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException

from skill.alexa.builder import build_skill
from skill.config import Config
from skill.services import Services, open_services
from skill.web.compat import load_flask_ask_sdk
from skill.web.trust import Trust, production_trust
from skill.web.verification import (
    AlexaSignatureVerifier,
    ApplicationIdVerifier,
    RequestRefused,
    TimestampVerifier,
)

MAX_BODY_BYTES = 1024 * 1024
log = logging.getLogger("skill.web")


class AlexaGate:
    """Everything a request must pass before the skill runs, in the order DESIGN.md §5 gives."""

    def __init__(self, config: Config, trust: Trust | None, verify: bool) -> None:
        self.signature: AlexaSignatureVerifier | None = None
        self.envelope_checks: list[TimestampVerifier | ApplicationIdVerifier] = []
        if verify:
            trust = trust or production_trust()
            self.signature = AlexaSignatureVerifier(trust.roots, trust.fetch)
            self.envelope_checks.append(TimestampVerifier())
        if config.skill_id:
            self.envelope_checks.append(ApplicationIdVerifier(config.skill_id))

    def check(self, headers: Headers | Mapping[str, str], body: bytes) -> dict[str, Any]:
        """The parsed envelope of a request that passed every check; ``RequestRefused``
        otherwise."""
        if self.signature is not None:
            self.signature.verify(headers, body)
        envelope = _parse_envelope(body)
        for check in self.envelope_checks:
            check.verify(envelope)
        return envelope


def create_app(
    config: Config,
    services: Services | None = None,
    *,
    trust: Trust | None = None,
    verify: bool = True,
) -> Flask:
    """The web service. ``verify=False`` exists for benchmarks only; ``serve`` always verifies."""
    adapter_module = load_flask_ask_sdk()
    services = services or open_services(config)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    # The gate below verifies; the adapter's own verifiers would need certvalidator.
    app.config[adapter_module.VERIFY_SIGNATURE_APP_CONFIG] = False
    app.config[adapter_module.VERIFY_TIMESTAMP_APP_CONFIG] = False
    if not verify:
        log.warning("request verification is OFF: only for benchmarks, never for a real endpoint")
    gate = AlexaGate(config, trust, verify)
    skill = build_skill(services, config)
    adapter = adapter_module.SkillAdapter(
        skill=skill, skill_id=config.skill_id or "any", verifiers=[], app=app
    )
    app.extensions["privacy_skill_services"] = services

    @app.post("/alexa")
    def alexa() -> Any:
        body = request.get_data(cache=True)  # over MAX_CONTENT_LENGTH: 413 here
        try:
            envelope = gate.check(request.headers, body)
        except RequestRefused as refused:
            log.warning("request refused: %s", refused)
            return jsonify(error="Bad Request", message=str(refused)), 400
        request_id = envelope["request"].get("requestId")
        g.alexa_request_id = request_id if isinstance(request_id, str) else None
        return adapter.dispatch_request()

    @app.get("/healthz")
    def health() -> Any:
        try:
            services.ping()
        except Exception as exc:
            log.error("health check: database unavailable (%s)", type(exc).__name__)
            return jsonify(status="unavailable", database="unreachable"), 503
        return jsonify(status="ok", database="ok")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        return jsonify(error=error.name, message=error.description), error.code

    @app.before_request
    def start_timer() -> None:
        g.started = time.monotonic()

    @app.after_request
    def log_request(response: Any) -> Any:
        elapsed = (time.monotonic() - g.get("started", time.monotonic())) * 1000
        log.info(
            json.dumps(
                {
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round(elapsed, 1),
                    "alexa_request_id": g.get("alexa_request_id"),
                }
            )
        )
        return response

    return app


def _parse_envelope(body: bytes) -> dict[str, Any]:
    """The body as an Alexa envelope, or ``RequestRefused`` for what cannot be one (the SDK
    would answer those with a 500)."""
    try:
        envelope = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise RequestRefused("body is not JSON") from None
    if not isinstance(envelope, dict):
        raise RequestRefused("body is not a JSON object")
    req = envelope.get("request")
    if not isinstance(req, dict) or not isinstance(req.get("type"), str):
        raise RequestRefused("body has no request.type")
    if not isinstance(envelope.get("context", {}), dict):
        raise RequestRefused("context must be an object")
    return envelope
