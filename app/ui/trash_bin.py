"""The Trash Bin window: what the user deleted on a Nextcloud, to restore or delete for good.

Listing runs on the Background pool; restoring, deleting permanently and
emptying are ordinary jobs started through Operations.start_job, so their
Outcomes land in the results pane like every job's, and a failure can be
retried from there. Every job that changes a folder (these, and a Delete in
the main window, which fills the trash bin) is followed by a fresh listing
while the window is open; a restore also refreshes the folders the items go
back to in the main window.

The window is made once per main window and hidden when closed, so a late
listing never meets a deleted widget.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QPoint, QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QStyle,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.dav import DavClient
from app.jobs.model import Job, Op, Task
from app.nextcloud import trash
from app.nextcloud.account import NextcloudAccount
from app.nextcloud.trash import TrashItem
from app.ui import prompts
from app.ui.actions import fill
from app.ui.background import Background
from app.ui.icons import themed_icon
from app.ui.messages import readable
from app.ui.models.file_table import human_size
from app.ui.models.listing_cache import folder_path
from app.ui.models.trash_model import DELETED, LOCATION, NAME, SIZE, SORT_ROLE, TrashModel
from app.ui.operations import Operations

Pixmap = QStyle.StandardPixmap
Theme = QIcon.ThemeIcon
EMPTY = (
    "The trash bin is empty.\n\nWhat you delete on the server waits here until you "
    "delete it permanently or the server clears it out."
)


class TrashBinWindow(QDialog):
    def __init__(
        self,
        client: DavClient,
        account: NextcloudAccount,
        background: Background,
        operations: Operations,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("trashBin")
        self.setWindowTitle("Trash Bin – Davdesk")
        self._client = client
        self._account = account
        self._background = background
        self._operations = operations
        self._generation = 0  # bumped by every listing asked for: only the latest is shown
        self.loading = False
        style = self.style()
        self.model = TrashModel(
            style.standardIcon(Pixmap.SP_DirIcon), style.standardIcon(Pixmap.SP_FileIcon), self
        )
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = self._make_view()
        self.placeholder = QLabel(self.view.viewport())
        self.placeholder.setObjectName("trashPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setEnabled(False)  # drawn muted, like the file table's
        self.placeholder.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.summary = QLabel(self)
        self.summary.setObjectName("trashSummary")

        def icon(theme: QIcon.ThemeIcon, fallback: QIcon | Pixmap) -> QIcon:
            return themed_icon(
                theme, fallback if isinstance(fallback, QIcon) else style.standardIcon(fallback)
            )

        # Undo where the desktop has it, else the bundled back arrow ("put back"): the style's
        # reset icon would be a brush.
        self.restore_action = self._action(
            "Restore",
            "&Restore",
            icon(Theme.EditUndo, icon(Theme.GoPrevious, Pixmap.SP_ArrowBack)),
            "Put the selected items back where they were deleted from",
            self.restore,
        )
        self.delete_action = self._action(
            "DeletePermanently",
            "&Delete Permanently",
            icon(Theme.EditDelete, Pixmap.SP_TrashIcon),
            "Delete the selected items for good: they cannot be restored afterwards",
            self.delete_permanently,
            [QKeySequence.StandardKey.Delete, "Shift+Del"],
        )
        self.empty_action = self._action(
            "EmptyTrash",
            "&Empty Trash Bin",
            icon(Theme.EditClear, Pixmap.SP_DialogDiscardButton),
            "Delete everything in the trash bin for good",
            self.empty,
        )
        self.refresh_action = self._action(
            "RefreshTrash",
            "Re&fresh",
            icon(Theme.ViewRefresh, Pixmap.SP_BrowserReload),
            "List the trash bin again",
            self.refresh,
            [QKeySequence.StandardKey.Refresh, "F5"],
        )

        self._lay_out()
        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        operations.folders_changed.connect(self._folders_changed)
        self._update_actions()

    # -- building ---------------------------------------------------------------------

    def _make_view(self) -> QTreeView:
        view = QTreeView(self)
        view.setObjectName("trashTable")
        view.setAccessibleName("Deleted items")
        view.setModel(self.proxy)
        view.setRootIsDecorated(False)
        view.setUniformRowHeights(True)
        view.setAlternatingRowColors(True)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._context_menu)
        header = view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        for column, width in ((LOCATION, 200), (DELETED, 130), (SIZE, 80)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        view.setSortingEnabled(True)
        view.sortByColumn(DELETED, Qt.SortOrder.DescendingOrder)  # what was deleted last first
        return view

    def _action(
        self,
        name: str,
        text: str,
        icon: QIcon,
        tip: str,
        slot: object,
        keys: Sequence[QKeySequence.StandardKey | str] = (),
    ) -> QAction:
        action = QAction(icon, text, self)
        action.setObjectName(f"action{name}")
        action.setToolTip(tip)
        action.setStatusTip(tip)
        shortcuts: list[QKeySequence] = []
        for key in keys:
            shortcuts += (
                QKeySequence.keyBindings(key)
                if isinstance(key, QKeySequence.StandardKey)
                else [QKeySequence(key)]
            )
        action.setShortcuts(shortcuts)
        action.triggered.connect(slot)
        self.addAction(action)  # the shortcuts work wherever the focus is in the window
        return action

    def _lay_out(self) -> None:
        toolbar = QToolBar(self)
        toolbar.setObjectName("trashToolBar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        fill(
            toolbar,
            [
                self.restore_action,
                self.delete_action,
                None,
                self.empty_action,
                None,
                self.refresh_action,
            ],
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(toolbar)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)
        # Explicit, so the layout never changes the window's size limits as labels change
        # (as the main window does: window managers are told the limits each time).
        self.setMinimumSize(560, 300)
        self.resize(820, 440)

    # -- listing ----------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        """Opened (again): list what is in the trash bin now."""
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        self.loading = True
        if not self.model.items:
            self._show_placeholder("Loading…")
        self._background.submit(
            lambda: trash.list_items(self._client, self._account),
            lambda items, error: self._listed(generation, items, error),
        )

    def _folders_changed(self, _: list[str]) -> None:
        """A job changed some folders: if it deleted files, they are in the trash bin now."""
        if self.isVisible():
            self.refresh()

    def _listed(
        self, generation: int, items: list[TrashItem] | None, error: BaseException | None
    ) -> None:
        if generation != self._generation:
            return  # a newer listing is on its way
        self.loading = False
        if error is not None:
            self.model.replace([])
            self._show_placeholder(f"Could not list the trash bin: {readable(error)}")
            self.summary.clear()
        else:
            kept = {item.path for item in self.selected_items()}
            self.model.replace(items or [])
            self._select(kept)
            self._show_placeholder("" if items else EMPTY)
            total = sum(item.size or 0 for item in items or [])
            self.summary.setText(
                f"{prompts.count(items or [])} · {human_size(total)}" if items else ""
            )
        self._update_actions()

    def _select(self, paths: set[str]) -> None:
        """The items selected before a refresh stay selected, where they are still there."""
        selection = QItemSelection()
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, NAME)
            if self.model.item(self.proxy.mapToSource(index).row()).path in paths:
                selection.select(index, index)
        self.view.selectionModel().select(
            selection,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def _show_placeholder(self, text: str) -> None:
        self.placeholder.setText(text)
        self.placeholder.setVisible(bool(text))
        self.placeholder.setGeometry(self.view.viewport().rect().adjusted(24, 24, -24, -24))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.placeholder.setGeometry(self.view.viewport().rect().adjusted(24, 24, -24, -24))

    # -- what is selected --------------------------------------------------------------

    def selected_items(self) -> list[TrashItem]:
        return [
            self.model.item(self.proxy.mapToSource(index).row())
            for index in self.view.selectionModel().selectedRows(NAME)
        ]

    def _update_actions(self) -> None:
        chosen = self.view.selectionModel().hasSelection()
        self.restore_action.setEnabled(chosen)
        self.delete_action.setEnabled(chosen)
        self.empty_action.setEnabled(self.model.rowCount() > 0)

    def _context_menu(self, position: QPoint) -> None:
        if not self.view.indexAt(position).isValid():
            return
        menu = fill(QMenu(self), [self.restore_action, self.delete_action])
        menu.exec(self.view.viewport().mapToGlobal(position))

    # -- the jobs -------------------------------------------------------------------------

    def restore(self) -> None:
        items = self.selected_items()
        if not items:
            return
        account = self._account
        tasks = tuple(
            Task(
                Op.RESTORE,
                item.path,
                destination=trash.restore_path(account, item),
                is_dir=item.is_dir,
            )
            for item in items
        )
        # Where they go back to; the server puts an item whose folder is gone at the top.
        changed = {
            account.trash_path,
            account.files_path,
            *(restored_into(account, item) for item in items),
        }
        name = _name("Restore", items)
        self._operations.start_job(name, Job(name, (tasks,)), sorted(changed))

    def delete_permanently(self) -> None:
        items = self.selected_items()
        if not items or not self._confirm(
            "Delete Permanently",
            f"Delete {prompts.count(items)} permanently?",
            ", ".join(item.name for item in items[:5]) + (" …" if len(items) > 5 else ""),
        ):
            return
        tasks = tuple(Task(Op.DELETE, item.path, is_dir=item.is_dir) for item in items)
        name = _name("Delete", items) + " permanently"
        self._operations.start_job(name, Job(name, (tasks,)), [self._account.trash_path])

    def empty(self) -> None:
        count = self.model.rowCount()
        if not count or not self._confirm(
            "Empty Trash Bin",
            "Empty the trash bin?",
            f"All {prompts.count(range(count))} in it are deleted permanently.",
        ):
            return
        name = "Empty the trash bin"
        task = Task(Op.EMPTY, self._account.trash_path, is_dir=True)
        self._operations.start_job(name, Job(name, ((task,),)), [self._account.trash_path])

    def _confirm(self, title: str, question: str, detail: str) -> bool:
        answer = QMessageBox.question(
            self, title, f"{question}\n\n{detail}\n\nThey cannot be restored afterwards."
        )
        return answer == QMessageBox.StandardButton.Yes


def restored_into(account: NextcloudAccount, item: TrashItem) -> str:
    """The server folder an item goes back to: the one it was deleted from."""
    where = posixpath.dirname(item.original_location.strip("/"))
    return folder_path(account.files_path + where) if where else account.files_path


def _name(verb: str, items: Sequence[TrashItem]) -> str:
    return f"{verb} {items[0].name}" if len(items) == 1 else f"{verb} {prompts.count(items)}"
