"""The device's time zone: Alexa Settings API first, then the deployment default, then UTC."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from ask_sdk_core.exceptions import ApiClientException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.services.service_exception import ServiceException

from skill.values import parse_zone

log = logging.getLogger(__name__)


class DeviceTimeZones:
    """Looks up and caches each device's zone for ``ttl`` seconds."""

    def __init__(
        self,
        fallback: ZoneInfo,
        ttl: float = 600.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.fallback = fallback
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._cache: dict[str, tuple[float, ZoneInfo]] = {}
        self._lock = threading.Lock()

    def zone_for(self, handler_input: HandlerInput) -> ZoneInfo:
        """The zone of the device the request came from; never raises."""
        context = handler_input.request_envelope.context
        system = context.system if context else None
        device_id = system.device.device_id if system and system.device else None
        if not device_id:
            return self.fallback
        now = self.clock()
        with self._lock:
            cached = self._cache.get(device_id)
        if cached and cached[0] > now:
            return cached[1]
        zone = self._ask_alexa(handler_input, device_id)
        if zone is None:
            return self.fallback
        with self._lock:
            if len(self._cache) >= self.max_entries:
                self._cache.clear()
            self._cache[device_id] = (now + self.ttl, zone)
        return zone

    def _ask_alexa(self, handler_input: HandlerInput, device_id: str) -> ZoneInfo | None:
        factory = handler_input.service_client_factory
        if factory is None:
            return None
        try:
            name = factory.get_ups_service().get_system_time_zone(device_id)
        except (ApiClientException, ServiceException) as exc:
            log.warning("device time zone unavailable (%s); using the default", type(exc).__name__)
            return None
        except ValueError:  # the serializer could not read the body
            log.warning("device time zone response unreadable; using the default")
            return None
        try:
            return parse_zone(str(name))
        except ValueError:
            log.warning("device reported an unknown time zone; using the default")
            return None
