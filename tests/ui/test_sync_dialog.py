"""Sync Folder from the window: preview checklist, untick, run as a job, state recorded."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

from app.config.bookmarks import Bookmark, BookmarkStore, SyncPair
from app.config.pairs import PairStore
from app.config.paths import AppPaths
from app.sync import (
    Action,
    Direction,
    LocalFile,
    PlanItem,
    RemoteFile,
    StateDB,
    SyncPlan,
    state_file,
)
from app.sync.ignore import IgnoreRules
from app.sync.planner import plan_pair
from app.ui.models.file_table import human_size
from app.ui.sync_dialog import SyncDialog
from tests.jobs.ops.test_delete_local import trashed
from tests.servers.fault_proxy import FaultProxy
from tests.sync.background.test_mass_delete import empty


def group_lines(model) -> list[str]:
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def group(model, action: str):
    return next(
        model.index(row, 0)
        for row in range(model.rowCount())
        if model.index(row, 0).data().startswith(action + ":")
    )


def click_check(view, index) -> None:
    """Click the checkbox of a row, as a user does."""
    view.scrollTo(index)
    rect = view.visualRect(index)
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect, option.features = rect, QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    box = view.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, view)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=box.center())


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

    window.commands.sync.trigger()
    dialog = window.findChild(SyncDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.remote.text() == window.current_path
    dialog.local.setText(str(local))
    dialog.preview_button.click()
    qtbot.waitUntil(dialog.run_button.isEnabled, timeout=10_000)

    preview, model = dialog.preview, dialog.preview_model
    assert preview.objectName() == "syncPreview" and preview.model() is model
    assert set(group_lines(model)) == {
        "upload: 3 of 3, 8.0 KB",
        "download: 1 of 1, 6 B",
        "create folder: 1 of 1",
    }
    upload = group(model, "upload")
    later = next(
        model.index(n, 0, upload)
        for n in range(model.rowCount(upload))
        if model.index(n, 0, upload).data() == "later.txt"
    )
    click_check(preview, later)
    assert upload.data() == "upload: 2 of 3, 3.0 KB"
    assert upload.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.PartiallyChecked

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
        again = plan_pair(
            window._client, local, window.current_path, Direction.BOTH, state, IgnoreRules()
        )
    assert [(item.rel, item.action.value) for item in again.items] == [("later.txt", "upload")]
    # Saved for background sync too, once the run was over (never beside it).
    pairs = PairStore.in_config(paths)
    qtbot.waitUntil(lambda: len(pairs.load()) == 1, timeout=10_000)
    [saved] = pairs.load()
    assert (saved.name, saved.local, saved.url, saved.direction, saved.bookmark) == (
        "pair",
        str(local),
        window._client.url(window.current_path),
        "both",
        "test",
    )


def test_closing_the_dialog_while_it_plans_leaves_nothing_behind(
    wsgidav_server, open_window, qtbot, tmp_path, monkeypatch
):
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "home"))
    local = tmp_path / "pair"
    local.mkdir()
    (local / "a.txt").write_bytes(b"a")
    window = open_window(wsgidav_server)
    window.commands.sync.trigger()
    dialog = window.findChild(SyncDialog)
    dialog.local.setText(str(local))
    dialog.preview_button.click()
    dialog.reject()
    qtbot.waitUntil(lambda: window._background.wait(100), timeout=10_000)
    assert not (wsgidav_server.root / "a.txt").exists()


def test_a_missing_local_folder_is_said_plainly(
    wsgidav_server, open_window, qtbot, tmp_path, monkeypatch
):
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "home"))
    window = open_window(wsgidav_server)
    window.commands.sync.trigger()
    dialog = window.findChild(SyncDialog)
    dialog.local.setText(str(tmp_path / "nowhere"))
    dialog.preview_button.click()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Cannot sync"), timeout=10_000)
    assert "nowhere" in dialog.status.text() and not dialog.run_button.isEnabled()


def big_plan(local: Path, uploads: int, downloads: int) -> SyncPlan:
    """A plan as planning makes it, of this many uploads (sizes 1 to 1000) and downloads."""
    items = [
        PlanItem(
            f"up/{n:06}.txt",
            Action.UPLOAD,
            "new",
            size=n % 1000 + 1,
            local=LocalFile(f"up/{n:06}.txt", local / f"{n:06}.txt", False, n % 1000 + 1, 0, 0.0),
        )
        for n in range(uploads)
    ]
    items += [
        PlanItem(
            f"down/{n:06}.txt",
            Action.DOWNLOAD,
            "new on the server",
            size=7,
            remote=RemoteFile(f"down/{n:06}.txt", f"/down/{n:06}.txt", False, 7, "e", 0.0, 0.0),
        )
        for n in range(downloads)
    ]
    return SyncPlan(local, "/", Direction.BOTH, tuple(items))


def test_a_plan_of_100000_items_counts_right_as_items_are_ticked(
    wsgidav_server, open_window, qtbot, tmp_path, monkeypatch
):
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "home"))
    local = tmp_path / "pair"
    local.mkdir()
    plan = big_plan(local, 60_000, 40_000)
    monkeypatch.setattr("app.ui.sync_dialog.plan_pair", lambda *args, **kwargs: plan)
    window = open_window(wsgidav_server)
    window.commands.sync.trigger()
    dialog = window.findChild(SyncDialog)
    dialog.local.setText(str(local))
    dialog.preview_button.click()
    qtbot.waitUntil(dialog.run_button.isEnabled, timeout=60_000)
    model, view = dialog.preview_model, dialog.preview
    sizes = [n % 1000 + 1 for n in range(60_000)]
    assert group_lines(model) == [
        f"upload: 60000 of 60000, {human_size(sum(sizes))}",
        f"download: 40000 of 40000, {human_size(7 * 40_000)}",
    ]
    upload, download = group(model, "upload"), group(model, "download")
    for row in (0, 29_999, 59_999):
        click_check(view, model.index(row, 0, upload))
    left = sum(sizes) - sizes[0] - sizes[29_999] - sizes[59_999]
    assert upload.data() == f"upload: 59997 of 60000, {human_size(left)}"
    assert upload.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.PartiallyChecked
    click_check(view, download)  # the whole group
    assert download.data() == "download: 0 of 40000"
    assert download.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert (
        model.index(39_999, 0, download).data(Qt.ItemDataRole.CheckStateRole)
        == Qt.CheckState.Unchecked
    )
    click_check(view, model.index(12_345, 0, download))
    assert download.data() == "download: 1 of 40000, 7 B"
    chosen = dialog.chosen()
    assert len(chosen) == 59_998 and chosen[-1].rel == "down/012345.txt"
    assert dialog.run_button.isEnabled()
    click_check(view, upload)  # partly ticked: a click ticks all of it
    assert upload.data() == f"upload: 60000 of 60000, {human_size(sum(sizes))}"
    dialog.reject()


def test_planning_can_be_stopped(dav_server, open_window, qtbot, tmp_path, monkeypatch):
    """The server never answers the listing of one folder: Stop ends the planning at once,
    without waiting for the read timeout, and nothing is planned or changed."""
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "home"))
    local = tmp_path / "pair"
    local.mkdir()
    (local / "a.txt").write_bytes(b"a")
    dav_server.make_file("slow/b.txt", b"b")
    with FaultProxy(
        dav_server.url,
        methods=["PROPFIND"],
        faults=["hang"],
        first=1,
        paths=lambda path: "/slow" in path,
    ) as proxy:
        window = open_window(replace(dav_server, url=proxy.url_for(dav_server.url)))
        window.commands.sync.trigger()
        dialog = window.findChild(SyncDialog)
        dialog.local.setText(str(local))
        dialog.preview_button.click()
        qtbot.waitUntil(proxy.faulted.is_set, timeout=10_000)
        assert dialog.stop_button.isEnabled() and not dialog.preview_button.isEnabled()
        dialog.stop_button.click()
        qtbot.waitUntil(dialog.preview_button.isEnabled, timeout=5_000)
    assert dialog.status.text().startswith("Preview stopped")
    assert not dialog.run_button.isEnabled() and dialog.preview_model.rowCount() == 0
    assert not (dav_server.root / "a.txt").exists()


def test_a_conflict_from_the_window_keeps_both_on_both_sides(
    dav_server, open_window, qtbot, tmp_path, monkeypatch
):
    """The first job saves the server's version beside the local one; the job that sends both
    up starts by itself when it has ended."""
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "home"))
    local = tmp_path / "pair"
    local.mkdir()
    name = "#1 & co+; why?.txt"
    (local / name).write_bytes(b"local edit")
    dav_server.make_file(name, b"server edit, longer")
    window = open_window(dav_server)
    window.commands.sync.trigger()
    dialog = window.findChild(SyncDialog)
    dialog.local.setText(str(local))
    dialog.preview_button.click()
    qtbot.waitUntil(dialog.run_button.isEnabled, timeout=10_000)
    assert group_lines(dialog.preview_model)[0].startswith("conflict: 1 of 1")
    dialog.run_button.click()

    def both_sides_have_both() -> bool:
        files = {p.name: p.read_bytes() for p in local.iterdir()}
        served = {p.name: p.read_bytes() for p in dav_server.root.iterdir() if p.name != ".DAV"}
        return len(files) == 2 and files == served and served[name] == b"local edit"

    qtbot.waitUntil(both_sides_have_both, timeout=20_000)
    qtbot.waitUntil(lambda: window._background.wait(100), timeout=10_000)
    [copy] = [p.name for p in local.iterdir() if p.name != name]
    assert copy.startswith("#1 & co+; why? (conflict ")
    assert (local / name).read_bytes() == (dav_server.root / name).read_bytes() == b"local edit"
    assert (
        (local / copy).read_bytes()
        == (dav_server.root / copy).read_bytes()
        == b"server edit, longer"
    )


@pytest.mark.parametrize("word", ["Delete Here Too", "Restore Files"])
def test_an_emptied_server_folder_is_held_back_until_the_user_says(
    dav_server, open_window, qtbot, tmp_path, monkeypatch, word
):
    """The preview holds back the deletes of every synced file (app/sync/guard.py) and says
    why; Delete Here Too previews them to run, Restore Files the files to copy back."""
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "home"))
    local = tmp_path / "pair"
    local.mkdir()
    (local / "a.txt").write_bytes(b"a" * 10)
    (local / "b.txt").write_bytes(b"b" * 20)
    window = open_window(dav_server)

    def previewed() -> SyncDialog:
        window.commands.sync.trigger()
        dialog = [d for d in window.findChildren(SyncDialog) if d.isVisible()][-1]
        dialog.local.setText(str(local))
        dialog.preview_button.click()
        qtbot.waitUntil(lambda: dialog.preview_button.isEnabled(), timeout=10_000)
        return dialog

    first = previewed()
    assert not first.allow_button.isVisible() and not first.restore_button.isVisible()
    with qtbot.waitSignal(window.operations.folders_changed, timeout=20_000):
        first.run_button.click()
    qtbot.waitUntil(lambda: (dav_server.root / "b.txt").exists(), timeout=10_000)
    qtbot.waitUntil(lambda: window._background.wait(100), timeout=10_000)
    empty(dav_server.root)

    dialog = previewed()
    assert dialog.allow_button.isVisible() and dialog.restore_button.isVisible()
    assert dialog.allow_button.text() == "&Delete Here Too"
    assert dialog.status.text().startswith(
        "Every synced file was deleted on the server: none is deleted here without your word."
    )
    assert group_lines(dialog.preview_model) == ["Not synced: 1"]
    assert not dialog.run_button.isEnabled()

    button = dialog.allow_button if word == "Delete Here Too" else dialog.restore_button
    button.click()
    qtbot.waitUntil(dialog.run_button.isEnabled, timeout=10_000)
    assert not dialog.allow_button.isVisible()
    expected = "delete local: 2 of 2" if word == "Delete Here Too" else "upload: 2 of 2, 30 B"
    assert group_lines(dialog.preview_model) == [expected]
    dialog.run_button.click()
    if word == "Delete Here Too":
        qtbot.waitUntil(lambda: not any(local.iterdir()), timeout=20_000)
        assert trashed(local / "a.txt") == b"a" * 10, "in the trash, where it can be restored"
    else:
        qtbot.waitUntil(lambda: (dav_server.root / "b.txt").exists(), timeout=20_000)
        qtbot.waitUntil(lambda: (dav_server.root / "a.txt").exists(), timeout=20_000)
        assert (dav_server.root / "b.txt").read_bytes() == b"b" * 20
    qtbot.waitUntil(lambda: window._background.wait(100), timeout=10_000)
