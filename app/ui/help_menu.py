"""Help ▸ About Davdesk and Help ▸ Open Log Folder.

About says what a bug report needs (Davdesk's, Qt's and Python's versions,
the licence) and where Davdesk keeps its settings and logs, so nobody has to
guess platformdirs' folders on their system.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Callable

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QMainWindow, QMessageBox

from app import __version__
from app.config.paths import AppPaths

LICENCE = "GNU General Public License, version 3 or later"


def about_text(paths: AppPaths) -> str:
    """What the About box says, as plain lines (a bug report copies them)."""
    return "\n".join(
        [
            f"Davdesk {__version__}",
            "A desktop client for WebDAV and Nextcloud servers.",
            "",
            (
                f"Qt {qVersion()} (PySide6 {pyside_version}), Python {platform.python_version()} "
                f"on {platform.system() or sys.platform}"
            ),
            f"Licence: {LICENCE}",
            "",
            f"Settings and bookmarks: {paths.config}",
            f"Logs: {paths.log}",
            f"Sync state: {paths.data}",
        ]
    )


class HelpMenu:
    """The Help menu's actions; open_folder is how a folder is shown (the desktop's file
    manager by default), so a test can see what would open."""

    def __init__(
        self,
        window: QMainWindow,
        paths: AppPaths,
        open_folder: Callable[[QUrl], bool] = QDesktopServices.openUrl,
    ) -> None:
        self._window = window
        self._paths = paths
        self._open_folder = open_folder
        self.about = QAction("&About Davdesk", window)
        self.about.setObjectName("actionAbout")
        self.about.setMenuRole(QAction.MenuRole.AboutRole)
        self.about.setStatusTip("Davdesk's version, licence, and where it keeps its files")
        self.about.triggered.connect(self.show_about)
        self.open_logs = QAction("Open &Log Folder", window)
        self.open_logs.setObjectName("actionOpenLogFolder")
        self.open_logs.setStatusTip(f"Show {paths.log} in the file manager")
        self.open_logs.triggered.connect(self.show_logs)
        menu = window.menuBar().addMenu("&Help")
        menu.addAction(self.open_logs)
        menu.addSeparator()
        menu.addAction(self.about)

    def show_about(self) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.NoIcon,
            "About Davdesk",
            about_text(self._paths),
            QMessageBox.StandardButton.Close,
            self._window,
        )
        box.setObjectName("aboutDialog")
        box.setIconPixmap(self._window.windowIcon().pixmap(64, 64))
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def show_logs(self) -> None:
        """The log folder in the file manager (the program's logging made it at start)."""
        self._open_folder(QUrl.fromLocalFile(str(self._paths.log)))
