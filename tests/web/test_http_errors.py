"""Errors over real HTTP keep the headers HTTP gives them: a 405 says which methods work."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from tests.web.conftest import Endpoint


def test_a_wrong_method_is_a_405_that_names_the_allowed_ones(endpoint: Endpoint) -> None:
    for path, method, allowed in (("/alexa", "GET", {"POST"}), ("/healthz", "DELETE", {"GET"})):
        request = urllib.request.Request(endpoint.url + path, method=method)
        try:
            urllib.request.urlopen(request, timeout=5)
            raise AssertionError(f"{method} {path} was accepted")
        except urllib.error.HTTPError as error:
            assert error.code == 405
            assert allowed <= {m.strip() for m in error.headers["Allow"].split(",")}
            assert error.headers["Content-Type"] == "application/json"
            assert json.loads(error.read())["error"] == "Method Not Allowed"
