"""Toolbar icons: the desktop theme's when it has them, Davdesk's own on a bare desktop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QMainWindow, QToolBar

from app.ui import actions as actions_module
from app.ui import icons
from app.ui.actions import Actions


@pytest.fixture
def bare_desktop(qapp) -> Iterator[None]:
    """No icon theme at all, as under Xvfb or on a minimal system."""
    name, paths = QIcon.themeName(), QIcon.themeSearchPaths()
    QIcon.setThemeSearchPaths([])
    QIcon.setThemeName("")
    yield
    QIcon.setThemeSearchPaths(paths)
    QIcon.setThemeName(name)


def test_theme_names_are_the_freedesktop_names():
    assert icons.theme_name(QIcon.ThemeIcon.GoPrevious) == "go-previous"
    assert icons.theme_name(QIcon.ThemeIcon.DocumentProperties) == "document-properties"
    assert icons.theme_name(QIcon.ThemeIcon.ApplicationExit) == "application-exit"


def test_every_theme_icon_the_window_asks_for_has_a_bundled_fallback(
    qtbot, bare_desktop, monkeypatch
):
    asked: list[QIcon.ThemeIcon] = []

    def recording(theme: QIcon.ThemeIcon, fallback: QIcon) -> QIcon:
        asked.append(theme)
        return icons.themed_icon(theme, fallback)

    monkeypatch.setattr(actions_module, "themed_icon", recording)
    window = QMainWindow()
    qtbot.addWidget(window)
    Actions(window)
    assert len(asked) >= 10
    names = {icons.theme_name(theme) for theme in asked}
    missing = sorted(name for name in names if icons.bundled_icon(name) is None)
    assert not missing, f"add resources/icons/<name>.svg for: {missing}"


def test_toolbar_actions_all_show_an_icon_on_a_bare_desktop(qtbot, bare_desktop):
    window = QMainWindow()
    qtbot.addWidget(window)
    actions = Actions(window)
    actions.install(window)
    toolbar = window.findChild(QToolBar, "mainToolBar")
    shown = [a for a in toolbar.actions() if not a.isSeparator()]
    assert shown and all(not a.icon().isNull() for a in shown), [
        a.objectName() for a in shown if a.icon().isNull()
    ]


def test_bundled_icons_are_painted_in_the_palette_text_colour(qapp, bare_desktop):
    palette = QApplication.palette()
    dark = QPalette(palette)
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#f0f0f0"))
    QApplication.setPalette(dark)
    try:
        image = icons.bundled_icon("go-up").pixmap(48, 48).toImage()
    finally:
        QApplication.setPalette(palette)
    colours = {
        image.pixelColor(x, y).name()
        for x in range(48)
        for y in range(48)
        if image.pixelColor(x, y).alpha() == 255
    }
    assert colours == {"#f0f0f0"}


def test_the_theme_wins_when_it_has_the_icon(qapp, bare_desktop, tmp_path: Path):
    theme = tmp_path / "probe-theme"
    (theme / "24x24" / "actions").mkdir(parents=True)
    (theme / "index.theme").write_text(
        "[Icon Theme]\nName=probe\nDirectories=24x24/actions\n\n"
        "[24x24/actions]\nSize=24\nContext=Actions\nType=Fixed\n"
    )
    (theme / "24x24" / "actions" / "go-up.svg").write_bytes(
        b'<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24">'
        b'<rect width="24" height="24" fill="#ff0000"/></svg>'
    )
    QIcon.setThemeSearchPaths([str(tmp_path)])
    QIcon.setThemeName("probe-theme")
    icon = icons.themed_icon(QIcon.ThemeIcon.GoUp, QIcon())
    assert icon.pixmap(24, 24).toImage().pixelColor(12, 12).name() == "#ff0000"
    assert (
        icons.themed_icon(QIcon.ThemeIcon.GoDown, QIcon())
        .pixmap(24, 24)
        .toImage()
        .pixelColor(12, 12)
        .name()
        != "#ff0000"
    )  # not in the theme: Davdesk's own
