"""A bandwidth limit shared by all transfers of a job (a token bucket)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Throttle:
    """Lets at most ``rate`` bytes per second through, summed over every worker.

    ``sleep`` is injected so a cancelled job wakes up at once instead of
    finishing its nap.
    """

    def __init__(self, rate: int, sleep: Callable[[float], object]) -> None:
        if rate <= 0:
            raise ValueError("a bandwidth limit must be positive")
        self.rate = rate
        self._sleep = sleep
        self._lock = threading.Lock()
        self._allowance = float(rate)
        self._stamp = time.monotonic()

    def consume(self, count: int) -> None:
        """Account for count bytes just sent or received, waiting if over the limit."""
        with self._lock:
            now = time.monotonic()
            # Burst of at most one second's worth, so a pause does not bank unlimited credit.
            self._allowance = min(self.rate, self._allowance + (now - self._stamp) * self.rate)
            self._stamp = now
            self._allowance -= count
            debt = -self._allowance / self.rate if self._allowance < 0 else 0.0
        if debt:
            self._sleep(debt)
