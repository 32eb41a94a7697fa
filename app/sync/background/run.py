"""One background run: a plan turned into ordinary jobs, recorded, counted and announced.

The plan's items become a Job exactly as the Sync Folder dialog and `davdesk
sync` build it (app/sync/job.py), run by a JobRunner on this thread, with a
SyncRecorder writing each ok result to the state database as it arrives. A
plan with nothing to transfer writes what planning learnt and starts no job:
the results pane gets a row only for runs that changed something, or that
have refusals to show (refusals.py): those come first in the job, as the
Outcomes the planner made, and a job of nothing else is announced for them
alone (nothing runs). Items for paths still being written (busy) are left
out, for the run after they settle.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace

from app.dav import DavClient, Outcome
from app.dav.outcome import OutcomeClass, Tally
from app.jobs.model import EventCallback, Job, JobEnded, JobEvent, JobState, Op, TaskResult
from app.jobs.runner import JobOptions, JobRunner
from app.sync.background.refusals import refusal_result
from app.sync.background.types import Listener, RunStarted
from app.sync.job import Role, SyncJob, SyncRecorder, TaskKey, build_job, task_key
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
    #: The job of each task that failed (by its key), for a retry elsewhere (retries.py),
    #: and the keys of the tasks that went well.
    failed_tasks: dict[TaskKey, SyncJob] = field(default_factory=dict)
    synced_tasks: set[TaskKey] = field(default_factory=set)

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

    def execute(
        self,
        plan: SyncPlan,
        client: DavClient,
        busy: Iterable[str] = (),
        refused: Sequence[Outcome] = (),
    ) -> RunResult:
        """refused: the planner's refusals to show with this run (the first job has them)."""
        held = tuple(busy)
        items = [item for item in plan.items if not _busy(item, held)]
        recorder: SyncRecorder | None = SyncRecorder(
            self.state, build_job(plan, items, name=f"Sync {self.pair}")
        )
        while recorder is not None and not self._cancelled.is_set():
            recorder.begin()
            job = recorder.sync_job.job
            if not job.tasks:
                if refused:
                    self._show_alone(job, plan, refused)
                break
            self._run_job(recorder, client, plan, refused)
            refused = ()
            recorder = recorder.follow_up()
        return self.result

    def _show_alone(self, job: Job, plan: SyncPlan, refused: Sequence[Outcome]) -> None:
        """Refusals with nothing to run: a job of their rows alone, ended as it is announced."""
        results = [refusal_result(job.id, o, plan.direction) for o in refused]
        shown = replace(job, stages=(tuple(r.task for r in results),))
        relay = self.listener.run_started(RunStarted(self.pair, shown, _Nothing()))
        if relay is None:
            return
        for result in results:
            relay(result)
        relay(JobEnded.of(job.id, JobState.FAILED, Tally.of(refused)))

    def _run_job(
        self,
        recorder: SyncRecorder,
        client: DavClient,
        plan: SyncPlan,
        refused: Sequence[Outcome],
    ) -> None:
        job = recorder.sync_job.job
        total = len(job.tasks)
        done = [0]
        relay: list[EventCallback | None] = [None]
        shown = [refusal_result(job.id, o, plan.direction) for o in refused]

        def on_event(event: JobEvent) -> None:
            if isinstance(event, TaskResult):
                recorder.record(event)
                self._count(recorder, event)
                with self._lock:
                    done[0] += 1
                    count = done[0]
                self.progress(count, total)
            elif isinstance(event, JobEnded):
                self.result.cancelled = self.result.cancelled or event.state is JobState.CANCELLED
                event = _with_refusals(event, refused)
            forward = relay[0]
            if forward is not None:
                forward(event)

        runner = JobRunner(client, job, on_event, self.options)
        announced = (
            replace(job, stages=(tuple(r.task for r in shown), *job.stages)) if shown else job
        )
        relay[0] = self.listener.run_started(RunStarted(self.pair, announced, runner))
        if relay[0] is not None:
            for result in shown:
                relay[0](result)
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
        key = task_key(result.task)
        item, role = recorder.sync_job.roles.get(key, (None, None))
        with self._lock:
            if not result.ok:
                if not any(o.outcome_class is OutcomeClass.CANCELLED for o in result.outcomes):
                    self.result.failed.extend(o for o in result.outcomes if not o.ok)
                    if item is not None:
                        self.result.failed_tasks[key] = recorder.sync_job
                return
            self.result.synced_tasks.add(key)
            if role is Role.CONFLICT_SAVE and item is not None and item.conflict_rel:
                self.result.conflicts.append(item.conflict_rel)
                return
            if role is Role.CONFLICT_PUT:
                return
            words = _DONE_WORDS.get(result.task.op)
            if words:
                self.result.counts[words] = self.result.counts.get(words, 0) + 1


def _with_refusals(ended: JobEnded, refused: Sequence[Outcome]) -> JobEnded:
    """The job's end counting the refusals shown in it: a job that refused files has problems."""
    if not refused:
        return ended
    ran, more = ended.tally, Tally.of(refused)
    tally = Tally(*(getattr(ran, f.name) + getattr(more, f.name) for f in fields(Tally)))
    state = JobState.FAILED if ended.state is JobState.FINISHED else ended.state
    return JobEnded.of(ended.job_id, state, tally, ended.error)


class _Nothing:
    """The control of a job with nothing to run: cancel, pause and resume have nothing to do."""

    paused = False

    def cancel(self) -> None:
        pass

    def pause(self) -> None:
        pass

    def resume(self) -> None:
        pass


def _busy(item: PlanItem, busy: tuple[str, ...]) -> bool:
    """Whether the item touches a path still being written (or a folder holding one)."""
    deletes = item.action in (Action.DELETE_LOCAL, Action.DELETE_REMOTE)
    return any(
        item.rel == path
        or item.rel.startswith(path + "/")
        or (deletes and path.startswith(item.rel + "/"))
        for path in busy
    )
