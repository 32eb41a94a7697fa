"""The running program's windows: what a handed-over `davdesk` or `davdesk URL` opens."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.config.bookmarks import Bookmark, BookmarkStore
from app.config.paths import AppPaths
from app.dav import DavClient
from app.ui.app import parse_args
from app.ui.desktop import Desktop
from app.ui.main_window import MainWindow


class Opener:
    """Windows on the test server, as the composition root would open them."""

    def __init__(self, qtbot: Any, server: Any) -> None:
        self._qtbot = qtbot
        self._server = server
        self.asked = 0
        self.urls: list[str] = []
        self.bookmarks: list[Bookmark | None] = []
        self.clients: list[DavClient] = []
        self.windows: list[MainWindow] = []

    def _window(self, path: str) -> MainWindow:
        client = DavClient(self._server.url, user=self._server.user, password=self._server.password)
        self.clients.append(client)
        window = MainWindow(client, path, {}, paths=AppPaths.default())
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # as app.open_window does
        self.windows.append(window)
        window.show()
        return window

    def open_url(
        self, url: str, user: str | None, bookmark: Bookmark | None = None
    ) -> MainWindow | None:
        self.urls.append(url)
        self.bookmarks.append(bookmark)
        return self._window("/" + url.split("/", 3)[3])

    def ask(self) -> MainWindow | None:
        self.asked += 1
        return self._window("/")


def bookmarks() -> BookmarkStore:
    """The saved servers where the composition root keeps them (the test run's home)."""
    return BookmarkStore.in_config(AppPaths.default())


@pytest.fixture
def opener(qtbot, wsgidav_server) -> Iterator[Opener]:
    opener = Opener(qtbot, wsgidav_server)
    yield opener
    QApplication.setQuitOnLastWindowClosed(True)
    for window in opener.windows:
        if shiboken6.isValid(window):
            window.close()
    qtbot.waitUntil(lambda: not any(shiboken6.isValid(w) for w in opener.windows))
    for client in opener.clients:
        client.close()


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen has no stacking
@pytest.mark.expected_log("Ignored arguments another davdesk handed over")
def test_a_handed_over_url_opens_a_window_and_a_bare_start_raises_the_open_ones(
    qtbot, opener, wsgidav_server
):
    wsgidav_server.make_file("one/a.txt", b"a")
    desktop = Desktop(opener, parse_args, end=lambda: None, bookmarks=bookmarks())
    assert desktop.start(parse_args([]))
    assert opener.asked == 1 and len(desktop.windows) == 1
    url = wsgidav_server.url + "one/"
    desktop.handle([url])
    assert opener.urls == [url] and len(desktop.windows) == 2
    qtbot.waitUntil(lambda: desktop.windows[1].current_path == "/one/")
    first = desktop.windows[0]
    first.showMinimized()
    desktop.handle([])  # `davdesk` again: the windows come back, no dialog
    assert opener.asked == 1 and not first.isMinimized() and first.isVisible()
    desktop.handle(["--no-such-option"])  # nothing a real davdesk would send: ignored
    assert len(desktop.windows) == 2


def test_the_windows_quit_action_ends_the_program_with_every_window(qtbot, opener):
    ended: list[bool] = []
    desktop = Desktop(opener, parse_args, end=lambda: ended.append(True), bookmarks=bookmarks())
    desktop.start(parse_args([]))
    desktop.handle(["http://localhost/x/"])
    assert len(desktop.windows) == 2
    desktop.windows[0].commands.quit.trigger()
    qtbot.waitUntil(lambda: desktop.windows == [])
    assert ended


def test_closing_the_last_window_ends_the_program(qtbot, opener):
    ended: list[bool] = []
    desktop = Desktop(opener, parse_args, end=lambda: ended.append(True), bookmarks=bookmarks())
    desktop.start(parse_args([]))
    desktop.handle(["http://localhost/x/"])
    first, second = desktop.windows
    first.close()
    qtbot.waitUntil(lambda: len(desktop.windows) == 1)
    assert not ended
    second.close()
    qtbot.waitUntil(lambda: bool(ended))
