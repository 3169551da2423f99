"""The API's errors: one exception carrying its status, and one JSON shape for every answer
that is not a success: ``{"error", "message", "details"?}``.

``error`` is the HTTP reason phrase, as everywhere else in the web service; ``details``
lists what was wrong with which part of the request (``field``, ``index`` for an item of an
ingest, ``reason``), never a value from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Response, jsonify
from werkzeug.http import HTTP_STATUS_CODES

__all__ = ["ApiError", "Problem", "problem"]

Problem = dict[str, Any]
"""One entry of ``details``: ``{"field"?, "index"?, "reason"}``."""


def problem(field: str | None, reason: str, index: int | None = None) -> Problem:
    entry: Problem = {}
    if index is not None:
        entry["index"] = index
    entry["field"] = field
    entry["reason"] = reason
    return entry


class ApiError(Exception):
    """A request the API refuses, with the status to answer."""

    def __init__(
        self,
        status: int,
        message: str,
        details: Sequence[Problem] = (),
        headers: Mapping[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = list(details)
        self.headers = dict(headers or {})

    def response(self) -> Response:
        body: dict[str, Any] = {
            "error": HTTP_STATUS_CODES.get(self.status, "Error"),
            "message": self.message,
        }
        if self.details:
            body["details"] = self.details
        response = jsonify(body)
        response.status_code = self.status
        for name, value in self.headers.items():
            response.headers[name] = value
        return response


def bad_request(field: str | None, reason: str) -> ApiError:
    """400 for one bad parameter."""
    where = f"{field} " if field else ""
    return ApiError(400, f"{where}{reason}", [problem(field, reason)])
