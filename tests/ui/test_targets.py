"""What the window's operations act on: the tree's folder while its context menu is open."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.ui.models.folder_tree import PATH_ROLE
from tests.ui.conftest import WAIT, seed
from tests.ui.test_keyboard import select_file

#: A menu opened offscreen: the platform cannot raise it or grab the keyboard for it.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def test_the_tree_s_context_menu_acts_on_its_folder_while_it_is_open(
    wsgidav_server, open_window, qtbot
):
    seed(wsgidav_server)
    window = open_window(wsgidav_server)
    base = window.browser.root
    select_file(window, "a.txt")  # the table's selection, which the menu's actions leave be
    root = window.tree_model.index(0, 0)
    qtbot.waitUntil(lambda: window.tree_model.rowCount(root) > 0, timeout=WAIT)
    docs = next(
        window.tree_model.index(r, 0, root)
        for r in range(window.tree_model.rowCount(root))
        if window.tree_model.index(r, 0, root).data(PATH_ROLE).endswith("/Docs/")
    )
    seen: dict[str, object] = {}

    def look() -> None:
        """While the menu is open: what its actions would act on."""
        menu = QApplication.activePopupWidget()
        if menu is None:
            QTimer.singleShot(10, look)
            return
        targets = window.targets
        seen.update(
            targets=[r.path for r in targets.resources()],
            folder=targets.folder(),
            count=targets.count(),
            rename=window.commands.rename.isEnabled(),
            delete=window.commands.delete.isEnabled(),
            new_folder=window.commands.new_folder.isEnabled(),
        )
        menu.close()

    QTimer.singleShot(0, look)
    window.tree.customContextMenuRequested.emit(window.tree.visualRect(docs).center())

    assert seen == {
        "targets": [base + "Docs/"],
        "folder": base + "Docs/",
        "count": 1,
        "rename": False,
        "delete": True,
        "new_folder": True,
    }
    assert window.targets.context_folder is None  # closed: the table's selection again
    assert [r.path for r in window.targets.resources()] == [base + "a.txt"]
    assert window.targets.folder() == window.current_path
    assert window.commands.rename.isEnabled()
