"""The operator API, ``/api/v1``: JSON over HTTP for the assistant platform (ingest) and a
privacy team (read, delete, consent, retention, audit, export), with bearer API keys.

It is a blueprint on the same Flask app as ``/alexa`` (``create_app`` registers it). Every
answer that is not a success is ``{"error", "message", "details"?}`` with a 4xx status (an
unavailable database: 503 with ``Retry-After``, from the app). Every call about a person's
data leaves an audit entry naming the key; every API answer carries ``X-Request-Id`` (the id
its audit entries carry) and ``Cache-Control: no-store``. The OpenAPI 3.1 document, which
the tests hold the implementation to, is served at ``/api/v1/openapi.json``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, jsonify

from skill.config import Config
from skill.services import Services
from skill.web.api import people, recordings, retention
from skill.web.api.context import Api
from skill.web.api.errors import ApiError
from skill.web.api.openapi import document

__all__ = ["PREFIX", "api_blueprint"]

PREFIX = "/api/v1"


def api_blueprint(services: Services, config: Config) -> Blueprint:
    """The ``/api/v1`` blueprint on ``services``."""
    api = Api.build(services, config)
    bp = Blueprint("api", __name__, url_prefix=PREFIX)
    recordings.register(bp, api)
    people.register(bp, api)
    retention.register(bp, api)
    spec = document()

    @bp.get("/openapi.json")
    def openapi() -> Any:
        return jsonify(spec)

    @bp.errorhandler(ApiError)
    def refused(error: ApiError) -> Response:
        return error.response()

    @bp.after_request
    def headers(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        rid = g.get("api_request_id")
        if rid:
            response.headers["X-Request-Id"] = rid
        return response

    return bp
