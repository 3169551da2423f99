"""The domain services: recordings, consent, review queue and audit. No ASK, no Flask here.

``Services``, ``open_services`` and ``lazy_services`` live in ``container``; they are
re-exported here lazily, so importing a light module such as ``skill.services.models``
(the skill's speech does) does not import SQLAlchemy. That keeps the Lambda cold start
to what the first request needs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skill.config import Config
    from skill.services.container import Services, open_services

__all__ = ["Services", "lazy_services", "open_services"]
_LAZY = {"Services", "open_services"}


def lazy_services(config: Config) -> Callable[[], Services]:
    """A function that opens the services on its first call and returns the same ones after.

    The Lambda entry point hands this to ``build_skill``, so a LaunchRequest, which needs
    no data, is answered without opening (or even importing) the database layer.
    """
    opened: list[Services] = []
    lock = threading.Lock()

    def get() -> Services:
        if not opened:
            with lock:
                if not opened:
                    from skill.startup import loading

                    with loading():  # the database layer's modules, the engine, the key store
                        from skill.services.container import open_services

                        opened.append(open_services(config))
        return opened[0]

    return get


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from skill.services import container

        return getattr(container, name)
    raise AttributeError(f"module 'skill.services' has no attribute {name!r}")
