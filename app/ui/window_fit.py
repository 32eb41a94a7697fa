"""How big the main window opens and where, so that all of it is on the screen it opens on.

A window that opens larger than its screen hides its status bar and the
right end of its toolbar behind the screen's edge, out of reach of the
mouse (a 1024×640 netbook, a window saved on a big monitor reopened on a
laptop). So the first size is the default where the screen has room for
it and the screen's available area where it has not, and a restored
geometry is brought inside the screen it is restored on.

The window manager adds a title bar and borders around the size asked for,
and says how big they are only once the window shows: FRAME is room kept
for them (about what Windows, GNOME and KDE draw).
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QRect, QSize, Qt
from PySide6.QtWidgets import QWidget

#: The window's size where the screen has room for it.
DEFAULT_SIZE = QSize(1100, 700)
#: The smallest the window may be made, where the screen is at least that big.
MINIMUM_SIZE = QSize(720, 480)
#: Room kept around the window for the frame the window manager adds (left, top, right, bottom).
FRAME = QMargins(8, 32, 8, 8)


def room(available: QRect, frame: QMargins = FRAME) -> QSize:
    """The largest window size whose frame fits in available."""
    inner = available.marginsRemoved(frame)
    return QSize(max(1, inner.width()), max(1, inner.height()))


def first_size(available: QRect) -> QSize:
    """The default size, each side cut down to what the screen has room for."""
    return DEFAULT_SIZE.boundedTo(room(available))


def minimum_size(available: QRect) -> QSize:
    """MINIMUM_SIZE, but never more than the screen holds: on a smaller screen the window
    could not be made to fit."""
    return MINIMUM_SIZE.boundedTo(room(available))


def fits(geometry: QRect, available: QRect, frame: QMargins = FRAME) -> bool:
    """Whether the window at geometry, with its frame, is whole on available."""
    return available.contains(geometry.marginsAdded(frame))


def fitted(geometry: QRect, available: QRect, frame: QMargins = FRAME) -> QRect:
    """geometry made small enough for available and moved as little as it takes to lie
    inside it (a window partly off the screen slides back in; one that fits is unchanged)."""
    if fits(geometry, available, frame):
        return QRect(geometry)
    size = geometry.size().boundedTo(room(available, frame))
    inner = available.marginsRemoved(frame)
    left = min(max(geometry.left(), inner.left()), inner.left() + inner.width() - size.width())
    top = min(max(geometry.top(), inner.top()), inner.top() + inner.height() - size.height())
    return QRect(left, top, size.width(), size.height())


def centred(size: QSize, available: QRect, frame: QMargins = FRAME) -> QRect:
    """A window of size whose frame is in the middle of available."""
    outer = QRect(0, 0, size.width(), size.height()).marginsAdded(frame)
    outer.moveCenter(available.center())
    return outer.marginsRemoved(frame)


def size_first(window: QWidget) -> None:
    """The window's limits and first size on the screen it is about to open on. A window
    that has the default size is placed by the window manager; one cut down to a small
    screen is put in its middle, frame and all."""
    available = window.screen().availableGeometry()
    window.setMinimumSize(minimum_size(available))
    size = first_size(available)
    if size == DEFAULT_SIZE:
        window.resize(size)
    else:
        window.setGeometry(centred(size, available))


def keep_on_screen(window: QWidget) -> None:
    """A restored geometry brought inside the screen it is restored on (saved on a bigger
    monitor, or on one that is gone). A maximised or full-screen window is the window
    manager's to fit."""
    if window.windowState() & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
        return
    geometry = window.geometry()
    placed = fitted(geometry, window.screen().availableGeometry())
    if placed != geometry:
        window.setGeometry(placed)
