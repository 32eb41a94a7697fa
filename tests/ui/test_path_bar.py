"""The path bar goes only where the server has something: a folder opens, a file opens its
folder with the file selected, a missing path leaves the window where it was and says so."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QToolButton

from tests.ui.conftest import WAIT, seed, wait_loaded


def type_location(qtbot, window, text: str) -> None:
    edit = window.path_bar.findChild(QLineEdit, "pathEdit")
    window.commands.location.trigger()
    edit.clear()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def crumbs(window) -> list[str]:
    return [b.text() for b in window.path_bar.findChildren(QToolButton) if b.isVisible()]


def test_a_missing_path_leaves_the_window_where_it_was(dav_server, open_window, qtbot):
    seed(dav_server)
    window = open_window(dav_server)
    root = window.current_path
    wait_loaded(qtbot, window, lambda: window.navigate(f"{root}Docs/"), f"{root}Docs/")
    before = crumbs(window)

    type_location(qtbot, window, "/x/y")
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage() == f"No folder {root}x/y on the server",
        timeout=WAIT,
    )
    assert window.current_path == f"{root}Docs/" and crumbs(window) == before
    assert window.path_bar.path == f"{root}Docs/"
    assert window.commands.new_folder.isEnabled()  # still in Docs, which takes new folders

    # A relative path typed next is relative to where the window is, not to the ghost.
    wait_loaded(qtbot, window, lambda: type_location(qtbot, window, "inner"), f"{root}Docs/inner/")
    assert window.statusBar().currentMessage() == ""  # the error went with the good move


def test_a_typed_file_path_opens_its_folder_with_the_file_selected(dav_server, open_window, qtbot):
    seed(dav_server)
    window = open_window(dav_server)
    root = window.current_path
    wait_loaded(
        qtbot, window, lambda: type_location(qtbot, window, "Docs/readme.md"), f"{root}Docs/"
    )
    qtbot.waitUntil(
        lambda: [r.name for r in window.table.selected_resources()] == ["readme.md"], timeout=WAIT
    )
    assert window.statusBar().currentMessage() == ""
