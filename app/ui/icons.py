"""Toolbar and menu icons: the desktop theme's where it has one, else Davdesk's own.

A bare desktop (no icon theme, as under Xvfb, in a minimal VM or on a default
Windows) would leave most toolbar buttons blank. resources/icons/ holds a
fallback for each freedesktop icon name the window uses, drawn with
``currentColor`` and painted here in the palette's text colour, so the icons
follow a light or dark palette as a theme's symbolic icons do. A few
states (queued, running, cancelled) are drawn in a fixed colour instead,
always Davdesk's own: there the colour is the meaning, and a theme's icon of
the same name may be red where a cancel must read as neutral grey.
"""

from __future__ import annotations

import functools
import re

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from app.resource_files import resource

#: Pixmap sizes the icon carries; Qt picks (or scales from) the nearest for each use.
SIZES = (16, 22, 24, 32, 48, 64)


def theme_name(theme: QIcon.ThemeIcon) -> str:
    """The freedesktop name of a Qt theme icon: ThemeIcon.GoPrevious -> "go-previous"."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", theme.name).lower()


def bundled_icon(name: str) -> QIcon | None:
    """Davdesk's own icon of that freedesktop name, or None when it has none."""
    return _painted(name, QGuiApplication.palette().color(QPalette.ColorRole.WindowText).name())


@functools.cache
def _painted(name: str, color: str) -> QIcon | None:
    """Read and painted once per name and colour: every window builds the same actions."""
    path = resource("icons", f"{name}.svg")
    if not path.is_file():
        return None
    renderer = QSvgRenderer(QByteArray(path.read_bytes().replace(b"currentColor", color.encode())))
    icon = QIcon()
    for size in SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def themed_icon(theme: QIcon.ThemeIcon | str, fallback: QIcon) -> QIcon:
    """The theme's icon, else the bundled one, else fallback (a style's standard icon).

    theme: a Qt theme icon, or a freedesktop name Qt has no enum for ("document-replace").
    """
    if QIcon.hasThemeIcon(theme):
        return QIcon.fromTheme(theme)
    bundled = bundled_icon(theme if isinstance(theme, str) else theme_name(theme))
    return bundled if bundled is not None else fallback


def status_icon(name: str, colour: QColor) -> QIcon:
    """Davdesk's own icon of that name painted in colour, whatever the theme."""
    icon = _painted(name, colour.name())
    if icon is None:
        raise LookupError(f"resources/icons/{name}.svg is missing")
    return icon
