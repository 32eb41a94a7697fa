"""The results pane: every file of every job, and one-click fixes for the ones that failed.

A dock under the file table. Each job is a row with its summary; expanded,
its Outcomes: operation, path, status, the DAV condition, what the server
said, attempt and time. The actions work on the selection, or, with none,
on the problems of the selected jobs (or of all jobs): what a user means by
"retry failed" after glancing at a red summary.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QStyle,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.dav import Outcome
from app.dav.outcome import OutcomeClass
from app.jobs.model import Conflict, Job, JobEnded, TaskResult
from app.ui.actions import fill
from app.ui.icons import themed_icon
from app.ui.messages import outcome_line
from app.ui.results.fixes import ResultFixer, is_locked, is_taken, needs_sign_in
from app.ui.results.model import PATH, SAID, JobRecord, ResultsModel, Show
from app.ui.results.raw_dialog import RawResponseDialog

Pixmap = QStyle.StandardPixmap
Theme = QIcon.ThemeIcon
_FILTER_DELAY_MS = 200


def class_icons(style: QStyle) -> dict[OutcomeClass, QIcon]:
    return {
        OutcomeClass.OK: style.standardIcon(Pixmap.SP_DialogApplyButton),
        OutcomeClass.FAILED: style.standardIcon(Pixmap.SP_MessageBoxCritical),
        OutcomeClass.CONFLICT: style.standardIcon(Pixmap.SP_MessageBoxWarning),
        OutcomeClass.CANCELLED: style.standardIcon(Pixmap.SP_DialogCancelButton),
    }


class ResultsPane(QDockWidget):
    message = Signal(str)

    def __init__(self, fixer: ResultFixer, reveal: Callable[[str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__("Results", parent)
        self.setObjectName("resultsPane")
        self._fixer = fixer
        self._reveal = reveal
        self._raw_dialogs: list[RawResponseDialog] = []
        self.model = ResultsModel(class_icons(self.style()), self)
        self.view = self._make_view()
        self.show_box = QComboBox(self)
        self.show_box.setObjectName("resultsShow")
        for show in Show:
            self.show_box.addItem(show.value, show)
        self.text_filter = QLineEdit(self)
        self.text_filter.setObjectName("resultsFilter")
        self.text_filter.setPlaceholderText("Filter paths, statuses, errors")
        self.text_filter.setClearButtonEnabled(True)
        self._filter_timer = QTimer(self, singleShot=True, interval=_FILTER_DELAY_MS)
        self._make_actions()
        self._lay_out()
        self._connect()
        self._update_actions()

    # -- building ----------------------------------------------------------------------------

    def _make_view(self) -> QTreeView:
        view = QTreeView(self)
        view.setObjectName("resultsView")
        view.setModel(self.model)
        view.setUniformRowHeights(True)  # 100,000 rows: no per-row size queries
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.setSortingEnabled(True)
        view.header().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        view.header().setSectionsMovable(False)
        view.header().setStretchLastSection(False)
        view.header().setSectionResizeMode(SAID, QHeaderView.ResizeMode.Stretch)
        for column, width in enumerate((300, 64, 170, 120, 0, 56, 66)):
            if width:
                view.setColumnWidth(column, width)
        view.setAlternatingRowColors(True)
        view.setAllColumnsShowFocus(True)
        view.setAccessibleName("Results of every job")
        return view

    def _make_actions(self) -> None:
        style = self.style()

        def make(name: str, text: str, tip: str, theme: Theme | None = None,
                 pixmap: Pixmap | None = None, short: str | None = None) -> QAction:
            fallback = style.standardIcon(pixmap) if pixmap is not None else QIcon()
            icon = themed_icon(theme, fallback) if theme is not None else fallback
            action = QAction(icon, text, self)
            if short:
                action.setIconText(short)  # the toolbar's label; menus show the full text
            action.setObjectName(f"action{name}")
            action.setToolTip(tip)
            action.setStatusTip(tip)
            return action

        self.retry_failed = make("RetryFailed", "Retry Failed",
                                 "Run the failed files of the selected jobs (or all jobs) again",
                                 Theme.ViewRefresh, Pixmap.SP_BrowserReload)
        self.retry_selected = make("RetrySelected", "Retry Selected",
                                   "Run the selected files again, exactly as before",
                                   short="Retry")
        self.retry_overwrite = make("RetryOverwrite", "Retry with Overwrite",
                                    "Run the conflicts again, replacing what is on the server",
                                    short="Overwrite")
        self.unlock_retry = make("UnlockRetry", "Unlock and Retry",
                                 "Release the locks that stopped these files, then run them again",
                                 Theme.SecurityLow, short="Unlock")
        self.reauth_retry = make("ReauthRetry", "Sign In and Retry",
                                 "Type the password again, then run the refused files again",
                                 short="Sign In")
        self.reveal = make("Reveal", "Reveal in Browser", "Show this file in its folder",
                           Theme.FolderOpen, Pixmap.SP_DirOpenIcon, short="Reveal")
        self.copy_details = make("CopyDetails", "Copy Details",
                                 "Copy the selected results as text")
        self.copy_details.setShortcut("Ctrl+Shift+C")
        self.export = make("ExportResults", "Export…", "Save the results shown as CSV or JSON",
                           Theme.DocumentSave, Pixmap.SP_DialogSaveButton)
        self.show_raw = make("ShowRaw", "Show Raw Response",
                             "The requests and the server's answers behind this result",
                             Theme.FormatJustifyLeft, Pixmap.SP_FileDialogContentsView,
                             short="Raw")
        self.clear = make("ClearResults", "Clear Finished", "Remove the finished jobs from the list",
                          Theme.EditClear, Pixmap.SP_DialogResetButton)

    def _lay_out(self) -> None:
        toolbar = QToolBar("Results", self)
        toolbar.setObjectName("resultsToolBar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        fill(toolbar, [self.retry_failed, self.retry_selected, self.retry_overwrite,
                       self.unlock_retry, self.reauth_retry, None, self.show_raw, self.reveal,
                       self.export])
        filters = QHBoxLayout()
        filters.setContentsMargins(4, 2, 4, 2)
        filters.addWidget(QLabel("Show:", self))
        filters.addWidget(self.show_box)
        filters.addWidget(self.text_filter, 1)
        self.text_filter.setMaximumWidth(320)
        filters.addStretch(1)
        body = QWidget(self)
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(toolbar)
        column.addLayout(filters)
        column.addWidget(self.view, 1)
        self.setWidget(body)
        self.placeholder = QLabel("Every file of every job shows here, with what the server "
                                  "said about it.", self.view.viewport())
        self.placeholder.setObjectName("resultsPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setEnabled(False)
        QVBoxLayout(self.view.viewport()).addWidget(self.placeholder)  # fills the empty view

    def _connect(self) -> None:
        self.retry_failed.triggered.connect(self._retry_failed)
        self.retry_selected.triggered.connect(
            lambda: self._fixer.retry(self._selected_results(), "Retry"))
        self.retry_overwrite.triggered.connect(
            lambda: self._fixer.retry(self._fixable(is_taken), "Retry with overwrite",
                                      conflict=Conflict.OVERWRITE))
        self.unlock_retry.triggered.connect(
            lambda: self._fixer.unlock_and_retry(self._fixable(is_locked)))
        self.reauth_retry.triggered.connect(
            lambda: self._fixer.sign_in_and_retry(self._fixable(needs_sign_in)))
        self.reveal.triggered.connect(self._reveal_current)
        self.copy_details.triggered.connect(self._copy_details)
        self.export.triggered.connect(self._export)
        self.show_raw.triggered.connect(self._show_raw)
        self.clear.triggered.connect(self.model.clear_finished)
        self.view.customContextMenuRequested.connect(self._menu)
        self.view.doubleClicked.connect(self._activated)
        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        for signal in (self.model.rowsInserted, self.model.modelReset, self.model.dataChanged):
            signal.connect(self._update_actions)
        for signal in (self.model.rowsInserted, self.model.modelReset):
            signal.connect(self._update_placeholder)
        self.model.rowsInserted.connect(self._span_job_rows)
        self.model.modelReset.connect(self._after_reset)
        self.show_box.currentIndexChanged.connect(self._apply_filter)
        self.text_filter.textChanged.connect(self._filter_timer.start)
        self._filter_timer.timeout.connect(self._apply_filter)
        self._fixer.locks_found.connect(self.model.set_locks)

    # -- jobs coming and going -----------------------------------------------------------------

    def add_job(self, job: Job, name: str) -> None:
        self.model.add_job(job, name)

    def add_result(self, result: TaskResult) -> None:
        self.model.add_result(result)

    def end_job(self, ended: JobEnded) -> None:
        """A finished job's row shows its summary; a failed one opens, its problems in view."""
        self.model.end_job(ended)
        record = next((r for r in self.model.records() if r.job.id == ended.job_id), None)
        if record is None:
            return
        locked = [o.path for o in record.outcomes if o.status == 423]
        if locked:
            self._fixer.look_up_locks(locked)
        if ended.failed or ended.error:
            self.show()
            self.raise_()
            row = self.model.job_row(ended.job_id)
            if row.isValid():
                self.view.expand(row)
                self.view.selectionModel().select(
                    row, QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows)
                self.view.scrollTo(row)

    # -- what the actions act on ------------------------------------------------------------------

    def _selected_rows(self) -> list[QModelIndex]:
        return self.view.selectionModel().selectedRows(PATH)

    def _selected_results(self) -> list[TaskResult]:
        """The tasks behind the selected Outcome rows, each once."""
        seen: dict[int, TaskResult] = {}
        for index in self._selected_rows():
            found = self.model.result_at(index)
            if found is not None:
                seen.setdefault(id(found[1]), found[1])
        return list(seen.values())

    def _scope_jobs(self) -> list[JobRecord]:
        """The jobs selected or holding a selected row; all of them when nothing is selected."""
        records = {id(r): r for r in filter(None, map(self.model.record, self._selected_rows()))}
        return list(records.values()) or self.model.records()

    def _failed_results(self) -> list[TaskResult]:
        return [result for record in self._scope_jobs() if record.ended is not None
                for result in record.results if not result.ok]

    def _fixable(self, kind: Callable[[Outcome], bool]) -> list[TaskResult]:
        """Selected results of this kind, or, with no file selected, those of the jobs in scope."""
        chosen = self._selected_results() or self._failed_results()
        return [r for r in chosen if any(kind(o) for o in r.outcomes)]

    def _current(self) -> tuple[Outcome, TaskResult] | None:
        rows = self._selected_rows()
        return self.model.result_at(rows[0]) if len(rows) == 1 else None

    def _update_actions(self) -> None:
        selected = self._selected_results()
        chosen = selected or self._failed_results()
        self.retry_failed.setEnabled(bool(self._failed_results()))
        self.retry_selected.setEnabled(bool(selected))
        for action, kind in ((self.retry_overwrite, is_taken), (self.unlock_retry, is_locked),
                             (self.reauth_retry, needs_sign_in)):
            action.setEnabled(any(kind(o) for r in chosen for o in r.outcomes))
        one = self._current() is not None
        self.reveal.setEnabled(one)
        self.show_raw.setEnabled(one)
        self.copy_details.setEnabled(bool(self._selected_rows()))
        self.export.setEnabled(self.model.rowCount() > 0)
        self.clear.setEnabled(any(r.ended is not None for r in self.model.records()))

    # -- the actions ----------------------------------------------------------------------------

    def _retry_failed(self) -> None:
        self._fixer.retry(self._failed_results(), "Retry failed")

    def _reveal_current(self) -> None:
        current = self._current()
        if current is not None:
            self._reveal(current[0].path)

    def _activated(self, index: QModelIndex) -> None:
        if self.model.result_at(index) is not None:
            self._show_raw()

    def _show_raw(self) -> None:
        current = self._current()
        if current is None:
            return
        dialog = RawResponseDialog(*current, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._raw_dialogs.append(dialog)
        dialog.destroyed.connect(lambda: self._raw_dialogs.remove(dialog))
        dialog.show()

    def _copy_details(self) -> None:
        lines = []
        for index in self._selected_rows():
            found = self.model.result_at(index)
            if found is not None:
                lines.append(outcome_line(found[0]))
            else:
                record = self.model.record(index)
                if record is not None:
                    lines.append(f"{record.name}: {record.summary()}")
        QGuiApplication.clipboard().setText("\n".join(lines))
        self.message.emit(f"Copied {len(lines):,} result{'s' if len(lines) != 1 else ''}")

    def _export(self) -> None:
        name, chosen = QFileDialog.getSaveFileName(
            self, "Export Results", "davdesk-results.csv",
            "CSV (*.csv);;JSON (*.json)")
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() not in (".csv", ".json"):
            path = path.with_suffix(".json" if "json" in chosen.lower() else ".csv")
        self.export_to(path)

    def export_to(self, path: Path) -> None:
        self.model.flush()
        self._fixer.export(path, list(self.model.shown_outcomes()))

    def _menu(self, position: QPoint) -> None:
        menu = fill(QMenu(self), [self.retry_selected, self.retry_failed, self.retry_overwrite,
                                  self.unlock_retry, self.reauth_retry, None, self.show_raw,
                                  self.reveal, self.copy_details, None, self.export, self.clear])
        menu.exec(self.view.viewport().mapToGlobal(position))

    # -- filter, and keeping the view tidy ---------------------------------------------------------

    def _update_placeholder(self) -> None:
        empty = self.model.rowCount() == 0
        filtered = self.show_box.currentData() is not Show.ALL or bool(self.text_filter.text())
        self.placeholder.setText("No results match the filter." if filtered else
                                 "Every file of every job shows here, with what the server "
                                 "said about it.")
        self.placeholder.setVisible(empty)

    def _apply_filter(self) -> None:
        self.model.set_filter(self.show_box.currentData(), self.text_filter.text())

    def _after_reset(self) -> None:
        self._span_job_rows(QModelIndex(), 0, self.model.rowCount() - 1)
        if self.show_box.currentData() is Show.PROBLEMS or self.text_filter.text():
            self.view.expandAll()  # a filtered list is read file by file

    def _span_job_rows(self, parent: QModelIndex, first: int, last: int) -> None:
        if parent.isValid():
            return
        for row in range(first, last + 1):
            self.view.setFirstColumnSpanned(row, QModelIndex(), True)
