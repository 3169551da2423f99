"""The web service as the verification benchmark runs it: gunicorn, in a process of its own.

    python -m bench.verify_server DIR PORT on|off

Serves ``create_app`` on 127.0.0.1:PORT with the production server settings of
``privacy-skill serve`` (gthread worker, 4 threads) but one worker and a long keep-alive, so
one client connection carries the whole run. ``on``: full verification, trusting only the
dev CA in ``DIR/certs``; ``off``: ``create_app(..., verify=False)``. The database
``DIR/skill.db`` must already be migrated (two servers share it).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from gunicorn.app.base import BaseApplication

from skill.config import Config


def config_for(directory: Path) -> Config:
    """The settings both servers (and the benchmark, to migrate first) use."""
    return Config(
        database_url=f"sqlite:///{directory / 'skill.db'}",
        audio_dir=directory / "audio",
        default_timezone=ZoneInfo("UTC"),
    )


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, directory: Path, port: int, verify: bool):
        self.directory = directory
        self.verify = verify
        self.options: dict[str, Any] = {
            "bind": f"127.0.0.1:{port}",
            "workers": 1,
            "worker_class": "gthread",
            "threads": 4,
            "keepalive": 300,
            "timeout": 60,
            "accesslog": None,
            "loglevel": "warning",
            "control_socket_disable": True,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from skill.web.app import create_app
        from skill.web.trust import dev_trust

        config = config_for(self.directory)
        if self.verify:
            return create_app(config, trust=dev_trust(self.directory / "certs"))
        return create_app(config, verify=False)


def main(argv: list[str]) -> None:
    directory, port, mode = argv
    _Server(Path(directory), int(port), verify=mode == "on").run()


if __name__ == "__main__":
    main(sys.argv[1:])
