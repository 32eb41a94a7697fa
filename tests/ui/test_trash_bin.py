"""The Trash Bin window on the fake Nextcloud: what the main window deleted, restored or gone.

Each job's Outcomes are read in the results pane, as every job's are, and
what happened is checked where the user would check it: the files on the
server, and what its trash bin still holds.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QMessageBox

from app.jobs.model import JobState
from app.ui.main_window import MainWindow
from app.ui.models.trash_model import DELETED, LOCATION, NAME, SIZE
from app.ui.trash_bin import EMPTY, TrashBinWindow
from tests.ui.conftest import names, wait_loaded
from tests.ui.results.test_pane import rows, wait_for_jobs
from tests.ui.test_operations import select

WAIT = 10_000


@pytest.fixture
def answer_yes(monkeypatch) -> list[str]:
    """Every confirmation is answered Yes; the questions asked, in order."""
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda parent, title, text, *a: asked.append(text) or QMessageBox.StandardButton.Yes,
    )
    return asked


def seed(server) -> None:
    root = server.files_root
    (root / "Docs" / "inner").mkdir(parents=True)
    (root / "Docs" / "report.txt").write_bytes(b"the report\n")
    (root / "Docs" / "inner" / "deep.txt").write_bytes(b"deep\n")
    (root / "a.txt").write_bytes(b"alpha\n")
    (root / "Photos").mkdir()
    (root / "Photos" / "cat.jpg").write_bytes(b"x" * 2048)


def delete_in_window(qtbot, window: MainWindow, folder: str, *wanted: str) -> None:
    wait_loaded(qtbot, window, lambda: window.navigate(folder), folder)
    select(window, *wanted)
    wait_loaded(qtbot, window, window.commands.delete.trigger, folder)


def open_trash(qtbot, window: MainWindow, count: int) -> TrashBinWindow:
    window.commands.trash_bin.trigger()
    trash = window.findChild(TrashBinWindow, "trashBin")
    assert trash is not None and trash.isVisible()
    qtbot.wait_until(lambda: not trash.loading and trash.model.rowCount() == count, timeout=WAIT)
    return trash


def shown(trash: TrashBinWindow) -> dict[str, tuple[str, str, str]]:
    """name -> (original location, deleted, size) as the window shows them."""
    proxy = trash.proxy
    return {
        proxy.index(r, NAME).data(): (
            proxy.index(r, LOCATION).data(),
            proxy.index(r, DELETED).data(),
            proxy.index(r, SIZE).data(),
        )
        for r in range(proxy.rowCount())
    }


def choose(trash: TrashBinWindow, *wanted: str) -> None:
    view, proxy = trash.view, trash.proxy
    view.clearSelection()
    for row in range(proxy.rowCount()):
        if proxy.index(row, NAME).data() in wanted:
            view.selectionModel().select(
                proxy.index(row, NAME),
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
            )


def test_the_trash_bin_lists_what_the_window_deleted_with_where_it_was(
    qtbot, nextcloud_server, open_nextcloud, answer_yes
):
    seed(nextcloud_server)
    window = open_nextcloud(nextcloud_server)
    root = window.current_path
    delete_in_window(qtbot, window, f"{root}Docs/", "report.txt")
    delete_in_window(qtbot, window, root, "a.txt", "Photos")
    trash = open_trash(qtbot, window, 3)

    listed = shown(trash)
    assert {name: where for name, (where, _, _) in listed.items()} == {
        "report.txt": "/Docs",
        "a.txt": "/",
        "Photos": "/",
    }
    assert listed["Photos"][2] == "2.0 KB" and listed["report.txt"][2] == "11 B"
    assert all(when for _, when, _ in listed.values())
    assert trash.summary.text() == "3 items · 2.1 KB"
    assert not trash.placeholder.isVisible()
    for action in ("Restore", "DeletePermanently", "EmptyTrash"):
        assert trash.findChild(type(trash.restore_action), f"action{action}") is not None
    assert not trash.restore_action.isEnabled()  # nothing chosen yet
    assert trash.empty_action.isEnabled()

    trash.view.sortByColumn(NAME, trash.view.header().sortIndicatorOrder().AscendingOrder)
    assert [trash.proxy.index(r, NAME).data() for r in range(3)] == [
        "a.txt",
        "Photos",
        "report.txt",
    ]

    # A delete in the main window while the trash bin is open shows up there.
    delete_in_window(qtbot, window, f"{root}Docs/", "inner")
    qtbot.wait_until(lambda: trash.model.rowCount() == 4, timeout=WAIT)
    assert shown(trash)["inner"][0] == "/Docs"


def test_restore_puts_the_file_back_and_refreshes_its_folder(
    qtbot, nextcloud_server, open_nextcloud, answer_yes
):
    seed(nextcloud_server)
    window = open_nextcloud(nextcloud_server)
    docs = f"{window.current_path}Docs/"
    delete_in_window(qtbot, window, docs, "report.txt")
    assert "report.txt" not in names(window)
    trash = open_trash(qtbot, window, 1)
    choose(trash, "report.txt")
    assert trash.restore_action.isEnabled()

    with qtbot.waitSignal(
        window.folder_loaded, timeout=WAIT, check_params_cb=lambda path: path == docs
    ):
        trash.restore_action.trigger()
    record = wait_for_jobs(qtbot, window, 2)
    assert record.name == "Restore report.txt" and record.ended.state is JobState.FINISHED
    [(path, (status, _))] = rows(window, record).items()
    assert path.startswith("/remote.php/dav/trashbin/alice/trash/report.txt.d")
    assert status.startswith("201")
    assert (nextcloud_server.files_root / "Docs" / "report.txt").read_bytes() == b"the report\n"
    assert "report.txt" in names(window)  # the main window shows it back
    qtbot.wait_until(lambda: trash.model.rowCount() == 0, timeout=WAIT)
    assert nextcloud_server.trash_items() == []
    assert trash.placeholder.isVisible() and trash.placeholder.text() == EMPTY
    assert not trash.empty_action.isEnabled()


def test_delete_permanently_asks_and_removes_only_the_chosen(
    qtbot, nextcloud_server, open_nextcloud, answer_yes
):
    seed(nextcloud_server)
    window = open_nextcloud(nextcloud_server)
    delete_in_window(qtbot, window, window.current_path, "a.txt", "Photos")
    trash = open_trash(qtbot, window, 2)
    choose(trash, "Photos")
    trash.delete_action.trigger()
    assert answer_yes[-1].startswith("Delete 1 item permanently?\n\nPhotos")
    assert "cannot be restored" in answer_yes[-1]
    record = wait_for_jobs(qtbot, window, 2)
    assert record.name == "Delete Photos permanently" and record.ended.state is JobState.FINISHED
    assert [item.name.rsplit(".d", 1)[0] for item in nextcloud_server.trash_items()] == ["a.txt"]
    qtbot.wait_until(lambda: list(shown(trash)) == ["a.txt"], timeout=WAIT)


def test_empty_trash_bin_asks_and_removes_everything(
    qtbot, nextcloud_server, open_nextcloud, answer_yes
):
    seed(nextcloud_server)
    window = open_nextcloud(nextcloud_server)
    delete_in_window(qtbot, window, window.current_path, "a.txt", "Photos", "Docs")
    trash = open_trash(qtbot, window, 3)
    trash.empty_action.trigger()
    assert answer_yes[-1].startswith(
        "Empty the trash bin?\n\nAll 3 items in it are deleted permanently."
    )
    record = wait_for_jobs(qtbot, window, 2)
    assert record.name == "Empty the trash bin" and record.ended.state is JobState.FINISHED
    assert all(status.startswith("2") for status, _ in rows(window, record).values())
    assert nextcloud_server.trash_items() == []
    qtbot.wait_until(lambda: trash.placeholder.isVisible(), timeout=WAIT)
    assert trash.placeholder.text() == EMPTY and trash.summary.text() == ""


def test_declining_changes_nothing(
    qtbot, nextcloud_server, open_nextcloud, monkeypatch, answer_yes
):
    seed(nextcloud_server)
    window = open_nextcloud(nextcloud_server)
    delete_in_window(qtbot, window, window.current_path, "a.txt")
    trash = open_trash(qtbot, window, 1)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.No)
    choose(trash, "a.txt")
    trash.delete_action.trigger()
    trash.empty_action.trigger()
    assert len(window.results.model.records()) == 1  # only the delete in the main window
    assert len(nextcloud_server.trash_items()) == 1
