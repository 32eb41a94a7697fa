"""Sync Folder from the window: preview checklist, untick, run as a job, state recorded."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.config.bookmarks import Bookmark, BookmarkStore, SyncPair
from app.config.paths import AppPaths
from app.sync import Direction, StateDB, state_file
from app.sync.ignore import IgnoreRules
from app.sync.planner import plan_pair
from app.ui.sync_dialog import SyncDialog


def test_preview_untick_and_run(dav_server, open_window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "home"))
    paths = AppPaths.default()
    BookmarkStore.in_config(paths).add(Bookmark("test", dav_server.url, dav_server.user))
    local = tmp_path / "pair"
    (local / "sub").mkdir(parents=True)
    (local / "one.txt").write_bytes(b"1" * 1000)
    (local / "sub" / "two.txt").write_bytes(b"2" * 2000)
    (local / "later.txt").write_bytes(b"3" * 5000)
    dav_server.make_file("theirs.txt", b"remote")
    window = open_window(dav_server)

    window.actions.sync.trigger()
    dialog = window.findChild(SyncDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.remote.text() == window.current_path
    dialog.local.setText(str(local))
    dialog.preview_button.click()
    qtbot.waitUntil(dialog.run_button.isEnabled, timeout=10_000)

    preview = dialog.preview
    assert preview.objectName() == "syncPreview"
    groups = {preview.topLevelItem(i).text(0) for i in range(preview.topLevelItemCount())}
    assert groups == {"upload: 3 of 3, 8.0 KB", "download: 1 of 1, 6 B",
                      "create folder: 1 of 1"}
    upload = next(preview.topLevelItem(i) for i in range(preview.topLevelItemCount())
                  if preview.topLevelItem(i).text(0).startswith("upload"))
    later = next(upload.child(n) for n in range(upload.childCount())
                 if upload.child(n).text(0) == "later.txt")
    later.setCheckState(0, Qt.CheckState.Unchecked)
    assert upload.text(0) == "upload: 2 of 3, 3.0 KB"
    assert upload.checkState(0) == Qt.CheckState.PartiallyChecked

    with qtbot.waitSignal(window.operations.folders_changed, timeout=20_000):
        dialog.run_button.click()
    assert (dav_server.root / "one.txt").read_bytes() == b"1" * 1000
    assert (dav_server.root / "sub" / "two.txt").read_bytes() == b"2" * 2000
    assert not (dav_server.root / "later.txt").exists()
    assert (local / "theirs.txt").read_bytes() == b"remote"

    qtbot.waitUntil(lambda: window._background.wait(100), timeout=10_000)
    store = BookmarkStore.in_config(paths)
    assert store.get("test").sync_pairs == (SyncPair(str(local), window.current_path, "both"),)
    with StateDB(state_file(paths.data, local, window._client.url(window.current_path))) as state:
        again = plan_pair(window._client, local, window.current_path, Direction.BOTH, state,
                          IgnoreRules())
    assert [(item.rel, item.action.value) for item in again.items] == [("later.txt", "upload")]


def test_closing_the_dialog_while_it_plans_leaves_nothing_behind(wsgidav_server, open_window,
                                                                  qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "home"))
    local = tmp_path / "pair"
    local.mkdir()
    (local / "a.txt").write_bytes(b"a")
    window = open_window(wsgidav_server)
    window.actions.sync.trigger()
    dialog = window.findChild(SyncDialog)
    dialog.local.setText(str(local))
    dialog.preview_button.click()
    dialog.reject()
    qtbot.waitUntil(lambda: window._background.wait(100), timeout=10_000)
    assert not (wsgidav_server.root / "a.txt").exists()


def test_a_missing_local_folder_is_said_plainly(wsgidav_server, open_window, qtbot, tmp_path,
                                                monkeypatch):
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "home"))
    window = open_window(wsgidav_server)
    window.actions.sync.trigger()
    dialog = window.findChild(SyncDialog)
    dialog.local.setText(str(tmp_path / "nowhere"))
    dialog.preview_button.click()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Cannot sync"), timeout=10_000)
    assert "nowhere" in dialog.status.text() and not dialog.run_button.isEnabled()
