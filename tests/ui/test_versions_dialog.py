"""Versions… on the fake Nextcloud: listed, downloaded and restored as jobs."""

from __future__ import annotations

from app.ui import versions_dialog
from app.ui.versions_dialog import VersionsDialog
from tests.ui.test_operations import select

WAIT = 15_000


def test_versions_are_listed_downloaded_and_restored(
    nextcloud_server, open_nextcloud, qtbot, monkeypatch, tmp_path
):
    window = open_nextcloud(nextcloud_server)
    path = window.current_path + "notes.txt"
    for text in (b"one\n", b"two\n", b"three\n"):
        window._client.put(path, text)
    with qtbot.waitSignal(window.folder_loaded, timeout=WAIT):
        window.commands.refresh.trigger()
    select(window, "notes.txt")
    assert window.commands.versions.isEnabled()
    window.commands.versions.trigger()
    dialog = window.findChild(VersionsDialog)
    qtbot.wait_until(lambda: not dialog.loading, timeout=WAIT)
    assert dialog.list.topLevelItemCount() == 2
    assert dialog.status.text() == "2 earlier versions."
    assert dialog.list.topLevelItem(0).text(2) == "alice"
    monkeypatch.setattr(versions_dialog, "choose_target", lambda parent, name: tmp_path / name)
    dialog.list.setCurrentItem(dialog.list.topLevelItem(1))  # the oldest: "one"
    dialog.download_button.click()
    qtbot.wait_until(lambda: (tmp_path / "notes.txt").exists(), timeout=WAIT)
    assert (tmp_path / "notes.txt").read_bytes() == b"one\n"
    dialog.restore_button.click()
    qtbot.wait_until(
        lambda: dialog.status.text().startswith("Restored;") and not dialog.loading, timeout=WAIT
    )
    assert (nextcloud_server.files_root / "notes.txt").read_bytes() == b"one\n"
    assert dialog.list.topLevelItemCount() == 2  # "one" left; "three" joined
    dialog.close()


def test_folders_have_no_versions_action(nextcloud_server, open_nextcloud):
    (nextcloud_server.files_root / "Docs").mkdir()
    window = open_nextcloud(nextcloud_server)
    select(window, "Docs")
    assert not window.commands.versions.isEnabled()
