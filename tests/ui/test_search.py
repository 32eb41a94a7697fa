"""Find in the window: results stream into the file table with their folders, and the
window's actions work on them; a walk on Apache and wsgidav, one SEARCH on a Nextcloud."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.ui import in_place
from app.ui import search as search_module
from app.ui.models.file_table import TYPE
from tests.ui.conftest import names
from tests.ui.test_operations import select

WAIT = 15_000


def folders(window) -> dict[str, str]:
    proxy = window.proxy
    return {
        proxy.index(row, 0).data(): proxy.index(row, TYPE).data() for row in range(proxy.rowCount())
    }


def find(qtbot, window, monkeypatch, pattern: str) -> None:
    monkeypatch.setattr(in_place, "ask_pattern", lambda parent, folder: pattern)
    with qtbot.waitSignal(window.search.finished, timeout=WAIT):
        window.commands.search.trigger()
    qtbot.wait_until(lambda: len(names(window)) == window.table_model.rowCount(), timeout=WAIT)


def test_results_show_their_folders_and_take_the_usual_actions(
    dav_server, open_window, qtbot, monkeypatch
):
    dav_server.make_file("Docs/Reports/q1 report.txt", b"1")
    dav_server.make_file("Docs/REPORT.md", b"2")
    dav_server.make_file("Docs/other.txt", b"3")
    dav_server.make_file("report outside.txt", b"4")
    window = open_window(dav_server)
    with qtbot.waitSignal(window.folder_loaded, timeout=WAIT):
        window.navigate(window.current_path + "Docs/")
    find(qtbot, window, monkeypatch, "report")
    assert folders(window) == {
        "q1 report.txt": "/Docs/Reports/",
        "REPORT.md": "/Docs/",
        "Reports": "/Docs/",
    }
    assert window.table_model.headerData(TYPE, Qt.Orientation.Horizontal) == "Folder"
    assert window.windowTitle().startswith("Search results in /Docs")
    assert "3 found" in window.statusBar().currentMessage()
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    select(window, "q1 report.txt")
    window.commands.delete.trigger()
    qtbot.wait_until(
        lambda: not (dav_server.root / "Docs/Reports/q1 report.txt").exists(), timeout=WAIT
    )
    assert (dav_server.root / "Docs/REPORT.md").exists()


def test_nothing_found_says_so_and_going_elsewhere_ends_the_results(
    dav_server, open_window, qtbot, monkeypatch
):
    dav_server.make_file("a.txt", b"a")
    window = open_window(dav_server)
    find(qtbot, window, monkeypatch, "*.pdf")
    assert names(window) == [] and window.table.placeholder.text() == "No names match."
    with qtbot.waitSignal(window.folder_loaded, timeout=WAIT):
        window.commands.refresh.trigger()
    assert names(window) == ["a.txt"] and window.table_model.search_root is None


def test_nextcloud_finds_with_one_search_request(
    nextcloud_server, open_nextcloud, qtbot, monkeypatch
):
    (nextcloud_server.files_root / "Photos" / "2024").mkdir(parents=True)
    (nextcloud_server.files_root / "Photos" / "2024" / "Beach.JPG").write_bytes(b"j")
    (nextcloud_server.files_root / "notes.txt").write_bytes(b"n")
    window = open_nextcloud(nextcloud_server)
    nextcloud_server.clear_requests()
    find(qtbot, window, monkeypatch, "*.jpg")
    assert folders(window) == {"Beach.JPG": "/Photos/2024/"}
    assert [r.method for r in nextcloud_server.requests if r.method in ("SEARCH", "PROPFIND")] == [
        "SEARCH"
    ]


def test_escape_stops_a_walk_and_keeps_what_it_found(
    wsgidav_server, open_window, qtbot, monkeypatch
):
    for number in range(40):
        wsgidav_server.make_file(f"d{number:02}/x{number}.txt", b"x")
    window = open_window(wsgidav_server, workers=1)
    monkeypatch.setattr(in_place, "ask_pattern", lambda parent, folder: "x*")
    real_find = search_module.find

    def find_held_after_the_first_batch(client, folder, pattern, on_found, stop, **options):
        def found(batch):
            on_found(batch)
            stop.wait(WAIT / 1000)  # the walk goes on only once the user has stopped it

        return real_find(client, folder, pattern, found, stop, **options)

    monkeypatch.setattr(search_module, "find", find_held_after_the_first_batch)
    assert not window.commands.stop_search.isEnabled()
    window.commands.search.trigger()
    assert window.commands.stop_search.isEnabled()
    qtbot.wait_until(lambda: window.table_model.rowCount() >= 1, timeout=WAIT)
    with qtbot.waitSignal(window.search.finished, timeout=WAIT):
        window.commands.stop_search.trigger()
    assert "stopped" in window.statusBar().currentMessage()
    assert window.table_model.rowCount() == 1
    assert not window.commands.stop_search.isEnabled()
