"""Which folder the window shows, how it got there, and getting its listing on screen.

A first visit streams the listing into the table batch by batch. A revisit
shows the cached listing at once and asks the server (Depth 0) whether the
folder's ETag is still the same; if not, or if the server keeps no ETag for
folders, the folder is listed again quietly and swapped in whole, keeping the
selection. A refresh after a job does the same, so the rows do not blink.

The folder's own oc:permissions letters (what may be added to it) come from
its own response in the listing and in each Depth 0 check, so they cost no
request of their own; until they arrive nothing is withheld.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from app.dav import DavClient
from app.ui.background import Background
from app.ui.messages import readable
from app.ui.models.file_table import FileTableModel
from app.ui.models.folder_tree import FolderTreeModel
from app.ui.models.listing_cache import (
    FolderInfo,
    Listing,
    ListingCache,
    LoadTicket,
    Row,
    folder_info,
    folder_path,
    stream_listing,
)


class Browser(QObject):
    navigated = Signal(str)  # the folder now shown (history and path bar follow it)
    loaded = Signal(str)  # its listing is complete and on screen
    progress = Signal(int)  # rows received so far while a listing streams in
    failed = Signal(str)  # the folder could not be listed: a readable line
    quota = Signal(object)  # FolderInfo of the folder shown
    permissions_changed = Signal()  # the shown folder's own permissions are (newly) known

    def __init__(
        self,
        client: DavClient,
        background: Background,
        table: FileTableModel,
        tree: FolderTreeModel,
        parent: QObject | None = None,
        *,
        first_listing: tuple[str, Callable[[], Listing]] | None = None,
    ) -> None:
        """first_listing: a folder and what gives its listing (called on a worker thread; see
        app/ui/early_listing.py), used instead of a request when that folder is first shown."""
        super().__init__(parent)
        self._first_listing = first_listing
        self._client = client
        self._background = background
        self._table = table
        self._tree = tree
        self.cache = ListingCache()
        self._ticket: LoadTicket | None = None
        self._history: list[str] = []
        self._position = -1
        self.root = folder_path(client.root)
        #: The shown folder's oc:permissions letters; None: none known (or the server has none).
        self.permissions: str | None = None

    # -- where we are ---------------------------------------------------------------

    @property
    def current(self) -> str:
        return self._history[self._position] if self._history else self.root

    @property
    def loading(self) -> bool:
        return self._ticket is not None

    @property
    def can_back(self) -> bool:
        return self._position > 0

    @property
    def can_forward(self) -> bool:
        return self._position < len(self._history) - 1

    @property
    def can_up(self) -> bool:
        return self.current.rstrip("/") != self.root.rstrip("/") and self.current != "/"

    def resolve(self, text: str) -> str:
        """A typed location as a server path: a URL on this server, a path, or relative to here.

        An absolute path is taken below the share's root unless it already
        starts there, so what the path bar shows can be typed back.
        """
        text = text.strip()
        if text.startswith(("http://", "https://")):
            return folder_path(self._client.path_of(text))
        if text.startswith("/"):
            path = (
                text
                if text.startswith(self.root) or text.rstrip("/") == self.root.rstrip("/")
                else self.root + text.lstrip("/")
            )
        else:
            path = posixpath.join(self.current, text)
        normal = folder_path(posixpath.normpath(path))
        return normal if normal.startswith(self.root) else self.root

    # -- moving around -----------------------------------------------------------------

    def navigate(self, path: str) -> None:
        path = folder_path(path)
        del self._history[self._position + 1 :]
        self._history.append(path)
        self._position = len(self._history) - 1
        self._show(path)

    def back(self) -> None:
        if self.can_back:
            self._position -= 1
            self._show(self.current)

    def forward(self) -> None:
        if self.can_forward:
            self._position += 1
            self._show(self.current)

    def up(self) -> None:
        if self.can_up:
            self.navigate(posixpath.dirname(self.current.rstrip("/")))

    def stop(self) -> None:
        """Stop a listing in flight (the window is closing)."""
        if self._ticket is not None:
            self._ticket.cancel()
            self._ticket = None

    def refresh(self) -> None:
        self.cache.invalidate(self.current)
        self._check_quota(self.current)
        self._load(self.current, quiet=True)

    def changed(self, folders: list[str]) -> None:
        """A job changed these folders: forget their listings; list this one again if it is one."""
        for folder in folders:
            self.cache.invalidate(folder)
            if folder_path(folder) != self.current:  # the table's listing updates the tree
                self._tree.refresh(folder)
        if any(folder_path(f) == self.current for f in folders):
            self.refresh()

    # -- getting the listing -------------------------------------------------------------

    def _show(self, path: str) -> None:
        self.stop()
        cached = self.cache.get(path)
        self.permissions = cached.permissions if cached is not None else None
        self.navigated.emit(path)
        self._tree.reveal(path)
        if cached is None:
            self._table.clear(path)
            self._check_quota(path)
            self._load(path, quiet=False)
            return
        self._table.replace(path, cached.rows, order=cached.order)
        self._background.submit(
            lambda: folder_info(self._client, path),
            lambda info, error: self._revalidated(path, cached, info, error),
        )

    def _check_quota(self, path: str) -> None:
        self._background.submit(
            lambda: folder_info(self._client, path),
            lambda info, error: self._quota(path, info, error),
        )

    def _quota(self, path: str, info: FolderInfo | None, error: BaseException | None) -> None:
        if path == self.current and info is not None:
            self.quota.emit(info)
            self._learn_permissions(path, info.permissions)

    def _learn_permissions(self, path: str, permissions: str | None) -> None:
        if path == self.current and permissions != self.permissions:
            self.permissions = permissions
            self.permissions_changed.emit()

    def _revalidated(
        self, path: str, cached: Listing, info: FolderInfo | None, error: BaseException | None
    ) -> None:
        if path != self.current:
            return
        if info is not None:
            self.quota.emit(info)
            self._learn_permissions(path, info.permissions)
        if info is not None and self.cache.is_current(cached, info):
            self.loaded.emit(path)
        else:
            self._load(path, quiet=True)

    def _load(self, path: str, *, quiet: bool) -> None:
        self.stop()
        ticket = self._ticket = LoadTicket(path)
        first, self._first_listing = self._first_listing, None
        if first is not None and folder_path(first[0]) == folder_path(path):
            self._background.submit(
                first[1], lambda listing, error: self._first_listed(ticket, quiet, listing, error)
            )
            return
        received = 0

        def on_batch(batch: tuple[Row, ...]) -> None:
            nonlocal received
            if ticket is not self._ticket:
                return
            received += len(batch)
            if not quiet:
                self._table.append(batch)
            self.progress.emit(received)
            # Queued behind the repaint the insertion asked for: the worker resumes after it.
            QTimer.singleShot(0, ticket.shown)

        self._background.submit_stream(
            lambda emit: stream_listing(self._client, ticket, emit),
            on_batch,
            lambda listing, error: self._listed(ticket, quiet, listing, error),
        )

    def _first_listed(
        self, ticket: LoadTicket, quiet: bool, listing: Listing | None, error: BaseException | None
    ) -> None:
        """The listing asked for early, shown whole; if it failed, the folder is listed as
        usual (which says why, if it fails again)."""
        if ticket is not self._ticket:
            return
        if error is not None:
            self._load(ticket.path, quiet=quiet)
            return
        self._listed(ticket, True, listing, None)

    def _listed(
        self, ticket: LoadTicket, quiet: bool, listing: Listing | None, error: BaseException | None
    ) -> None:
        if ticket is not self._ticket:
            return  # the user went elsewhere meanwhile
        self._ticket = None
        if error is not None:
            self.failed.emit(f"Could not open {ticket.path}: {readable(error)}")
            return
        if listing is None:
            return
        self.cache.put(ticket.path, listing)
        self._tree.set_folders(ticket.path, listing.folders)
        path = ticket.path
        self._learn_permissions(path, listing.permissions)
        if quiet:
            self._table.replace(
                path, listing.rows, then=lambda: self._shown(path), order=listing.order
            )
        else:
            self._table.resort(then=lambda: self._shown(path))

    def _shown(self, path: str) -> None:
        if path == self.current and self._ticket is None:
            self.loaded.emit(path)
