"""Browsing in the main window, against the real servers."""

from __future__ import annotations

import base64

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QToolButton, QWidget

from app.ui.main_window import LAST_FOLDER, SPLITTER, TABLE_HEADER, MainWindow
from tests.ui.conftest import names, seed, wait_loaded


def test_window_lists_the_root_and_names_its_widgets(dav_server, open_window, qtbot):
    seed(dav_server)
    window = open_window(dav_server)
    assert names(window) == ["Docs", "Empty", "a.txt", "b.txt", "Ünïcode ünï.txt"]
    assert window.objectName() == "mainWindow"
    for name in ("folderTree", "fileTable", "pathBar"):
        assert window.findChild(QWidget, name) is not None
    for operation in (
        "NewFolder",
        "Rename",
        "Delete",
        "Copy",
        "Cut",
        "Paste",
        "Upload",
        "Download",
        "Properties",
        "Lock",
        "Unlock",
        "Refresh",
    ):
        assert window.findChild(type(window.commands.copy), f"action{operation}") is not None
    assert window.count_label.text() == "5 items"
    row = names(window).index("b.txt")
    assert window.proxy.index(row, 1).data() == "12 B"
    if dav_server.name == "wsgidav":  # Apache's mod_dav_fs does not report quota
        qtbot.waitUntil(lambda: window.quota_label.text().endswith("used"))
        assert "free · " in window.quota_label.text()


def test_tree_loads_folders_lazily_as_they_expand(dav_server, open_window, qtbot):
    seed(dav_server)
    window = open_window(dav_server)
    model = window.tree_model
    root = model.index(0, 0)
    qtbot.waitUntil(lambda: model.rowCount(root) == 2)
    assert [model.index(r, 0, root).data() for r in range(2)] == ["Docs", "Empty"]
    docs = model.index(0, 0, root)
    assert model.canFetchMore(docs)
    window.tree.expand(docs)  # the view calls fetchMore: one PROPFIND Depth 1
    qtbot.waitUntil(lambda: model.rowCount(docs) == 1)
    assert model.index(0, 0, docs).data() == "inner"
    assert not model.canFetchMore(docs)


def test_typing_a_path_navigates_and_history_follows(dav_server, open_window, qtbot):
    seed(dav_server)
    window = open_window(dav_server)
    root = window.current_path
    edit = window.path_bar.findChild(QLineEdit, "pathEdit")
    window.commands.location.trigger()
    assert edit.isVisible()

    def type_path() -> None:
        edit.clear()
        qtbot.keyClicks(edit, "Docs/inner")
        qtbot.keyClick(edit, Qt.Key.Key_Return)

    wait_loaded(qtbot, window, type_path, f"{root}Docs/inner/")
    assert names(window) == ["deep.txt"]
    crumbs = [b.text() for b in window.path_bar.findChildren(QToolButton) if b.isVisible()]
    assert crumbs[-2:] == ["› Docs", "› inner"]
    qtbot.waitUntil(lambda: window.tree.currentIndex().data() == "inner")  # revealed in the tree
    wait_loaded(qtbot, window, window.commands.up.trigger, f"{root}Docs/")
    assert names(window) == ["inner", "readme.md"]
    wait_loaded(qtbot, window, window.commands.back.trigger, f"{root}Docs/inner/")
    wait_loaded(qtbot, window, window.commands.forward.trigger, f"{root}Docs/")
    wait_loaded(qtbot, window, lambda: window.path_bar.path_chosen.emit(root), root)
    assert not window.commands.up.isEnabled()


def test_a_missing_folder_is_a_readable_message(dav_server, open_window, qtbot):
    window = open_window(dav_server)
    window.navigate("/no/such/folder")  # a folder deleted behind the window's back
    qtbot.waitUntil(lambda: "404" in window.statusBar().currentMessage())
    message = window.statusBar().currentMessage()
    assert "Could not open" in message and "Traceback" not in message
    assert "404" in window.table.placeholder.text()


def test_filter_box_and_sorting(dav_server, open_window, qtbot):
    seed(dav_server)
    window = open_window(dav_server)
    window.filter.setText("TXT")
    qtbot.waitUntil(lambda: names(window) == ["a.txt", "b.txt", "Ünïcode ünï.txt"])
    assert window.count_label.text() == "3 of 5 items"
    window.filter.clear()
    qtbot.waitUntil(lambda: len(names(window)) == 5)
    window.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # size, folders still first
    qtbot.waitUntil(lambda: names(window) == ["Empty", "Docs", "b.txt", "a.txt", "Ünïcode ünï.txt"])


def test_refresh_shows_changes_made_elsewhere(dav_server, open_window, qtbot):
    seed(dav_server)
    window = open_window(dav_server)
    dav_server.make_file("new.txt", b"x")
    wait_loaded(qtbot, window, lambda: qtbot.keyClick(window, Qt.Key.Key_F5), window.current_path)
    assert "new.txt" in names(window)


def test_revisit_uses_the_cache_only_when_the_etag_proves_it_current(
    dav_server, open_window, qtbot, monkeypatch
):
    seed(dav_server)
    window = open_window(dav_server)
    root = window.current_path
    wait_loaded(qtbot, window, lambda: window.navigate(f"{root}Docs/"), f"{root}Docs/")
    listings = []
    import app.ui.browser as browser

    real = browser.stream_listing
    monkeypatch.setattr(
        browser,
        "stream_listing",
        lambda client, ticket, emit: listings.append(ticket.path) or real(client, ticket, emit),
    )
    wait_loaded(qtbot, window, window.commands.back.trigger, root)
    assert names(window) == ["Docs", "Empty", "a.txt", "b.txt", "Ünïcode ünï.txt"]
    folder_etag = window.browser.cache.get(root).etag
    # Apache gives folders an ETag, so an unchanged folder is not listed again; wsgidav does
    # not, and a folder without one is always listed again.
    assert listings == ([] if folder_etag else [root])


def test_layout_and_last_folder_persist_in_the_state_mapping(wsgidav_server, open_window, qtbot):
    seed(wsgidav_server)
    state: dict[str, str] = {}
    window = open_window(wsgidav_server, state=state)
    root = window.current_path
    wait_loaded(qtbot, window, lambda: window.navigate(f"{root}Docs/"), f"{root}Docs/")
    window.splitter.setSizes([300, 700])
    window.table.setColumnWidth(1, 123)
    window.close()
    assert state[LAST_FOLDER] == f"{root}Docs/"
    assert all(
        isinstance(state[k], str) for k in ("geometry", "window_state", SPLITTER, TABLE_HEADER)
    )
    base64.b64decode(state[SPLITTER], validate=True)
    again = open_window(wsgidav_server, path=state[LAST_FOLDER], state=state)
    assert isinstance(again, MainWindow)
    assert again.current_path == f"{root}Docs/"
    assert again.table.columnWidth(1) == 123
    assert again.splitter.sizes()[0] == 300
