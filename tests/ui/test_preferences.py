"""Preferences: the dialog, what each setting changes in the window, and where it is kept."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox

from app.config.autostart import XdgAutostart
from app.config.bookmarks import Bookmark, BookmarkStore
from app.config.paths import AppPaths
from app.config.preferences import PREFERENCES, Preferences
from app.jobs.model import Conflict
from app.ui.main_window import MainWindow
from app.ui.preferences_dialog import PreferencesDialog
from tests.ui.conftest import WAIT, names, seed

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def open_preferences(window: MainWindow, qtbot) -> PreferencesDialog:
    window.preferences.action.trigger()
    dialog = window.findChild(QDialog, "preferencesDialog")
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_preferences_change_the_window_and_are_kept(
    wsgidav_server, open_window, qtbot, monkeypatch, tmp_path
):
    seed(wsgidav_server)
    wsgidav_server.make_file(".hidden", b"x")
    state: dict = {}
    autostart = XdgAutostart(tmp_path / "autostart" / "davdesk.desktop", ["davdesk"])
    window = open_window(wsgidav_server, state=state)
    window.preferences._autostart = lambda: autostart
    assert ".hidden" not in names(window)  # dot-files hidden by default
    action = window.preferences.action
    assert action.objectName() == "actionPreferences" and action.shortcuts()

    dialog = open_preferences(window, qtbot)
    qtbot.waitUntil(dialog.start_at_login.isEnabled, timeout=WAIT)
    dialog.parallel.setValue(2)
    dialog.upload_limit.setValue(512)
    dialog.conflict.setCurrentIndex(dialog.conflict.findData(Conflict.NEWER))
    dialog.show_hidden.setChecked(True)
    dialog.confirm_delete.setChecked(False)
    dialog.results_kept.setValue(3)
    dialog.start_at_login.setChecked(True)
    dialog.accept()

    qtbot.waitUntil(lambda: ".hidden" in names(window), timeout=WAIT)
    assert window.preferences.show_hidden.isChecked()  # View ▸ Show Hidden Files follows
    assert window.operations.default_conflict is Conflict.NEWER
    assert window.results.kept == 3
    qtbot.waitUntil(autostart.enabled, timeout=WAIT)
    kept = Preferences.from_mapping(state[PREFERENCES])
    assert (
        kept.parallel_transfers,
        kept.upload_limit,
        kept.conflict,
        kept.show_hidden,
        kept.confirm_delete,
    ) == (2, 512, Conflict.NEWER, True, False)

    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a: asked.append("asked"))
    row = window.table_model.row_of("a.txt")
    window.table.selectRow(window.proxy.mapFromSource(window.table_model.index(row, 0)).row())
    window.commands.delete.trigger()
    qtbot.waitUntil(lambda: not (wsgidav_server.root / "a.txt").exists(), timeout=WAIT)
    assert asked == []  # confirm deletes off: not asked

    window.preferences.show_hidden.trigger()  # View ▸ Show Hidden Files, off again
    qtbot.waitUntil(lambda: ".hidden" not in names(window), timeout=WAIT)
    assert state[PREFERENCES]["show_hidden"] is False


def test_keep_mtimes_is_the_bookmark_s_choice(wsgidav_server, qtbot, tmp_path, monkeypatch):
    from app.dav import DavClient

    store = BookmarkStore(tmp_path / "bookmarks.json")
    bookmark = Bookmark("Office NAS", wsgidav_server.url, wsgidav_server.user)
    store.put(bookmark)
    client = DavClient(
        wsgidav_server.url, user=wsgidav_server.user, password=wsgidav_server.password
    )
    window = MainWindow(client, client.root, {}, paths=AppPaths.default(), bookmark=bookmark)
    qtbot.addWidget(window)
    window.preferences._bookmarks = store
    with qtbot.waitSignal(window.folder_loaded, timeout=WAIT):
        window.show()
    assert window.windowTitle() == "Office NAS – Davdesk"  # the bookmark's name
    dialog = open_preferences(window, qtbot)
    assert dialog.keep_mtime.isVisible() and "Office NAS" in dialog.keep_mtime.text()
    dialog.keep_mtime.setChecked(True)
    dialog.accept()
    qtbot.waitUntil(lambda: store.load()[0].keep_mtime, timeout=WAIT)
    window._background.wait(WAIT)  # nothing of the window's still asks the server
    window.close()
    qtbot.wait(50)  # the answers already queued arrive before the connection goes
    client.close()


def test_a_damaged_preference_falls_back_to_its_default():
    prefs = Preferences.from_mapping(
        {"parallel_transfers": 99, "conflict": "explode", "show_hidden": "yes", "results_kept": -1}
    )
    assert prefs == Preferences(parallel_transfers=16)
    assert Preferences.from_mapping(
        Preferences(conflict=Conflict.SKIP).to_mapping()
    ) == Preferences(conflict=Conflict.SKIP)


def test_background_sync_takes_its_intervals_from_the_preferences():
    from app.ui.app import _watch_settings

    state = {PREFERENCES: Preferences(sync_poll_seconds=90, sync_full_scan_minutes=20).to_mapping()}
    settings = _watch_settings(state)
    assert (settings.poll_interval, settings.full_scan_interval) == (90.0, 1200.0)
    assert _watch_settings({}).poll_interval == 30.0
