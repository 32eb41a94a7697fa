"""A background run's failed files, retried elsewhere (the results pane), recorded for the pair.

A file a run could not sync keeps no new record: the next plan compares it
afresh. When the user retries it from the results pane, the retry is an
ordinary job of the window's; the pair learns of its results through
BackgroundSync.record_retry, and one that succeeded is recorded here exactly
as the run would have recorded it (SyncRecorder, from the plan item the task
was made for), so the next look sees the file synced, not changed on both
sides. A retry that failed changes nothing. The records are written on the
pair's thread, between its looks, never while one of its runs writes.
"""

from __future__ import annotations

import threading

from app.jobs.model import TaskResult
from app.sync.job import SyncJob, SyncRecorder, TaskKey, task_key
from app.sync.state import StateDB

#: Failed files remembered per pair, at most: the newest runs' (a retry of an older one is
#: then only not recorded, and the next look compares that file afresh, as without a retry).
KEPT = 10_000


class RetriedFiles:
    """arrived() from any thread; ran() and settle() on the pair's thread."""

    def __init__(self) -> None:
        self._failed: dict[TaskKey, SyncJob] = {}  # each failed task's job, by the task's key
        self._arrived: list[TaskResult] = []
        self._lock = threading.Lock()

    def ran(self, failed: dict[TaskKey, SyncJob], synced: set[TaskKey]) -> None:
        """A run's end: what it failed may be retried; what it synced is settled already."""
        for key in synced:
            self._failed.pop(key, None)
        for key, job in failed.items():
            self._failed.pop(key, None)  # the newest failure last, kept longest
            self._failed[key] = job
        while len(self._failed) > KEPT:
            del self._failed[next(iter(self._failed))]

    def arrived(self, result: TaskResult) -> None:
        """A retry's result for one of this pair's files (any thread)."""
        with self._lock:
            self._arrived.append(result)

    def settle(self, state: StateDB) -> int:
        """Record the retries that succeeded; returns how many files they synced."""
        with self._lock:
            arrived, self._arrived = self._arrived, []
        synced = 0
        for result in arrived:
            key = task_key(result.task)
            job = self._failed.get(key)
            if job is None or not result.ok:
                continue
            alone = SyncJob(job.job, job.plan, {key: job.roles[key]})
            SyncRecorder(state, alone).record(result)
            del self._failed[key]
            synced += 1
        return synced
