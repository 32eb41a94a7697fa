"""The one running Davdesk, begun after the window it was started for has shown its folder.

What the running Davdesk adds to a window (desktop.py: background sync of the
saved pairs, the tray, File ▸ Connect… and Open Recent, the Sync panel) costs
a start about a tenth of a second of loading and starting, none of which the
first folder needs. So `davdesk URL` opens its window first, and the Desktop
is made and handed the window once the window has shown its first folder, or
could not list it, or after FIRST_FOLDER_WAIT_MS whatever the listing does (a
slow server holds background sync back no longer than that). A window closed
before then ends the program, as one that never started syncing. Any other
start (no address: the connect dialog; `--background`) makes the Desktop at
once.

The single-instance socket listens from the start (app.py claims it before
any window), so a later `davdesk` hands its arguments over as before: they
wait here for the Desktop, which then opens what they name. SIGTERM and
SIGINT quit whichever is running: the Desktop, or the window before it.
"""

from __future__ import annotations

import argparse
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:  # loaded when the Desktop is made (see above)
    from app.ui.desktop import Desktop, WindowOpener
    from app.ui.main_window import MainWindow
    from app.ui.single_instance import SingleInstance

#: The longest the Desktop waits for the first window's folder before it begins anyway.
FIRST_FOLDER_WAIT_MS = 3000
_SIGNAL_CHECK_MS = 300


class DesktopStart(QObject):
    """Makes the Desktop (make) when the start wants it; desktop is None until then.

    end: ends the program's event loop before there is a Desktop (tests watch it instead).
    """

    def __init__(
        self,
        make: Callable[[], Desktop],
        instance: SingleInstance,
        end: Callable[[], None] = QApplication.quit,
        wait_ms: int = FIRST_FOLDER_WAIT_MS,
    ) -> None:
        super().__init__()
        self._make = make
        self._end = end
        self.desktop: Desktop | None = None
        self._window: MainWindow | None = None
        #: Begins the Desktop after wait_ms whatever the listing does; stopped once the
        #: Desktop began or the program ended without it.
        self._patience = QTimer(self, singleShot=True, interval=wait_ms)
        self._patience.timeout.connect(self._begin_beside)
        self._ended = False  # the program ended before a Desktop began: none ever will
        self._handed: list[list[str]] = []  # arguments handed over before the Desktop
        QApplication.setQuitOnLastWindowClosed(False)  # the Desktop decides when it ends
        instance.arguments_received.connect(self._handed_over)

    def start(self, args: argparse.Namespace, opener: WindowOpener) -> bool:
        """What the process was started for; False: nothing to show, nothing to do."""
        if not args.url or getattr(args, "background", False):
            return self._begin().start(args)
        window = opener.open_url(args.url, args.user)
        if window is None:
            return False
        self._window = window
        window.destroyed.connect(self._window_gone)
        # Queued: the folder is painted before the Desktop loads.
        window.folder_loaded.connect(lambda _: QTimer.singleShot(0, self, self._begin_beside))
        window.browser.failed.connect(lambda _: QTimer.singleShot(0, self, self._begin_beside))
        self._patience.start()
        return True

    def quit(self) -> None:
        """End the program (SIGTERM, SIGINT): the Desktop's Quit, or the window's close."""
        if self.desktop is not None:
            self.desktop.quit()
            return
        self._patience.stop()
        self._ended = True
        if self._window is not None:
            self._window.close()
        self._end()

    def close(self) -> None:
        """After the event loop: background sync stops, if it began."""
        if self.desktop is not None:
            self.desktop.close()

    def _begin_beside(self) -> None:
        """The Desktop, given the first window (if it is still open)."""
        if self.desktop is None and not self._ended:
            self._begin(self._window)

    def _begin(self, window: MainWindow | None = None) -> Desktop:
        """The Desktop, with the window, then what later davdesks asked for meanwhile."""
        self._patience.stop()
        desktop = self.desktop = self._make()
        if window is not None:
            desktop.adopt(window)
        handed, self._handed = self._handed, []
        for argv in handed:
            desktop.handle(argv)
        return desktop

    def _window_gone(self) -> None:
        self._window = None
        if self.desktop is None:  # closed before anything began: nothing keeps it running
            self._patience.stop()
            self._ended = True
            self._end()

    def _handed_over(self, argv: list[str]) -> None:
        if self.desktop is not None:
            self.desktop.handle(argv)
        else:
            self._handed.append(argv)


def quit_on_signals(quit_program: Callable[[], None], parent: QObject) -> QTimer:
    """SIGTERM (a session ending, a service manager) and SIGINT quit like the tray's Quit, so
    background sync stops cleanly. Python runs signal handlers only between bytecodes: the
    returned timer (owned by parent) gives it the chance while Qt's loop waits."""
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: QTimer.singleShot(0, quit_program))
    ticker = QTimer(parent, interval=_SIGNAL_CHECK_MS)
    ticker.timeout.connect(lambda: None)
    ticker.start()
    return ticker
