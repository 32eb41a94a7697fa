"""The Sync panel: the saved folder pairs, how each is doing, and what to do with them.

A dock (objectName syncPanel) beside the results pane. One row per pair:
its state in words and an icon (up to date / syncing 3 of 12 / paused /
server unreachable: trying again in 30 s / signed out: sign in again / 2
conflicts; a failure's technical detail in the tooltip), when it last
synced, and its two folders. The actions work on the selected pair: Sync Now,
Pause/Resume, Open Local Folder, Open on Server (that folder in a Davdesk
window), Remove (forgets the pair after asking; never deletes a file). Sync
This Folder… adds a pair from the folder the window shows. Below the list,
the start-at-login switch.

Everything that reads or writes (the pairs file, the autostart entry) goes
through the SyncService or the Background pool: the GUI thread only shows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDockWidget,
    QHeaderView,
    QLabel,
    QMessageBox,
    QToolBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.config.autostart import Autostart
from app.config.pairs import SavedPair
from app.sync.background.status import PairState, printable
from app.ui.actions import fill
from app.ui.background import Background
from app.ui.held_deletes import HeldDeleteActions
from app.ui.icons import themed_icon
from app.ui.sync_icons import pair_icon
from app.ui.sync_service import RecentRun, SyncService, server_of

NAME_ROLE = Qt.ItemDataRole.UserRole
_COLUMNS = ("Folder", "State", "Last sync", "Local folder", "Server folder")
_DIRECTION_ARROWS = {"both": "⇄", "up": "→", "down": "←"}
_REFRESH_MS = 30_000  # "2 min ago" stays true


def when(epoch: float | None, now: float | None = None) -> str:
    """A last-sync time as people say it: just now, 5 min ago, 14:03, 3 Dec 14:03."""
    if epoch is None:
        return "never"
    now = time.time() if now is None else now
    age = now - epoch
    if age < 60:
        return "just now"
    if age < 3600:
        return f"{int(age // 60)} min ago"
    moment, today = datetime.fromtimestamp(epoch), datetime.fromtimestamp(now)
    if moment.date() == today.date():
        return moment.strftime("%H:%M")
    return f"{moment.day} {moment.strftime('%b %H:%M')}"


def shown_path(local: str) -> str:
    """A local folder as people read it: ~/Documents for one in the home folder."""
    home = str(Path.home())
    if local == home or local.startswith(home.rstrip("/") + "/"):
        return "~" + local[len(home) :]
    return local


class SyncPanel(QDockWidget):
    """origin: the window's server (scheme://host): runs of pairs there are shown in it."""

    add_requested = Signal()  # Sync This Folder…: the window knows which folder
    open_on_server = Signal(object)  # SavedPair: show its server folder in a window
    run_shown = Signal(object)  # RecentRun: a background run of a pair on this window's server

    def __init__(
        self,
        service: SyncService,
        autostart: Autostart,
        background: Background,
        parent: QWidget | None = None,
        *,
        origin: str = "",
        open_folder: Callable[[QUrl], object] = QDesktopServices.openUrl,
    ) -> None:
        super().__init__("Sync", parent)
        self.setObjectName("syncPanel")
        self._service = service
        self._origin = origin
        self._pending: str | None = None  # a pair to select once it is listed
        self._autostart = autostart
        self._background = background
        self._open_folder = open_folder
        style = self.style()

        def make(
            name: str, text: str, icon: QIcon, slot: Callable[[], object], tip: str
        ) -> QAction:
            action = QAction(icon, text, self)
            action.setObjectName(name)
            action.setStatusTip(tip)
            action.setToolTip(tip)
            action.triggered.connect(slot)
            return action

        theme = QIcon.ThemeIcon
        self.add_action = make(
            "syncAddPair",
            "Sync This Folder…",
            themed_icon(theme.FolderNew, QIcon()),
            self.add_requested.emit,
            "Keep a local folder in step with the folder shown, in the background",
        )
        self.sync_action = make(
            "syncNow",
            "Sync Now",
            themed_icon("sync-synchronizing", QIcon()),
            self.sync_now,
            "Look for changes on both sides now",
        )
        self.pause_action = make(
            "syncPause",
            "Pause",
            themed_icon(theme.MediaPlaybackPause, QIcon()),
            self.toggle_pause,
            "Stop syncing this pair until resumed",
        )
        self.open_local_action = make(
            "syncOpenLocal",
            "Open Local Folder",
            themed_icon(theme.FolderOpen, QIcon()),
            self.open_local,
            "Show the local folder in the file manager",
        )
        self.open_server_action = make(
            "syncOpenServer",
            "Open on Server",
            themed_icon(theme.GoNext, QIcon()),
            self._open_server,
            "Show the server folder in a Davdesk window",
        )
        self.remove_action = make(
            "syncRemove",
            "Remove",
            style.standardIcon(style.StandardPixmap.SP_TrashIcon),
            self.remove,
            "Stop syncing this pair; no file is deleted",
        )
        self.held = HeldDeleteActions(self, service, self.selected)
        toolbar = QToolBar(self)
        toolbar.setObjectName("syncToolBar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        fill(
            toolbar,
            [
                self.add_action,
                None,
                self.sync_action,
                self.pause_action,
                *self.held.all,
                None,
                self.open_local_action,
                self.open_server_action,
                None,
                self.remove_action,
            ],
        )

        self.list = QTreeWidget(self)
        self.list.setObjectName("syncPairs")
        self.list.setHeaderLabels(list(_COLUMNS))
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.list.addActions(
            [
                self.sync_action,
                self.pause_action,
                *self.held.all,
                self.open_local_action,
                self.open_server_action,
                self.remove_action,
            ]
        )
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((140, 300, 90, 220, 280)):
            header.resizeSection(column, width)
        # The state takes the room a wide panel has: "server unreachable: trying again in
        # 10 min" whole, where the addresses beside it are short.
        header.setSectionResizeMode(_COLUMNS.index("State"), QHeaderView.ResizeMode.Stretch)
        self.list.itemSelectionChanged.connect(self._update_actions)
        self.list.itemDoubleClicked.connect(lambda *_: self.open_local())
        self.empty = QLabel(
            "No folder is synced in the background yet. Open a server folder "
            "and choose Sync This Folder… to keep a local folder in step "
            "with it.",
            self,
        )
        self.empty.setObjectName("syncEmpty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.autostart_box = QCheckBox("Start Davdesk at login and sync in the background", self)
        self.autostart_box.setObjectName("startAtLogin")
        self.autostart_box.setEnabled(False)  # until its state is read
        self.autostart_box.toggled.connect(self._autostart_toggled)

        body = QWidget(self)
        stack = QVBoxLayout(body)
        stack.setContentsMargins(0, 0, 0, 4)
        stack.setSpacing(2)
        stack.addWidget(toolbar)
        stack.addWidget(self.list, 1)
        stack.addWidget(self.empty, 1)
        stack.addWidget(self.autostart_box)
        self.setWidget(body)

        self._timer = QTimer(self, interval=_REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        service.changed.connect(self.refresh)
        service.run_added.connect(self._run_added)
        self.refresh()
        background.submit(autostart.enabled, self._autostart_read)

    # -- showing -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """The rows as the service knows the pairs now; the selection stays on its pair."""
        chosen = self._pending or self.selected_name()
        self.list.clear()
        for pair in self._service.pairs:
            self.list.addTopLevelItem(self._item(pair))
        self.list.setVisible(bool(self._service.pairs))
        self.empty.setVisible(not self._service.pairs)
        if chosen is not None:
            self.select(chosen)
        self._update_actions()

    def _item(self, pair: SavedPair) -> QTreeWidgetItem:
        status = self._service.status(pair.name)
        if pair.paused:
            state, text = PairState.PAUSED, "paused"
        elif status is None:
            state, text = PairState.SCANNING, "starting…"
        else:
            state, text = status.state, status.line(time.time())
        arrow = _DIRECTION_ARROWS.get(pair.direction, "⇄")
        last = when(status.last_sync if status else None)
        item = QTreeWidgetItem(
            [pair.name, text, last, shown_path(pair.local), f"{arrow} {pair.url}"]
        )
        item.setData(0, NAME_ROLE, pair.name)
        item.setIcon(1, pair_icon(state))
        tip = [f"{pair.name}: {text}"]
        if status is not None and status.last_result:
            tip.append(f"Last sync: {status.last_result}")
        if status is not None and status.detail and status.state is state:
            tip.append(status.detail)  # what lies behind a failure's words
        if status is not None and status.note:
            tip.append(status.note)
        refused = status.refused if status is not None else ()
        tip += (why for path, why in refused if not path)  # the deletes held back (guard.py)
        files = [(path, why) for path, why in refused if path]
        if files:  # each file the sync will not touch, and why
            tip.append("Not synced:")
            tip += (f"  {printable(path)}: {why}" for path, why in files[:10])
        for column in range(len(_COLUMNS)):
            item.setToolTip(column, "\n".join(tip))
        return item

    def selected_name(self) -> str | None:
        item = self.list.currentItem()
        return item.data(0, NAME_ROLE) if item is not None and item.isSelected() else None

    def selected(self) -> SavedPair | None:
        name = self.selected_name()
        return self._service.pair(name) if name is not None else None

    def select(self, name: str) -> None:
        """Select the pair's row; a pair just added is selected once it is listed."""
        self._pending = name
        for row in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(row)
            if item is not None and item.data(0, NAME_ROLE) == name:
                self.list.setCurrentItem(item)
                self._pending = None

    def _update_actions(self) -> None:
        pair = self.selected()
        for action in (
            self.open_local_action,
            self.open_server_action,
            self.remove_action,
            self.pause_action,
        ):
            action.setEnabled(pair is not None)
        self.sync_action.setEnabled(pair is not None and not pair.paused)
        self.held.update()
        self.pause_action.setText("Resume" if pair is not None and pair.paused else "Pause")

    def shows(self, run: RecentRun) -> bool:
        """Whether the run belongs in this window: its pair is on the window's server."""
        return server_of(run.pair) == self._origin

    def _run_added(self, run: RecentRun) -> None:
        if self.shows(run):
            self.run_shown.emit(run)

    # -- the actions -----------------------------------------------------------------------------

    def sync_now(self) -> None:
        pair = self.selected()
        if pair is not None:
            self._service.sync_now(pair.name)

    def toggle_pause(self) -> None:
        pair = self.selected()
        if pair is not None:
            self._service.set_paused(pair.name, not pair.paused)

    def open_local(self) -> None:
        pair = self.selected()
        if pair is not None:
            self._open_folder(QUrl.fromLocalFile(str(Path(pair.local))))

    def _open_server(self) -> None:
        pair = self.selected()
        if pair is not None:
            self.open_on_server.emit(pair)

    def remove(self) -> None:
        pair = self.selected()
        if pair is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Remove Folder Pair",
            f"Stop syncing “{pair.name}”?",
            parent=self,
        )
        box.setObjectName("syncRemoveConfirm")
        box.setInformativeText(
            f"Davdesk forgets the pair and its sync records. No file is "
            f"deleted: {pair.local} and the server folder stay as they are."
        )
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is remove:
            self._service.remove(pair.name)

    # -- start at login ----------------------------------------------------------------------

    def _autostart_read(self, enabled: bool | None, error: BaseException | None) -> None:
        if not shiboken6.isValid(self.autostart_box):
            return  # the window closed meanwhile
        self.autostart_box.blockSignals(True)
        self.autostart_box.setChecked(bool(enabled))
        self.autostart_box.blockSignals(False)
        self.autostart_box.setEnabled(error is None)
        if error is not None:
            self.autostart_box.setToolTip(f"Cannot tell whether Davdesk starts at login: {error}")

    def _autostart_toggled(self, on: bool) -> None:
        self.autostart_box.setEnabled(False)
        work = self._autostart.enable if on else self._autostart.disable
        self._background.submit(work, lambda _, error: self._autostart_written(on, error))

    def _autostart_written(self, on: bool, error: BaseException | None) -> None:
        if not shiboken6.isValid(self.autostart_box):
            return
        self.autostart_box.setEnabled(True)
        if error is not None:
            self.autostart_box.blockSignals(True)
            self.autostart_box.setChecked(not on)
            self.autostart_box.blockSignals(False)
            QMessageBox.warning(
                self,
                "Start at Login",
                f"Cannot {'set up' if on else 'remove'} the start at login: {error}",
            )
