"""The results pane: every file of every job, and one-click fixes for the ones that failed.

A dock under the file table. Each job is a row with its summary; expanded,
its Outcomes: operation, path, status, the DAV condition, what the server
said, Davdesk's note, attempt and time. This module is the dock: the list
and its filter, the folded strip, jobs coming and going, and the actions
(their names, icons, and where they show). What the actions do with the
picked results is handlers.py's; how the list looks is view.py's.

The actions' enabled states are worked out from the selection's ranges and
the model's per-job sets (see selection.py) as the selection changes; the
model's own changes (batches of a running job, lock owners found) update
them a moment later, once per burst.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.jobs.model import JobEnded
from app.ui.actions import fill
from app.ui.icons import themed_icon
from app.ui.job_bridge import JobBridge
from app.ui.results.fixes import ResultFixer
from app.ui.results.handlers import ActionHandlers
from app.ui.results.kinds import Fix
from app.ui.results.model import ResultsModel
from app.ui.results.records import SHOW_TIPS, Show
from app.ui.results.selection import KeptSelection, Picked, failures
from app.ui.results.strip import ResultsStrip
from app.ui.results.view import class_icons, make_view, phase_icons

Pixmap = QStyle.StandardPixmap
Theme = QIcon.ThemeIcon
_FILTER_DELAY_MS = 200
#: After the model changed, the actions are looked at again once this long has been quiet:
#: a running job adds rows five times a second, 50 lock owners arrive one by one.
_ACTIONS_DELAY_MS = 100
UNLIMITED = (1 << 24) - 1  # Qt's QWIDGETSIZE_MAX: no maximum
_FIX_ACTIONS = (
    (Fix.OVERWRITE, "retry_overwrite"),
    (Fix.UNLOCK, "unlock_retry"),
    (Fix.SIGN_IN, "reauth_retry"),
)


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
        self._in_front = True  # not behind another tabbed dock (visibilityChanged says)
        #: Finished jobs kept in the list (the preference); older ones go as new ones end.
        self.kept = 50
        classes = class_icons(self.style())
        self.model = ResultsModel(classes, phase_icons(classes), self)
        self.view = make_view(self.model, self)
        self._handlers = ActionHandlers(
            self.picked, self.model, fixer, reveal, self.message.emit, self
        )
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
        self.visibilityChanged.connect(self._front_changed)
        handlers = self._handlers
        self.retry_failed.triggered.connect(handlers.retry_failed)
        self.retry_selected.triggered.connect(handlers.retry_selected)
        self.retry_overwrite.triggered.connect(handlers.retry_overwrite)
        self.unlock_retry.triggered.connect(handlers.unlock_and_retry)
        self.reauth_retry.triggered.connect(handlers.sign_in_and_retry)
        self.reveal.triggered.connect(handlers.reveal_current)
        self.copy_details.triggered.connect(handlers.copy_details)
        self.export.triggered.connect(handlers.export)
        self.show_raw.triggered.connect(handlers.show_raw)
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
        self._hold_height()
        self.opened.emit(shown)

    def _hold_height(self) -> None:
        """Folded, the pane holds the bottom area to its strip's line, but only while it is the
        tab in front: Qt gives a group of tabbed docks the smallest of their maximum heights,
        and the Sync panel or the transcript raised over it needs the room of a list."""
        if self.is_open or not self._in_front:
            self.setMaximumHeight(UNLIMITED)
        else:
            title = self.fontMetrics().height() + 12  # the dock's own title bar, or its tab
            self.setMaximumHeight(self.strip.sizeHint().height() + title)

    def _front_changed(self, in_front: bool) -> None:
        self._in_front = in_front
        self._hold_height()

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

    # -- the actions: what they act on, when they are enabled, where they show --------------------

    def picked(self) -> Picked:
        """The selection, read once."""
        return Picked.read(self.view.selectionModel(), self.model)

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

    def _activated(self, index: QModelIndex) -> None:
        if self.model.number_at(index) is not None:
            self._handlers.show_raw()

    def export_to(self, path: Path) -> None:
        """The results the filter shows, written to path (.csv or .json) on the pool."""
        self._handlers.export_to(path)

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
