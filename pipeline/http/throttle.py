"""Per-host request spacing.

A spacing limiter (one slot every 1/rate seconds per host) rather than a token bucket: government sites
should never see bursts, and evenly spaced slots let many threads keep the configured rate saturated.
"""

from __future__ import annotations

import math
import threading
import time
from urllib.parse import urlsplit


class HostThrottle:
    def __init__(self, requests_per_second: float, clock=time.monotonic, sleep=time.sleep) -> None:
        if not (requests_per_second > 0 and math.isfinite(requests_per_second)):
            raise ValueError(f"requests_per_second must be positive, got {requests_per_second}")
        self.interval = 1.0 / requests_per_second
        self._next_slot: dict[str, float] = {}
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep

    def wait(self, url: str) -> float:
        """Block until this host's next slot; returns the seconds waited."""
        host = urlsplit(url).netloc
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + self.interval
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return delay
