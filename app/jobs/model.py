"""The job engine's data: tasks, jobs, and the events a running job reports.

Everything here is immutable, because it crosses threads: workers create
events, and front ends (the CLI, the GUI's Qt adapter) consume them on
their own threads. One callback contract, ``on_event(JobEvent)``, carries all
of it.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from app.dav import Outcome
from app.dav.outcome import Tally
from app.dav.transcript import Exchange
from app.jobs.conflict import Conflict


class Op(enum.StrEnum):
    """What a task does; the values are the Outcome ``op`` names."""

    DELETE = "delete"
    COPY = "copy"
    MOVE = "move"
    MKDIR = "mkcol"
    UPLOAD = "put"
    DOWNLOAD = "get"
    DELETE_LOCAL = "delete-local"  # sync: a local file or empty folder, deleted on the server
    RESTORE = "restore"  # a trash bin item put back: MOVE to destination (Nextcloud's restore/)
    EMPTY = "empty"  # a trash bin emptied: DELETE of the collection, which stays


#: The operations that move a file's bytes: a task's size counts toward its job's progress
#: (bytes done, rates, time left) only for these.
TRANSFERS = frozenset({Op.UPLOAD, Op.DOWNLOAD})


@dataclass(frozen=True, slots=True)
class Task:
    """One unit of work on one resource; a retry re-runs exactly this.

    remote: the resource acted on (deleted, copied or moved from, created,
    uploaded to, downloaded from). local: the upload source or download
    target. etag/exists: what planning saw of the target, the basis of the
    lost-update guard; target_size/target_modified stand in for etag when
    the server gave none (its size and getlastmodified, seconds since the
    epoch). Sync also guards a delete with them (only the version it saw
    is deleted) and a download over a local file (target_size and
    target_modified are then that file's size and st_mtime). mtime: for a download, the
    remote file's modification time, to
    give the local copy; for an upload, the local file's as planned (the
    upload sends the time the file has when it is read, the time of the
    content actually sent). refusal: set, with local None, for a download
    that must not be written (an unsafe name, a tree too deep to hold).
    """

    op: Op
    remote: str
    local: Path | None = None
    destination: str | None = None
    is_dir: bool = False
    size: int = 0
    etag: str | None = None
    exists: bool = False
    conflict: Conflict = Conflict.ASK
    lock_token: str | None = None
    mtime: float | None = None
    target_size: int | None = None
    target_modified: float | None = None
    refusal: str | None = None  # why planning refused it: it ends failed, saying so
    #: Why it cannot be attempted (its folder could not be listed): it ends "not attempted".
    blocked: str | None = None
    #: An upload sent again after a run that was sending this local version never heard back:
    #: on a 412, a server file that is still the start of ours is that attempt's (own_upload.py).
    resumes: bool = False

    def with_policy(self, conflict: Conflict | None = None, lock_token: str | None = None) -> Task:
        return replace(
            self, conflict=conflict or self.conflict, lock_token=lock_token or self.lock_token
        )


class _JobNumbers:
    """Numbers jobs 1, 2, 3... in the order they are made: the one counter of the process.

    Shared on purpose and safe to share: a job's id only has to differ from
    every other job's that a front end may see at once (events are matched
    to their job by it: the results pane, the jobs panel, a job's bridge),
    and one process runs windows, their drags, the CLI's jobs and the
    background sync's side by side. It holds nothing a caller can set or
    reset, so no code can change what another gets, and the lock makes
    each number given once whatever the thread (not only under the GIL).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def next(self) -> int:
        with self._lock:
            self._last += 1
            return self._last


_job_numbers = _JobNumbers()


@dataclass(frozen=True, slots=True)
class Job:
    """A named piece of work: stages of tasks, each stage finished before the next starts.

    Stages exist for folder trees: the folders must be created (parents
    first) before the files inside them are uploaded in parallel.

    listed: the server folders planning listed, each with the time.monotonic() at which
    its listing was asked for. A new file planned from such a listing was absent then; a
    bulk upload, which cannot say If-None-Match, trusts that while the listing is recent
    (runner.LISTING_TRUSTED_FOR) instead of listing the folder again.
    """

    name: str
    stages: tuple[tuple[Task, ...], ...]
    id: int = field(default_factory=_job_numbers.next)
    listed: Mapping[str, float] = field(default_factory=dict, compare=False)

    @property
    def tasks(self) -> tuple[Task, ...]:
        return tuple(task for stage in self.stages for task in stage)

    @property
    def bytes_total(self) -> int:
        return sum(task.size for task in self.tasks if task.op in TRANSFERS)


class JobState(enum.StrEnum):
    """How a job ended: exactly one of these, also when a task raised."""

    FINISHED = "finished"  # every task ran and every Outcome is ok
    FAILED = "failed"  # some Outcome failed, or the job could not go on
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class TaskResult:
    """A task and the Outcomes it ended in (several for a collection answered by a 207).

    exchanges: the requests the task made, every attempt, in order: the raw
    answers behind its Outcomes. Headers and bodies are kept only when the
    task failed (that is when someone reads them); a 100,000-file job that
    went well keeps just the request and status lines.
    """

    job_id: int
    task: Task
    outcomes: tuple[Outcome, ...]
    exchanges: tuple[Exchange, ...] = ()

    @property
    def ok(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes)


@dataclass(frozen=True, slots=True)
class Transfer:
    """One file in flight."""

    path: str
    bytes_done: int
    bytes_total: int


@dataclass(frozen=True, slots=True)
class JobProgress:
    job_id: int
    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    rate: float  # bytes per second, smoothed
    eta: float | None  # seconds, from both rates (see progress.py)
    transfers: tuple[Transfer, ...]
    paused: bool
    files_rate: float | None = None  # files per second, smoothed; None until measured
    fraction: float = 0.0  # of the job's time that is done: what a progress bar shows


@dataclass(frozen=True, slots=True)
class JobEnded:
    """How a job ended. ok counts done and skipped, failed every other problem but a cancel;
    tally has each class apart, for the words every front end shows."""

    job_id: int
    state: JobState
    ok: int
    failed: int
    cancelled: int
    error: str | None = None  # why the job could not go on, if it could not
    tally: Tally = field(default_factory=Tally)

    @classmethod
    def of(cls, job_id: int, state: JobState, tally: Tally, error: str | None = None) -> JobEnded:
        problems = tally.failed + tally.conflicts + tally.unconfirmed
        return cls(
            job_id, state, tally.done + tally.skipped, problems, tally.cancelled, error, tally
        )


JobEvent = JobProgress | TaskResult | JobEnded
EventCallback = Callable[[JobEvent], None]
