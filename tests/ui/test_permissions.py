"""What the server says the user may do (Nextcloud's oc:permissions) greys out the window.

Against the fake Nextcloud, whose set_permissions gives one node the letters
a read-only share gives it; what the window still lets through, the server
refuses, and the refusal is said in words before anything is sent.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtWidgets import QMessageBox

from app.ui.main_window import MainWindow
from tests.ui.conftest import names, wait_loaded
from tests.ui.test_operations import select

WAIT = 10_000
READ_ONLY = "RG"  # what a read-only share grants: read and share on, nothing else


def read_only_share(server) -> None:
    root = server.files_root
    (root / "Shared" / "Sub").mkdir(parents=True)
    (root / "Shared" / "a.txt").write_bytes(b"shared file\n")
    (root / "Shared" / "Sub" / "b.txt").write_bytes(b"b" * 1500)
    (root / "Mine").mkdir()
    (root / "Mine" / "c.txt").write_bytes(b"c" * 3000)
    (root / "mine.txt").write_bytes(b"mine\n")
    for path in ("Shared", "Shared/a.txt", "Shared/Sub"):
        server.set_permissions(path, READ_ONLY)


def enabled(window: MainWindow) -> dict[str, bool]:
    a = window.commands
    return {
        name: getattr(a, name).isEnabled()
        for name in (
            "delete",
            "rename",
            "cut",
            "copy",
            "download",
            "new_folder",
            "upload",
            "upload_folder",
            "paste",
        )
    }


def test_a_read_only_folder_greys_out_delete_rename_new_folder_and_upload(
    qtbot, nextcloud_server, open_nextcloud
):
    read_only_share(nextcloud_server)
    window = open_nextcloud(nextcloud_server)
    root = window.current_path
    assert window.access_label.text() == ""
    select(window, "Shared")  # the share itself: it may not be deleted, renamed or moved
    assert enabled(window) | {"paste": False} == {
        "delete": False,
        "rename": False,
        "cut": False,
        "copy": True,
        "download": True,
        "new_folder": True,
        "upload": True,
        "upload_folder": True,
        "paste": False,
    }
    select(window, "Shared", "mine.txt")  # one of them may not be deleted: neither may be
    assert not window.commands.delete.isEnabled() and window.commands.copy.isEnabled()
    select(window, "mine.txt")
    assert window.commands.delete.isEnabled() and window.commands.rename.isEnabled()
    window.commands.copy.trigger()

    wait_loaded(qtbot, window, lambda: window.navigate(f"{root}Shared/"), f"{root}Shared/")
    qtbot.wait_until(lambda: not window.commands.new_folder.isEnabled(), timeout=WAIT)
    state = enabled(window)
    assert not state["new_folder"] and not state["upload"] and not state["upload_folder"]
    assert not state["paste"]  # what was copied may not be put here either
    assert window.access_label.text() == "Read-only folder"
    select(window, "a.txt")
    assert enabled(window) | {"new_folder": False, "upload": False} == {
        "delete": False,
        "rename": False,
        "cut": False,
        "copy": True,
        "download": True,
        "new_folder": False,
        "upload": False,
        "upload_folder": False,
        "paste": False,
    }
    row = names(window).index("a.txt")
    assert not window.proxy.flags(window.proxy.index(row, 0)) & Qt.ItemFlag.ItemIsEditable

    wait_loaded(qtbot, window, lambda: window.navigate(root), root)  # back where all is allowed
    assert window.commands.new_folder.isEnabled() and window.commands.upload.isEnabled()
    assert window.access_label.text() == ""


def test_folder_sizes_come_from_the_server(qtbot, nextcloud_server, open_nextcloud):
    read_only_share(nextcloud_server)
    window = open_nextcloud(nextcloud_server)
    size = {name: window.proxy.index(row, 1).data() for row, name in enumerate(names(window))}
    assert size["Mine"] == "3.0 KB" and size["Shared"] == "1.5 KB" and size["mine.txt"] == "5 B"
    window.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # folders first, by their size
    qtbot.wait_until(lambda: names(window)[:2] == ["Mine", "Shared"], timeout=WAIT)


# The refusal is a window-modal message box, which the offscreen platform cannot size.
@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_a_drop_onto_a_folder_that_takes_no_files_is_refused_with_a_message(
    qtbot, nextcloud_server, open_nextcloud, tmp_path
):
    read_only_share(nextcloud_server)
    window = open_nextcloud(nextcloud_server)
    local = tmp_path / "dropped.txt"
    local.write_bytes(b"dropped\n")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(local))])
    model = window.table_model
    shared = model.index(model.row_of("Shared"), 0)
    assert model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, shared)
    qtbot.wait_until(
        lambda: window.findChild(QMessageBox, "planningFailed") is not None, timeout=WAIT
    )
    box = window.findChild(QMessageBox, "planningFailed")
    assert box.text() == (
        "You may not add files to “Shared”: the server does not allow it for your account."
    )
    assert not (nextcloud_server.files_root / "Shared" / "dropped.txt").exists()
    box.done(QMessageBox.StandardButton.Close)

    mine = model.index(model.row_of("Mine"), 0)  # a folder of one's own takes it
    with qtbot.waitSignal(window.operations.folders_changed, timeout=WAIT):
        assert model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, mine)
    assert (nextcloud_server.files_root / "Mine" / "dropped.txt").read_bytes() == b"dropped\n"


def test_a_plain_server_allows_everything(qtbot, dav_server, open_window):
    dav_server.make_file("Docs/a.txt", b"a")
    window = open_window(dav_server)
    select(window, "Docs")
    assert all(state for name, state in enabled(window).items() if name != "paste")
    assert window.access_label.text() == ""
