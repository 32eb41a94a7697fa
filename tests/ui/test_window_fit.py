"""The main window opens whole on its screen: the default size where there is room, cut down
to a small screen, and a geometry saved on a bigger monitor brought back inside."""

from __future__ import annotations

import base64

import pytest
from PySide6.QtCore import QRect, QSize

from app.ui import window_fit
from app.ui.main_window import GEOMETRY
from app.ui.window_fit import (
    DEFAULT_SIZE,
    FRAME,
    MINIMUM_SIZE,
    centred,
    first_size,
    fits,
    fitted,
    minimum_size,
)


@pytest.mark.parametrize(
    ("available", "size"),
    [
        (QRect(0, 0, 1600, 1000), DEFAULT_SIZE),  # room: the default
        (QRect(0, 27, 1920, 1053), DEFAULT_SIZE),  # a top panel leaves room too
        (QRect(0, 0, 1024, 640), QSize(1008, 600)),  # a netbook: all of it, frame kept
        (QRect(0, 27, 1366, 714), QSize(1100, 674)),  # a laptop and its panel: height cut
        (QRect(0, 0, 800, 800), QSize(784, 700)),  # Qt's offscreen screen: width cut
    ],
)
def test_the_first_size_is_the_default_cut_down_to_the_screen(available, size):
    assert first_size(available) == size
    assert fits(centred(size, available), available)


def test_the_minimum_size_never_exceeds_a_small_screen():
    assert minimum_size(QRect(0, 0, 1024, 640)) == MINIMUM_SIZE
    small = QRect(0, 0, 800, 480)  # a 7-inch touch screen
    assert minimum_size(small) == QSize(720, 440)
    assert minimum_size(small).height() + FRAME.top() + FRAME.bottom() <= small.height()


def test_a_geometry_that_fits_is_left_alone():
    available = QRect(0, 0, 1600, 1000)
    assert fitted(QRect(200, 150, 1100, 700), available) == QRect(200, 150, 1100, 700)


@pytest.mark.parametrize(
    "saved",
    [
        QRect(300, 200, 1800, 1100),  # saved on a big monitor
        QRect(1900, 40, 1000, 600),  # the right half of a second monitor, now gone
        QRect(-400, -300, 900, 500),  # up and left of the screen
    ],
)
def test_a_saved_geometry_is_brought_inside_a_smaller_screen(saved):
    available = QRect(0, 27, 1024, 613)
    placed = fitted(saved, available)
    assert fits(placed, available)
    assert placed.width() == min(saved.width(), 1024 - 16)
    assert placed.height() == min(saved.height(), 613 - 40)


def test_the_window_opens_within_the_screen_at_the_default_height(open_window, wsgidav_server):
    window = open_window(wsgidav_server)
    available = window.screen().availableGeometry()
    assert fits(window.geometry(), available), (window.geometry(), available)
    # Qt's offscreen screen (800×800) is narrower than the default and tall enough for it.
    assert available.width() < DEFAULT_SIZE.width() + 16 <= 1116
    assert window.height() == DEFAULT_SIZE.height()
    assert window.width() == available.width() - FRAME.left() - FRAME.right()
    assert window.minimumWidth() <= window.width() and window.minimumHeight() <= window.height()


def test_a_window_saved_on_a_big_monitor_reopens_within_this_screen(
    open_window, wsgidav_server, qtbot
):
    big = open_window(wsgidav_server)
    big.setGeometry(40, 40, 2400, 1400)  # as if on a 2560×1440 monitor
    qtbot.waitUntil(lambda: big.width() == 2400)
    state = {
        GEOMETRY: base64.b64encode(bytes(big.saveGeometry().data())).decode("ascii"),
    }
    big.close()
    window = open_window(wsgidav_server, state=state)
    available = window.screen().availableGeometry()
    assert fits(window.geometry(), available), (window.geometry(), available)
    assert window.width() == available.width() - 16 and window.height() == available.height() - 40


def test_a_first_window_is_left_where_the_window_manager_puts_it(
    open_window, wsgidav_server, monkeypatch
):
    """Only a restored geometry is moved onto the screen: moving a first window would set
    its position and override the window manager's placement (centred, cascaded)."""
    brought_back = []
    monkeypatch.setattr(window_fit, "keep_on_screen", brought_back.append)
    first = open_window(wsgidav_server)
    assert brought_back == []
    state = {GEOMETRY: base64.b64encode(bytes(first.saveGeometry().data())).decode("ascii")}
    again = open_window(wsgidav_server, state=state)
    assert brought_back == [again]
