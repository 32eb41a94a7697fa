"""The main window: folder tree beside the file table, with the operations around them.

It is handed everything it needs (the connection, where to start, a mapping
to keep its layout in, the worker count, where Davdesk keeps its files, and
for a Nextcloud the account and the keyring that holds its app password) and
loads and saves nothing itself: the composition root reads and writes the
state mapping as JSON.

What the server says the user may not do (oc:permissions, see permissions.py)
is greyed out, for the selected entries and for the folder shown.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QMainWindow,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.config.bookmarks import Bookmark, BookmarkStore
from app.config.paths import AppPaths
from app.config.preferences import Preferences
from app.config.secrets import PasswordStore
from app.dav import DavClient, ServerInfo
from app.dav.paths import parent, same_resource
from app.jobs.model import Op
from app.ui import window_fit
from app.ui.actions import Actions
from app.ui.ask_first import AskFirst
from app.ui.background import Background
from app.ui.browser import Browser
from app.ui.drag_out import DragStager
from app.ui.file_view import FileTableView, FolderTreeView
from app.ui.help_menu import HelpMenu
from app.ui.in_place import InPlace
from app.ui.job_bridge import JobBridge
from app.ui.jobs_panel import JobsPanel
from app.ui.messages import readable
from app.ui.models.file_table import FileFilterProxy, FileTableModel
from app.ui.models.folder_tree import PATH_ROLE, FolderTreeModel
from app.ui.models.listing_cache import Listing
from app.ui.operations import Operations
from app.ui.path_bar import PathBar
from app.ui.permissions import (
    CREATE_FILE,
    CREATE_FOLDER,
    DELETE,
    MOVE,
    RENAME,
    allows,
    needed_inside,
)
from app.ui.results.fixes import ResultFixer
from app.ui.results.pane import ResultsPane
from app.ui.status_labels import StatusLabels
from app.ui.targets import Targets, folder_at
from app.ui.transcript_view import TranscriptView
from app.ui.tree_focus import TreeFocus
from app.ui.typed_location import TypedLocation
from app.ui.window_preferences import WindowPreferences

if TYPE_CHECKING:  # loaded when first used: the window shows without them (see start-up)
    from app.nextcloud.account import NextcloudAccount
    from app.ui.nextcloud_account import AccountActions
    from app.ui.properties_dialog import PropertiesDialog

#: Keys of the state mapping (and ask_first.LOCAL_FOLDER); values are base64 strings of Qt's
#: saveState()s, or plain paths.
GEOMETRY, WINDOW_STATE = "geometry", "window_state"
SPLITTER, TABLE_HEADER = "splitter", "table_header"
LAST_FOLDER = "last_folder"
_FILTER_DELAY_MS = 150


class MainWindow(QMainWindow):
    folder_loaded = Signal(str)  # a folder's listing is complete and shown
    commands: Actions  # the window's QActions by name (QWidget.actions() lists them all)

    def __init__(
        self,
        client: DavClient,
        start_path: str,
        state: MutableMapping[str, Any],
        workers: int = 4,
        parent: QWidget | None = None,
        *,
        paths: AppPaths,
        account: NextcloudAccount | None = None,
        passwords: PasswordStore | None = None,
        keep_mtime: bool = False,
        bookmark: Bookmark | None = None,
        first_listing: Callable[[], Listing] | None = None,
    ) -> None:
        """paths: where Davdesk keeps its files (the log, bookmarks, pairs, local copies);
        account: the Nextcloud account the client is signed in to (Trash Bin, Sign Out);
        passwords: where its app password is kept, to forget it on signing out;
        keep_mtime: the bookmark's choice to keep uploads' mtimes with a PROPPATCH;
        bookmark: the bookmark the window was opened from (its name is the window's);
        first_listing: gives start_path's listing (app/ui/early_listing.py)."""
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self._client = client
        self._state = state
        self._paths = paths
        self._server: ServerInfo | None = None
        self._properties: PropertiesDialog | None = None
        self._background = Background(workers, self)
        self._workers = workers
        self.commands = Actions(self, nextcloud=account is not None)
        self.operations = Operations(client, self._background, workers, self, keep_mtime=keep_mtime)
        host = client.origin.split("://", 1)[-1]
        # A Nextcloud's files live under remote.php/dav/files/USERID/: the account says it better.
        root_label = (
            bookmark.name
            if bookmark is not None
            else (
                f"{account.user_id}@{host}{account.root_path.rstrip('/')}"
                if account
                else host + client.root.rstrip("/")
            )
        )
        self._root_label = root_label
        style = self.style()
        folder_icon = style.standardIcon(QStyle.StandardPixmap.SP_DirIcon)
        file_icon = style.standardIcon(QStyle.StandardPixmap.SP_FileIcon)

        stager = DragStager(client, self._background, workers, self)
        self.table_model = FileTableModel(self._background, folder_icon, file_icon, stager, self)
        self.proxy = FileFilterProxy(self.table_model, self)
        self.table = FileTableView(self.proxy, self)
        self.tree_model = FolderTreeModel(client, self._background, root_label, folder_icon, self)
        self.tree = FolderTreeView(self.tree_model, self)
        self.tree_focus = TreeFocus(self.tree, client.root, self)
        self.browser = Browser(
            client,
            self._background,
            self.table_model,
            self.tree_model,
            self,
            first_listing=(start_path or client.root, first_listing)
            if first_listing is not None
            else None,
        )
        self.targets = Targets(self.table, self.table_model, self.tree_focus, self.browser)
        self.ask_first = AskFirst(
            self,
            self.operations,
            self.targets,
            state,
            lambda: self.preferences.current.confirm_delete,
        )
        self.typed = TypedLocation(client, self._background, self.browser, self)
        self._error_shown: str | None = None  # a navigation error in the status bar
        self.fixer = ResultFixer(
            client, self._background, self.operations.locks, self.operations.start_job, self
        )
        self.results = ResultsPane(self.fixer, self.reveal, self)
        self.jobs = JobsPanel(self)
        self.transcript = TranscriptView(
            client.transcript, self._background, self, log_folder=paths.log
        )
        self._reveal_name: tuple[str, str] | None = None  # (folder, name) to select once listed
        self.path_bar = PathBar(client.root, root_label, self)
        self.filter = QLineEdit(self)
        self.filter.setObjectName("filterBox")
        self.filter.setPlaceholderText("Filter names")
        self.filter.setClearButtonEnabled(True)
        self.filter.setMaximumWidth(240)
        self._filter_timer = QTimer(self, singleShot=True, interval=_FILTER_DELAY_MS)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(self.table)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 840])
        self.splitter.setCollapsible(1, False)
        self._build_layout()
        self.commands.install(self)
        self._add_view_menu()
        self.help = HelpMenu(self, paths)
        self.preferences = WindowPreferences(
            self,
            state,
            self._background,
            bookmark,
            BookmarkStore.in_config(paths) if bookmark is not None else None,
        )
        self.preferences.install(self.menuBar())
        self.preferences.changed.connect(self._use_preferences)
        self.preferences.message.connect(self.statusBar().showMessage)
        self._use_preferences(self.preferences.current)
        self.account: AccountActions | None = None
        if account is not None:
            if passwords is None:
                raise TypeError("a Nextcloud account's window needs the keyring of its password")
            from app.ui.nextcloud_account import AccountActions

            self.account = AccountActions(
                account, client, self._background, self.operations, passwords, self.commands, self
            )
        self.in_place = InPlace(
            self,
            client,
            self._background,
            self.operations,
            self.browser,
            self.table_model,
            workers,
            account,
            self.targets.resources,
            paths.cache,
        )
        self.edits, self.search = self.in_place.edits, self.in_place.search
        self._connect()
        self._restore_state()
        self.tree.expand(self.tree_model.index(0, 0))
        self._update_actions()
        self._background.submit(client.options, self._server_known)
        self.browser.navigate(start_path or client.root)

    # -- building -------------------------------------------------------------------------

    def _build_layout(self) -> None:
        location = QHBoxLayout()
        location.setContentsMargins(6, 4, 6, 4)
        location.addWidget(self.path_bar, 1)
        location.addWidget(self.filter)
        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addLayout(location)
        column.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self._add_docks()
        self.labels = StatusLabels(self.statusBar())
        self.count_label, self.quota_label = self.labels.count, self.labels.quota
        self.access_label = self.labels.access
        # Explicit, so the layout never changes the window's size limits as labels change
        # (window managers are told the limits each time; offscreen Qt warns about it).
        window_fit.size_first(self)

    def _add_docks(self) -> None:
        """Results and the transcript share the bottom (tabs), the results folded to a strip
        until a job has something to show; running jobs show above them, full width, so
        neither squeezes the other's columns."""
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self.addDockWidget(bottom, self.jobs)
        self.splitDockWidget(self.jobs, self.results, Qt.Orientation.Vertical)
        self.tabifyDockWidget(self.results, self.transcript)
        self.results.raise_()
        self.jobs.hide()  # until a job starts
        # The transcript is there when asked for (View ▸ Transcript): beside the folded
        # results it would hold the bottom area open at its own height.
        self.transcript.hide()
        self.results.opened.connect(self._results_opened)
        self.results.visibilityChanged.connect(self._bottom_tab_changed)
        self.results.set_open(False)
        # Once the window is laid out: before it, the dock area ignores a size.
        QTimer.singleShot(0, lambda: self._results_opened(self.results.is_open))

    def _results_opened(self, shown: bool) -> None:
        """The bottom area follows the results: the strip's one line, or two fifths."""
        height = self.height() * 2 // 5 if shown else self.results.maximumHeight()
        self.resizeDocks([self.results], [height], Qt.Orientation.Vertical)

    def _bottom_tab_changed(self, results_in_front: bool) -> None:
        """A tab raised over the folded results (the Sync panel, the transcript) gets the two
        fifths the open results would: the strip's line is no height for a list."""

        def give_room() -> None:
            # Tabs behind the one in front still say isVisible(); they show no pixel.
            docks = self.tabifiedDockWidgets(self.results)
            raised = [d for d in docks if d.isVisible() and not d.visibleRegion().isEmpty()]
            if raised and self.results.visibleRegion().isEmpty():
                self.resizeDocks(raised[:1], [self.height() * 2 // 5], Qt.Orientation.Vertical)

        if not results_in_front and not self.results.is_open:
            QTimer.singleShot(0, give_room)

    def _add_view_menu(self) -> None:
        view = self.menuBar().addMenu("&View")
        for dock, keys in (
            (self.results, "Ctrl+Shift+R"),
            (self.jobs, "Ctrl+Shift+J"),
            (self.transcript, "Ctrl+Shift+T"),
        ):
            toggle = dock.toggleViewAction()
            toggle.setObjectName(f"toggle{dock.objectName()[0].upper()}{dock.objectName()[1:]}")
            toggle.setShortcut(keys)
            view.addAction(toggle)

    def _connect(self) -> None:
        a, b, ops = self.commands, self.browser, self.operations
        a.back.triggered.connect(b.back)
        a.forward.triggered.connect(b.forward)
        a.up.triggered.connect(b.up)
        a.refresh.triggered.connect(b.refresh)
        a.location.triggered.connect(self.path_bar.edit)
        a.filter.triggered.connect(self._focus_filter)
        a.new_folder.triggered.connect(self.ask_first.new_folder)
        a.rename.triggered.connect(self.table.rename_current)
        a.delete.triggered.connect(self.ask_first.delete)
        t = self.targets
        a.copy.triggered.connect(lambda: ops.put_on_clipboard(Op.COPY, t.resources()))
        a.cut.triggered.connect(lambda: ops.put_on_clipboard(Op.MOVE, t.resources()))
        a.paste.triggered.connect(lambda: ops.paste(t.folder()))
        a.upload.triggered.connect(self.ask_first.upload_files)
        a.upload_folder.triggered.connect(self.ask_first.upload_folder)
        a.download.triggered.connect(self.ask_first.download)
        a.properties.triggered.connect(self.show_properties)
        a.sync.triggered.connect(self.sync_folder)
        a.lock.triggered.connect(lambda: ops.locks.lock(t.resources()[0]))
        a.unlock.triggered.connect(lambda: ops.locks.unlock(t.resources()[0]))
        a.quit.triggered.connect(self.close)
        self.in_place.connect_actions(a, in_context=lambda: t.context_folder is not None)
        self.search.finished.connect(lambda _: self._update_placeholder())

        b.navigated.connect(self._navigated)
        b.loaded.connect(self._loaded)
        b.progress.connect(lambda n: self._show_count(f"Loading… {n:,} items"))
        b.failed.connect(self._load_failed)
        b.quota.connect(self.labels.show_quota)
        b.permissions_changed.connect(self._update_actions)
        b.permissions_changed.connect(self._update_placeholder)
        self.path_bar.path_chosen.connect(self.typed.go)
        self.typed.problem.connect(self._location_problem)
        self.typed.folder.connect(b.navigate)
        self.typed.file.connect(self.reveal)
        self.filter.textChanged.connect(self._filter_timer.start)
        self._filter_timer.timeout.connect(self._apply_filter)

        self.table.activated.connect(self._open)
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.table.selectionModel().selectionChanged.connect(self._show_totals)
        # A new listing drops the selection without a selectionChanged: look again.
        self.proxy.modelReset.connect(self._update_actions)
        self.proxy.rowsRemoved.connect(self._update_actions)
        self.tree_focus.changed.connect(self._update_actions)
        self.table_model.rename_requested.connect(ops.rename)
        self.table_model.files_dropped.connect(ops.upload)
        for signal in (
            self.proxy.modelReset,
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
            self.proxy.layoutChanged,
        ):
            signal.connect(self._update_placeholder)
        self.tree.clicked.connect(self._tree_open)
        self.tree.activated.connect(self._tree_open)
        self.tree.customContextMenuRequested.connect(self._tree_menu)
        self.tree_model.revealed.connect(self._tree_reveal)
        self.tree_model.failed.connect(self.statusBar().showMessage)
        self.tree_model.files_dropped.connect(ops.upload)
        ops.message.connect(self.statusBar().showMessage)
        ops.folders_changed.connect(b.changed)
        ops.clipboard_changed.connect(self._update_actions)
        ops.locks.changed.connect(self._update_actions)
        ops.job_added.connect(self._job_added)
        for source in (self.fixer, self.results, self.transcript):
            source.message.connect(self.statusBar().showMessage)

    def _focus_filter(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()

    def _job_added(self, bridge: JobBridge, name: str, queued: bool) -> None:
        self.results.add_job(bridge, name, queued)
        self.jobs.add(bridge, name, queued)
        # Room for every card, up to half the window: the panel sits above the results.
        QTimer.singleShot(
            0,
            lambda: self.resizeDocks(
                [self.jobs],
                [min(self.height() // 2, self.jobs.wanted_height())],
                Qt.Orientation.Vertical,
            ),
        )

    # -- navigation ------------------------------------------------------------------------

    @property
    def client(self) -> DavClient:
        """The connection the window shows (background sync shows its server's runs here)."""
        return self._client

    @property
    def current_path(self) -> str:
        return self.browser.current

    def navigate(self, path: str) -> None:
        self.browser.navigate(path)

    def _location_problem(self, message: str) -> None:
        """A typed location that is not there: stay here, say so until the next good move."""
        self._error_shown = message
        self.statusBar().showMessage(message)
        self.path_bar.set_path(self.browser.current)

    def _navigated(self, path: str) -> None:
        self._state[LAST_FOLDER] = path
        self.path_bar.set_path(path)
        name = path.rstrip("/").rsplit("/", 1)[-1] or self.path_bar.path
        shown = (
            self._root_label
            if same_resource(path, self.browser.root)
            else f"{name} – {self._root_label}"
        )
        self.setWindowTitle(f"{shown} – Davdesk")
        self.filter.clear()
        self.quota_label.clear()
        self._show_count("Loading…")
        self._update_placeholder()
        self._update_actions()

    def _loaded(self, path: str) -> None:
        if self._error_shown and self.statusBar().currentMessage() == self._error_shown:
            self.statusBar().clearMessage()  # the error was about where we were going
        self._error_shown = None
        self._update_placeholder()
        if self._reveal_name is not None and same_resource(self._reveal_name[0], path):
            self._select_name(self._reveal_name[1])
            self._reveal_name = None
        self.folder_loaded.emit(path)

    def reveal(self, path: str) -> None:
        """Show a resource where it lives: its folder, with it selected."""
        folder, name = parent(path), path.rstrip("/").rsplit("/", 1)[-1]
        if same_resource(folder, self.browser.current) and not self.browser.loading:
            self._select_name(name)
            return
        self._reveal_name = (folder, name)
        self.browser.navigate(folder)

    def _select_name(self, name: str) -> None:
        row = self.table_model.row_of(name)
        if row < 0:
            self.statusBar().showMessage(f"{name} is not in this folder (any more)")
            return
        self.filter.clear()
        self._apply_filter()
        index = self.proxy.mapFromSource(self.table_model.index(row, 0))
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        self.table.setFocus()

    def _load_failed(self, message: str) -> None:
        self._error_shown = message
        self.statusBar().showMessage(message)
        self._show_count("")
        self.table.show_placeholder(message)

    def _open(self, index: QModelIndex) -> None:
        resource = self.proxy.resource(index)
        if resource.is_dir:
            self.browser.navigate(resource.path)
        else:
            self.edits.open([resource])

    def _tree_open(self, index: QModelIndex) -> None:
        path = index.data(PATH_ROLE)
        if path and path != self.browser.current:
            self.browser.navigate(path)

    def _tree_reveal(self, index: QModelIndex) -> None:
        parent = index.parent()
        while parent.isValid():
            self.tree.expand(parent)
            parent = parent.parent()
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)

    def _apply_filter(self) -> None:
        self.proxy.set_name_filter(self.filter.text(), self.preferences.current.show_hidden)
        self._update_placeholder()

    def _use_preferences(self, preferences: Preferences) -> None:
        # No more than the connection pool was made for: more take effect in a new window.
        self.operations.use(
            min(preferences.parallel_transfers, self._workers),
            preferences.upload_limit * 1024,
            preferences.download_limit * 1024,
            preferences.conflict,
        )
        self.results.kept = preferences.results_kept
        self._apply_filter()

    # -- the status bar ----------------------------------------------------------------------

    def _show_count(self, text: str) -> None:
        self.count_label.setText(text)

    def _update_placeholder(self) -> None:
        total = self.table_model.rowCount()
        shown = self.proxy.rowCount()
        if self.table_model.search_root is not None:
            text = (
                ("Searching…" if self.search.running else "No names match.")
                if total == 0
                else f"No names contain “{self.filter.text()}”."
                if shown == 0
                else ""
            )
        elif self.browser.loading:
            text = "Loading…" if total == 0 else ""
        elif total == 0:
            text = "This folder is empty." + (
                "\nDrop files here to upload them."
                if allows(self.browser.permissions, CREATE_FILE)
                else ""
            )
        elif shown == 0 and not self.filter.text():
            text = "Only hidden files here.\nView ▸ Show Hidden Files shows them."
        elif shown == 0:
            text = f"No names contain “{self.filter.text()}”."
        else:
            text = ""
        self.table.show_placeholder(text)
        self._show_totals()

    def _show_totals(self) -> None:
        if not self.browser.loading:
            self.labels.show_totals(
                self.table_model.rowCount(),
                self.proxy.rowCount(),
                self.table.selected_count(),
                bool(self.filter.text()),
            )

    def _server_known(self, info: ServerInfo | None, error: BaseException | None) -> None:
        if error is not None:
            self.statusBar().showMessage(
                f"Could not ask the server what it supports: {readable(error)}"
            )
        self._server = info
        self._update_actions()

    # -- what the actions may do ------------------------------------------------------------------

    def _update_actions(self) -> None:
        a, b, t = self.commands, self.browser, self.targets
        a.back.setEnabled(b.can_back)
        a.forward.setEnabled(b.can_forward)
        a.up.setEnabled(b.can_up)
        count = t.count()
        for action in (a.copy, a.download):
            action.setEnabled(count > 0)
        self.in_place.update_actions(
            a,
            count,
            lambda letters: self.table.source.rows_allow(
                self.proxy.source_rows(self.table.selectionModel().selection()), letters
            ),
        )
        a.delete.setEnabled(count > 0 and t.allow(DELETE))
        a.cut.setEnabled(count > 0 and t.allow(MOVE + DELETE))
        a.rename.setEnabled(count == 1 and not t.in_tree and t.allow(RENAME))
        clip = self.operations.clipboard
        a.paste.setEnabled(
            clip is not None and t.folder_allows(needed_inside(r.is_dir for r in clip.resources))
        )
        a.new_folder.setEnabled(t.folder_allows(CREATE_FOLDER))
        a.upload.setEnabled(t.folder_allows(CREATE_FILE))
        a.upload_folder.setEnabled(t.folder_allows(CREATE_FOLDER))
        held = count == 1 and self.operations.locks.held(t.resources()[0].path) is not None
        a.lock.setEnabled(
            bool(self._server and self._server.supports_locking) and count == 1 and not held
        )
        a.unlock.setEnabled(held)
        self.labels.show_access(self.browser.permissions)

    # -- dialogs ---------------------------------------------------------------------------------

    def sync_folder(self) -> None:
        from app.config.pairs import PairStore
        from app.ui.sync_dialog import SyncDialog

        paths = self._paths
        dialog = SyncDialog(
            self._client,
            self._background,
            self.operations,
            paths.data,
            BookmarkStore.in_config(paths),
            self.current_path,
            self,
            pairs=PairStore.in_config(paths),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_properties(self) -> None:
        from app.ui.properties_dialog import PropertiesDialog
        from app.ui.sharing import SharingPanel

        targets = self.targets.resources()
        resource = targets[0] if targets else folder_at(self.browser.current)
        if self._properties is not None:
            self._properties.close()
        sharing = (
            SharingPanel(self._client, self._background, self.account.account, resource)
            if self.account is not None
            else None
        )
        self._properties = PropertiesDialog(
            self._client,
            self._background,
            resource,
            self.operations.locks.held(resource.path),
            self,
            sharing=sharing,
        )
        self._properties.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._properties.destroyed.connect(lambda: setattr(self, "_properties", None))
        self._properties.show()

    # -- context menus -----------------------------------------------------------------------

    def _table_menu(self, position: QPoint) -> None:
        if self.table.indexAt(position).isValid():
            menu = self.commands.item_menu(self)
        else:
            self.table.clearSelection()
            menu = self.commands.folder_menu(self)
        menu.exec(self.table.viewport().mapToGlobal(position))

    def _tree_menu(self, position: QPoint) -> None:
        index = self.tree.indexAt(position)
        if not index.isValid():
            return
        self.targets.context_folder = self.targets.known_folder(index.data(PATH_ROLE))
        self._update_actions()
        try:
            self.commands.tree_menu(self).exec(self.tree.viewport().mapToGlobal(position))
        finally:
            self.targets.context_folder = None
            self._update_actions()

    # -- persistence -------------------------------------------------------------------------------

    def _restore_state(self) -> None:
        for key, restore in (
            (GEOMETRY, self.restoreGeometry),
            (WINDOW_STATE, self.restoreState),
            (SPLITTER, self.splitter.restoreState),
            (TABLE_HEADER, self.table.horizontalHeader().restoreState),
        ):
            value = self._state.get(key)
            if isinstance(value, str):
                restore(QByteArray(base64.b64decode(value)))
        if isinstance(self._state.get(GEOMETRY), str):  # a first window is placed as it is
            window_fit.keep_on_screen(self)

    def save_state(self) -> None:
        for key, data in (
            (GEOMETRY, self.saveGeometry()),
            (WINDOW_STATE, self.saveState()),
            (SPLITTER, self.splitter.saveState()),
            (TABLE_HEADER, self.table.horizontalHeader().saveState()),
        ):
            self._state[key] = base64.b64encode(bytes(data.data())).decode("ascii")
        self._state[LAST_FOLDER] = self.browser.current

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.edits.may_close():
            event.ignore()
            return
        self.in_place.close()
        self.save_state()
        self.browser.stop()
        self.operations.close()
        super().closeEvent(event)
