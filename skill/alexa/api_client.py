"""An ASK ``ApiClient`` with a timeout.

The SDK's ``DefaultApiClient`` calls ``requests`` with no timeout, so a slow
Alexa API would hold the skill past Alexa's ~8 s budget. This one uses the
standard library with a short timeout, and accepts the request's
``apiEndpoint`` as given: https anywhere, plain http only on loopback (the
local simulator's Settings API stub).
"""

from __future__ import annotations

import ipaddress
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ask_sdk_core.exceptions import ApiClientException
from ask_sdk_model.services.api_client import ApiClient
from ask_sdk_model.services.api_client_request import ApiClientRequest
from ask_sdk_model.services.api_client_response import ApiClientResponse

if TYPE_CHECKING:
    import urllib.request

_METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"}


def is_loopback(host: str | None) -> bool:
    """True for localhost and loopback addresses."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class TimeoutApiClient(ApiClient):
    """Standard-library HTTP for the Alexa service clients, with a hard timeout."""

    def __init__(self, timeout: float = 1.5):
        self.timeout = timeout
        self._openers: dict[bool, urllib.request.OpenerDirector] = {}

    def _opener(self, loopback: bool) -> urllib.request.OpenerDirector:
        # Built on first use: urllib.request is a noticeable share of a Lambda cold start,
        # and a LaunchRequest never calls an Alexa API.
        if loopback not in self._openers:
            import urllib.request

            # Loopback calls must not be sent through an environment proxy.
            handlers = [urllib.request.ProxyHandler({})] if loopback else []
            self._openers[loopback] = urllib.request.build_opener(*handlers)
        return self._openers[loopback]

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        import urllib.error
        import urllib.request

        method = (request.method or "GET").upper()
        if method not in _METHODS:
            raise ApiClientException(f"Invalid request method: {method}")
        parts = urlsplit(request.url or "")
        loopback = is_loopback(parts.hostname)
        if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
            raise ApiClientException("Alexa API calls must use https (http only on loopback)")
        headers = dict(request.headers or [])
        data = _encode(request.body, headers)
        http_request = urllib.request.Request(
            request.url, data=data, headers=headers, method=method
        )
        opener = self._opener(loopback)
        try:
            with opener.open(http_request, timeout=self.timeout) as response:
                return ApiClientResponse(
                    headers=list(response.headers.items()),
                    status_code=response.status,
                    body=response.read().decode("utf-8", "replace"),
                )
        except urllib.error.HTTPError as error:
            return ApiClientResponse(
                headers=list(error.headers.items()),
                status_code=error.code,
                body=error.read().decode("utf-8", "replace"),
            )
        except (OSError, ValueError) as error:  # URLError, timeouts, refused connections
            raise ApiClientException(f"Alexa API call failed: {error}") from error


def _encode(body: Any, headers: dict[str, str]) -> bytes | None:
    if body is None or body == "":
        return None
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if "json" in content_type and not isinstance(body, str):
        return json.dumps(body).encode()
    return str(body).encode()
