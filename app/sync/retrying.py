"""Planning's requests: retried as a job's are, and stopped at once by a cancel.

A sync reads the whole tree before it plans anything, so a single 503 or
dropped connection among hundreds of listings would otherwise throw all of
them away. The scan retries what the job engine retries (RetryPolicy: the
same errors, waits and Retry-After), and a user who gives up on a slow
server cancels it: the waits end, and the requests under way are cut off
rather than left to run into their read timeouts.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

from app.dav import DavClient, errors
from app.dav.interrupt import Watch
from app.dav.retry import RetryPolicy

T = TypeVar("T")


class PlanningCancelled(Exception):
    """Planning was stopped before it finished; nothing was planned or changed."""


class Stop:
    """A planning run's cancel; set() may be called from any thread."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._watches: set[Watch] = set()

    def set(self) -> None:
        self._event.set()
        with self._lock:
            watches = list(self._watches)
        for watch in watches:
            watch.cut(blocked_for=0)

    def is_set(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise PlanningCancelled("planning was cancelled")

    def wait(self, seconds: float) -> bool:
        """Sleep up to seconds; True if cancelled meanwhile."""
        return self._event.wait(seconds)

    @contextlib.contextmanager
    def on_failure(self) -> Iterator[None]:
        """Set if the block raises (Ctrl-C too), so that the other threads end at once."""
        try:
            yield
        except BaseException:
            self.set()
            raise

    @contextlib.contextmanager
    def watching(self, client: DavClient) -> Iterator[None]:
        """While the block runs, a cancel cuts off this thread's requests to client, and the
        client leaves their retries to retried(), which a cancel ends."""
        with client.watch() as watch, client.retried_by_caller():
            with self._lock:
                self._watches.add(watch)
            try:
                yield
            finally:
                with self._lock:
                    self._watches.discard(watch)


def retried(call: Callable[[], T], stop: Stop, policy: RetryPolicy) -> T:
    """call(), again after a retryable failure (policy's attempts and waits), until stopped."""
    stop.check()
    try:
        return policy.run(call, wait=stop.wait, stopped=stop.is_set)
    except errors.DavError:
        stop.check()  # a request cut off by the cancel is not a failure to report
        raise
