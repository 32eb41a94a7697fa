"""When and how long to wait before trying a request again.

Connection trouble and 408/429/502/503/504 are worth repeating; everything
else is an answer. Waits grow exponentially with full jitter, so many workers
hitting one overloaded server do not come back in lockstep, and a server's
Retry-After is honoured (capped, so a hostile server cannot park a job).

The question "did an attempt that lost its answer take effect?" is a
read-only PROPFIND (or GET), safe to repeat whatever the server said: it is
asked again on any 5xx too, with a budget of its own, because giving up on
it means the Outcome cannot say what the server holds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from app.dav import errors


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4  # in all, the first included
    base_delay: float = 0.5
    max_delay: float = 30.0
    checks: int = 6  # times the "did it take effect?" question is asked, the first included

    def should_retry(self, exc: BaseException, attempt: int) -> bool:
        return attempt < self.attempts and isinstance(exc, errors.DavError) and exc.retryable

    def should_ask_again(self, exc: BaseException, asked: int) -> bool:
        """Whether a failed read-only check is worth asking again: a transport failure or
        any 5xx (a 500 on a PROPFIND says nothing about the file), within its budget."""
        if asked >= self.checks or not isinstance(exc, errors.DavError):
            return False
        server_error = isinstance(exc, errors.StatusError) and exc.status >= 500
        return exc.retryable or server_error

    def delay(self, exc: BaseException, attempt: int) -> float:
        """Seconds to wait before attempt number ``attempt + 1``."""
        asked = exc.retry_after if isinstance(exc, errors.StatusError) else None
        if asked is not None:
            return min(asked, self.max_delay)
        return random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))
