"""The results pane: every file of every job, and one-click fixes for the ones that failed.

A dock under the file table. Each job is a row with its summary; expanded,
its Outcomes: operation, path, status, the DAV condition, what the server
said, Davdesk's note, attempt and time. The actions work on the selection,
or, with none, on the problems of the selected jobs (or of all jobs): what a
user means by "retry failed" after glancing at a red summary. A result that
a retry ran again is greyed and out of every scope: its retry's row is the
one to act on.

The actions' enabled states are worked out from the selection's ranges and
the model's per-job sets (see selection.py) as the selection changes; the
model's own changes (batches of a running job, lock owners found) update
them a moment later, once per burst.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QGuiApplication, QIcon, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.dav.outcome import OutcomeClass
from app.jobs.conflict import Conflict
from app.jobs.model import JobEnded, TaskResult
from app.ui.actions import fill
from app.ui.icons import status_icon, themed_icon
from app.ui.job_bridge import JobBridge
from app.ui.results.fixes import ResultFixer
from app.ui.results.kinds import Fix
from app.ui.results.model import CLASS_COLOURS, NOTE, PATH, PROBLEM, Index, ResultsModel
from app.ui.results.raw_dialog import RawResponseDialog
from app.ui.results.records import SHOW_TIPS, Phase, Show
from app.ui.results.selection import KeptSelection, Picked, failures, results_of
from app.ui.results.strip import ResultsStrip

Pixmap = QStyle.StandardPixmap
Theme = QIcon.ThemeIcon
_FILTER_DELAY_MS = 200
#: After the model changed, the actions are looked at again once this long has been quiet:
#: a running job adds rows five times a second, 50 lock owners arrive one by one.
_ACTIONS_DELAY_MS = 100
RUNNING_COLOUR = QColor("#1f6fd1")
UNLIMITED = (1 << 24) - 1  # Qt's QWIDGETSIZE_MAX: no maximum
#: The note column's narrowest: "locked by bob@example.com" and more, readable.
NOTE_MIN = 180
#: Each column's width in a pane of about 1,000 pixels; a wider one gives Name and Problem more.
COLUMN_WIDTHS = (230, 85, 250, 120, 90, NOTE_MIN, 56, 64)
_FIX_ACTIONS = (
    (Fix.OVERWRITE, "retry_overwrite"),
    (Fix.UNLOCK, "unlock_retry"),
    (Fix.SIGN_IN, "reauth_retry"),
)


def class_icons(style: QStyle) -> dict[OutcomeClass, QIcon]:
    """A cancel is nobody's failure: a grey stop sign, never the red cross of a failure."""
    return {
        OutcomeClass.OK: style.standardIcon(Pixmap.SP_DialogApplyButton),
        OutcomeClass.SKIPPED: status_icon("go-next", CLASS_COLOURS[OutcomeClass.SKIPPED]),
        OutcomeClass.FAILED: style.standardIcon(Pixmap.SP_MessageBoxCritical),
        OutcomeClass.CONFLICT: style.standardIcon(Pixmap.SP_MessageBoxWarning),
        OutcomeClass.UNCONFIRMED: style.standardIcon(Pixmap.SP_MessageBoxQuestion),
        OutcomeClass.CANCELLED: status_icon("process-stop", CLASS_COLOURS[OutcomeClass.CANCELLED]),
    }


def phase_icons(classes: dict[OutcomeClass, QIcon]) -> dict[Phase, QIcon]:
    """A job row's icon: waiting (a clock), running (play), or how it ended."""
    return {
        Phase.QUEUED: status_icon("appointment-soon", CLASS_COLOURS[OutcomeClass.CANCELLED]),
        Phase.RUNNING: status_icon("media-playback-start", RUNNING_COLOUR),
        Phase.FINISHED: classes[OutcomeClass.OK],
        Phase.FAILED: classes[OutcomeClass.FAILED],
        Phase.CANCELLED: classes[OutcomeClass.CANCELLED],
    }


class MiddleElided(QStyledItemDelegate):
    """Shortens a path in its middle: its end names the file, its start the share."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class ResultsView(QTreeView):
    """The list; its note column takes the width the other columns leave.

    Not a Stretch section: that one shrinks to nothing when the pane is narrow
    (the jobs panel beside it), where the list should rather scroll sideways.
    """

    def fit_note(self) -> None:
        header = self.header()
        others = sum(header.sectionSize(c) for c in range(header.count()) if c != NOTE)
        header.resizeSection(NOTE, max(NOTE_MIN, self.viewport().width() - others))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # A wide pane gives the names and the problems room first: the paths of a copy's
        # both ends, "Locked by alice@example.com until 14:02", whole.
        spare = self.viewport().width() - sum(COLUMN_WIDTHS)
        header = self.header()
        header.resizeSection(PATH, COLUMN_WIDTHS[PATH] + max(0, spare) * 2 // 5)
        header.resizeSection(PROBLEM, COLUMN_WIDTHS[PROBLEM] + max(0, spare) // 5)
        self.fit_note()


class ResultsPane(QDockWidget):
    message = Signal(str)
    #: A job ended with problems: the pane is worth opening.
    has_problems = Signal()
    #: The list was opened (True) or folded to its strip (False).
    opened = Signal(bool)

    def __init__(
        self, fixer: ResultFixer, reveal: Callable[[str], None], parent: QWidget | None = None
    ) -> None:
        super().__init__("Results", parent)
        self.setObjectName("resultsPane")
        self._fixer = fixer
        self._reveal = reveal
        self._raw_dialogs: list[RawResponseDialog] = []
        #: Finished jobs kept in the list (the preference); older ones go as new ones end.
        self.kept = 50
        classes = class_icons(self.style())
        self.model = ResultsModel(classes, phase_icons(classes), self)
        self.view = self._make_view()
        self.show_box = QComboBox(self)
        self.show_box.setObjectName("resultsShow")
        self.show_box.setToolTip("Which results to list")
        for show in Show:
            self.show_box.addItem(show.value, show)
            self.show_box.setItemData(
                self.show_box.count() - 1, SHOW_TIPS[show], Qt.ItemDataRole.ToolTipRole
            )
        self.text_filter = QLineEdit(self)
        self.text_filter.setObjectName("resultsFilter")
        self.text_filter.setPlaceholderText("Filter paths, statuses, errors")
        self.text_filter.setClearButtonEnabled(True)
        self._filter_timer = QTimer(self, singleShot=True, interval=_FILTER_DELAY_MS)
        self._actions_timer = QTimer(self, singleShot=True, interval=_ACTIONS_DELAY_MS)
        self._kept = KeptSelection()
        self._filtering = False
        self._make_actions()
        self._lay_out()
        self._connect()
        self._update_actions()

    # -- building ----------------------------------------------------------------------------

    def _make_view(self) -> QTreeView:
        view = ResultsView(self)
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
        for column, width in enumerate(COLUMN_WIDTHS):
            view.setColumnWidth(column, width)

        def resized(column: int, *_: int) -> None:
            if column != NOTE:
                view.fit_note()

        view.header().sectionResized.connect(resized)
        view.setItemDelegateForColumn(PATH, MiddleElided(view))
        view.setAlternatingRowColors(True)
        view.setAllColumnsShowFocus(True)
        view.setAccessibleName("Results of every job")
        return view

    def _make_actions(self) -> None:
        style = self.style()

        def make(
            name: str,
            text: str,
            tip: str,
            theme: Theme | str | None = None,
            pixmap: Pixmap | None = None,
            short: str | None = None,
        ) -> QAction:
            fallback = style.standardIcon(pixmap) if pixmap is not None else QIcon()
            icon = themed_icon(theme, fallback) if theme is not None else fallback
            action = QAction(icon, text, self)
            if short:
                action.setIconText(short)  # the toolbar's label; menus show the full text
            action.setObjectName(f"action{name}")
            action.setToolTip(tip)
            action.setStatusTip(tip)
            return action

        self.retry_failed = make(
            "RetryFailed",
            "Retry Failed",
            "Run the failed files of the selected jobs (or all jobs) again",
            Theme.ViewRefresh,
            Pixmap.SP_BrowserReload,
        )
        self.retry_selected = make(
            "RetrySelected",
            "Retry Selected",
            "Run the selected files again, exactly as before",
            Theme.EditRedo,
            short="Retry",
        )
        # No freedesktop name says "replace"; Breeze and Papirus ship document-replace.
        self.retry_overwrite = make(
            "RetryOverwrite",
            "Retry with Overwrite",
            "Run the conflicts again, replacing what is on the server",
            "document-replace",
            short="Overwrite",
        )
        self.unlock_retry = make(
            "UnlockRetry",
            "Unlock and Retry",
            "Release the locks that stopped these files, then run them again",
            Theme.SecurityLow,
            short="Unlock",
        )
        self.reauth_retry = make(
            "ReauthRetry",
            "Sign In and Retry",
            "Type the password again, then run the refused files again",
            Theme.DialogPassword,
            short="Sign In",
        )
        self.reveal = make(
            "Reveal",
            "Reveal in Browser",
            "Show this file in its folder",
            Theme.FolderOpen,
            Pixmap.SP_DirOpenIcon,
            short="Reveal",
        )
        self.copy_details = make(
            "CopyDetails",
            "Copy Details",
            "Copy the selected results as text (Ctrl+Alt+C)",
            Theme.EditCopy,
        )
        # Not Ctrl+Shift+C: that is the window's Copy Address, active in the pane too.
        self.copy_details.setShortcut("Ctrl+Alt+C")
        # A shortcut only works on an action some widget holds: this one, while the pane
        # (its list, its filter) has the focus.
        self.copy_details.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.copy_details)
        self.export = make(
            "ExportResults",
            "Export…",
            "Save the results shown as CSV or JSON",
            Theme.DocumentSave,
            Pixmap.SP_DialogSaveButton,
        )
        self.show_raw = make(
            "ShowRaw",
            "Show Raw Response",
            "The requests and the server's answers behind this result",
            Theme.FormatJustifyLeft,
            Pixmap.SP_FileDialogContentsView,
            short="Raw",
        )
        self.clear = make(
            "ClearResults",
            "Clear Finished",
            "Remove the finished jobs from the list",
            Theme.EditClear,
            Pixmap.SP_DialogResetButton,
        )

    def _lay_out(self) -> None:
        self.toolbar = QToolBar("Results", self)
        self.toolbar.setObjectName("resultsToolBar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        fill(
            self.toolbar,
            [
                self.retry_failed,
                self.retry_selected,
                self.retry_overwrite,
                self.unlock_retry,
                self.reauth_retry,
                None,
                self.show_raw,
                self.reveal,
                self.export,
            ],
        )
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
        self.strip = ResultsStrip(self.model, body)
        self.strip.toggled.connect(self.set_open)
        self.details = QWidget(body)
        inside = QVBoxLayout(self.details)
        inside.setContentsMargins(0, 0, 0, 0)
        inside.setSpacing(0)
        inside.addWidget(self.toolbar)
        inside.addLayout(filters)
        inside.addWidget(self.view, 1)
        column.addWidget(self.strip)
        column.addWidget(self.details, 1)
        self.setWidget(body)
        self.placeholder = QLabel(
            "Every file of every job shows here, with what the server said about it.",
            self.view.viewport(),
        )
        self.placeholder.setObjectName("resultsPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setEnabled(False)
        QVBoxLayout(self.view.viewport()).addWidget(self.placeholder)  # fills the empty view

    def _connect(self) -> None:
        self.retry_failed.triggered.connect(self._retry_failed)
        self.retry_selected.triggered.connect(self._retry_selected)
        self.retry_overwrite.triggered.connect(
            lambda: self._fixer.retry(
                self._fixable(Fix.OVERWRITE), "Retry with overwrite", conflict=Conflict.OVERWRITE
            )
        )
        self.unlock_retry.triggered.connect(
            lambda: self._fixer.unlock_and_retry(self._fixable(Fix.UNLOCK))
        )
        self.reauth_retry.triggered.connect(
            lambda: self._fixer.sign_in_and_retry(self._fixable(Fix.SIGN_IN))
        )
        self.reveal.triggered.connect(self._reveal_current)
        self.copy_details.triggered.connect(self._copy_details)
        self.export.triggered.connect(self._export)
        self.show_raw.triggered.connect(self._show_raw)
        self.clear.triggered.connect(self.model.clear_finished)
        self.view.customContextMenuRequested.connect(self._menu)
        self.view.doubleClicked.connect(self._activated)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        m = self.model
        for signal in (m.rowsInserted, m.rowsRemoved, m.dataChanged, m.layoutChanged):
            signal.connect(self._actions_timer.start)
        self._actions_timer.timeout.connect(self._update_actions)
        for signal in (m.rowsInserted, m.rowsRemoved, m.layoutChanged):
            signal.connect(self._update_placeholder)
        m.rowsInserted.connect(self._span_job_rows)
        m.layoutChanged.connect(lambda: self._span_job_rows(QModelIndex(), 0, m.rowCount() - 1))
        self.show_box.currentIndexChanged.connect(self._apply_filter)
        self.text_filter.textChanged.connect(self._filter_timer.start)
        self._filter_timer.timeout.connect(self._apply_filter)
        self._fixer.locks_found.connect(m.set_locks)
        self._fixer.retrying.connect(m.link_retry)

    # -- jobs coming and going -----------------------------------------------------------------

    def add_job(self, bridge: JobBridge, name: str, queued: bool) -> None:
        """A job's row, kept up to date by its bridge: its results go straight to the model,
        its end to end_job (which also trims the list and opens the pane on problems)."""
        job_id = bridge.job.id
        self.model.add_job(bridge.job, name, queued)
        bridge.started.connect(lambda: self.model.start_job(job_id))
        bridge.task_done.connect(self.model.add_result)
        bridge.ended.connect(self.end_job)

    @property
    def is_open(self) -> bool:
        return self.details.isVisibleTo(self)

    def set_open(self, shown: bool) -> None:
        """Open the list below the strip, or fold the pane to the strip's one line."""
        self.details.setVisible(shown)
        self.strip.set_open(shown)
        if shown:
            self.setMaximumHeight(UNLIMITED)
        else:
            title = self.fontMetrics().height() + 12  # the dock's own title bar, or its tab
            self.setMaximumHeight(self.strip.sizeHint().height() + title)
        self.opened.emit(shown)

    def end_job(self, ended: JobEnded) -> None:
        """A finished job's row shows its summary. The newest job is the one expanded; one
        with problems opens the pane, its problems in view."""
        self.model.end_job(ended)
        self.model.trim(self.kept)
        records = self.model.records()
        record = next((r for r in records if r.job.id == ended.job_id), None)
        if record is None:
            return
        locked = sorted({o.path for o in record.outcomes if o.is_locked})
        if locked:
            self._fixer.look_up_locks(locked)
        row = self.model.job_row(ended.job_id)
        newest = records[0] is record
        if row.isValid() and newest:
            for other in range(self.model.rowCount()):
                if other != row.row():
                    self.view.collapse(self.model.index(other, 0))
            self.view.expand(row)
        if ended.failed or ended.error:
            self.has_problems.emit()
            if not self.is_open:
                self.set_open(True)
            self.show()
            self.raise_()
            if row.isValid():
                self.view.expand(row)
                self.view.selectionModel().select(
                    row,
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                self.view.scrollTo(row)

    # -- what the actions act on ------------------------------------------------------------------

    def picked(self) -> Picked:
        """The selection, read once."""
        return Picked.read(self.view.selectionModel(), self.model)

    def _fixable(self, fix: Fix) -> list[TaskResult]:
        """Selected results calling for this fix, or, with no file selected, those of the
        jobs in scope; never one that a retry already ran again (a selected file that was is
        settled: the fix is not offered for the other files of its job instead)."""
        picked = self.picked()
        chosen = picked.result_numbers() if picked.outcomes else failures(picked.scope(self.model))
        return results_of(chosen, fix)

    def _update_actions(self) -> None:
        picked = self.picked()
        selected = list(picked.result_numbers())
        failing = list(failures(picked.scope(self.model)))
        chosen = selected if picked.outcomes else failing
        self.retry_failed.setEnabled(bool(failing))
        self.retry_selected.setEnabled(bool(selected))
        for fix, name in _FIX_ACTIONS:
            getattr(self, name).setEnabled(
                any(not numbers.isdisjoint(record.fixes[fix]) for record, numbers in chosen)
            )
        one = picked.single() is not None
        self.reveal.setEnabled(one)
        self.show_raw.setEnabled(one)
        self.copy_details.setEnabled(picked.rows > 0)
        self.export.setEnabled(self.model.rowCount() > 0)
        self.clear.setEnabled(any(r.ended is not None for r in self.model.records()))

    # -- the actions ----------------------------------------------------------------------------

    def _retry_failed(self) -> None:
        picked = self.picked()
        self._fixer.retry(results_of(failures(picked.scope(self.model))), "Retry failed")

    def _retry_selected(self) -> None:
        self._fixer.retry(results_of(self.picked().result_numbers()), "Retry")

    def _reveal_current(self) -> None:
        single = self.picked().single()
        if single is not None:
            record, number = single
            self._reveal(record.outcomes[number].path)

    def _activated(self, index: QModelIndex) -> None:
        if self.model.number_at(index) is not None:
            self._show_raw()

    def _show_raw(self) -> None:
        single = self.picked().single()
        if single is None:
            return
        record, number = single
        dialog = RawResponseDialog(
            record.outcomes[number],
            record.results[record.owners[number]],
            record.note(number),
            self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._raw_dialogs.append(dialog)
        dialog.destroyed.connect(lambda: self._raw_dialogs.remove(dialog))
        dialog.show()

    def details_text(self) -> str:
        """The selected rows as text, as the list shows them: a job's summary, its files."""
        picked = self.picked()
        job_rows = {id(r) for r in picked.job_rows}
        lines = []
        for record in self.model.records():
            if id(record) in job_rows:
                lines.append(f"#{record.number} {record.name}: {record.summary()}")
            found = picked.outcomes.get(record.job.id)
            if found is not None:
                lines += [self.model.book.detail_line(record, n) for n in found[1]]
        return "\n".join(lines)

    def _copy_details(self) -> None:
        text = self.details_text()
        QGuiApplication.clipboard().setText(text)
        count = text.count("\n") + 1 if text else 0
        self.message.emit(f"Copied {count:,} result{'s' if count != 1 else ''}")

    def _export(self) -> None:
        name, chosen = QFileDialog.getSaveFileName(
            self, "Export Results", "davdesk-results.csv", "CSV (*.csv);;JSON (*.json)"
        )
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() not in (".csv", ".json"):
            path = path.with_suffix(".json" if "json" in chosen.lower() else ".csv")
        self.export_to(path)

    def export_to(self, path: Path) -> None:
        self.model.flush()
        self._fixer.export(path, list(self.model.shown_outcomes()))

    def context_menu(self) -> QMenu:
        """The list's context menu: every action, the fixes first."""
        return fill(
            QMenu(self),
            [
                self.retry_selected,
                self.retry_failed,
                self.retry_overwrite,
                self.unlock_retry,
                self.reauth_retry,
                None,
                self.show_raw,
                self.reveal,
                self.copy_details,
                None,
                self.export,
                self.clear,
            ],
        )

    def _menu(self, position: QPoint) -> None:
        menu = self.context_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.exec(self.view.viewport().mapToGlobal(position))

    # -- filter, and keeping the view tidy ---------------------------------------------------------

    def _update_placeholder(self) -> None:
        empty = self.model.rowCount() == 0
        filtered = self.show_box.currentData() is not Show.ALL or bool(self.text_filter.text())
        self.placeholder.setText(
            "No results match the filter."
            if filtered
            else "Every file of every job shows here, with what the server said about it."
        )
        self.placeholder.setVisible(empty)

    def _apply_filter(self) -> None:
        show = self.show_box.currentData()
        self._filtering = True
        try:
            self._kept.around(
                self.view.selectionModel(),
                self.model,
                lambda: self.model.set_filter(show, self.text_filter.text()),
            )
        finally:
            self._filtering = False
        if show is not Show.ALL or self.text_filter.text():
            self.view.expandAll()  # a filtered list is read file by file
        self._update_actions()

    def _selection_changed(self) -> None:
        if not self._filtering:
            self._kept.forget()  # the user chose anew
        self._update_actions()

    def _span_job_rows(self, parent: QModelIndex, first: int, last: int) -> None:
        if parent.isValid():
            return
        for row in range(first, last + 1):
            self.view.setFirstColumnSpanned(row, QModelIndex(), True)
