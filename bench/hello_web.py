"""The serve benchmark's peer: a hello-world flask-ask-sdk skill behind the same server.

    python -m bench.hello_web PORT CERTS_DIR

A ``SkillBuilder`` with one handler that answers every request "Hello.", served by
flask-ask-sdk's ``SkillAdapter`` on a Flask app, behind the same request verification the
product runs at its boundary (``AlexaGate``: chain URL rules, chain to the dev CA in
``CERTS_DIR``, SAN, RSA signature over the raw body, then the body parsed and its timestamp
checked), in gunicorn with exactly ``privacy-skill serve``'s settings
(``skill.web.server.server_options``: the gevent ``SkillWorker``, the same number of workers,
keep-alive, limits and logging set-up). What the peer lacks is what the product adds: its
data, metrics and request log.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from gunicorn.app.base import BaseApplication

from skill.web.server import server_options


def create_hello_app(certs: Path) -> Any:
    from ask_sdk_core.dispatch_components import AbstractRequestHandler
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_core.skill_builder import SkillBuilder
    from ask_sdk_model import Response
    from flask import Flask, jsonify, request

    from skill.config import Config
    from skill.web.app import AlexaGate
    from skill.web.compat import load_flask_ask_sdk
    from skill.web.trust import dev_trust
    from skill.web.verification import RequestRefused

    class HelloHandler(AbstractRequestHandler):
        def can_handle(self, handler_input: HandlerInput) -> bool:
            return True

        def handle(self, handler_input: HandlerInput) -> Response:
            return handler_input.response_builder.speak("Hello.").response

    adapter_module = load_flask_ask_sdk()
    app = Flask(__name__)
    app.config[adapter_module.VERIFY_SIGNATURE_APP_CONFIG] = False  # the gate verifies
    app.config[adapter_module.VERIFY_TIMESTAMP_APP_CONFIG] = False
    builder = SkillBuilder()
    builder.add_request_handler(HelloHandler())
    adapter = adapter_module.SkillAdapter(
        skill=builder.create(), skill_id="any", verifiers=[], app=app
    )
    config = Config(database_url="sqlite://", audio_dir=certs, default_timezone=ZoneInfo("UTC"))
    gate = AlexaGate(config, dev_trust(certs), verify=True)

    @app.post("/alexa")
    def alexa() -> Any:
        try:
            gate.check(request.headers, request.get_data(cache=True))
        except RequestRefused as refused:
            return jsonify(error="Bad Request", message=str(refused)), 400
        return adapter.dispatch_request()

    @app.get("/healthz")
    def health() -> Any:
        return jsonify(status="ok")

    return app


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, port: int, certs: Path):
        self.certs = certs
        self.options = {**server_options("127.0.0.1", port), "proc_name": "bench-hello"}
        self.options.pop("child_exit")  # the product's metrics clean-up; the peer has none
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return create_hello_app(self.certs)


def main(argv: list[str]) -> None:
    port, certs = argv
    _Server(int(port), Path(certs)).run()


if __name__ == "__main__":
    main(sys.argv[1:])
