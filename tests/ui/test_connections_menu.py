"""File ▸ Connect…, New Window, Open Recent and Disconnect, from a running window."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from app.config.bookmarks import Bookmark
from app.ui.app import parse_args
from app.ui.desktop import Desktop
from tests.ui.conftest import WAIT
from tests.ui.test_desktop import bookmarks, opener  # noqa: F401 - the fixture

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def action(window, name: str) -> QAction:
    found = window.findChild(QAction, name)
    assert found is not None, name
    return found


def test_connect_new_window_and_disconnect(qtbot, opener):  # noqa: F811
    desktop = Desktop(opener, parse_args, end=lambda: None, bookmarks=bookmarks())
    assert desktop.start(parse_args([]))
    [first] = desktop.windows
    file_menu = next(a.menu() for a in first.menuBar().actions() if a.text() == "&File")
    assert [a.objectName() for a in file_menu.actions()[:4]] == [
        "actionConnect",
        "actionNewWindow",
        "",
        "actionDisconnect",
    ]  # "" is Open Recent's

    action(first, "actionNewWindow").trigger()  # another server, beside this one
    assert opener.asked == 2 and len(desktop.windows) == 2 and first.isVisible()

    second = desktop.windows[1]
    action(second, "actionConnect").trigger()  # another server in this window's place
    assert opener.asked == 3
    qtbot.waitUntil(lambda: not shiboken6.isValid(second) or not second.isVisible(), timeout=WAIT)
    assert len([w for w in desktop.windows if shiboken6.isValid(w) and w.isVisible()]) == 2

    action(first, "actionDisconnect").trigger()  # not the last: just closes
    assert opener.asked == 3
    qtbot.waitUntil(lambda: len(desktop.windows) == 1, timeout=WAIT)
    [last] = desktop.windows
    action(last, "actionDisconnect").trigger()  # the last: the connect dialog first
    assert opener.asked == 4
    qtbot.waitUntil(
        lambda: len(desktop.windows) == 1 and desktop.windows[0] is not last, timeout=WAIT
    )


def test_open_recent_lists_the_bookmarks_and_opens_one(
    qtbot,
    opener,  # noqa: F811 - the fixture imported above
    wsgidav_server,
    tmp_path,
):
    desktop = Desktop(opener, parse_args, end=lambda: None, bookmarks=bookmarks())
    desktop._bookmarks = type(desktop._bookmarks)(tmp_path / "bookmarks.json")
    desktop._bookmarks.put(Bookmark("Office NAS", wsgidav_server.url + "docs/", "alice"))
    assert desktop.start(parse_args([]))
    [window] = desktop.windows
    recent = window.findChild(QMenu, "openRecentMenu")
    recent.aboutToShow.emit()
    qtbot.waitUntil(lambda: [a.text() for a in recent.actions()] == ["Office NAS"], timeout=WAIT)
    recent.actions()[0].trigger()
    assert opener.urls == [wsgidav_server.url + "docs/"] and len(desktop.windows) == 2
    assert [b.name for b in opener.bookmarks] == ["Office NAS"]  # its trust goes with it
