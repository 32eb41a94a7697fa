"""`davdesk --smoke-test`: proof that an installed or packaged Davdesk really starts.

It opens the main window as a user would (the demo server or a given URL),
waits until the first folder's listing is shown, and closes the window: exit
status 0. A listing that fails, or none within the time limit, is status 1
with the reason on stderr. Packagers run it after a build; it needs no
screen (it defaults to Qt's offscreen platform).
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer

from app.ui.main_window import MainWindow

TIME_LIMIT_MS = 60_000


class SmokeTest(QObject):
    """Watches one window; status is None until the window listed a folder or gave up."""

    def __init__(self, window: MainWindow, time_limit_ms: int = TIME_LIMIT_MS) -> None:
        super().__init__()  # not the window's child: it is read after the window is gone
        self.status: int | None = None
        self._window = window
        window.folder_loaded.connect(lambda path: self._end(0, f"listed {path}"))
        window.browser.failed.connect(lambda reason: self._end(1, reason))
        QTimer.singleShot(
            time_limit_ms, self, lambda: self._end(1, f"no folder listed in {time_limit_ms} ms")
        )

    def _end(self, status: int, message: str) -> None:
        if self.status is not None:
            return
        self.status = status
        print(f"davdesk --smoke-test: {message}", file=sys.stderr, flush=True)
        self._window.close()  # the last window: the application quits
