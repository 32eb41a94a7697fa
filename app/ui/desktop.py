"""The running program beyond one window: its windows, background sync, the tray.

One process per user (single_instance.py): a later `davdesk` hands its
arguments here, and this opens the window or the address it names. The
program no longer ends with its last window by itself (Qt's
quitOnLastWindowClosed is off): this decides. While some saved pair is
synced (not paused), closing the last window leaves Davdesk running in the
tray, which says so once (remembered in settings); where there is no
system tray, closing it asks whether to keep syncing in the background.
`davdesk --background` (what start at login runs) opens no window at all.
`davdesk URL` opens its window before the Desktop is made (desktop_start.py).

Every window gets a Sync panel (sync_panel.py) and Sync This Folder…, and
shows the background runs of pairs on its server in its results pane.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QSystemTrayIcon

from app.config.autostart import Autostart
from app.config.bookmarks import Bookmark, BookmarkStore
from app.config.pairs import SavedPair
from app.config.settings import Settings
from app.dav import DavError
from app.ui.background import Background
from app.ui.connections_menu import ConnectionsMenu
from app.ui.job_bridge import JobBridge
from app.ui.main_window import MainWindow
from app.ui.sync_panel import SyncPanel
from app.ui.sync_service import RecentRun, SyncService
from app.ui.tray import Tray

log = logging.getLogger(__name__)

#: Settings key: the tray has said once that closing the window keeps Davdesk syncing.
TRAY_NOTICE = "tray_notice_shown"


class WindowOpener(Protocol):
    """How windows come to be (the composition root's connect dialog and URL handling)."""

    def open_url(
        self, url: str, user: str | None, bookmark: Bookmark | None = None
    ) -> MainWindow | None:
        """A window at the address, asking for a password as needed; None: said why.

        bookmark: the saved server the address is (Open Recent): its trust decisions
        (a pinned certificate, a CA file) apply, and the window shows its name."""

    def ask(self) -> MainWindow | None:
        """A window on the server the user picks in the connect dialog; None: cancelled."""


class Sync:
    """What background sync needs from the composition root (absent: no background sync)."""

    def __init__(
        self,
        service: SyncService,
        autostart: Autostart,
        settings: Settings,
        bookmarks: BookmarkStore,
        background: Background,
        tray: bool | None = None,
    ) -> None:
        """tray: whether a system tray exists (None: ask Qt)."""
        self.service = service
        self.autostart = autostart
        self.settings = settings
        self.bookmarks = bookmarks
        self.background = background
        self.tray = QSystemTrayIcon.isSystemTrayAvailable() if tray is None else tray


class Desktop(QObject):
    """What runs in the one Davdesk process: the open windows, requests from later starts.

    parse: the command line's parser (raises SystemExit on nonsense, which a
    request from another process cannot have: that one parsed it first).
    end: ends the program's event loop (tests watch it instead).
    bookmarks: the saved servers (File ▸ Open Recent, File ▸ Connect…).
    """

    def __init__(
        self,
        opener: WindowOpener,
        parse: Callable[[list[str]], argparse.Namespace],
        end: Callable[[], None] = QApplication.quit,
        sync: Sync | None = None,
        parent: QObject | None = None,
        *,
        bookmarks: BookmarkStore,
    ) -> None:
        super().__init__(parent)
        self._opener = opener
        self._parse = parse
        self._end = end
        self._sync = sync
        self._windows: list[MainWindow] = []
        self._bookmarks = bookmarks
        self._pool = Background(1, self)
        self._quitting = False  # the user chose to quit: nothing keeps the program running
        self._ended = False
        self._background_mode = False  # --background, or the user chose it without a tray
        self.tray: Tray | None = None
        QApplication.setQuitOnLastWindowClosed(False)
        if sync is not None:
            if sync.tray:
                self.tray = Tray(sync.service, self)
                self.tray.open_requested.connect(self.show_windows)
                self.tray.quit_requested.connect(self.quit)
            sync.service.changed.connect(self._sync_changed)
            sync.service.start()

    @property
    def windows(self) -> list[MainWindow]:
        return list(self._windows)

    def start(self, args: argparse.Namespace) -> bool:
        """What the first process was started for; False: nothing to show, nothing to do."""
        if getattr(args, "background", False):
            self._background_mode = True
            self._sync_changed()
            return True
        return self._open(args)

    def handle(self, argv: list[str]) -> None:
        """Arguments another `davdesk` handed over: open what they name, or show the windows."""
        try:
            args = self._parse(argv)
        except SystemExit:
            log.warning("Ignored arguments another davdesk handed over: %s", argv)
            return
        if getattr(args, "background", False):
            return  # already running: start at login found Davdesk started by hand
        log.info("Another davdesk asked for %s", args.url or "the window")
        if args.url:
            self._open(args)
        else:
            self.show_windows()

    def show_windows(self) -> None:
        """Open Davdesk: the windows to the front, or the connect dialog when there is none."""
        if not self._windows:
            window = self._opener.ask()
            if window is not None:
                self.adopt(window)
            return
        for window in self._windows:
            show(window)

    def _open(self, args: argparse.Namespace) -> bool:
        window = self._opener.open_url(args.url, args.user) if args.url else self._opener.ask()
        if window is None:
            self._maybe_quit()
            return False
        self.adopt(window)
        return True

    def adopt(self, window: MainWindow) -> None:
        """Track a window: the program ends after the last one, unless it syncs."""
        self._windows.append(window)
        window.commands.quit.triggered.disconnect()
        window.commands.quit.triggered.connect(self.quit)
        window.destroyed.connect(lambda: self._forget(window))
        window.installEventFilter(self)
        ConnectionsMenu(
            window, self._opener, self.adopt, lambda: self.windows, self._bookmarks, self._pool
        )  # File ▸ Connect…, owned by the window
        if self._sync is not None:
            self._equip(window, self._sync)

    def quit(self) -> None:
        """Close every window and end the program (File > Quit, the tray's Quit)."""
        if self._ended:
            return
        self._quitting = self._ended = True
        for window in list(self._windows):
            if not window.close():  # it asked, and the user kept it (unsent edits)
                self._quitting = self._ended = False
                return
        if self.tray is not None:
            self.tray.close()
        self._end()

    def keeps_running(self) -> bool:
        """Whether the program has work without a window: background sync it may do."""
        if self._quitting or self._sync is None:
            return False
        if self._background_mode:  # started for it, or the user chose it
            return True
        return self.tray is not None and self._sync.service.active

    def _forget(self, window: MainWindow) -> None:
        self._windows = [w for w in self._windows if w is not window]
        self._maybe_quit()

    def _maybe_quit(self) -> None:
        if not self._windows and not self.keeps_running():
            self.quit()

    # -- closing the last window while pairs sync --------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Close
            and not self._quitting
            and self._windows == [watched]
            and self._sync is not None
            and self._sync.service.active
        ):
            assert isinstance(event, QCloseEvent)
            if self.tray is not None:
                self._say_once_that_it_keeps_running()
            elif not self._ask_to_keep_running(watched):
                event.ignore()
                return True
        return super().eventFilter(watched, event)

    def _say_once_that_it_keeps_running(self) -> None:
        assert self._sync is not None and self.tray is not None
        settings = self._sync.settings
        if settings.get(TRAY_NOTICE):
            return
        self.tray.notify(
            "Davdesk keeps syncing",
            "Your folders stay in step in the background. Open Davdesk or quit "
            "it from this icon's menu.",
        )
        settings.set(TRAY_NOTICE, True)
        self._sync.background.submit(settings.save, lambda _, __: None)

    def _ask_to_keep_running(self, window: QObject) -> bool:
        """No tray to live in: keep syncing invisibly, quit, or keep the window (False)."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Davdesk",
            "Keep syncing your folders in the background?",
            parent=window if isinstance(window, MainWindow) else None,
        )
        box.setObjectName("keepSyncingQuestion")
        box.setInformativeText(
            "There is no system tray to show Davdesk in. Run davdesk again to open this window."
        )
        keep = box.addButton("Keep Syncing", QMessageBox.ButtonRole.AcceptRole)
        stop = box.addButton("Quit Davdesk", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.exec()
        if box.clickedButton() is keep:
            self._background_mode = True
        elif box.clickedButton() is stop:
            self._quitting = True
        else:
            return False
        return True

    def _sync_changed(self) -> None:
        """The tray shows while there are pairs, or when started for them (--background)."""
        if self.tray is None or self._sync is None:
            return
        if self._sync.service.pairs or self._background_mode:
            self.tray.show()
        else:
            self.tray.hide()

    # -- a window's part in background sync ----------------------------------------------------

    def _equip(self, window: MainWindow, sync: Sync) -> None:
        """The Sync panel (tabbed with the results), its menu entries, and the runs."""
        panel = SyncPanel(
            sync.service, sync.autostart, sync.background, window, origin=window.client.origin
        )
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, panel)
        window.tabifyDockWidget(window.results, panel)
        window.results.raise_()
        # A retry of a background run's files is recorded for its pair (sync_service.py).
        window.fixer.retrying.connect(sync.service.retrying)
        window.operations.job_added.connect(sync.service.job_added)
        menus = {a.text(): a.menu() for a in window.menuBar().actions()}
        view, file = menus.get("&View"), menus.get("&File")
        if isinstance(view, QMenu):
            toggle = panel.toggleViewAction()
            toggle.setObjectName("toggleSyncPanel")
            toggle.setShortcut("Ctrl+Shift+Y")
            view.addAction(toggle)
        if isinstance(file, QMenu):
            after = file.actions()[file.actions().index(window.commands.sync) + 1]
            file.insertAction(after, panel.add_action)
        for run in sync.service.recent:  # what ran before the window opened
            if panel.shows(run):
                _show_run(window, run)
        panel.run_shown.connect(lambda run: _show_run(window, run))
        panel.add_requested.connect(lambda: self._add_pair(window, sync))
        panel.open_on_server.connect(lambda pair: self._open_on_server(window, pair))
        if self._background_mode and len(self._windows) == 1:
            panel.raise_()  # opened from the tray: what it is about first

    def _add_pair(self, window: MainWindow, sync: Sync) -> None:
        client, folder = window.client, window.current_path

        def bookmark() -> str | None:
            found = next(
                (
                    b
                    for b in sync.bookmarks.load()
                    if b.url.rstrip("/") == client.base_url.rstrip("/")
                ),
                None,
            )
            return found.name if found is not None else None

        def found(name: str | None, error: BaseException | None) -> None:
            url = client.url(folder)
            user = client.auth.user if client.auth is not None else None
            if name is None and user:  # no bookmark: the keyring entry of this user
                url = url.replace("://", f"://{user}@", 1)
            from app.ui.add_pair_dialog import AddPairDialog  # loaded when first used

            dialog = AddPairDialog(sync.service, url, name, parent=window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.accepted.connect(lambda: _select(window, dialog.saved))
            dialog.open()

        sync.background.submit(bookmark, found)

    def _open_on_server(self, window: MainWindow, pair: SavedPair) -> None:
        """The pair's server folder: in this window when it shows that server, else a new one."""
        client = window.client
        try:
            path = client.path_of(pair.url)
        except DavError:  # another server
            path = None
        if path is not None and path.startswith(client.root):
            window.navigate(path)
            show(window)
            return
        opened = self._opener.open_url(pair.url, None)
        if opened is not None:
            self.adopt(opened)

    def close(self) -> None:
        """After the event loop: background sync stops (runs end cleanly, locks released)."""
        if self.tray is not None:
            self.tray.close()
        if self._sync is not None:
            self._sync.service.stop()
            self._sync.background.wait()


def _show_run(window: MainWindow, run: RecentRun) -> None:
    """A background run in the window's results pane (and jobs panel while it runs), as the
    window's own jobs are: what it did so far, then the rest as it comes.

    The run's own bridge belongs to the sync service and outlives the window; the
    window listens to a bridge of its own that relays it, so everything connected to
    the window's bridge goes with the window (pausing or cancelling it reaches the run).
    """
    bridge = JobBridge(None, run.job, parent=window, running=run.control)
    window.results.add_job(bridge, run.name, False)
    if run.bridge is not None:
        window.jobs.add(bridge, run.name, False)
    bridge.started.emit()
    for event in run.events:
        bridge.relay(event)
    if run.bridge is not None:
        for source, relay in (
            (run.bridge.progress, bridge.progress),
            (run.bridge.task_done, bridge.task_done),
            (run.bridge.ended, bridge.ended),
        ):
            source.connect(relay)


def _select(window: MainWindow, pair: SavedPair | None) -> None:
    panel = window.findChild(SyncPanel, "syncPanel")
    if panel is not None and pair is not None:
        panel.show()
        panel.raise_()
        panel.select(pair.name)


def show(window: MainWindow) -> None:
    """Bring a window to the front, un-minimised."""
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()
