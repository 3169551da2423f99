"""What a verb needs from the deployment: the settings and the services, opened on first use
and closed when the verb is done. Verbs that need neither (``lint``, ``speak``) open nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from skill.config import Config

if TYPE_CHECKING:
    from skill.services import Services

__all__ = ["Context"]


class Context:
    """Lazily read settings and lazily opened services for one command."""

    def __init__(self) -> None:
        self._config: Config | None = None
        self._services: Services | None = None

    @property
    def config(self) -> Config:
        """The ``PRIVACY_SKILL_*`` settings (a ``ConfigError`` names a bad one)."""
        if self._config is None:
            self._config = Config.from_env()
        return self._config

    @property
    def services(self) -> Services:
        """The services on the configured database, migrated to the newest schema."""
        if self._services is None:
            from skill.startup import loading

            with loading():  # the database layer's modules: see skill/startup.py
                from skill.services import open_services

                self._services = open_services(self.config)
        return self._services

    def close(self) -> None:
        """Close the services if a verb opened them."""
        if self._services is not None:
            self._services.close()
            self._services = None
