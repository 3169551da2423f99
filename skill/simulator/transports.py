"""How the simulator reaches the skill: in process, through the Lambda entry point, or over HTTP.

Each transport is a function from a request envelope (JSON object) to a response
envelope, so the dialog driver does not care where the skill runs.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from skill.alexa.builder import build_skill, handle_event
from skill.config import Config
from skill.errors import ProductError

if TYPE_CHECKING:
    from skill.services import Services

Json = dict[str, Any]
Invoke = Callable[[Json], Json]
Signer = Callable[[bytes], dict[str, str]]
"""Given the exact body bytes, the headers that sign them."""

LAMBDA_FILE = Path(__file__).resolve().parents[2] / "lambda" / "lambda_function.py"


class TransportError(ProductError):
    """The skill could not be reached, or answered with an HTTP error."""

    kind = "transport"


def in_process(services: Services | Callable[[], Services], config: Config) -> Invoke:
    """The skill built by ``build_skill`` in this process; ``services`` may be a function
    that opens them when a request first needs data (a LaunchRequest never does)."""
    skill = build_skill(services, config)
    return lambda event: handle_event(skill, event)


def through_lambda(config: Config, path: Path = LAMBDA_FILE) -> Invoke:
    """A handler from ``lambda_function.make_handler(config)``, loaded from ``path`` as Lambda
    loads it; each event goes through JSON as the Lambda runtime sends it."""
    handler: Callable[[Json, Any], Json] = load_lambda_module(path).make_handler(config)
    return lambda event: handler(json.loads(json.dumps(event)), None)


@functools.cache
def load_lambda_module(path: Path = LAMBDA_FILE) -> ModuleType:
    """The Lambda entry point module at ``path``, loaded once per process."""
    if not path.is_file():
        raise TransportError(f"{path}: no Lambda entry point there")
    spec = importlib.util.spec_from_file_location("lambda_function", path)
    if spec is None or spec.loader is None:
        raise TransportError(f"{path}: cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def over_http(url: str, timeout: float = 10.0, signer: Signer | None = None) -> Invoke:
    """POST each envelope to ``url`` (the skill's HTTPS endpoint, or http on loopback)."""

    def invoke(event: Json) -> Json:
        body = json.dumps(event).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if signer is not None:
            headers.update(signer(body))
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as error:
            detail = error.read()[:200].decode("utf-8", "replace")
            raise TransportError(f"{url} answered HTTP {error.code}: {detail}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise TransportError(f"{url} could not be reached: {error}") from None
        except json.JSONDecodeError:
            raise TransportError(f"{url} did not answer with JSON") from None
        if not isinstance(answer, dict):
            raise TransportError(f"{url} answered with something other than a JSON object")
        return answer

    return invoke
