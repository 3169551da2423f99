"""The Flask app factory: the Alexa endpoint, a health check, JSON errors, request logs."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from flask import Flask, g, jsonify, request
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from skill.alexa.builder import build_skill
from skill.config import Config
from skill.services import Services, open_services
from skill.web.compat import load_flask_ask_sdk
from skill.web.trust import Trust, production_trust
from skill.web.verification import (
    AlexaSignatureVerifier,
    ApplicationIdVerifier,
    TimestampVerifier,
)

MAX_BODY_BYTES = 1024 * 1024
log = logging.getLogger("skill.web")


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
    # flask-ask-sdk's own verifiers need certvalidator; ours replace them.
    app.config[adapter_module.VERIFY_SIGNATURE_APP_CONFIG] = False
    app.config[adapter_module.VERIFY_TIMESTAMP_APP_CONFIG] = False
    verifiers: list[Any] = []
    if verify:
        trust = trust or production_trust()
        verifiers = [AlexaSignatureVerifier(trust.roots, trust.fetch), TimestampVerifier()]
        if config.skill_id:
            verifiers.append(ApplicationIdVerifier(config.skill_id))
    else:
        log.warning("request verification is OFF: only for benchmarks, never for a real endpoint")
    skill = build_skill(services, config)
    adapter = adapter_module.SkillAdapter(
        skill=skill, skill_id=config.skill_id or "any", verifiers=verifiers, app=app
    )
    app.extensions["privacy_skill_services"] = services
    app.logger.addFilter(_one_line_for_refusals)

    @app.post("/alexa")
    def alexa() -> Any:
        body = request.get_data(cache=True)  # over MAX_CONTENT_LENGTH: 413 here
        _check_envelope(body)
        return adapter.dispatch_request()

    @app.get("/healthz")
    def health() -> Any:
        try:
            with services.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
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


def _one_line_for_refusals(record: logging.LogRecord) -> bool:
    """flask-ask-sdk logs each refused request with a traceback; a forged request is not a
    server fault, so keep the reason on one WARNING line instead."""
    if record.exc_info and record.exc_info[1] is not None and "verification" in record.getMessage():
        record.msg = f"request refused: {record.exc_info[1]}"
        record.args = ()
        record.exc_info = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
    return True


def _check_envelope(body: bytes) -> None:
    """Refuse what cannot be an Alexa request with 400 before the SDK sees it (it would 500)."""
    from werkzeug.exceptions import BadRequest

    try:
        envelope = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequest("body is not JSON") from None
    if not isinstance(envelope, dict):
        raise BadRequest("body is not a JSON object")
    req = envelope.get("request")
    if not isinstance(req, dict) or not isinstance(req.get("type"), str):
        raise BadRequest("body has no request.type")
    if not isinstance(envelope.get("context", {}), dict):
        raise BadRequest("context must be an object")
    request_id = req.get("requestId")
    g.alexa_request_id = request_id if isinstance(request_id, str) else None
