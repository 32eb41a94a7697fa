"""One background run: a plan turned into ordinary jobs, recorded, counted and announced.

The plan's items become a Job exactly as the Sync Folder dialog and `davdesk
sync` build it (app/sync/job.py), run by a JobRunner on this thread, with a
SyncRecorder writing each ok result to the state database as it arrives. A
plan with nothing to transfer writes what planning learnt and starts no job:
the results pane gets a row only for runs that changed something. Items for
paths still being written (busy) are left out, for the run after they settle.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from app.dav import DavClient, Outcome
from app.dav.outcome import OutcomeClass
from app.jobs.model import JobEnded, JobEvent, JobState, Op, TaskResult
from app.jobs.runner import JobOptions, JobRunner
from app.sync.background.types import Listener, RunStarted
from app.sync.job import Role, SyncRecorder, build_job, task_key
from app.sync.model import Action, PlanItem, SyncPlan
from app.sync.state import StateDB

_DONE_WORDS = {
    Op.UPLOAD: "uploaded",
    Op.DOWNLOAD: "downloaded",
    Op.DELETE: "deleted on the server",
    Op.DELETE_LOCAL: "deleted here",
    Op.MKDIR: "folders made",
}


@dataclass
class RunResult:
    """What a run did, for the pair's last result and notifications."""

    counts: dict[str, int] = field(default_factory=dict)  # "uploaded" -> 3
    failed: list[Outcome] = field(default_factory=list)
    cancelled: bool = False
    conflicts: list[str] = field(default_factory=list)  # conflict copies made (relative paths)
    jobs: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.counts or self.conflicts)

    def words(self) -> str:
        """ "up to date", "3 uploaded, 1 downloaded, 1 failed"."""
        parts = [f"{n} {what}" for what, n in self.counts.items()]
        if self.conflicts:
            parts.append(
                f"{len(self.conflicts)} conflict{'s' if len(self.conflicts) > 1 else ''} "
                "(both versions kept)"
            )
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.cancelled:
            parts.append("stopped")
        return ", ".join(parts) or "up to date"


class Run:
    """Runs one plan; cancel() from any thread ends it cleanly (the file in flight is finished
    or abandoned without a partial file, as any cancelled job's)."""

    def __init__(
        self,
        pair: str,
        state: StateDB,
        listener: Listener,
        options: JobOptions,
        progress: Callable[[int, int], None],
    ) -> None:
        self.pair = pair
        self.state = state
        self.listener = listener
        self.options = options
        self.progress = progress
        self.result = RunResult()
        self._runner: JobRunner | None = None
        self._cancelled = threading.Event()
        self._lock = threading.Lock()

    def cancel(self) -> None:
        self._cancelled.set()
        with self._lock:
            runner = self._runner
        if runner is not None:
            runner.cancel()

    def execute(self, plan: SyncPlan, client: DavClient, busy: Iterable[str] = ()) -> RunResult:
        held = tuple(busy)
        items = [item for item in plan.items if not _busy(item, held)]
        recorder: SyncRecorder | None = SyncRecorder(
            self.state, build_job(plan, items, name=f"Sync {self.pair}")
        )
        while recorder is not None and not self._cancelled.is_set():
            recorder.begin()
            job = recorder.sync_job.job
            if not job.tasks:
                break
            self._run_job(recorder, client)
            recorder = recorder.follow_up()
        return self.result

    def _run_job(self, recorder: SyncRecorder, client: DavClient) -> None:
        job = recorder.sync_job.job
        total = len(job.tasks)
        done = [0]
        relay: list[Callable[[JobEvent], None] | None] = [None]

        def on_event(event: JobEvent) -> None:
            if isinstance(event, TaskResult):
                recorder.record(event)
                self._count(recorder, event)
                with self._lock:
                    done[0] += 1
                    count = done[0]
                self.progress(count, total)
            elif isinstance(event, JobEnded) and event.state is JobState.CANCELLED:
                self.result.cancelled = True
            forward = relay[0]
            if forward is not None:
                forward(event)

        runner = JobRunner(client, job, on_event, self.options)
        relay[0] = self.listener.run_started(RunStarted(self.pair, job, runner))
        with self._lock:
            self._runner = runner
        if self._cancelled.is_set():
            runner.cancel()
        self.progress(0, total)
        self.result.jobs += 1
        try:
            runner.run()
        finally:
            with self._lock:
                self._runner = None

    def _count(self, recorder: SyncRecorder, result: TaskResult) -> None:
        item, role = recorder.sync_job.roles.get(task_key(result.task), (None, None))
        with self._lock:
            if not result.ok:
                if not any(o.outcome_class is OutcomeClass.CANCELLED for o in result.outcomes):
                    self.result.failed.extend(o for o in result.outcomes if not o.ok)
                return
            if role is Role.CONFLICT_SAVE and item is not None and item.conflict_rel:
                self.result.conflicts.append(item.conflict_rel)
                return
            if role is Role.CONFLICT_PUT:
                return
            words = _DONE_WORDS.get(result.task.op)
            if words:
                self.result.counts[words] = self.result.counts.get(words, 0) + 1


def _busy(item: PlanItem, busy: tuple[str, ...]) -> bool:
    """Whether the item touches a path still being written (or a folder holding one)."""
    deletes = item.action in (Action.DELETE_LOCAL, Action.DELETE_REMOTE)
    return any(
        item.rel == path
        or item.rel.startswith(path + "/")
        or (deletes and path.startswith(item.rel + "/"))
        for path in busy
    )
