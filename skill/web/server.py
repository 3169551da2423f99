"""`privacy-skill serve`: the web service on gunicorn, a production WSGI server.

gunicorn gives worker management and graceful shutdown (SIGTERM lets requests
in flight finish within ``graceful_timeout``). Each worker builds its own app,
services and database pool after forking.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from skill.config import Config, ConfigError

DEFAULT_WORKERS = max(2, min(4, os.cpu_count() or 2))


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any], config: Config, dev_trust: Path | None):
        self.options = options
        self.config = config
        self.dev_trust = dev_trust
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from skill.web.app import create_app
        from skill.web.trust import dev_trust

        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )
        trust = dev_trust(self.dev_trust) if self.dev_trust else None
        return create_app(self.config, trust=trust)


def serve(
    config: Config,
    host: str,
    port: int,
    workers: int = DEFAULT_WORKERS,
    dev_trust: Path | None = None,
) -> None:
    """Run until SIGTERM or SIGINT; migrations run once here, before workers start."""
    from skill.services import open_services

    if dev_trust is not None and not (dev_trust / "ca.pem").is_file():
        raise ConfigError(
            f"--dev-trust {dev_trust}: no ca.pem there; create it with: "
            f"privacy-skill dev-certs {dev_trust}"
        )
    open_services(config).close()  # migrate once, not in every worker at once
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,  # the app logs each request itself, without bodies
        "loglevel": "info",
        "proc_name": "privacy-skill",
        "control_socket_disable": True,  # no admin socket in the home directory
    }
    _Server(options, config, dev_trust).run()
