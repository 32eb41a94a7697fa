"""Bookmarks renamed, changed, duplicated and deleted from the connect dialog."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.config import Bookmark, PasswordStore
from tests.ui.conftest import WAIT

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def names(dialog) -> list[str]:
    return [dialog.bookmark_combo.itemText(i) for i in range(1, dialog.bookmark_combo.count())]


def test_rename_change_duplicate_and_delete(qtbot, make_dialog, store, memory_keyring, monkeypatch):
    store.add(Bookmark("Office", "https://nas.example.com/dav/", "alice"))
    PasswordStore().set("https://nas.example.com/dav/", "alice", "secret")
    dialog = make_dialog()
    manager = dialog.manager
    assert not manager.button.isEnabled()  # "New connection": nothing to manage
    dialog.bookmark_combo.setCurrentIndex(1)
    assert manager.button.isEnabled()

    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Office NAS", True))
    manager.rename.trigger()
    qtbot.waitUntil(lambda: names(dialog) == ["Office NAS"], timeout=WAIT)
    assert dialog.bookmark_combo.currentText() == "Office NAS"
    assert [b.name for b in store.load()] == ["Office NAS"]

    dialog.user_edit.setText("bob")
    manager.save.trigger()  # the form's change, kept without connecting
    qtbot.waitUntil(lambda: store.load()[0].user == "bob", timeout=WAIT)
    qtbot.waitUntil(manager.button.isEnabled, timeout=WAIT)  # the dialog has the answer too

    manager.duplicate.trigger()
    qtbot.waitUntil(lambda: names(dialog) == ["Office NAS", "Office NAS (2)"], timeout=WAIT)
    assert dialog.bookmark_combo.currentText() == "Office NAS (2)"

    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    manager.delete.trigger()
    qtbot.waitUntil(lambda: names(dialog) == ["Office NAS"], timeout=WAIT)
    assert [b.name for b in store.load()] == ["Office NAS"]
    assert dialog.bookmark_combo.currentIndex() == 0  # back to "New connection"
