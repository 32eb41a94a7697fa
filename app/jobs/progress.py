"""Counting files and bytes of a running job, with a smoothed rate and an ETA."""

from __future__ import annotations

import threading
import time

from app.jobs.model import JobProgress, Transfer

_RATE_WINDOW = 5.0  # seconds of history the rate is averaged over


class ProgressTracker:
    """Thread-safe counters that workers update and snapshot() turns into an event."""

    def __init__(self, job_id: int, files_total: int, bytes_total: int) -> None:
        self.job_id = job_id
        self.files_total = files_total
        self.bytes_total = bytes_total
        self._lock = threading.Lock()
        self._files_done = 0
        self._bytes_finished = 0  # bytes of transfers that ended
        self._transfers: dict[str, Transfer] = {}
        self._samples: list[tuple[float, int]] = [(time.monotonic(), 0)]

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
        now = time.monotonic()
        with self._lock:
            in_flight = tuple(self._transfers.values())
            done = self._bytes_finished + sum(t.bytes_done for t in in_flight)
            self._samples.append((now, done))
            while len(self._samples) > 2 and now - self._samples[0][0] > _RATE_WINDOW:
                self._samples.pop(0)
            first_time, first_bytes = self._samples[0]
            files_done = self._files_done
        elapsed = now - first_time
        rate = (done - first_bytes) / elapsed if elapsed > 0 else 0.0
        remaining = max(0, self.bytes_total - done)
        eta = remaining / rate if rate > 0 else (0.0 if remaining == 0 else None)
        return JobProgress(self.job_id, files_done, self.files_total, done, self.bytes_total,
                           rate, eta, in_flight, paused)
