"""Help ▸ About Davdesk and Help ▸ Open Log Folder."""

from __future__ import annotations

import platform

import pytest
from PySide6.QtCore import QUrl, qVersion
from PySide6.QtWidgets import QMessageBox

from app import __version__
from app.config.paths import AppPaths
from app.ui.help_menu import HelpMenu, about_text


def test_about_says_versions_licence_and_where_things_are(tmp_path):
    paths = AppPaths.under(tmp_path)
    text = about_text(paths)
    assert text.startswith(f"Davdesk {__version__}\n")
    assert f"Qt {qVersion()}" in text and f"Python {platform.python_version()}" in text
    assert "GNU General Public License, version 3 or later" in text
    assert f"Settings and bookmarks: {paths.config}" in text and f"Logs: {paths.log}" in text


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_the_help_menu_opens_about_and_the_log_folder(wsgidav_server, open_window, qtbot, tmp_path):
    window = open_window(wsgidav_server)
    [help_menu] = [a.menu() for a in window.menuBar().actions() if a.text() == "&Help"]
    assert [a.objectName() for a in help_menu.actions() if a.objectName()] == [
        "actionOpenLogFolder",
        "actionAbout",
    ]
    window.help.about.trigger()
    box = window.findChild(QMessageBox, "aboutDialog")
    qtbot.waitUntil(box.isVisible)
    assert box.text().startswith(f"Davdesk {__version__}")
    box.close()

    opened: list[QUrl] = []
    paths = AppPaths.under(tmp_path)
    menu = HelpMenu(window, paths, open_folder=lambda url: opened.append(url) or True)
    menu.open_logs.trigger()
    assert opened == [QUrl.fromLocalFile(str(paths.log))]
