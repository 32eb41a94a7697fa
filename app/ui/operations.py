"""From what the user selected to a running job, and from its end back to the window.

Planning looks at the server (and the disk), so it runs in the background
like the job itself. Conflicts are settled before anything is written: the
job is planned with Conflict.ASK, and if any target already exists the user
chooses, with both sides' sizes and dates in view (conflict_question.py),
overwrite, overwrite if newer or if different, skip or keep both, for each or
for all, and each task takes its choice (still guarded by what planning saw).
Whatever still collides when the job runs ends as a 412 Outcome and is shown
with the other failures.

What adds to a folder (New Folder, Upload, a drop, Paste) first asks the
server whether the folder lets the user add such things (permissions.require);
a refusal is said in words before anything is sent.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from app.dav import DavClient, Resource
from app.dav.paths import join, parent, same_resource
from app.jobs.conflict import Conflict
from app.jobs.model import Job, JobEnded, JobProgress, Op, Task, TaskResult
from app.jobs.runner import JobOptions
from app.ui import prompts
from app.ui.background import Background
from app.ui.job_bridge import JobBridge
from app.ui.locks import LockKeeper
from app.ui.messages import readable, summary
from app.ui.models.listing_cache import with_kept_mtimes
from app.ui.permissions import CREATE_FOLDER, needed_inside, require

if TYPE_CHECKING:  # the planner and the conflict question load when a job is first planned
    from app.ui.conflict_question import Sides

Planner = Callable[[Conflict], Job]
#: Jobs running at once; more wait in the queue. Two, as in Cyberduck's transfer queue:
#: a quick delete need not wait for a long upload; the window's client keeps a connection
#: for each of their workers and for its own pool (app.ui.app.CONNECTIONS).
MAX_RUNNING_JOBS = 2


@dataclass(frozen=True, slots=True)
class Clipboard:
    op: Op  # COPY or MOVE
    resources: tuple[Resource, ...]


def _conflicts(job: Job) -> list[Task]:
    """Tasks whose target exists; folders a job merges into (upload, download) are not conflicts."""
    return [
        t
        for t in job.tasks
        if t.exists
        and t.op in (Op.COPY, Op.MOVE, Op.UPLOAD, Op.DOWNLOAD)
        and not (t.is_dir and t.op is Op.DOWNLOAD)
    ]


class Operations(QObject):
    folders_changed = Signal(list)  # server folders whose contents a job changed
    message = Signal(str)  # a line for the status bar
    clipboard_changed = Signal()
    job_added = Signal(object, str, bool)  # JobBridge, its name, queued

    def __init__(
        self,
        client: DavClient,
        background: Background,
        workers: int,
        window: QWidget,
        *,
        keep_mtime: bool = False,
    ) -> None:
        super().__init__(window)
        self._client = client
        self._background = background
        self._options = JobOptions(workers=workers, mtime_by_proppatch=keep_mtime)
        #: What happens to targets that exist: ASK puts the conflict question.
        self.default_conflict = Conflict.ASK
        self._limits = (0, 0)  # upload, download: bytes a second, 0 for none
        self._window = window
        self._running: set[JobBridge] = set()
        self._queue: deque[JobBridge] = deque()
        self._failure_boxes: list[QMessageBox] = []
        self.clipboard: Clipboard | None = None
        self.locks = LockKeeper(client, background, self.message, self)

    def cancel_all(self) -> None:
        """Stop everything: running jobs cancel; queued ones never start (nothing was sent)."""
        self._queue.clear()
        for bridge in list(self._running):
            bridge.cancel()

    def close(self) -> None:
        """The window closes: cancel everything, and let no job report to it any more."""
        running = list(self._running)
        self.cancel_all()
        for bridge in running:
            bridge.detach()

    # -- the operations -----------------------------------------------------------

    def new_folder(self, folder: str, name: str) -> None:
        path = join(folder, name)

        def plan(_: Conflict) -> Job:
            from app.jobs.planner import plan_mkdir

            require(self._client, folder, CREATE_FOLDER)
            return plan_mkdir([path])

        self._run(f"Create folder {name}", plan, [folder], ask=False)

    def rename(self, resource: Resource, name: str) -> None:
        """A MOVE to an exact name; an existing name is a conflict shown, never replaced."""
        target = join(parent(resource.path), name)

        def plan(_: Conflict) -> Job:
            from app.jobs.planner import plan_transfer_as

            return plan_transfer_as(Op.MOVE, self._client, resource, target, Conflict.ASK)

        self._run(f"Rename {resource.name} to {name}", plan, [parent(resource.path)], ask=False)

    def delete(self, resources: Sequence[Resource]) -> None:
        folders = sorted({parent(r.path) for r in resources})

        def plan(_: Conflict) -> Job:
            from app.jobs.planner import plan_delete

            return plan_delete(self._client, resources)

        self._run(_name("Delete", resources), plan, folders, ask=False)

    def put_on_clipboard(self, op: Op, resources: Sequence[Resource]) -> None:
        self.clipboard = Clipboard(op, tuple(resources))
        verb = "Copied" if op is Op.COPY else "Cut"
        self.message.emit(f"{verb} {prompts.count(resources)}: paste them into another folder")
        self.clipboard_changed.emit()

    def paste(self, folder: str) -> None:
        clip = self.clipboard
        if clip is None:
            return
        resources = clip.resources
        here = [r for r in resources if same_resource(parent(r.path), folder)]
        if clip.op is Op.MOVE:
            resources = tuple(r for r in resources if r not in here)
            if not resources:
                self.message.emit("Nothing to move: the items are already in this folder")
                return
            self.clipboard = None  # a cut is pasted once, as in a file manager
            self.clipboard_changed.emit()
        changed = sorted({folder, *(parent(r.path) for r in resources)})
        verb = "Copy" if clip.op is Op.COPY else "Move"
        # Pasting a copy into its own folder makes a duplicate ("name (2)"), as file managers do.
        duplicate = clip.op is Op.COPY and len(here) == len(resources)
        letters = needed_inside(r.is_dir for r in resources)

        def plan(conflict: Conflict) -> Job:
            from app.jobs.planner import plan_copy, plan_move

            planner = plan_copy if clip.op is Op.COPY else plan_move
            require(self._client, folder, letters)
            return planner(
                self._client, resources, folder, Conflict.RENAME if duplicate else conflict
            )

        self._run(_name(verb, resources), plan, changed, ask=not duplicate)

    def upload(self, paths: Sequence[Path], folder: str) -> None:
        def plan(conflict: Conflict) -> Job:
            from app.jobs.planner import plan_upload

            require(self._client, folder, needed_inside(path.is_dir() for path in paths))
            return plan_upload(self._client, paths, folder, conflict)

        self._run(_name("Upload", paths), plan, [folder], ask=True)

    def download(self, resources: Sequence[Resource], local_folder: Path) -> None:
        def plan(conflict: Conflict) -> Job:
            from app.jobs.planner import plan_download

            described = with_kept_mtimes(self._client, resources)
            return plan_download(self._client, described, local_folder, conflict)

        self._run(_name("Download", resources), plan, [], ask=True)

    # -- planning, asking, running ---------------------------------------------------

    def _run(self, name: str, plan: Planner, changed: list[str], *, ask: bool) -> None:
        self.message.emit(f"{name}: looking at the targets…")
        self._background.submit(
            lambda: plan(Conflict.ASK),
            lambda job, error: self._planned(name, plan, changed, ask, job, error),
        )

    def _planned(
        self,
        name: str,
        plan: Planner,
        changed: list[str],
        ask: bool,
        job: Job | None,
        error: BaseException | None,
    ) -> None:
        if error is not None or job is None:
            self._report_error(name, error)
            return
        conflicts = _conflicts(job) if ask else []
        if not conflicts:
            self.start_job(name, job, changed)
            return
        from app.ui import conflict_question

        self._background.submit(
            lambda: conflict_question.sides(self._client, conflicts),
            lambda found, err: self._decide(name, job, changed, found, err),
        )

    def _decide(
        self,
        name: str,
        job: Job,
        changed: list[str],
        found: list[Sides] | None,
        error: BaseException | None,
    ) -> None:
        """Each existing target's fate: the default the preferences name, or the user's."""
        if error is not None or found is None:
            self._report_error(name, error)
            return
        if self.default_conflict is not Conflict.ASK:
            choices = {s.task: s.settled(self.default_conflict) for s in found}
        else:
            from app.ui import conflict_question

            asked = conflict_question.ask(self._window, found, len(job.tasks))
            if asked is None:
                self.message.emit(f"{name}: cancelled, nothing was changed")
                return
            choices = asked
        stages = tuple(
            tuple(
                replace(task, conflict=choices[task]) if task in choices else task for task in stage
            )
            for stage in job.stages
        )
        self.start_job(name, replace(job, stages=stages), changed)

    def start_job(
        self,
        name: str,
        job: Job,
        changed: list[str],
        on_result: Callable[[TaskResult], None] | None = None,
    ) -> None:
        """Run a job now, or queue it behind the running ones; its events go to job_added's
        listeners (the jobs panel, the results pane) as well as to the status bar, and each
        TaskResult to on_result (on the GUI thread)."""
        job = replace(
            job,
            stages=tuple(tuple(self.locks.submit_token(t) for t in stage) for stage in job.stages),
        )
        bridge = JobBridge(self._client, job, self._options_for(job), self)
        if on_result is not None:
            bridge.task_done.connect(on_result)
        bridge.progress.connect(lambda p: self._progress(name, p))
        bridge.task_done.connect(self._task_done)
        bridge.ended.connect(lambda ended: self._ended(bridge, name, ended, changed))
        queued = len(self._running) >= MAX_RUNNING_JOBS
        self.job_added.emit(bridge, name, queued)
        if queued:
            self._queue.append(bridge)
            bridge.cancel_requested.connect(lambda: self._start_cancelled(bridge))
            self.message.emit(f"{name}: queued")
        else:
            self._run_now(bridge)

    def use(self, workers: int, upload_limit: int, download_limit: int, conflict: Conflict) -> None:
        """The preferences for jobs started from now on: parallel transfers, the bandwidth
        limits (bytes a second; 0: none) and the default conflict action."""
        self._options = replace(self._options, workers=workers)
        self._limits = (upload_limit, download_limit)
        self.default_conflict = conflict

    def _options_for(self, job: Job) -> JobOptions:
        """The limit of the job's direction: uploads the upload limit, downloads the other."""
        ops = {task.op for task in job.tasks}
        limit = (
            self._limits[0] if Op.UPLOAD in ops else self._limits[1] if Op.DOWNLOAD in ops else 0
        )
        return replace(self._options, limit_rate=limit or None)

    def _run_now(self, bridge: JobBridge) -> None:
        self._running.add(bridge)
        bridge.start()

    def _start_cancelled(self, bridge: JobBridge) -> None:
        """A queued job cancelled: it runs at once, every file reported as cancelled."""
        if bridge in self._queue:
            self._queue.remove(bridge)
            self._run_now(bridge)

    def _progress(self, name: str, progress: JobProgress) -> None:
        self.message.emit(f"{name}: {progress.files_done} of {progress.files_total} done…")

    def _task_done(self, result: TaskResult) -> None:
        if result.ok and result.task.op in (Op.DELETE, Op.MOVE):
            self.locks.forget_below(result.task.remote)

    def _ended(self, bridge: JobBridge, name: str, ended: JobEnded, changed: list[str]) -> None:
        self._running.discard(bridge)
        bridge.deleteLater()
        self.message.emit(summary(name, ended))
        if changed:
            self.folders_changed.emit(changed)
        while self._queue and len(self._running) < MAX_RUNNING_JOBS:
            self._run_now(self._queue.popleft())

    # -- telling the user ---------------------------------------------------------------

    def _report_error(self, name: str, error: BaseException | None) -> None:
        text = readable(error) if error else "nothing to do"
        self.message.emit(f"{name}: {text}")
        self._open_box(f"{name} failed", text)

    def _open_box(self, title: str, text: str) -> None:
        """Window-modal but not blocking: the window goes on refreshing behind it.

        Only for a job that could not even be planned: a job that ran shows
        its failures in the results pane, file by file.
        """
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Close, self._window
        )
        box.setObjectName("planningFailed")
        box.finished.connect(lambda _: self._failure_boxes.remove(box))
        self._failure_boxes.append(box)
        box.open()


def _name(verb: str, items: Sequence[Resource] | Sequence[Path]) -> str:
    if len(items) == 1:
        return f"{verb} {items[0].name}"
    return f"{verb} {prompts.count(items)}"
