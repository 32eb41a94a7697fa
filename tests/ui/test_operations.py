"""Each operation of the main window end to end, with the server's files checked on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
)

from app.dav import DavClient
from app.dav.xmlbodies import MTIME_PROP
from app.jobs.model import Conflict
from app.ui import conflict_question
from app.ui.main_window import MainWindow
from app.ui.models.file_table import local_files
from app.ui.models.listing_cache import ROW_KEPT_MTIME
from app.ui.properties_dialog import NAME, NAMESPACE, VALUE, PropertiesDialog
from app.ui.results.model import NOTE, OPERATION, PROBLEM, STATUS
from tests.ui.conftest import names, seed, wait_loaded


def select(window: MainWindow, *wanted: str) -> None:
    window.table.clearSelection()
    for name in wanted:
        row = names(window).index(name)
        window.table.selectionModel().select(
            window.proxy.index(row, 0),
            window.table.selectionModel().SelectionFlag.Select
            | window.table.selectionModel().SelectionFlag.Rows,
        )


def test_new_folder(dav_server, open_window, qtbot, monkeypatch):
    window = open_window(dav_server)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Fresh ö", True))
    wait_loaded(qtbot, window, window.commands.new_folder.trigger, window.current_path)
    assert (dav_server.root / "Fresh ö").is_dir()
    assert names(window) == ["Fresh ö"]
    assert window.statusBar().currentMessage() == "Create folder Fresh ö: 1 done"


def test_rename_in_place_with_f2(dav_server, open_window, qtbot):
    seed(dav_server)
    window = open_window(dav_server)
    window.activateWindow()
    window.table.setFocus()
    select(window, "a.txt")
    window.table.setCurrentIndex(window.proxy.index(names(window).index("a.txt"), 0))
    qtbot.keyClick(window.table, Qt.Key.Key_F2)
    editor = window.table.findChild(QLineEdit)
    assert editor is not None and editor.text() == "a.txt"

    def type_name() -> None:
        editor.selectAll()
        qtbot.keyClicks(editor, "renamed")  # QTest types ASCII only
        editor.setText(editor.text() + " é.txt")
        qtbot.keyClick(editor, Qt.Key.Key_Return)

    wait_loaded(qtbot, window, type_name, window.current_path)
    assert (dav_server.root / "renamed é.txt").read_bytes() == b"alpha\n"
    assert not (dav_server.root / "a.txt").exists()
    assert "renamed é.txt" in names(window)


def test_delete_asks_naming_the_count(dav_server, open_window, qtbot, monkeypatch):
    seed(dav_server)
    window = open_window(dav_server)
    asked = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda parent, title, text, *a: asked.append(text) or QMessageBox.StandardButton.Yes,
    )
    select(window, "a.txt", "Docs", "Ünïcode ünï.txt")
    wait_loaded(qtbot, window, window.commands.delete.trigger, window.current_path)
    assert asked[0].startswith("Delete 3 items?")
    assert sorted(p.name for p in dav_server.root.iterdir()) == ["Empty", "b.txt"]
    assert names(window) == ["Empty", "b.txt"]
    assert window.statusBar().currentMessage() == "Delete 3 items: 3 done"


def test_delete_declined_changes_nothing(wsgidav_server, open_window, monkeypatch):
    seed(wsgidav_server)
    window = open_window(wsgidav_server)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.No)
    select(window, "a.txt")
    window.commands.delete.trigger()
    assert (wsgidav_server.root / "a.txt").exists()


@pytest.mark.parametrize("cut", [False, True], ids=["copy", "cut"])
def test_copy_or_cut_then_paste_in_another_folder(dav_server, open_window, qtbot, cut):
    seed(dav_server)
    window = open_window(dav_server)
    root = window.current_path
    select(window, "a.txt", "Empty")
    (window.commands.cut if cut else window.commands.copy).trigger()
    assert window.commands.paste.isEnabled()
    wait_loaded(qtbot, window, lambda: window.navigate(f"{root}Docs/"), f"{root}Docs/")
    wait_loaded(qtbot, window, window.commands.paste.trigger, f"{root}Docs/")
    assert (dav_server.root / "Docs" / "a.txt").read_bytes() == b"alpha\n"
    assert (dav_server.root / "Docs" / "Empty").is_dir()
    assert (dav_server.root / "a.txt").exists() is not cut
    assert (dav_server.root / "Empty").exists() is not cut
    assert names(window) == ["Empty", "inner", "a.txt", "readme.md"]
    assert window.commands.paste.isEnabled() is not cut  # a cut is pasted once


def test_paste_onto_existing_names_asks_and_keeps_both(
    wsgidav_server, open_window, qtbot, monkeypatch
):
    seed(wsgidav_server)
    wsgidav_server.make_file("Docs/a.txt", b"other\n")
    window = open_window(wsgidav_server)
    root = window.current_path
    asked = []
    monkeypatch.setattr(
        conflict_question,
        "ask",
        lambda parent, found, total: (
            asked.append(len(found)) or {s.task: Conflict.RENAME for s in found}
        ),
    )
    select(window, "a.txt", "b.txt")
    window.commands.copy.trigger()
    wait_loaded(qtbot, window, lambda: window.navigate(f"{root}Docs/"), f"{root}Docs/")
    wait_loaded(qtbot, window, window.commands.paste.trigger, f"{root}Docs/")
    assert asked == [1]
    docs = wsgidav_server.root / "Docs"
    assert (docs / "a.txt").read_bytes() == b"other\n"
    assert (docs / "a (2).txt").read_bytes() == b"alpha\n"
    assert (docs / "b.txt").exists()


def test_paste_a_copy_into_its_own_folder_duplicates(wsgidav_server, open_window, qtbot):
    seed(wsgidav_server)
    window = open_window(wsgidav_server)
    select(window, "a.txt")
    window.commands.copy.trigger()
    wait_loaded(qtbot, window, window.commands.paste.trigger, window.current_path)
    assert (wsgidav_server.root / "a (2).txt").read_bytes() == b"alpha\n"


def drop(widget, paths: list[Path], at: QPoint) -> None:
    """What a file manager's drag does: enter, move over the spot, drop a text/uri-list."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    assert mime.hasFormat("text/uri-list")
    # Qt declares the drag events at a QPoint and the drop at a QPointF; PySide6 6.11 (the
    # version for Python 3.11) converts neither into the other.
    for kind, where in ((QDragEnterEvent, at), (QDragMoveEvent, at), (QDropEvent, QPointF(at))):
        event = kind(
            where,
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(widget, event)
        assert event.isAccepted(), kind.__name__


def test_dropping_local_files_uploads_them(dav_server, open_window, qtbot, tmp_path):
    seed(dav_server)
    window = open_window(dav_server)
    local = tmp_path / "local"
    (local / "folder" / "sub").mkdir(parents=True)
    (local / "one.txt").write_bytes(b"1")
    (local / "folder" / "sub" / "two.txt").write_bytes(b"22")
    viewport = window.table.viewport()
    empty_area = QPoint(viewport.width() // 2, viewport.height() - 5)
    wait_loaded(
        qtbot,
        window,
        lambda: drop(viewport, [local / "one.txt", local / "folder"], empty_area),
        window.current_path,
    )
    assert (dav_server.root / "one.txt").read_bytes() == b"1"
    assert (dav_server.root / "folder" / "sub" / "two.txt").read_bytes() == b"22"
    assert {"one.txt", "folder"} <= set(names(window))


def test_upload_files_from_the_toolbar(wsgidav_server, open_window, qtbot, monkeypatch, tmp_path):
    window = open_window(wsgidav_server)
    (tmp_path / "picked.txt").write_bytes(b"picked")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(tmp_path / "picked.txt")], "")
    )
    wait_loaded(qtbot, window, window.commands.upload.trigger, window.current_path)
    assert (wsgidav_server.root / "picked.txt").read_bytes() == b"picked"
    assert names(window) == ["picked.txt"]


def test_dropping_on_a_tree_folder_uploads_into_it(wsgidav_server, open_window, qtbot, tmp_path):
    seed(wsgidav_server)
    window = open_window(wsgidav_server)
    model = window.tree_model
    root = model.index(0, 0)
    qtbot.waitUntil(lambda: model.rowCount(root) == 2)
    docs = model.index(0, 0, root)
    (tmp_path / "up.txt").write_bytes(b"up")
    drop(window.tree.viewport(), [tmp_path / "up.txt"], window.tree.visualRect(docs).center())
    qtbot.waitUntil(lambda: (wsgidav_server.root / "Docs" / "up.txt").exists())


def test_download_to_a_chosen_folder(dav_server, open_window, qtbot, monkeypatch, tmp_path):
    seed(dav_server)
    window = open_window(dav_server)
    target = tmp_path / "downloads"
    target.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(target))
    select(window, "b.txt", "Docs")
    window.commands.download.trigger()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().endswith("done"), timeout=10_000)
    assert (target / "b.txt").read_bytes() == b"bravo bravo\n"
    assert (target / "Docs" / "inner" / "deep.txt").read_bytes() == b"deep\n"


def test_a_download_gives_each_copy_the_mtime_davdesk_kept_on_the_server(
    dav_server, open_window, qtbot, monkeypatch, tmp_path
):
    """Listings leave the kept mtime out (LISTED_PROPS): a download looks it up for its files."""
    seed(dav_server)
    kept = 1_500_000_000
    with DavClient(dav_server.url, user=dav_server.user, password=dav_server.password) as client:
        client.proppatch(client.root + "a.txt", {MTIME_PROP: str(kept)})
        client.proppatch(client.root + "b.txt", {MTIME_PROP: str(kept + 60)})
    window = open_window(dav_server)
    assert all(row[ROW_KEPT_MTIME] is None for row in window.table_model.rows)
    target = tmp_path / "downloads"
    target.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(target))
    select(window, "a.txt", "b.txt", "Ünïcode ünï.txt")  # two kept, one not: one listing
    window.commands.download.trigger()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().endswith("done"), timeout=10_000)
    assert (target / "a.txt").stat().st_mtime == kept
    assert (target / "b.txt").stat().st_mtime == kept + 60
    assert (target / "Ünïcode ünï.txt").read_bytes() == b"u\n"
    assert (target / "Ünïcode ünï.txt").stat().st_mtime != kept
    row = names(window).index("a.txt")  # dragged out alone: its own PROPFIND
    (dragged,) = window.proxy.mimeData([window.proxy.index(row, 0)]).urls()
    assert Path(dragged.toLocalFile()).stat().st_mtime == kept


def test_dragging_rows_out_downloads_them_when_the_file_manager_asks(wsgidav_server, open_window):
    seed(wsgidav_server)
    window = open_window(wsgidav_server)
    rows = [names(window).index("b.txt"), names(window).index("Docs")]
    mime = window.proxy.mimeData([window.proxy.index(row, 0) for row in rows])
    assert local_files(mime) == []  # a drop back into the window downloads nothing
    assert mime.hasUrls()
    urls = mime.urls()  # what a file manager asks for when the rows are dropped on it
    assert all(url.isLocalFile() for url in urls)
    paths = {Path(url.toLocalFile()).name: Path(url.toLocalFile()) for url in urls}
    assert set(paths) == {"b.txt", "Docs"}
    assert paths["b.txt"].read_bytes() == b"bravo bravo\n"
    assert (paths["Docs"] / "inner" / "deep.txt").read_bytes() == b"deep\n"
    assert mime.urls() == urls  # asked again (a second target), not downloaded again


def test_properties_dialog_edits_a_dead_property(dav_server, open_window, qtbot):
    seed(dav_server)
    prop = "{urn:example:test}colour"
    with DavClient(dav_server.url, user=dav_server.user, password=dav_server.password) as client:
        assert client.proppatch(f"{client.root}a.txt", {prop: "red"}).ok
        window = open_window(dav_server)
        select(window, "a.txt")
        window.commands.properties.trigger()
        dialog = window.findChild(PropertiesDialog)
        qtbot.waitUntil(lambda: not dialog.loading and dialog.table.rowCount() > 0)
        rows = {dialog.table.item(r, NAME).text(): r for r in range(dialog.table.rowCount())}
        assert {"getcontentlength", "getlastmodified", "colour"} <= set(rows)
        live = dialog.table.item(rows["getcontentlength"], VALUE)
        assert not live.flags() & Qt.ItemFlag.ItemIsEditable
        dialog.table.item(rows["colour"], VALUE).setText("green")
        dialog.save()
        qtbot.waitUntil(lambda: dialog.status.text().startswith("Saved"))
        assert client.all_properties(f"{client.root}a.txt")[prop] == "green"
        dialog.close()


def test_lock_and_unlock(dav_server, open_window, qtbot):
    seed(dav_server)
    window = open_window(dav_server)
    path = window.current_path + "a.txt"
    select(window, "a.txt")
    qtbot.waitUntil(window.commands.lock.isEnabled)  # OPTIONS said class 2
    window.commands.lock.trigger()
    qtbot.waitUntil(lambda: window.operations.locks.held(path) is not None)
    assert "owner davdesk" in window.statusBar().currentMessage()
    with DavClient(dav_server.url, user=dav_server.user, password=dav_server.password) as client:
        token = window.operations.locks.held(path).token
        assert token in client.stat(path, ["{DAV:}lockdiscovery"]).props["{DAV:}lockdiscovery"]
        # The window's own lock does not stop it from adding a property (the token goes along).
        window.commands.properties.trigger()
        dialog = window.findChild(PropertiesDialog)
        qtbot.waitUntil(lambda: not dialog.loading and dialog.table.rowCount() > 0)
        assert any(
            "owner davdesk, timeout Second-" in label.text()
            for label in dialog.findChildren(QLabel)
        )
        dialog.add_button.click()
        row = dialog.table.rowCount() - 1
        dialog.table.item(row, NAME).setText("note")
        dialog.table.item(row, NAMESPACE).setText("urn:example:test")
        dialog.table.item(row, VALUE).setText("locked but mine")
        dialog.save()
        qtbot.waitUntil(lambda: dialog.status.text().startswith("Saved"))
        assert client.all_properties(path)["{urn:example:test}note"] == "locked but mine"
        dialog.close()
        assert window.commands.unlock.isEnabled() and not window.commands.lock.isEnabled()
        window.commands.unlock.trigger()
        qtbot.waitUntil(lambda: window.operations.locks.held(path) is None)
        assert token not in client.stat(path, ["{DAV:}lockdiscovery"]).props.get(
            "{DAV:}lockdiscovery", ""
        )


def test_deleting_a_file_someone_else_deleted_is_done_not_a_failure(
    wsgidav_server, open_window, qtbot, monkeypatch
):
    """Already gone: the file is not there, as asked. A success with a note, never retried;
    the results pane stays a slim strip (there is nothing to look at)."""
    seed(wsgidav_server)
    window = open_window(wsgidav_server)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    select(window, "a.txt", "b.txt")
    (wsgidav_server.root / "a.txt").unlink()  # gone behind the window's back
    window.commands.delete.trigger()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "Delete 2 items: 2 done")
    pane = window.results
    job = pane.model.index(0, 0)
    assert pane.view.isExpanded(job)  # the newest job
    assert job.data().endswith("2 done — finished")
    model = pane.model
    rows = {
        model.index(r, 0, job).data(): tuple(
            model.index(r, column, job).data() for column in (OPERATION, PROBLEM, STATUS, NOTE)
        )
        for r in range(model.rowCount(job))
    }
    base = window.browser.current
    assert rows == {
        base + "a.txt": ("Deleted", "", "404 Not Found", "Already gone: nothing to delete"),
        base + "b.txt": ("Deleted", "", "204 No Content", ""),
    }
    pane.view.clearSelection()
    qtbot.waitUntil(lambda: not pane.retry_failed.isEnabled())
