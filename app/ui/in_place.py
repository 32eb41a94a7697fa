"""The window's actions on files where they live: Open, Edit, Copy Address, Find, and on a
Nextcloud Copy Internal Link, Share Link… and Versions….

Kept apart from the main window, which hands over what these need: its
connection, pool and operations, the browser and the file table, and callables
for what the user has selected. The work itself is in edit_in_place.py,
search.py, addresses.py, sharing.py and versions_dialog.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow

from app.dav import DavClient, Resource
from app.jobs.local_copies import LocalCopies, connection_folder
from app.nextcloud.account import NextcloudAccount
from app.ui.actions import Actions
from app.ui.addresses import addresses, internal_links
from app.ui.background import Background
from app.ui.browser import Browser
from app.ui.edit_in_place import EditInPlace
from app.ui.messages import readable
from app.ui.models.file_table import FileTableModel
from app.ui.operations import Operations
from app.ui.search import Search, ask_pattern

Targets = Callable[[], list[Resource]]


class InPlace(QObject):
    def __init__(
        self,
        window: QMainWindow,
        client: DavClient,
        background: Background,
        operations: Operations,
        browser: Browser,
        table: FileTableModel,
        workers: int,
        account: NextcloudAccount | None,
        targets: Targets,
        cache: Path,
    ) -> None:
        """cache: Davdesk's cache folder (AppPaths.cache), where Open and Edit keep copies."""
        super().__init__(window)
        self._window = window
        self._client = client
        self._background = background
        self._operations = operations
        self._browser = browser
        self._table = table
        self._account = account
        self._targets = targets
        user = client.auth.user if client.auth else ""
        self.edits = EditInPlace(
            client,
            background,
            operations,
            LocalCopies(connection_folder(cache, f"{user}@{client.origin}")),
            window,
        )
        self.search = Search(client, background, table, workers, self)
        self._in_context: Callable[[], bool] = lambda: False

    def connect_actions(self, actions: Actions, *, in_context: Callable[[], bool]) -> None:
        """Wire the actions; in_context: whether the tree's context menu chose the target."""
        self._in_context = in_context
        status = self._window.statusBar()
        actions.open.triggered.connect(self.open_selected)
        actions.edit.triggered.connect(lambda: self.edits.open(self._targets(), edit=True))
        actions.copy_url.triggered.connect(
            lambda: self.copy_text(addresses(self._client, self._targets()))
        )
        actions.search.triggered.connect(self.find)
        actions.stop_search.triggered.connect(self.search.stop)
        self.search.started.connect(lambda: actions.stop_search.setEnabled(True))
        self.search.finished.connect(lambda _: actions.stop_search.setEnabled(False))
        if actions.share_link is not None:
            actions.share_link.triggered.connect(self.share_link)
        if actions.versions is not None:
            actions.versions.triggered.connect(self.show_versions)
        if actions.copy_internal_link is not None:
            actions.copy_internal_link.triggered.connect(self.copy_internal_links)
        self.edits.message.connect(status.showMessage)
        self.search.message.connect(status.showMessage)
        self._browser.navigated.connect(self._left_search)

    def update_actions(self, actions: Actions, count: int, grants: Callable[[str], bool]) -> None:
        """Enable what the selection allows; grants(letters): every selected row has them."""
        for action in (actions.open, actions.copy_url):
            action.setEnabled(count > 0)
        actions.edit.setEnabled(count > 0 and not self._in_context() and grants("W"))
        if actions.copy_internal_link is not None:
            actions.copy_internal_link.setEnabled(count > 0)
        # One row: its letters read directly (the per-listing counts track D, N and V only).
        if actions.share_link is not None:
            actions.share_link.setEnabled(count == 1 and self._targets()[0].allows("R"))
        if actions.versions is not None:
            actions.versions.setEnabled(count == 1 and not self._targets()[0].is_dir)

    def close(self) -> None:
        self.edits.close()
        self.search.cancel()

    # -- the actions -------------------------------------------------------------------

    def open_selected(self) -> None:
        """Open: one folder is gone into; files open in their applications."""
        targets = self._targets()
        if len(targets) == 1 and targets[0].is_dir and not self._in_context():
            self._browser.navigate(targets[0].path)
        else:
            self.edits.open(targets)

    def find(self) -> None:
        """Find names below the folder shown; the results replace its listing in the table."""
        folder, root = self._browser.current, self._browser.root
        shown = "/" + folder[len(root) :].rstrip("/") if folder.startswith(root) else folder
        pattern = ask_pattern(self._window, shown)
        if pattern:
            self.search.start(folder, shown, root, pattern)
            self._window.setWindowTitle(f"{self.search.title} – Davdesk")

    def _left_search(self, _: str) -> None:
        """Going to a folder ends a search, and the results' line in the status bar."""
        if self.search.running:
            self.search.cancel()
            self.search.finished.emit(None)
        if self._table.search_root is not None:
            self._window.statusBar().clearMessage()

    def share_link(self) -> None:
        from app.ui.sharing import ShareDialog  # loaded when first used (see start-up)

        targets = self._targets()
        if self._account is None or len(targets) != 1:
            return
        dialog = ShareDialog(
            self._client, self._background, self._account, targets[0], self._window
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_versions(self) -> None:
        from app.ui.versions_dialog import VersionsDialog  # loaded when first used

        targets = self._targets()
        if self._account is None or len(targets) != 1 or targets[0].is_dir:
            return
        dialog = VersionsDialog(
            self._client,
            self._background,
            self._operations,
            self._account,
            targets[0],
            self._window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def copy_internal_links(self) -> None:
        account, chosen = self._account, self._targets()
        if account is None:
            return

        def copied(text: str | None, error: BaseException | None) -> None:
            if error is not None:
                self._window.statusBar().showMessage(f"Cannot copy the link: {readable(error)}")
            else:
                self.copy_text(text or "")

        self._background.submit(lambda: internal_links(self._client, account, chosen), copied)

    def copy_text(self, text: str) -> None:
        if text:
            QGuiApplication.clipboard().setText(text)
            lines = text.count("\n") + 1
            self._window.statusBar().showMessage(
                f"Copied {lines} address{'es' if lines > 1 else ''}"
            )
