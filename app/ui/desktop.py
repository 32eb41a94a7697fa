"""The running program beyond one window: its windows, what other `davdesk` starts ask of it.

One process per user (single_instance.py): a later `davdesk` hands its
arguments here, and this opens the window or the address it names. The
program no longer ends with its last window by itself (Qt's
quitOnLastWindowClosed is off): this decides, so that a program that syncs in
the background can outlive its windows.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication

from app.ui.main_window import MainWindow

log = logging.getLogger(__name__)


class WindowOpener(Protocol):
    """How windows come to be (the composition root's connect dialog and URL handling)."""

    def open_url(self, url: str, user: str | None) -> MainWindow | None:
        """A window at the address, asking for a password as needed; None: said why."""

    def ask(self) -> MainWindow | None:
        """A window on the server the user picks in the connect dialog; None: cancelled."""


class Desktop(QObject):
    """What runs in the one Davdesk process: the open windows, requests from later starts.

    parse: the command line's parser (raises SystemExit on nonsense, which a
    request from another process cannot have: that one parsed it first).
    end: ends the program's event loop (tests watch it instead).
    """

    def __init__(self, opener: WindowOpener,
                 parse: Callable[[list[str]], argparse.Namespace],
                 end: Callable[[], None] = QApplication.quit,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._opener = opener
        self._parse = parse
        self._end = end
        self._windows: list[MainWindow] = []
        self._quitting = False
        QApplication.setQuitOnLastWindowClosed(False)

    @property
    def windows(self) -> list[MainWindow]:
        return list(self._windows)

    def start(self, args: argparse.Namespace) -> bool:
        """What the first process was started for; False: nothing to show, nothing to do."""
        return self._open(args)

    def handle(self, argv: list[str]) -> None:
        """Arguments another `davdesk` handed over: open what they name, or show the windows."""
        try:
            args = self._parse(argv)
        except SystemExit:
            log.warning("Ignored arguments another davdesk handed over: %s", argv)
            return
        log.info("Another davdesk asked for %s", args.url or "the window")
        if args.url or not self._windows:
            self._open(args)
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
        """Track a window: the program ends after the last one, unless told otherwise."""
        self._windows.append(window)
        window.actions.quit.triggered.disconnect()
        window.actions.quit.triggered.connect(self.quit)
        window.destroyed.connect(lambda: self._forget(window))

    def quit(self) -> None:
        """Close every window and end the program (File > Quit, the tray's Quit)."""
        self._quitting = True
        for window in list(self._windows):
            window.close()
        self._end()

    def _forget(self, window: MainWindow) -> None:
        self._windows = [w for w in self._windows if w is not window]
        self._maybe_quit()

    def _maybe_quit(self) -> None:
        if not self._windows and not self.keeps_running():
            self._end()

    def keeps_running(self) -> bool:
        """Whether the program has work without a window (background sync)."""
        return False


def show(window: MainWindow) -> None:
    """Bring a window to the front, un-minimised."""
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()

