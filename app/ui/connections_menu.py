"""File ▸ Connect…, New Window, Open Recent and Disconnect: other servers from a running window.

Each window is one connection, all in one process (desktop.py keeps them):
Connect… puts another connection in this window's place, New Window opens
one beside it, Open Recent opens a bookmark in a new window, and Disconnect
closes this one (offering the connect dialog when it was the last).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from app.config.bookmarks import Bookmark, BookmarkStore
from app.ui.background import Background
from app.ui.main_window import MainWindow


class Opener(Protocol):
    def open_url(
        self, url: str, user: str | None, bookmark: Bookmark | None = None
    ) -> MainWindow | None: ...

    def ask(self) -> MainWindow | None: ...


class ConnectionsMenu(QObject):
    """The actions, at the top of the window's File menu. adopt: how a new window joins the
    program; windows: the program's windows now."""

    def __init__(
        self,
        window: MainWindow,
        opener: Opener,
        adopt: Callable[[MainWindow], None],
        windows: Callable[[], list[MainWindow]],
        bookmarks: BookmarkStore,
        background: Background,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._opener = opener
        self._adopt = adopt
        self._windows = windows
        self._bookmarks = bookmarks
        self._background = background

        def make(name: str, text: str, tip: str, keys: str | None = None) -> QAction:
            action = QAction(text, window)
            action.setObjectName(f"action{name}")
            action.setStatusTip(tip)
            if keys:
                action.setShortcut(QKeySequence(keys))
            window.addAction(action)
            return action

        # Not self.connect: that would hide QObject.connect (and disconnect) on this object.
        self.connect_action = make(
            "Connect", "&Connect…", "Connect this window to another server", "Ctrl+K"
        )
        self.new_window_action = make(
            "NewWindow",
            "New &Window…",
            "Open another server in a window of its own",
            "Ctrl+Shift+N",
        )
        self.disconnect_action = make("Disconnect", "&Disconnect", "Close this connection")
        self.recent = QMenu("Open &Recent", window)
        self.recent.setObjectName("openRecentMenu")
        self.recent.aboutToShow.connect(self.load_recent)
        self.connect_action.triggered.connect(self.connect_here)
        self.new_window_action.triggered.connect(self.open_new)
        self.disconnect_action.triggered.connect(self.disconnect_here)
        menus = [a.menu() for a in window.menuBar().actions() if a.text() == "&File"]
        file_menu = next((m for m in menus if isinstance(m, QMenu)), None)
        ours = [
            self.connect_action,
            self.new_window_action,
            self.recent.menuAction(),
            self.disconnect_action,
        ]
        if file_menu is not None and file_menu.actions():
            first = file_menu.actions()[0]
            file_menu.insertActions(first, ours)
            file_menu.insertSeparator(first)
        elif file_menu is not None:
            file_menu.addActions(ours)
            file_menu.addSeparator()

    def _opened(self, window: MainWindow | None) -> bool:
        if window is None:
            return False
        self._adopt(window)
        return True

    def connect_here(self) -> None:
        """Another connection in this window's place: it opens where this one was."""
        geometry = self._window.saveGeometry()
        if self._opened(self._opener.ask()):
            self._windows()[-1].restoreGeometry(geometry)
            self._window.close()

    def open_new(self) -> None:
        self._opened(self._opener.ask())

    def disconnect_here(self) -> None:
        """Close this connection; the last window offers the connect dialog first, so the
        program goes on with the one chosen (or ends when none is)."""
        if self._windows() == [self._window]:
            self._opened(self._opener.ask())
        self._window.close()

    def load_recent(self) -> None:
        self._background.submit(self._bookmarks.load, self._recent_loaded)

    def _recent_loaded(self, bookmarks: list[Bookmark] | None, error: BaseException | None) -> None:
        self.recent.clear()
        if error is not None or not bookmarks:
            empty = self.recent.addAction(
                "No bookmarks yet" if error is None else f"Bookmarks unreadable: {error}"
            )
            empty.setEnabled(False)
            return
        for bookmark in bookmarks:
            action = self.recent.addAction(bookmark.name)
            action.setToolTip(bookmark.url)
            action.triggered.connect(lambda _=False, b=bookmark: self.open_bookmark(b))

    def open_bookmark(self, bookmark: Bookmark) -> None:
        self._opened(self._opener.open_url(bookmark.url, bookmark.user or None, bookmark))
