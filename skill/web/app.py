"""The Flask app factory: the Alexa endpoint, a health check, metrics, JSON errors, request logs.

``POST /alexa`` checks every request here, at the boundary, before flask-ask-sdk sees it: the
signature on the raw bytes, then the body as strict UTF-8 JSON (no byte order mark), the
envelope's shape, timestamp and application id. A refused request is logged by this module as
one WARNING line with the reason (never the body) and answered with 400; only a verified
envelope reaches the SDK's adapter, which runs the skill. The skill reads any verified envelope
(``EnvelopeSerializer``) and answers every one.

No input causes a 5xx: bad requests get a 4xx; an unavailable database is a 503 with
``Retry-After`` (a voice request still gets its spoken apology, with 200).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, g, jsonify, request
from sqlalchemy.exc import DBAPIError
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException

from skill.alexa.builder import build_skill
from skill.alexa.interceptors import Answered
from skill.alexa.logs import loggable
from skill.config import Config
from skill.services import Services, open_services
from skill.store.db import DatabaseError
from skill.web.api import api_blueprint
from skill.web.compat import load_flask_ask_sdk
from skill.web.dashboard import dashboard_blueprint
from skill.web.metrics import CONTENT_TYPE, METRICS, render
from skill.web.trust import Trust, production_trust
from skill.web.verification import (
    AlexaSignatureVerifier,
    ApplicationIdVerifier,
    RequestRefused,
    TimestampVerifier,
)

MAX_BODY_BYTES = 1024 * 1024
"""Largest body ``POST /alexa`` reads (Alexa's requests are a few kilobytes); over it, 413."""
RETRY_AFTER_SECONDS = 5
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
        envelope = parse_envelope(body)
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

    def answered(answer: Answered) -> None:
        g.alexa_answer = answer  # logged on the request's line (log_request)

    skill = build_skill(
        services,
        config,
        on_settings_api_failure=METRICS.settings_api_failures.inc,
        on_answered=answered,
    )
    adapter = adapter_module.SkillAdapter(
        skill=skill, skill_id=config.skill_id or "any", verifiers=[], app=app
    )
    app.extensions["privacy_skill_services"] = services
    # /api/v1: the operator API (its ingest sets its own body limit, stated in its OpenAPI).
    app.register_blueprint(api_blueprint(services, config))
    # /privacy: the person's dashboard, linked by saying the code it shows to the skill.
    app.register_blueprint(dashboard_blueprint(services, config))

    @app.post("/alexa")
    def alexa() -> Any:
        try:
            body = read_body()
            envelope = gate.check(request.headers, body)
        except RequestRefused as refused:
            METRICS.verification_failures.labels(refused.reason).inc()
            log.warning("request refused: %s", refused)
            return jsonify(error="Bad Request", message=str(refused)), 400
        g.alexa_request_id = loggable(envelope["request"].get("requestId"))
        METRICS.alexa_request(envelope["request"].get("type"))
        return adapter.dispatch_request()

    @app.get("/healthz")
    def health() -> Any:
        try:
            services.ping()
        except Exception as exc:  # any failure to answer means: not healthy
            log.error("health check: database unavailable (%s)", type(exc).__name__)
            return _unavailable("the database is unavailable")
        return jsonify(status="ok", database="ok")

    @app.get("/metrics")
    def metrics() -> Any:
        return Response(render(), mimetype=CONTENT_TYPE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        response = jsonify(error=error.name, message=error.description)
        response.status_code = error.code or 500
        for name, value in error.get_headers():  # Allow on a 405, Retry-After, ...
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(DBAPIError)
    @app.errorhandler(DatabaseError)
    def database_unavailable(error: Exception) -> Any:
        log.error("database unavailable (%s)", type(error).__name__)
        return _unavailable("the database is unavailable; try again shortly")

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        # A bug, not an input: logged by type only (a message may quote data), answered in JSON.
        log.error("unexpected %s on %s", type(error).__name__, request.path)
        return jsonify(error="Internal Server Error", message="something went wrong"), 500

    @app.before_request
    def start_timer() -> None:
        g.started = time.monotonic()

    @app.after_request
    def log_request(response: Any) -> Any:
        elapsed = time.monotonic() - g.get("started", time.monotonic())
        route = request.url_rule.rule if request.url_rule else "unmatched"
        METRICS.http_request(route, response.status_code, elapsed)
        line: dict[str, Any] = {
            "method": request.method[:16],
            "route": route,
            "status": response.status_code,
            "ms": round(elapsed * 1000, 1),
            "alexa_request_id": g.get("alexa_request_id"),
        }
        answer: Answered | None = g.get("alexa_answer")
        if answer is not None:  # the skill's line, on this one: one line per Alexa request
            line["type"] = answer.type
            line["intent"] = answer.intent
            line["directives"] = answer.directives
            line["end"] = answer.end
        log.info(json.dumps(line))
        return response

    return app


def read_body() -> bytes:
    """The request body; over ``MAX_CONTENT_LENGTH`` a 413, and a body the server cannot read
    (broken chunked encoding, a client gone mid-body) ``RequestRefused``."""
    try:
        return request.get_data(cache=True)
    except HTTPException:
        raise
    except Exception:  # the server's body reader: its errors differ by server
        raise RequestRefused("the body could not be read", "body") from None


def _unavailable(message: str) -> Any:
    response = jsonify(error="Service Unavailable", message=message)
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def parse_envelope(body: bytes) -> dict[str, Any]:
    """The body as an Alexa envelope, or ``RequestRefused`` for what cannot be one: not UTF-8,
    a byte order mark, not JSON (numbers too long, nesting too deep), not an object with a
    ``request.type``."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestRefused("body is not UTF-8", "body") from None
    if text.startswith("\ufeff"):
        raise RequestRefused("body starts with a byte order mark", "body")
    try:
        envelope = json.loads(text)
    except (ValueError, RecursionError):
        raise RequestRefused("body is not JSON", "body") from None
    if not isinstance(envelope, dict):
        raise RequestRefused("body is not a JSON object", "body")
    req = envelope.get("request")
    if not isinstance(req, dict) or not isinstance(req.get("type"), str):
        raise RequestRefused("body has no request.type", "body")
    return envelope
