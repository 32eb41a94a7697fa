"""`davdesk URL` shows its window's folder first; the running Davdesk (desktop.py) begins after.

Real windows on wsgidav, a real Desktop (no sync service: its own tests are in
test_background_sync.py); the single-instance socket stands in as its signal.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication

from app.config.paths import AppPaths
from app.dav import DavClient
from app.ui.app import parse_args
from app.ui.desktop import Desktop
from app.ui.desktop_start import DesktopStart
from app.ui.main_window import MainWindow
from app.ui.models.listing_cache import Listing
from tests.ui.test_desktop import Opener, bookmarks

WAIT = 10_000


class Instance(QObject):
    """What DesktopStart hears from single_instance: arguments a later davdesk handed over."""

    arguments_received = Signal(list)


class Starting:
    """A DesktopStart whose Desktop, when made, is recorded in order with the windows' folders."""

    def __init__(self, opener: Opener, wait_ms: int = 60_000) -> None:
        self.opener = opener
        self.events: list[str] = []
        self.ended: list[bool] = []
        self.instance = Instance()
        self.start = DesktopStart(
            self._make, self.instance, end=lambda: self.ended.append(True), wait_ms=wait_ms
        )

    def _make(self) -> Desktop:
        self.events.append("desktop")
        return Desktop(
            self.opener, parse_args, end=lambda: self.ended.append(True), bookmarks=bookmarks()
        )


class WatchedOpener(Opener):
    """Windows whose shown folders are noted in starting.events; hold: the first window's
    listing waits for it (an early listing that has not arrived)."""

    def __init__(self, qtbot: Any, server: Any) -> None:
        super().__init__(qtbot, server)
        self.starting = Starting(self)
        self.hold: threading.Event | None = None

    def _window(self, path: str) -> MainWindow:
        if self.hold is None or self.windows:
            window = super()._window(path)
        else:
            hold = self.hold
            client = DavClient(
                self._server.url, user=self._server.user, password=self._server.password
            )
            self.clients.append(client)

            def never_before_released() -> Listing:
                hold.wait(WAIT / 1000)
                raise TimeoutError("held")

            window = MainWindow(
                client, path, {}, paths=AppPaths.default(), first_listing=never_before_released
            )
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.windows.append(window)
            window.show()
        window.folder_loaded.connect(lambda folder: self.starting.events.append(f"shown {folder}"))
        return window


@pytest.fixture
def opener(qtbot, wsgidav_server) -> Iterator[WatchedOpener]:
    opener = WatchedOpener(qtbot, wsgidav_server)
    yield opener
    if opener.hold is not None:
        opener.hold.set()
    opener.starting.start.deleteLater()  # its timers end with it
    QApplication.setQuitOnLastWindowClosed(True)
    for window in opener.windows:
        if shiboken6.isValid(window):
            window.close()
    qtbot.waitUntil(lambda: not any(shiboken6.isValid(w) for w in opener.windows))
    for client in opener.clients:
        client.close()


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen has no stacking
def test_the_desktop_begins_after_the_first_folder_is_shown_and_takes_its_window(
    qtbot, opener, wsgidav_server
):
    wsgidav_server.make_file("one/a.txt", b"a")
    wsgidav_server.make_file("two/b.txt", b"b")
    starting = opener.starting
    assert starting.start.start(parse_args([wsgidav_server.url + "one/"]), opener)
    assert starting.start.desktop is None and len(opener.windows) == 1
    # A later davdesk hands over an address before the Desktop exists: it waits for it.
    starting.instance.arguments_received.emit([wsgidav_server.url + "two/"])
    qtbot.waitUntil(lambda: starting.start.desktop is not None, timeout=WAIT)
    desktop = starting.start.desktop
    assert starting.events[:2] == ["shown /one/", "desktop"]
    assert desktop.windows[0] is opener.windows[0]  # adopted: the program ends with it
    assert opener.urls == [wsgidav_server.url + "one/", wsgidav_server.url + "two/"]
    qtbot.waitUntil(lambda: desktop.windows[1].current_path == "/two/", timeout=WAIT)
    starting.instance.arguments_received.emit([])  # once it exists, it takes them at once
    assert opener.asked == 0  # the windows were raised, no connect dialog
    starting.start.quit()  # SIGTERM, SIGINT: the Desktop's Quit closes every window
    qtbot.waitUntil(lambda: desktop.windows == [], timeout=WAIT)
    assert starting.ended


def test_a_folder_that_cannot_be_listed_begins_the_desktop_too(qtbot, opener, wsgidav_server):
    starting = opener.starting
    assert starting.start.start(parse_args([wsgidav_server.url + "missing/"]), opener)
    qtbot.waitUntil(lambda: starting.start.desktop is not None, timeout=WAIT)
    assert starting.start.desktop.windows == [opener.windows[0]]


def test_a_listing_that_does_not_come_holds_the_desktop_back_only_so_long(
    qtbot, opener, wsgidav_server
):
    opener.hold = threading.Event()
    opener.starting = Starting(opener, wait_ms=200)
    starting = opener.starting
    assert starting.start.start(parse_args([wsgidav_server.url]), opener)
    qtbot.waitUntil(lambda: starting.start.desktop is not None, timeout=WAIT)
    assert starting.events == ["desktop"]  # nothing shown yet
    assert starting.start.desktop.windows == [opener.windows[0]]


def test_a_window_closed_before_the_desktop_began_ends_the_program(qtbot, opener, wsgidav_server):
    opener.hold = threading.Event()
    starting = opener.starting
    assert starting.start.start(parse_args([wsgidav_server.url]), opener)
    opener.windows[0].close()
    opener.hold.set()  # the listing arrives after the window stopped wanting it
    qtbot.waitUntil(lambda: bool(starting.ended), timeout=WAIT)
    assert starting.start.desktop is None and starting.events == []


def test_quitting_before_the_desktop_began_closes_the_window(qtbot, opener, wsgidav_server):
    opener.hold = threading.Event()
    opener.starting = Starting(opener, wait_ms=100)
    starting = opener.starting
    assert starting.start.start(parse_args([wsgidav_server.url]), opener)
    starting.start.quit()
    opener.hold.set()
    assert starting.ended and not opener.windows[0].isVisible()
    qtbot.wait(300)  # longer than the Desktop would have waited for the listing
    assert starting.start.desktop is None and starting.events == []


def test_without_an_address_the_desktop_begins_at_once(qtbot, opener):
    starting = opener.starting
    assert starting.start.start(parse_args([]), opener)
    assert starting.events == ["desktop"] and opener.asked == 1
    assert starting.start.desktop is not None
    assert starting.start.desktop.windows == [opener.windows[0]]
