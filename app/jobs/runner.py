"""Running a Job on a pool of worker threads that share one DavClient.

The pool size is the job's worker count (1 to 16): the DavClient's
connection pool is sized to match, so no worker waits for a connection.
Stages run one after another (folders before the files inside them); the
tasks of a stage run in parallel.

Every task ends in Outcomes, reported as a TaskResult event as soon as it
ends; every job ends in exactly one JobEnded event, whatever a task raised.
All events go through the one callback given to the runner, called on
worker threads: front ends hand them over to their own thread. Each task's
attempts, and whether a lost one took effect, are app/jobs/attempts.py's.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from app.dav import DavClient, Outcome, Source, errors
from app.dav.bulk import BulkFile, send_batch
from app.dav.interrupt import Watch
from app.dav.lookups import present
from app.dav.outcome import UNCONFIRMED, OutcomeClass, Tally, cancelled
from app.dav.paths import parent
from app.dav.retry import RetryPolicy
from app.dav.transcript import Exchange
from app.dav.transfer import ProgressCallback
from app.jobs.attempts import MAY_HAVE, Attempts, raised
from app.jobs.batches import batched
from app.jobs.context import Cancelled, TaskContext
from app.jobs.dependencies import NOT_ATTEMPTED, Dependencies
from app.jobs.model import (
    TRANSFERS,
    EventCallback,
    Job,
    JobEnded,
    JobState,
    Op,
    Task,
    TaskResult,
)
from app.jobs.operations import execute
from app.jobs.progress import ProgressTracker
from app.jobs.throttle import Throttle

#: UNCONFIRMED: the reason of an Outcome whose task lost an answer and whose server then would
#: not say whether it took effect (attempts.unconfirmed); front ends match it from here.
__all__ = ["MAX_WORKERS", "UNCONFIRMED", "JobOptions", "JobRunner", "dispatch_order"]

log = logging.getLogger(__name__)

MAX_WORKERS = 16
#: After this many tasks in a row could not even connect, the server is taken to be gone
#: and the rest of the job is reported as not attempted instead of being retried one by one.
UNREACHABLE_AFTER = 8
#: Failed tasks per job that keep their requests' headers and bodies for the raw view. A
#: server that fails 100,000 files with the same error page need not be kept 100,000 times.
FULL_EXCHANGES_KEPT = 1000
#: Seconds a request of a cancelled job may wait for the server before it is cut off.
STALLED = 0.5
#: Seconds for which planning's listing of a folder stands for a fresh one before a bulk
#: upload into it (Job.listed). Either way a file someone writes between the listing and the
#: batch's write is overwritten: the bulk endpoint takes no condition. A listing just before
#: the batch leaves its own round trip and the batch's upload; planning's, within this, half a
#: second more at most (a sync run straight after its scan: tens of milliseconds). The
#: Nextcloud client leaves its whole run, from its discovery of the folder to each batch. A
#: plan run later (previewed, chosen from) is listed again before each batch.
LISTING_TRUSTED_FOR = 0.5


@dataclass(frozen=True, slots=True)
class JobOptions:
    workers: int = 4
    limit_rate: int | None = None  # bytes per second over the whole job; None: unlimited
    retry: RetryPolicy | None = None  # None: the client's (DavClient.retry), as every request
    keep_mtime: bool = True
    #: Also keep an upload's mtime where the server does not take X-OC-Mtime: a PROPPATCH
    #: after every PUT, so twice the requests. A choice (--keep-mtime, the bookmark's).
    mtime_by_proppatch: bool = False
    progress_interval: float = 0.1  # seconds between progress events

    def __post_init__(self) -> None:
        if not 1 <= self.workers <= MAX_WORKERS:
            raise ValueError(f"workers must be between 1 and {MAX_WORKERS}")


class JobRunner:
    """Runs one job; cancel(), pause() and resume() may be called from any thread."""

    def __init__(
        self,
        client: DavClient,
        job: Job,
        on_event: EventCallback,
        options: JobOptions | None = None,
    ) -> None:
        self.client = client
        self.job = job
        self.options = options or JobOptions()
        self._on_event = on_event
        self._cancel = threading.Event()
        self._attempts = Attempts(client, self.options.retry or client.retry, self._cancel, job.id)
        self._running = threading.Event()
        self._running.set()
        self._throttle = (
            Throttle(self.options.limit_rate, self._cancel.wait)
            if self.options.limit_rate
            else None
        )
        self._tracker = ProgressTracker(job.id, len(job.tasks), job.bytes_total)
        self._lock = threading.Lock()
        # Progress snapshots are taken and handed to the callback one at a time, so they arrive
        # in the order they were taken: counts never go backwards, and the last one says whether
        # the job is paused. Re-entrant: a callback may call pause() or resume(), which emit too.
        self._progress_lock = threading.RLock()
        self._counts: Counter[OutcomeClass] = Counter()
        self._last_progress = 0.0
        self._abandoned: errors.DavError | None = None
        self._engine_error: str | None = None
        self._unreachable_streak = 0
        self._full_exchanges_kept = 0
        self._watches: set[Watch] = set()
        self._cutter: threading.Thread | None = None
        self._ended = threading.Event()
        self._dependencies = Dependencies()
        #: Folders this job's MKCOLs created (201): bulk uploads into them need no check.
        self._created_folders: set[str] = set()

    # -- control, from any thread ---------------------------------------------

    def cancel(self) -> None:
        self._cancel.set()
        self._running.set()  # wake paused workers so they can see the cancel
        with self._lock:
            if self._cutter is None and not self._ended.is_set():
                self._cutter = threading.Thread(
                    target=self._cut_stalled, daemon=True, name=f"job-{self.job.id}-cancel"
                )
                self._cutter.start()

    def _cut_stalled(self) -> None:
        """After a cancel: cut off the requests a stalled server leaves hanging, until the job ends.

        Requests that are moving end by themselves (a transfer raises Cancelled
        at its next chunk); one that has waited STALLED seconds for the server
        would otherwise hold the job until its read timeout.
        """
        while not self._ended.wait(STALLED / 4):
            with self._lock:
                watches = list(self._watches)
            for watch in watches:
                watch.cut(blocked_for=STALLED)

    def pause(self) -> None:
        self._running.clear()
        self._emit_progress(force=True)

    def resume(self) -> None:
        self._running.set()
        self._emit_progress(force=True)

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def start(self) -> threading.Thread:
        """Run the job on a thread of its own; events arrive through the callback."""
        thread = threading.Thread(target=self.run, name=f"job-{self.job.id}", daemon=True)
        thread.start()
        return thread

    # -- running ----------------------------------------------------------------

    def run(self) -> JobEnded:
        """Run every stage to the end (blocking) and report how the job ended."""
        for stage in self.job.stages:
            self._run_stage(stage)
        error = str(self._abandoned) if self._abandoned is not None else self._engine_error
        self._emit_progress(force=True)
        with self._lock:
            tally = Tally.from_counts(self._counts)
        ended = JobEnded.of(self.job.id, self._final_state(error, tally), tally, error)
        self._ended.set()
        self._on_event(ended)
        return ended

    def _run_stage(self, stage: tuple[Task, ...]) -> None:
        """The stage's tasks on up to `workers` threads, each taking the next task when free.

        Threads pull from one shared iterator rather than the stage being
        submitted as one Future per task: a 100,000-file job allocates nothing
        per task up front, and no thread waits on another's result.

        With several workers the biggest transfers start first (a stable sort:
        the rest keep their order): one big file started last would leave one
        worker busy after the others are done, and the time left could not
        know the byte rate until then.
        """
        items = batched(
            dispatch_order(stage, self.options.workers),
            self.client.extensions,
            self.options.workers,
        )
        pending = iter(items)
        take = threading.Lock()

        def work() -> None:
            while True:
                with take:
                    item = next(pending, None)
                if item is None:
                    return
                if isinstance(item, tuple):
                    self._run_batch(item)
                else:
                    self._run_guarded(item)

        threads = [
            threading.Thread(target=work, name=f"job-{self.job.id}-{number}", daemon=True)
            for number in range(min(self.options.workers, len(items)))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _run_guarded(self, task: Task) -> None:
        """Run a task; if the engine itself breaks on it, the task still ends in an Outcome."""
        try:
            self._run_task(task)
        except Exception as exc:
            log.exception("job %s: engine error on %s %s", self.job.id, task.op, task.remote)
            self._engine_error = self._engine_error or f"{type(exc).__name__}: {exc}"
            self._finish(task, [raised(task, exc)], 1)

    def _run_batch(self, tasks: tuple[Task, ...]) -> None:
        """Upload small new files in one bulk request; each ends in its own task's Outcome.

        A file the answer names as stored is done. One it names as refused is
        uploaded again alone, whose answer then says why in HTTP's words. One
        it leaves out, or all of them when the answer was lost, is not taken
        for done: the server is asked whether it holds the file, and a file
        it does not hold goes alone.
        """
        self._running.wait()
        if self._abandoned is not None or self._cancel.is_set():
            for task in tasks:
                self._run_guarded(task)
            return
        bulk = self.client.extensions.bulk
        assert bulk is not None
        blocked = [task for task in tasks if self._dependencies.blocker(task) is not None]
        for task in blocked:  # reported as not attempted, like any task whose folder failed
            self._run_guarded(task)
        tasks = self._still_absent(tuple(task for task in tasks if task not in blocked))
        if len(tasks) < 2:
            for task in tasks:
                self._run_guarded(task)
            return
        files = [
            BulkFile(
                task.remote, task.local, _mtime(task.local) if self.options.keep_mtime else None
            )
            for task in tasks
            if task.local is not None
        ]
        lost: str | None = None
        with self.client.transcript.capture() as exchanges, self.client.watch() as watch:
            with self._lock:
                self._watches.add(watch)
            try:
                answered = send_batch(self.client, bulk, files)
            except (errors.DavError, OSError) as exc:
                answered, lost = {}, str(exc)
            finally:
                with self._lock:
                    self._watches.discard(watch)
        for task in tasks:
            outcome = answered.get(task.remote)
            if outcome is not None and outcome.ok:
                self._finish(task, [outcome], 1, exchanges)
            elif self._cancel.is_set():
                self._finish(
                    task,
                    [replace(cancelled(task.op.value, task.remote), note=MAY_HAVE)],
                    1,
                    exchanges,
                )
            elif outcome is not None:
                self._run_guarded(task)
            else:
                why = lost or "the bulk upload's answer did not name it"
                done = self._attempts.took_effect(task, True, why)
                if done is not None and all(o.ok for o in done):
                    self._finish(task, done, 1, exchanges)
                else:
                    self._run_guarded(task)

    def _still_absent(self, tasks: tuple[Task, ...]) -> tuple[Task, ...]:
        """The batch's files that are still not on the server, asked just before sending.

        The bulk endpoint overwrites without If-None-Match: a file created since planning
        must keep its guarded PUT (and its conflict). The others are returned; the rest run
        alone now, as do all when the server cannot say. Not asked about: a folder this job
        created (201) moments ago, whose files came from this job, and one planning listed
        less than LISTING_TRUSTED_FOR seconds ago (Job.listed): the files planned absent
        from it were absent then, and asking again would narrow the window by no more.
        """
        since = time.monotonic() - LISTING_TRUSTED_FOR
        listed = self.job.listed
        with self._lock:
            created = self._created_folders.copy()

        def known(folder: str) -> bool:
            return folder in created or listed.get(folder, since - 1) >= since

        asked = [task.remote for task in tasks if not known(parent(task.remote))]
        try:
            there = present(self.client, asked) if asked else set()
        except errors.DavError:
            there = None
        keep = tuple(t for t in tasks if there is not None and t.remote not in there)
        for task in tasks:
            if task not in keep:
                self._run_guarded(task)
        return keep

    def _final_state(self, error: str | None, tally: Tally) -> JobState:
        if self._cancel.is_set() and self._abandoned is None:
            return JobState.CANCELLED
        if error or tally.problems:
            return JobState.FAILED
        return JobState.FINISHED

    def _run_task(self, task: Task) -> None:
        self._running.wait()
        if self._abandoned is not None:
            outcomes = [
                Outcome(
                    task.op.value,
                    task.remote,
                    None,
                    NOT_ATTEMPTED,
                    ok=False,
                    source=Source.LOCAL,
                    detail=str(self._abandoned),
                )
            ]
            self._finish(task, outcomes, attempt=1)
        elif self._cancel.is_set():
            self._finish(task, [cancelled(task.op.value, task.remote)], attempt=1)
        elif (blocked := self._dependencies.blocker(task)) is not None:
            self._finish(task, [blocked], attempt=1)
        else:
            with (
                self.client.transcript.capture() as exchanges,
                self.client.watch() as watch,
                self.client.retried_by_caller(),
            ):
                with self._lock:
                    self._watches.add(watch)
                try:
                    tried = self._attempts.run(task, self._attempt_once(task))
                finally:
                    with self._lock:
                        self._watches.discard(watch)
            if tried.failure is not None:
                self._note_failure(tried.failure)
            self._finish(task, tried.outcomes, tried.attempts, exchanges)

    def _attempt_once(self, task: Task) -> Callable[[], list[Outcome]]:
        """One attempt of a task, with this job's progress, pause, cancel and bandwidth limit."""
        context = TaskContext(
            progress=self._progress_for(task),
            keep_mtime=self.options.keep_mtime,
            mtime_by_proppatch=self.options.mtime_by_proppatch,
            wait=self._cancel.wait,
        )
        return lambda: execute(self.client, task, context)

    def _note_failure(self, exc: errors.DavError) -> None:
        """Give up on the whole job when going on cannot help: bad credentials, a vanished
        server."""
        with self._lock:
            if isinstance(exc, errors.ConnectError):
                self._unreachable_streak += 1
                if self._unreachable_streak >= UNREACHABLE_AFTER:
                    self._abandoned = exc
            elif isinstance(exc, errors.AuthenticationError):
                self._abandoned = exc

    def _finish(
        self, task: Task, outcomes: list[Outcome], attempt: int, exchanges: Sequence[Exchange] = ()
    ) -> None:
        outcomes = [o if o.attempt == attempt else o.with_attempt(attempt) for o in outcomes]
        self._dependencies.ended(task, outcomes)
        if task.op is Op.MKDIR and any(o.ok and o.status == 201 for o in outcomes):
            with self._lock:
                self._created_folders.add(task.remote.rstrip("/") + "/")
        with self._lock:
            self._counts.update(outcome.outcome_class for outcome in outcomes)
            if any(o.source is not Source.TRANSPORT for o in outcomes):
                self._unreachable_streak = 0
        ok = all(o.ok for o in outcomes)
        self._tracker.task_done(task.remote, _bytes_of(task) if ok else 0)
        with self._lock:
            keep_full = not ok and self._full_exchanges_kept < FULL_EXCHANGES_KEPT
            self._full_exchanges_kept += keep_full
        kept = tuple(exchanges) if keep_full else tuple(e.slim() for e in exchanges)
        self._on_event(TaskResult(self.job.id, task, tuple(outcomes), kept))
        self._emit_progress()

    # -- progress, pause, cancel and bandwidth inside a transfer ---------------------

    def _progress_for(self, task: Task) -> ProgressCallback:
        last = [0]

        def progress(done: int, total: int | None) -> None:
            # Once every byte has gone (an upload's body is sent, a download's is on disk), a
            # cancel no longer stops anything: the request ends and reports what it did. Raising
            # here would report "cancelled" for a file the server has stored in full.
            complete = total is not None and done >= total
            if self._cancel.is_set() and not complete:
                raise Cancelled
            if not self._running.is_set():
                self._running.wait()
                if self._cancel.is_set() and not complete:
                    raise Cancelled
            delta, last[0] = done - last[0], done
            if self._throttle and delta > 0:
                self._throttle.consume(delta)  # a cancel cuts the wait short...
                if self._cancel.is_set() and not complete:
                    raise Cancelled  # ...and then stops the transfer, before the next chunk
            self._tracker.transfer(task.remote, done, total)
            self._emit_progress()

        return progress

    def _emit_progress(self, force: bool = False) -> None:
        with self._progress_lock:
            now = time.monotonic()
            if not force and now - self._last_progress < self.options.progress_interval:
                return
            self._last_progress = now
            self._on_event(self._tracker.snapshot(paused=self.paused))


def dispatch_order(stage: tuple[Task, ...], workers: int) -> tuple[Task, ...]:
    """The order a stage's tasks are taken in: the biggest transfers first where several
    workers share the stage (see _run_stage), the planner's order otherwise."""
    if workers > 1 and any(_bytes_of(task) for task in stage):
        return tuple(sorted(stage, key=_bytes_of, reverse=True))
    return stage


def _bytes_of(task: Task) -> int:
    """The bytes a task moves: its size for an upload or download, none for the rest."""
    return task.size if task.op in TRANSFERS else 0


def _mtime(path: Path) -> float | None:
    """A file's mtime for its upload; None when it cannot be read (the upload then says why)."""
    try:
        return path.stat().st_mtime
    except OSError:
        return None
