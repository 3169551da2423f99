"""The device's time zone: Alexa Settings API first, then the deployment default, then UTC.

Time budget: one lookup per device at most every ``ttl`` seconds, each bounded by the API
client's timeout (1.5 s by default). A lookup that failed or timed out is remembered for
``failure_ttl`` seconds, so an unanswering ``apiEndpoint`` costs one timeout per device per few
minutes, not one per request. The cache is a bounded LRU.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from zoneinfo import ZoneInfo

from ask_sdk_core.exceptions import ApiClientException, SerializationException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.services.service_exception import ServiceException

from skill.values import parse_zone

log = logging.getLogger(__name__)


class DeviceTimeZones:
    """Looks up and caches each device's zone for ``ttl`` seconds, a failure for
    ``failure_ttl``."""

    def __init__(
        self,
        fallback: ZoneInfo,
        ttl: float = 600.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
        failure_ttl: float = 180.0,
        on_failure: Callable[[], None] | None = None,
    ):
        self.fallback = fallback
        self.ttl = ttl
        self.failure_ttl = failure_ttl
        self.on_failure = on_failure
        """Called once per failed lookup (the web service counts them in /metrics)."""
        self.max_entries = max_entries
        self.clock = clock
        # device id -> (expiry, zone); None remembers a failed lookup (the fallback applies).
        self._cache: OrderedDict[str, tuple[float, ZoneInfo | None]] = OrderedDict()
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
            if cached is not None:
                self._cache.move_to_end(device_id)
        if cached is not None and cached[0] > now:
            return cached[1] or self.fallback
        zone = self._ask_alexa(handler_input, device_id)
        if zone is None and self.on_failure is not None:
            self.on_failure()
        expiry = now + (self.ttl if zone is not None else self.failure_ttl)
        with self._lock:
            self._cache[device_id] = (expiry, zone)
            self._cache.move_to_end(device_id)
            while len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)  # the least recently used device
        return zone or self.fallback

    def _ask_alexa(self, handler_input: HandlerInput, device_id: str) -> ZoneInfo | None:
        factory = handler_input.service_client_factory
        if factory is None:
            return None
        try:
            name = factory.get_ups_service().get_system_time_zone(device_id)
        except (ApiClientException, ServiceException) as exc:
            log.warning("device time zone unavailable (%s); using the default", type(exc).__name__)
            return None
        except (SerializationException, ValueError):  # the body could not be read
            log.warning("device time zone response unreadable; using the default")
            return None
        try:
            return parse_zone(str(name))
        except ValueError:
            log.warning("device reported an unknown time zone; using the default")
            return None
