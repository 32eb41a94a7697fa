"""Icons of background sync: a pair's state (Sync panel) and the state of all of them (tray).

Drawn from Davdesk's own icons in a fixed colour each, as the results pane's
states are (icons.status_icon): the colour is the meaning, whatever the
theme. The tray icon is Davdesk's own with a badge in a corner for anything
but "up to date", as the Nextcloud client and Dropbox do, so it stays
recognisable among other tray icons.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from app.resource_files import resource
from app.sync.background.status import PairState
from app.ui.icons import SIZES, status_icon
from app.ui.sync_service import Overall

GREEN, BLUE, ORANGE, RED, GREY = (
    QColor("#2e8540"),
    QColor("#1f6fd1"),
    QColor("#c26a00"),
    QColor("#c62828"),
    QColor("#737373"),
)

_PAIR_ICONS = {
    PairState.IDLE: ("object-select", GREEN),
    PairState.SCANNING: ("sync-synchronizing", BLUE),
    PairState.SYNCING: ("sync-synchronizing", BLUE),
    PairState.PAUSED: ("media-playback-pause", GREY),
    PairState.WAITING: ("appointment-soon", ORANGE),
    PairState.CONFLICTS: ("dialog-warning", ORANGE),
    PairState.ATTENTION: ("dialog-warning", ORANGE),
    PairState.ERROR: ("dialog-error", RED),
    PairState.STOPPED: ("process-stop", GREY),
}
#: The badges' glyphs: bold and without a ring of their own, to read at 16 pixels.
_SYNC_GLYPH = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" '
    b'stroke="white" stroke-width="3.2" stroke-linecap="round" '
    b'stroke-linejoin="round"><path d="M4 12a8 8 0 0 1 13.66-5.66"/>'
    b'<path d="M18 2v5h-5"/><path d="M20 12a8 8 0 0 1-13.66 5.66"/>'
    b'<path d="M6 22v-5h5"/></svg>'
)
_ERROR_GLYPH = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
    b'<path d="M12 4.5v9.5" stroke="white" stroke-width="4.2" '
    b'stroke-linecap="round"/><circle cx="12" cy="19.5" r="2.4" fill="white"/></svg>'
)
_PAUSE_GLYPH = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
    b'<path d="M8 5.5v13M16 5.5v13" stroke="white" stroke-width="4.4" '
    b'stroke-linecap="round"/></svg>'
)
_BADGES = {
    Overall.SYNCING: (_SYNC_GLYPH, BLUE),
    Overall.ERROR: (_ERROR_GLYPH, RED),
    Overall.ATTENTION: (_ERROR_GLYPH, ORANGE),
    Overall.PAUSED: (_PAUSE_GLYPH, GREY),
}


def pair_icon(state: PairState) -> QIcon:
    name, colour = _PAIR_ICONS[state]
    return status_icon(name, colour)


@functools.cache
def tray_icon(overall: Overall) -> QIcon:
    """Davdesk's icon, with the state's badge in the lower right (none when all is well)."""
    logo = QSvgRenderer(str(resource("davdesk.svg")))
    badge = _BADGES.get(overall)
    icon = QIcon()
    for size in (*SIZES, 128):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        logo.render(painter, QRectF(0, 0, size, size))
        if badge is not None:
            _paint_badge(painter, size, *badge)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def _paint_badge(painter: QPainter, size: int, svg: bytes, colour: QColor) -> None:
    """A disc in the state's colour, ringed in white, with the state's glyph in white."""
    side = size * 0.58
    disc = QRectF(size - side, size - side, side, side)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("white"))
    painter.drawEllipse(disc)
    ring = max(1.0, side * 0.08)
    painter.setBrush(colour)
    painter.drawEllipse(disc.adjusted(ring, ring, -ring, -ring))
    glyph = QSvgRenderer(QByteArray(svg))
    inset = side * 0.2
    glyph.render(painter, disc.adjusted(inset, inset, -inset, -inset))
