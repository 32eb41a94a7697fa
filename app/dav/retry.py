"""When and how long to wait before trying a request again: one policy for every request.

A command, a job, a sync's planning and the window's listings all send their
requests under one RetryPolicy: connection trouble and the statuses listed in
docs/retries.md (408, 429, 500, 502, 503, 504, and a 423 that is nobody's
lock) are worth repeating; everything else is an answer. Waits grow
exponentially with full jitter, so many workers hitting one overloaded server
do not come back in lockstep, and a server's Retry-After is honoured (capped,
so a hostile server cannot park a job). A request that is given up on says
how many times it was sent (DavError.attempts).

Read-only requests are repeated by the DavClient itself (run()); a job's
tasks are repeated by app/jobs/attempts.py for the runner, which knows whether a request that is
not safe to repeat took effect, under this same policy; a write sent outside
a job (the window's Lock, a share link, signing out) goes through run() with
the check that tells whether it took effect (took_effect), so it too is
repeated only when the server did not act on it.

The question "did an attempt that lost its answer take effect?" is a
read-only PROPFIND (or GET), safe to repeat whatever the server said: it is
asked again on any 5xx too, with a budget of its own, because giving up on
it means the Outcome cannot say what the server holds.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from app.dav import errors

T = TypeVar("T")

#: Attempts at a server that cannot be reached at all (connection refused, no such host)
#: or does not answer within the read timeout: a restarting server is back within a
#: second or two, each silent attempt has already waited a whole timeout, and a wrong
#: address or a server that is down should be said while the user is still looking.
UNANSWERED_ATTEMPTS = 3

#: Called with seconds to wait; True when the wait was cut short (the work was cancelled).
Wait = Callable[[float], bool]


def sleep(seconds: float) -> bool:
    """A Wait for callers with nothing to cancel."""
    threading.Event().wait(seconds)
    return False


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a request is sent again.

    The defaults ride out a busy server or a flaky proxy for about a minute
    and a half in the worst case (rclone's low-level retries are 10): with one
    request in five failing, one in about 400,000 fails eight times in a row.
    """

    attempts: int = 8  # in all, the first included
    base_delay: float = 0.5
    max_delay: float = 30.0
    checks: int = 8  # times the "did it take effect?" question is asked, the first included

    def should_retry(self, exc: BaseException, attempt: int) -> bool:
        if isinstance(exc, errors.ConnectError | errors.TimeoutError):
            return attempt < min(self.attempts, UNANSWERED_ATTEMPTS) and exc.retryable
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

    def run(
        self,
        call: Callable[[], T],
        wait: Wait = sleep,
        stopped: Callable[[], bool] = lambda: False,
        took_effect: Callable[[], T | None] | None = None,
    ) -> T:
        """call(), sent again after each retryable failure until it succeeds or the budget is
        spent; the error given up on carries how many attempts were made. stopped: the work
        was cancelled, no more attempts.

        took_effect: for a request that is not safe to repeat as it is (a LOCK, a share's
        creation, an app password's revocation; app/dav/writes.py and app/nextcloud). Once an
        attempt may have been carried out (a lost answer, a 500, 502 or 504), this and every
        later failure (which may be the earlier attempt's own doing: a 423 for our own lock)
        first ask it: its result when the server shows the request was carried out, and
        nothing more is sent; None when it shows it was not. A check that fails (or raises
        CannotTell) raises UnconfirmedError, claiming neither. Without took_effect, call must
        be safe to repeat as it is.
        """
        attempt = 1
        lost = False
        while True:
            try:
                return call()
            except errors.DavError as exc:
                again = (
                    not stopped()
                    and self.should_retry(exc, attempt)
                    and not wait(self.delay(exc, attempt))
                    and not stopped()
                )
                lost = lost or exc.may_have_acted
                if took_effect is not None and lost:
                    done = _confirmed(took_effect, exc, attempt)
                    if done is not None:
                        return done
                if not again:
                    exc.attempts = attempt
                    raise
                attempt += 1


def _confirmed(
    took_effect: Callable[[], T | None], failed: errors.DavError, attempt: int
) -> T | None:
    """took_effect()'s answer; a failed check as the UnconfirmedError it leaves the request in
    (the check's reads are repeated by the client under the policy already)."""
    try:
        return took_effect()
    except errors.CannotTell as unknown:
        raise errors.UnconfirmedError(failed, str(unknown), attempts=attempt) from failed
    except errors.DavError as check:
        raise errors.UnconfirmedError(failed, f"the check met {check}", attempts=attempt) from check


#: For a client whose caller decides about every repetition itself (a probe, a test).
NO_RETRY = RetryPolicy(attempts=1, checks=1)
