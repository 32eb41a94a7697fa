"""A sync plan as an ordinary Job, and the state database kept up to date from its results.

The Job runs on the engine like any other (its Outcomes go wherever a job's
go); SyncRecorder turns each ok TaskResult into the record of that path, so
the CLI and the GUI update the database the same way. A result that is not
ok records nothing: that path is compared afresh next time.

Stages: server folders, parents first (with the local folders to create);
then every transfer and file delete, and the first step of each conflict;
last, deleted folders, deepest first, once what was in them is gone.

A conflict never moves the server's version aside (MOVE depends on the
server reading the Destination header right, and wsgidav cuts a name at ";"
or "?": quirks.DESTINATION_CUT_AT_SEMICOLON): its first step downloads it
beside the local file, under the conflict name. Only once that has
succeeded may the local version replace it, so an uploading pair finishes
its conflicts in a second job that the front end runs after the first
(SyncRecorder.follow_up): the conflict copy goes up under its new name
(If-None-Match: *) and the local version over the server's (If-Match: the
version that was saved). A run killed between the two leaves the record
that the next plan finishes them from.
"""

from __future__ import annotations

import enum
import os
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from app.dav import Outcome, etags
from app.dav.outcome import OutcomeClass, Source
from app.jobs.conflict import Conflict
from app.jobs.model import Job, Op, Task, TaskResult
from app.jobs.naming import name_key
from app.sync.model import Action, LocalFile, PlanItem, RemoteFile, SyncPlan
from app.sync.planner import record_of
from app.sync.state import UNSYNCED, Pending, Record, StateDB


class Role(enum.Enum):
    """What a task does for its plan item, which decides what its success records."""

    UPLOAD = enum.auto()
    DOWNLOAD = enum.auto()
    DELETE = enum.auto()
    FOLDER = enum.auto()
    CONFLICT_SAVE = enum.auto()  # the server's version, downloaded beside the local one
    CONFLICT_PUT = enum.auto()  # that copy, uploaded under its name (the follow-up job)


TaskKey = tuple[str, str, str]


def task_key(task: Task) -> TaskKey:
    """Identifies a task across the copies a front end makes (adding a lock token)."""
    return task.op.value, task.remote, str(task.local)


@dataclass(frozen=True, slots=True)
class SyncJob:
    job: Job
    plan: SyncPlan
    roles: dict[TaskKey, tuple[PlanItem, Role]]


def build_job(
    plan: SyncPlan, items: Iterable[PlanItem] | None = None, name: str | None = None
) -> SyncJob:
    """The Job for the chosen items (default: all of the plan's)."""
    chosen = plan.items if items is None else tuple(items)
    builder = _Builder(plan)
    for item in chosen:
        builder.add(item)
    title = name or f"Sync {plan.local_root.name or plan.local_root} with {plan.remote_root}"
    return SyncJob(Job(title, builder.stages(), listed=plan.listed), plan, builder.roles)


class _Builder:
    def __init__(self, plan: SyncPlan) -> None:
        self.plan = plan
        self.roles: dict[TaskKey, tuple[PlanItem, Role]] = {}
        self.folders: dict[int, list[Task]] = defaultdict(list)
        self.main: list[Task] = []
        self.folder_deletes: dict[int, list[Task]] = defaultdict(list)

    def remote(self, rel: str) -> str:
        return self.plan.remote_root + rel

    def _put(self, into: list[Task], task: Task, item: PlanItem, role: Role) -> None:
        into.append(task)
        self.roles[task_key(task)] = (item, role)

    def add(self, item: PlanItem) -> None:
        depth = item.rel.count("/")
        local, remote = item.local, item.remote
        if item.action is Action.CREATE_FOLDER:
            if item.remote_side:
                task = Task(
                    Op.MKDIR, self.remote(item.rel) + "/", is_dir=True, conflict=Conflict.SKIP
                )
            else:
                assert remote is not None
                task = Task(
                    Op.DOWNLOAD,
                    remote.path + "/",
                    local=self.plan.local_root / item.rel,
                    is_dir=True,
                )
            self._put(self.folders[depth], task, item, Role.FOLDER)
        elif item.action is Action.UPLOAD:
            assert local is not None
            task = _upload(local, self.remote(item.rel), remote)
            self._put(self.main, replace(task, resumes=item.resumes), item, Role.UPLOAD)
        elif item.action is Action.DOWNLOAD:
            assert remote is not None
            self._put(
                self.main,
                _download(remote, self.plan.local_root / item.rel, local),
                item,
                Role.DOWNLOAD,
            )
        elif item.action is Action.DELETE_LOCAL:
            assert local is not None
            task = Task(
                Op.DELETE_LOCAL,
                self.remote(item.rel),
                local=local.path,
                is_dir=local.is_dir,
                size=local.size,
                mtime=local.mtime,
            )
            into = self.folder_deletes[-depth] if local.is_dir else self.main
            self._put(into, task, item, Role.DELETE)
        elif item.action is Action.DELETE_REMOTE:
            assert remote is not None
            task = Task(
                Op.DELETE,
                remote.path + ("/" if remote.is_dir else ""),
                is_dir=remote.is_dir,
                etag=remote.etag,
                exists=True,
                target_size=remote.size,
                target_modified=remote.modified,
            )
            into = self.folder_deletes[-depth] if remote.is_dir else self.main
            self._put(into, task, item, Role.DELETE)
        else:
            self._conflict(item)

    def _conflict(self, item: PlanItem) -> None:
        """The first step: the server's version downloaded beside the local one, as a new file
        (a file that appeared under that name since the scan makes it fail, and is kept)."""
        remote, beside = item.remote, item.conflict_rel
        assert remote is not None and beside is not None
        save = Task(
            Op.DOWNLOAD,
            remote.path,
            local=self.plan.local_root / beside,
            size=remote.size,
            mtime=remote.mtime,
        )
        self._put(self.main, save, item, Role.CONFLICT_SAVE)

    def finish_conflict(self, item: PlanItem) -> None:
        """The second step, once the first has succeeded: both versions on the server."""
        local, remote, beside = item.local, item.remote, item.conflict_rel
        assert local is not None and remote is not None and beside is not None
        copy = Task(
            Op.UPLOAD,
            self.remote(beside),
            local=self.plan.local_root / beside,
            size=remote.size,
            mtime=remote.mtime,
        )
        self._put(self.main, copy, item, Role.CONFLICT_PUT)
        self._put(self.main, _upload(local, remote.path, remote), item, Role.UPLOAD)

    def stages(self) -> tuple[tuple[Task, ...], ...]:
        stages = [self.folders[d] for d in sorted(self.folders)]
        stages.append(self.main)
        stages += [self.folder_deletes[d] for d in sorted(self.folder_deletes)]
        return tuple(tuple(stage) for stage in stages if stage)


def follow_up(sync_job: SyncJob, saved: Iterable[PlanItem]) -> SyncJob | None:
    """The job that finishes the conflicts whose server version is saved beside, if any.

    Only an uploading pair has one; a download-only pair keeps the local
    edit and changes nothing on the server.
    """
    plan = sync_job.plan
    items = tuple(saved)
    if not items or not plan.direction.uploads:
        return None
    builder = _Builder(plan)
    for item in items:
        builder.finish_conflict(item)
    rest = replace(plan, items=items, in_sync=(), gone=(), unpaired=(), stale=())
    name = f"{sync_job.job.name}: conflicts"
    return SyncJob(Job(name, builder.stages(), listed=plan.listed), rest, builder.roles)


def _upload(local: LocalFile, path: str, remote: RemoteFile | None) -> Task:
    """Guarded by what the scan saw: If-Match its ETag, or size and time, or If-None-Match: *."""
    if remote is None:
        return Task(Op.UPLOAD, path, local=local.path, size=local.size, mtime=local.mtime)
    no_etag = remote.etag is None
    return Task(
        Op.UPLOAD,
        path,
        local=local.path,
        size=local.size,
        mtime=local.mtime,
        exists=True,
        etag=remote.etag,
        conflict=Conflict.OVERWRITE,
        target_size=remote.size if no_etag else None,
        target_modified=remote.modified if no_etag else None,
    )


def _download(remote: RemoteFile, target: Path, local: LocalFile | None) -> Task:
    """Overwrites only the local file the scan saw (its size and time are checked first)."""
    if local is None:
        return Task(Op.DOWNLOAD, remote.path, local=target, size=remote.size, mtime=remote.mtime)
    return Task(
        Op.DOWNLOAD,
        remote.path,
        local=local.path,
        size=remote.size,
        mtime=remote.mtime,
        exists=True,
        conflict=Conflict.OVERWRITE,
        target_size=local.size,
        target_modified=local.mtime,
    )


def describe_plan(plan: SyncPlan) -> list[Outcome]:
    """The dry run: one Outcome per planned action, its reason as the description."""
    return [
        Outcome(
            item.action.value,
            plan.remote_root + item.rel + ("/" if item.is_dir else ""),
            None,
            f"would {_verb(item)}",
            ok=True,
            note=item.reason,
            source=Source.DRY_RUN,
        )
        for item in plan.items
    ]


def _verb(item: PlanItem) -> str:
    if item.action is Action.CREATE_FOLDER:
        return "create folder " + ("on the server" if item.remote_side else "locally")
    if item.action is Action.CONFLICT:
        return "keep both"
    return item.action.value


def summary(plan: SyncPlan) -> str:
    """ "3 upload (1.2 MiB), 1 delete remote" or "nothing to do"."""
    parts = [
        f"{count} {action.value}" + (f" ({_size(size)})" if size else "")
        for action, (count, size) in plan.summary().items()
    ]
    return ", ".join(parts) or "nothing to do"


def _size(value: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return str(value)


class SyncRecorder:
    """Keeps the state database in step with a running sync job.

    note() is cheap and does no I/O (a GUI thread may call it); flush() stats
    the files just written and writes the records (call it off the GUI
    thread), the records of all it was given since the last flush in one
    transaction (what a delete forgets, in one of its own).
    record() and record_many() do both, for front ends that run on their own
    thread: record_many for results that arrived together (the CLI hands it
    all that queued up while it was busy, such as a bulk upload's batch),
    which then cost one commit rather than one each.

    What a killed run leaves: the records of the results flushed before it
    died, and for the rest their pending rows (begin()), from which the next
    plan tells its own half-done transfers from someone else's files. A
    record is only ever written for an ok result, so the state never says a
    file is synced that is not; a front end that shows a result after
    recording it (the CLI) never shows one it has not recorded.
    begin() (I/O too) before the job starts; follow_up() once it has ended.
    """

    def __init__(self, state: StateDB, sync_job: SyncJob) -> None:
        self.state = state
        self.sync_job = sync_job
        self._pending: list[TaskResult] = []
        self._saved: list[PlanItem] = []
        self._cancelled = False
        self._lock = threading.Lock()
        self._flushing = threading.Lock()

    def begin(self) -> None:
        """Record what planning found already in sync, forget what is gone from both sides (or
        unpaired), settle what stale pending rows said, and note the transfers about to start."""
        plan = self.sync_job.plan
        self.state.put_many(
            ((name_key(local.rel), record_of(local, remote)) for local, remote in plan.in_sync),
            settled=plan.stale,
        )
        self.state.forget((*plan.gone, *plan.unpaired))
        transfers = (
            _pending(task, *self.sync_job.roles[task_key(task)]) for task in self.sync_job.job.tasks
        )
        self.state.start_pending(noted for noted in transfers if noted is not None)

    def note(self, result: TaskResult) -> None:
        found = self.sync_job.roles.get(task_key(result.task))
        if found is None:
            return
        with self._lock:
            self._pending.append(result)
            if found[1] is Role.CONFLICT_SAVE and result.ok:
                self._saved.append(found[0])
            self._cancelled = self._cancelled or any(
                o.outcome_class is OutcomeClass.CANCELLED for o in result.outcomes
            )

    def record(self, result: TaskResult) -> None:
        self.note(result)
        self.flush()

    def record_many(self, results: Iterable[TaskResult]) -> None:
        for result in results:
            self.note(result)
        self.flush()

    def follow_up(self) -> SyncRecorder | None:
        """The recorder of the job that finishes this one's conflicts (their server version
        now saved), or None: nothing to finish, or the run was cancelled."""
        with self._lock:
            if self._cancelled:
                return None
            saved = sorted(self._saved, key=lambda item: item.rel)
        job = follow_up(self.sync_job, saved)
        return SyncRecorder(self.state, job) if job is not None else None

    def flush(self) -> None:
        with self._flushing:
            with self._lock:
                results, self._pending = self._pending, []
            puts: list[tuple[str, Record]] = []
            settled: list[str] = []
            for result in results:
                item, role = self.sync_job.roles[task_key(result.task)]
                if _answered(result):
                    settled.append(_key(item, role))
                if not result.ok:
                    continue
                if role is Role.DELETE:
                    self.state.forget([name_key(item.rel)], below=item.is_dir)
                    continue
                entry = _record(item, role, result)
                if entry is not None:
                    puts.append(entry)
            if puts or settled:
                self.state.put_many(puts, settled)


def _answered(result: TaskResult) -> bool:
    """Whether the transfer ended cleanly: not cancelled or cut off, where a fragment may remain."""
    return not any(
        o.outcome_class is OutcomeClass.CANCELLED or o.source is Source.TRANSPORT
        for o in result.outcomes
    )


def _key(item: PlanItem, role: Role) -> str:
    """The path a task records: the conflict copy's for its upload, else the item's."""
    if role is Role.CONFLICT_PUT:
        assert item.conflict_rel is not None
        return name_key(item.conflict_rel)
    return name_key(item.rel)


def _pending(task: Task, item: PlanItem, role: Role) -> tuple[str, Pending] | None:
    """What an upload sends (the local version) or a download fetches (the server's); None
    for a task that transfers no file's content, or whose file is gone (it fails anyway)."""
    if role not in (Role.UPLOAD, Role.DOWNLOAD, Role.CONFLICT_PUT):
        return None
    if role is Role.CONFLICT_PUT:  # the copy the first job saved, as it is on the disk now
        stored = _stat(task)
        return None if stored is None else (_key(item, role), Pending(True, *stored, None))
    local, remote = item.local, item.remote
    return _key(item, role), Pending(
        role is Role.UPLOAD,
        local.size if local else -1,
        local.mtime_ns if local else 0,
        etags.normal(remote.etag) if remote else None,
    )


def _record(item: PlanItem, role: Role, result: TaskResult) -> tuple[str, Record] | None:
    """The record a successful task leaves for its path, or None when there is none (yet)."""
    local, remote, key = item.local, item.remote, _key(item, role)
    etag = etags.normal(next((o.etag for o in result.outcomes if o.etag), None))
    if role is Role.FOLDER:
        return key, Record(True, 0, local.mtime_ns if local else 0, 0, None, None)
    if role is Role.UPLOAD:
        assert local is not None
        return key, Record(
            False, local.size, local.mtime_ns, local.size, float(int(local.mtime)), etag
        )
    stored = _stat(result.task)
    if stored is None:
        return None
    size, mtime_ns = stored
    if role is Role.CONFLICT_PUT:  # the saved copy, now on both sides
        return key, Record(False, size, mtime_ns, size, float(mtime_ns // 10**9), etag)
    assert remote is not None
    if role is Role.DOWNLOAD:
        return key, Record(
            False, size, mtime_ns, remote.size, remote.mtime, etags.normal(remote.etag)
        )
    # CONFLICT_SAVE: the local edit stays unsynced, so it is never overwritten by the
    # server's version; an uploading pair's follow-up job then sends it up.
    return key, Record(False, UNSYNCED, 0, remote.size, remote.mtime, etags.normal(remote.etag))


def _stat(task: Task) -> tuple[int, int] | None:
    assert task.local is not None
    try:
        found = os.stat(task.local)
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns
