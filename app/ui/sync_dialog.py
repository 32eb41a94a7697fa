"""Sync Folder: choose a pair, preview the plan as a checklist, run it as a job.

Scanning and planning read the server and the disk, so they run on the
Background pool (Stop, or closing the dialog, ends them); so do the state
database's writes. The preview (objectName syncPreview, a SyncPreviewModel)
groups the plan by action, each group with its count and bytes, and every
item can be unticked: unticked items are left for the next sync. The run is
an ordinary job started through Operations.start_job, so its Outcomes go
wherever every job's go; each result (from the job's bridge, announced by
Operations.job_added before it starts) is noted as it arrives and written
to the state database off the GUI thread (SyncRecorder decides what an ok
Outcome records). Conflicts of an uploading pair finish in a second job,
started once the first has ended (see app/sync/job.py).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.config.bookmarks import Bookmark, BookmarkStore, SyncPair
from app.config.pairs import PairStore, SavedPair
from app.dav import DavClient
from app.jobs.model import TaskResult
from app.sync import Action, PlanItem, StateDB, SyncPlan, state_file
from app.sync.direction import Direction
from app.sync.guard import MassDelete
from app.sync.ignore import IgnoreRules
from app.sync.job import SyncRecorder, build_job
from app.sync.planner import plan_pair
from app.sync.retrying import PlanningCancelled, Stop
from app.ui.background import Background
from app.ui.job_bridge import JobBridge
from app.ui.messages import readable
from app.ui.models.file_table import human_size
from app.ui.operations import Operations
from app.ui.sync_preview import SyncPreviewModel

log = logging.getLogger(__name__)

DIRECTIONS = [
    (Direction.BOTH, "Two-way"),
    (Direction.UP, "Upload changes only"),
    (Direction.DOWN, "Download changes only"),
]


class SyncDialog(QDialog):
    """Not modal to the job: once started, the job runs on and the dialog closes."""

    def __init__(
        self,
        client: DavClient,
        background: Background,
        operations: Operations,
        data_dir: Path,
        bookmarks: BookmarkStore,
        remote_folder: str,
        parent: QWidget | None = None,
        *,
        pairs: PairStore | None = None,
    ) -> None:
        """pairs: where a pair that was run is saved, for background sync to keep it in step."""
        super().__init__(parent)
        self.setObjectName("syncDialog")
        self.setWindowTitle("Sync Folder")
        self._client = client
        self._background = background
        self._operations = operations
        self._data_dir = data_dir
        self._bookmarks = bookmarks
        self._pairs = pairs
        self._bookmark: Bookmark | None = None
        self._plan: SyncPlan | None = None
        self._state: StateDB | None = None
        self._stop: Stop | None = None  # the planning under way, if any
        #: The user's word on deletes of every synced file of one side, for the next preview.
        self._word = MassDelete.HOLD
        self._closed = False  # the dialog deletes itself on close; late callbacks check this

        self.pairs = QComboBox(self)
        self.pairs.setObjectName("syncPairs")
        self.pairs.addItem("New pair")
        self.local = QLineEdit(self)
        self.local.setObjectName("syncLocal")
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        self.remote = QLineEdit(remote_folder, self)
        self.remote.setObjectName("syncRemote")
        self.direction = QComboBox(self)
        self.direction.setObjectName("syncDirection")
        for value, label in DIRECTIONS:
            self.direction.addItem(label, value.value)
        self.preview_button = QPushButton("&Preview", self)
        self.preview_button.setObjectName("syncPlanButton")
        self.preview_button.clicked.connect(self.plan)
        self.stop_button = QPushButton("S&top", self)
        self.stop_button.setObjectName("syncStop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        # Shown when the preview holds back the deletes of every synced file (guard.py): a
        # preview again with the user's word lists them to run, or the files to copy back.
        self.allow_button = QPushButton("&Delete Here Too", self)
        self.allow_button.setObjectName("syncAllowDeletes")
        self.allow_button.clicked.connect(lambda: self._plan_with(MassDelete.ALLOW))
        self.restore_button = QPushButton("&Restore Files", self)
        self.restore_button.setObjectName("syncRestoreFiles")
        self.restore_button.clicked.connect(lambda: self._plan_with(MassDelete.RESTORE))
        self._show_word(None)
        self.preview_model = SyncPreviewModel(self)
        self.preview_model.ticked.connect(self._ticked)
        self.preview = QTreeView(self)
        self.preview.setObjectName("syncPreview")
        self.preview.setUniformRowHeights(True)  # 100,000 rows: no row is measured
        self.preview.setModel(self.preview_model)
        self.preview.setColumnWidth(0, 320)
        self.preview.setColumnWidth(1, 320)
        self.status = QLabel(
            "Choose a local folder, then Preview: nothing runs before you confirm.", self
        )
        self.status.setObjectName("syncStatus")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.run_button = self.buttons.addButton("&Sync", QDialogButtonBox.ButtonRole.AcceptRole)
        self.run_button.setObjectName("syncRun")
        self.run_button.setEnabled(False)
        self.buttons.accepted.connect(self.run)
        self.buttons.rejected.connect(self.reject)

        folder_row = QHBoxLayout()
        folder_row.addWidget(self.local, 1)
        folder_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Saved pair:", self.pairs)
        form.addRow("Local folder:", folder_row)
        form.addRow("Server folder:", self.remote)
        form.addRow("Direction:", self.direction)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        plan_row = QHBoxLayout()
        plan_row.addWidget(self.preview_button)
        plan_row.addWidget(self.stop_button)
        plan_row.addWidget(self.allow_button)
        plan_row.addWidget(self.restore_button)
        plan_row.addStretch(1)
        layout.addLayout(plan_row)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.setMinimumSize(640, 420)  # explicit: see MainWindow
        self.resize(820, 560)
        self.pairs.activated.connect(self._pair_chosen)
        background.submit(self._find_bookmark, self._bookmark_found)
        self.finished.connect(self._finished)

    # -- saved pairs ---------------------------------------------------------------------------

    def _find_bookmark(self) -> Bookmark | None:
        """The bookmark of this connection's server, whose pairs are offered and saved."""
        return next(
            (
                b
                for b in self._bookmarks.load()
                if b.url.rstrip("/") == self._client.base_url.rstrip("/")
            ),
            None,
        )

    def _bookmark_found(self, bookmark: Bookmark | None, error: BaseException | None) -> None:
        self._bookmark = bookmark if error is None else None
        for pair in bookmark.sync_pairs if bookmark else ():
            self.pairs.addItem(f"{pair.local} ⇄ {pair.remote}", pair)

    def _pair_chosen(self, index: int) -> None:
        pair = self.pairs.itemData(index)
        if isinstance(pair, SyncPair):
            self.local.setText(pair.local)
            self.remote.setText(pair.remote)
            self.direction.setCurrentIndex(max(0, self.direction.findData(pair.direction)))

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Local folder to sync", self.local.text())
        if folder:
            self.local.setText(folder)

    # -- planning ------------------------------------------------------------------------------

    def plan(self) -> None:
        local, remote = Path(self.local.text().strip()), self.remote.text().strip()
        if not self.local.text().strip() or not remote:
            self.status.setText("Choose a local folder and a server folder first.")
            return
        direction = Direction(self.direction.currentData())
        word, self._word = self._word, MassDelete.HOLD  # for this preview only
        self._show_word(None)
        self.preview_button.setEnabled(False)
        self.run_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.status.setText("Looking at both sides…")
        stop = self._stop = Stop()
        self._background.submit(
            lambda: self._scan(local, remote, direction, stop, word), self._planned
        )

    def _plan_with(self, word: MassDelete) -> None:
        self._word = word
        self.plan()

    def _show_word(self, plan: SyncPlan | None) -> None:
        """The two buttons, while the plan holds deletes back; named for the side they delete."""
        held = plan is not None and bool(plan.held)
        local = held and plan is not None and plan.held[0].action is Action.DELETE_LOCAL
        self.allow_button.setText(
            "&Delete Here Too" if local or not held else "&Delete on Server Too"
        )
        self.allow_button.setVisible(held)
        self.restore_button.setVisible(held)

    def stop(self) -> None:
        """End the planning under way: its waits end, its requests are cut off."""
        if self._stop is not None:
            self._stop.set()
            self.stop_button.setEnabled(False)
            self.status.setText("Stopping…")

    def _scan(
        self, local: Path, remote: str, direction: Direction, stop: Stop, word: MassDelete
    ) -> tuple[SyncPlan, StateDB]:
        """On a pool thread: the pair's state database, both scans and the plan."""
        if not local.is_dir():
            raise FileNotFoundError(f"{local} is not a folder")
        state = StateDB(state_file(self._data_dir, local, self._client.url(remote)))
        try:
            plan = plan_pair(
                self._client,
                local,
                remote,
                direction,
                state,
                IgnoreRules.for_folder(local),
                stop=stop,
                mass_delete=word,
            )
        except BaseException:
            state.close()
            raise
        return plan, state

    def _planned(
        self, result: tuple[SyncPlan, StateDB] | None, error: BaseException | None
    ) -> None:
        self._stop = None
        if self._closed:
            if result is not None:
                self._background.submit(result[1].close, lambda _, __: None)
            return
        self.preview_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        if isinstance(error, PlanningCancelled):
            self.status.setText("Preview stopped: nothing was planned, nothing changed.")
            return
        if error is not None or result is None:
            self.status.setText(f"Cannot sync: {readable(error) if error else 'nothing planned'}")
            return
        self._close_unused_state()
        self._plan, self._state = result
        self._show(self._plan)

    def _show(self, plan: SyncPlan) -> None:
        self.preview_model.show(plan)
        self._show_word(plan)
        for row in range(self.preview_model.rowCount()):  # the groups: their rows show
            self.preview.setExpanded(self.preview_model.index(row, 0), True)
        self._ticked()

    def _ticked(self) -> None:
        """The run button and the status line (each group's own line is the model's)."""
        chosen = any(ticked for ticked, _, _ in self.preview_model.totals().values())
        self.run_button.setEnabled(chosen or bool(self._plan and self._plan.in_sync))
        if self._plan is not None:
            nothing = not self._plan.items
            self.status.setText(
                ("Both sides are in sync: nothing to do." if not self._plan.held else "")
                if nothing
                else f"Plan: {_totals(self._plan)}. Untick what should wait; "
                "nothing runs before Sync."
            )
            if self._plan.held:
                local = self._plan.held[0].action is Action.DELETE_LOCAL
                where = ("on the server", "here") if local else ("here", "on the server")
                self.status.setText(
                    f"Every synced file was deleted {where[0]}: none is deleted {where[1]} "
                    f"without your word. {self.allow_button.text().replace('&', '')} lists "
                    "the deletes to run, Restore Files the files to copy back. "
                    + self.status.text()
                )

    def chosen(self) -> list[PlanItem]:
        return self.preview_model.chosen()

    # -- running ---------------------------------------------------------------------------------

    def run(self) -> None:
        plan, state = self._plan, self._state
        if plan is None or state is None:
            return
        self._state = None  # the run owns it now, and closes it
        recorder = SyncRecorder(state, build_job(plan, self.chosen()))
        self._background.submit(recorder.begin, lambda _, error: self._begun(recorder, error))
        self._remember_pair(plan)
        self.run_button.setEnabled(False)

    def _begun(self, recorder: SyncRecorder, error: BaseException | None) -> None:
        """The records planning could write are written: now the job, watched from the start."""
        if error is not None:
            self._background.submit(recorder.state.close, lambda _, __: None)
            if not self._closed:
                self.status.setText(f"Cannot sync: {readable(error)}")
            return
        sync_job = recorder.sync_job
        _RecordedRun(recorder, self._background, self._operations, self._pair_saver(sync_job.plan))
        if sync_job.job.tasks:  # confirmed with Sync: it runs even if the dialog has gone since
            self._operations.start_job(sync_job.job.name, sync_job.job, [sync_job.plan.remote_root])
        if not self._closed:
            self.accept()

    def _remember_pair(self, plan: SyncPlan) -> None:
        bookmark = self._bookmark
        pair = SyncPair(str(plan.local_root), plan.remote_root, plan.direction.value)
        if bookmark is None or pair in bookmark.sync_pairs:
            return
        others = tuple(
            p for p in bookmark.sync_pairs if (p.local, p.remote) != (pair.local, pair.remote)
        )
        updated = replace(bookmark, sync_pairs=(*others, pair))
        self._background.submit(lambda: self._bookmarks.update(updated), lambda _, __: None)

    def _pair_saver(self, plan: SyncPlan) -> Callable[[], None] | None:
        """Once the run is over (so background sync never runs beside it): the pair saved,
        unless it is saved already or overlaps another pair (said in the log)."""
        store = self._pairs
        if store is None:
            return None
        pair = SavedPair(
            "",
            str(plan.local_root),
            self._client.url(plan.remote_root),
            plan.direction.value,
            bookmark=self._bookmark.name if self._bookmark else None,
        )

        def save() -> None:
            why = store.overlap(pair)
            if why is not None:
                log.info("The sync was not saved as a folder pair: %s", why)
                return
            store.add(dataclasses.replace(pair, name=store.unique_name(pair.local)))

        return save

    def _finished(self) -> None:
        self._closed = True
        if self._stop is not None:
            self._stop.set()  # planning for a dialog that is gone
        self._close_unused_state()

    def _close_unused_state(self) -> None:
        state, self._state = self._state, None
        if state is not None:
            self._background.submit(state.close, lambda _, __: None)


def _totals(plan: SyncPlan) -> str:
    return ", ".join(
        f"{count} {action.value}" + (f" ({human_size(size)})" if size else "")
        for action, (count, size) in plan.summary().items()
    )


class _RecordedRun(QObject):
    """Feeds a sync job's results to its recorder, and writes them off the GUI thread.

    Parented to Operations so it outlives the dialog. Once every task has
    reported and the last write is done, it starts the job that finishes
    the conflicts (with a _RecordedRun of its own, which the state database
    passes to), or closes the database; then it deletes itself.
    """

    def __init__(
        self,
        recorder: SyncRecorder,
        background: Background,
        operations: Operations,
        after: Callable[[], None] | None = None,
    ) -> None:
        """after: run on the pool once the last job of the sync has ended."""
        super().__init__(operations)
        self._recorder = recorder
        self._after = after
        self._background = background
        self._operations = operations
        self._job_id = recorder.sync_job.job.id
        self._left = len(recorder.sync_job.job.tasks)
        self._writing = False
        self._noted_since_write = False
        operations.job_added.connect(self._job_added)
        if not self._left:
            self._write()

    def _job_added(self, bridge: JobBridge, name: str, queued: bool) -> None:
        """Emitted before the job starts, so no result can be missed."""
        if bridge.job.id == self._job_id:
            bridge.task_done.connect(self._task_finished)

    def _task_finished(self, result: TaskResult) -> None:
        self._recorder.note(result)
        self._left -= 1
        self._noted_since_write = True
        if not self._writing:
            self._write()

    def _write(self) -> None:
        self._writing, self._noted_since_write = True, False
        if self._left:
            self._background.submit(self._recorder.flush, lambda _, __: self._written())
        else:
            self._background.submit(self._last_write, self._ended)

    def _written(self) -> None:
        self._writing = False
        if self._noted_since_write or self._left == 0:
            self._write()

    def _last_write(self) -> SyncRecorder | None:
        """Off the GUI thread: the last records, then the next job's begin() or the close."""
        self._recorder.flush()
        follow_up = self._recorder.follow_up()
        if follow_up is None:
            self._recorder.state.close()
        else:
            follow_up.begin()
        return follow_up

    def _ended(self, follow_up: SyncRecorder | None, error: BaseException | None) -> None:
        if error is not None:
            self._background.submit(self._recorder.state.close, lambda _, __: None)
        elif follow_up is not None:
            job = follow_up.sync_job.job
            _RecordedRun(follow_up, self._background, self._operations, self._after)
            self._operations.start_job(job.name, job, [follow_up.sync_job.plan.remote_root])
            self.deleteLater()
            return
        if self._after is not None:
            self._background.submit(self._after, _logged)
        self.deleteLater()


def _logged(_: object, error: BaseException | None) -> None:
    if error is not None:
        log.warning("The sync could not be saved as a folder pair: %s", error)
