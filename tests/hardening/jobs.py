"""Running a job to its end from a test, with what every job must do checked."""

from __future__ import annotations

import collections
import threading

from app.dav import DavClient
from app.dav.outcome import OutcomeClass
from app.jobs.model import Job, JobEnded, JobEvent, TaskResult
from app.jobs.runner import JobOptions, JobRunner

#: Only turns a hang into a failure: no job in the hardening tests takes half of it.
JOB_TIMEOUT = 120.0


class Events:
    """The job's callback: every event, in arrival order."""

    def __init__(self) -> None:
        self.events: list[JobEvent] = []
        self._lock = threading.Lock()

    def __call__(self, event: JobEvent) -> None:
        with self._lock:
            self.events.append(event)

    @property
    def results(self) -> list[TaskResult]:
        with self._lock:
            return [e for e in self.events if isinstance(e, TaskResult)]


def run_job(
    client: DavClient, job: Job, options: JobOptions, timeout: float = JOB_TIMEOUT
) -> tuple[JobEnded, list[TaskResult]]:
    """Run job on its own thread; fail if it has not ended within timeout."""
    events = Events()
    runner = JobRunner(client, job, events, options)
    thread = runner.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"{job.name}: still running after {timeout} s"
    ends = [e for e in events.events if isinstance(e, JobEnded)]
    assert len(ends) == 1 and events.events[-1] is ends[0], "not exactly one JobEnded, last"
    results = events.results
    assert collections.Counter(r.task for r in results) == collections.Counter(job.tasks), (
        "not exactly one TaskResult per task"
    )
    outcomes = [o for r in results for o in r.outcomes]
    ok = sum(o.outcome_class is OutcomeClass.OK for o in outcomes)
    assert ends[0].ok == ok and ends[0].failed + ends[0].cancelled == len(outcomes) - ok
    return ends[0], results
