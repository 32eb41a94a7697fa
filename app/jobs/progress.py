"""Counting files and bytes of a running job, with rates and a time left that can be trusted.

A job costs time per file (a request, its round trips, the server's work on
each) and per byte (the transfer). 1,500 small files and one 400 MB file
measured in bytes alone look stalled while the small files go (52 hours
left), and measured in files alone look done while the big one still runs.
So both rates are measured as the job runs, over the last few seconds, and
what is left is what is left of each, at its own rate. The two go on at the
same time (the workers run small files beside a big one): the time left is
the longer of the two, never more than a factor of 2 from either being the
whole story. The bar shows the share of that cost that is done.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from app.jobs.model import JobProgress, Transfer

_RATE_WINDOW = 5.0  # seconds of history the rates are averaged over


class ProgressTracker:
    """Thread-safe counters that workers update and snapshot() turns into an event."""

    def __init__(
        self,
        job_id: int,
        files_total: int,
        bytes_total: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.job_id = job_id
        self.files_total = files_total
        self.bytes_total = bytes_total
        self._clock = clock
        self._lock = threading.Lock()
        self._files_done = 0
        self._bytes_finished = 0  # bytes of transfers that ended
        self._transfers: dict[str, Transfer] = {}
        self._samples: deque[tuple[float, int, int]] = deque([(clock(), 0, 0)])

    def transfer(self, path: str, done: int, total: int | None) -> None:
        with self._lock:
            self._transfers[path] = Transfer(path, done, total or 0)

    def task_done(self, path: str, counted_bytes: int) -> None:
        """A task ended; its bytes count as done whatever the transfer reported."""
        with self._lock:
            self._transfers.pop(path, None)
            self._files_done += 1
            self._bytes_finished += counted_bytes

    def snapshot(self, paused: bool = False) -> JobProgress:
        now = self._clock()
        with self._lock:
            in_flight = tuple(self._transfers.values())
            done = self._bytes_finished + sum(t.bytes_done for t in in_flight)
            files_done = self._files_done
            self._samples.append((now, files_done, done))
            while len(self._samples) > 2 and now - self._samples[0][0] > _RATE_WINDOW:
                self._samples.popleft()
            first_time, first_files, first_bytes = self._samples[0]
        elapsed = now - first_time
        rate = (done - first_bytes) / elapsed if elapsed > 0 else 0.0
        files_rate = (files_done - first_files) / elapsed if elapsed > 0 else None
        estimate = Estimate(self.files_total, self.bytes_total, files_done, done, files_rate, rate)
        return JobProgress(
            self.job_id,
            files_done,
            self.files_total,
            done,
            self.bytes_total,
            rate,
            estimate.time_left(),
            in_flight,
            paused,
            files_rate,
            estimate.fraction(),
        )


class Estimate:
    """What is left of a job, from what is done and the two rates it goes at."""

    def __init__(
        self,
        files_total: int,
        bytes_total: int,
        files_done: int,
        bytes_done: int,
        files_rate: float | None,
        bytes_rate: float,
    ) -> None:
        self.files_left = max(0, files_total - files_done)
        self.bytes_left = max(0, bytes_total - bytes_done)
        self.files = (files_done, files_total, files_rate)
        self.bytes = (bytes_done, bytes_total, bytes_rate)

    def time_left(self) -> float | None:
        """The longer of the files left at the files rate and the bytes left at the byte
        rate; None while a rate that something is left of has not been seen yet."""
        if self.files_left == 0 and self.bytes_left == 0:
            return 0.0
        times = []
        for left, (_, _, rate) in ((self.files_left, self.files), (self.bytes_left, self.bytes)):
            if left:
                if not rate:
                    return None
                times.append(left / rate)
        return max(times)

    def fraction(self) -> float:
        """The share of the job's time that is done: files and bytes, each weighed by the
        time it takes (files alone until a byte rate is known, and the other way round)."""
        parts = []
        for done, total, rate in (self.files, self.bytes):
            if total:
                parts.append((done, total, rate))
        timed = [(done / rate, total / rate) for done, total, rate in parts if rate]
        if len(timed) == len(parts) and timed:
            spent, whole = sum(t[0] for t in timed), sum(t[1] for t in timed)
            return min(1.0, spent / whole) if whole else 1.0
        done, total, _ = parts[0] if parts else (0, 0, None)
        return min(1.0, done / total) if total else 1.0
