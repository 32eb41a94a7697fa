"""The mass-delete guard's rule (app/sync/guard.py) on made-up scans: no server, no disk."""

from __future__ import annotations

import pytest

from app.sync.guard import MINIMUM, MassDelete
from app.sync.model import Action, Direction
from tests.sync.test_planner import actions, here, plan, synced, there

NAMES = ("a.txt", "b.txt", "docs/c.txt")


def _records(names=NAMES):
    records = {name: synced() for name in names}
    records["docs"] = synced(is_dir=True)
    return records


def _local(names=NAMES):
    return [here("docs", is_dir=True), *(here(name) for name in names)]


def _remote(names=NAMES):
    return [there("docs", is_dir=True), *(there(name) for name in names)]


def test_the_server_emptied_holds_every_local_delete_back_with_why():
    result = plan(_local(), [], _records())
    assert result.items == ()
    [refusal] = result.refused
    assert refusal.path == "/dav/" and refusal.reason == "held back" and not refusal.ok
    assert refusal.op == "delete-local"
    assert "all 3 synced files were deleted on the server" in (refusal.note or "")
    assert "delete them here too, or restore them" in (refusal.note or "")
    assert {item.rel for item in result.held} == {"a.txt", "b.txt", "docs", "docs/c.txt"}
    assert result.unpaired == () and result.gone == ()


def test_the_local_folder_emptied_holds_every_server_delete_back():
    result = plan([], _remote(), _records())
    assert result.items == ()
    [refusal] = result.refused
    assert refusal.op == "delete" and "deleted locally" in (refusal.note or "")
    assert {item.action for item in result.held} == {Action.DELETE_REMOTE}


def test_nothing_else_in_the_plan_is_held_back():
    """New files on the emptied side still come over; only the deletes wait."""
    result = plan([*_local(), here("new.txt")], [there("theirs.txt")], _records())
    assert actions(result) == [("new.txt", Action.UPLOAD), ("theirs.txt", Action.DOWNLOAD)]
    assert len(result.refused) == 1 and len(result.held) == 4


def test_a_partial_delete_syncs_as_before():
    result = plan(_local(), [there("docs", is_dir=True), there("a.txt")], _records())
    assert actions(result) == [("b.txt", Action.DELETE_LOCAL), ("docs/c.txt", Action.DELETE_LOCAL)]
    assert result.refused == () and result.held == ()


def test_a_file_changed_on_the_emptied_side_is_restored_and_nothing_is_held():
    """Not every synced file is deleted: the changed one goes back up, the rest are deleted."""
    local = [*_local(("a.txt", "docs/c.txt")), here("b.txt", size=9)]
    result = plan(local, [], _records())
    assert ("b.txt", Action.UPLOAD) in actions(result) and result.held == ()


def test_below_the_minimum_a_delete_is_ordinary():
    assert MINIMUM == 2
    result = plan([here("only.txt")], [], {"only.txt": synced()})
    assert actions(result) == [("only.txt", Action.DELETE_LOCAL)] and result.refused == ()


def test_files_gone_from_both_sides_do_not_count():
    """Deleted here too meanwhile: no delete needed for them, the rest are still every file."""
    result = plan(_local(("a.txt", "b.txt")), [], _records())
    assert result.items == () and result.gone == ("docs/c.txt",) and len(result.held) == 3


def test_allowed_once_the_deletes_are_carried_over():
    result = plan(_local(), [], _records(), mass_delete=MassDelete.ALLOW)
    assert {rel for rel, action in actions(result) if action is Action.DELETE_LOCAL} == {
        "a.txt",
        "b.txt",
        "docs",
        "docs/c.txt",
    }
    assert result.refused == () and result.held == ()


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        (
            Direction.BOTH,
            [
                ("a.txt", Action.UPLOAD),
                ("b.txt", Action.UPLOAD),
                ("docs", Action.CREATE_FOLDER),
                ("docs/c.txt", Action.UPLOAD),
            ],
        ),
        (Direction.DOWN, []),  # cannot be copied back: kept here, unsynced
    ],
)
def test_restored_the_records_are_forgotten_and_the_files_copied_back(direction, expected):
    result = plan(_local(), [], _records(), direction, mass_delete=MassDelete.RESTORE)
    assert actions(result) == expected
    assert all(
        item.reason == "deleted on the server with every other synced file: restored"
        for item in result.items
    )
    assert result.refused == () and result.held == ()
    assert set(result.unpaired) == {"a.txt", "b.txt", "docs", "docs/c.txt"}


def test_a_plan_of_some_folders_holds_only_when_every_synced_file_goes():
    """Background looks plan a few folders with their records alone: a folder emptied is not
    the pair emptied, so the guard weighs every synced file (synced)."""
    from app.sync.planner import plan_sync
    from tests.sync.test_planner import NOW, ROOT

    scoped = {key: r for key, r in _records().items() if key.startswith("docs")}
    local = {f.rel: f for f in _local() if f.rel.startswith("docs")}
    remote = {"docs": there("docs", is_dir=True)}
    every = ["a.txt", "b.txt", "docs/c.txt", "docs/d.txt"]
    scoped["docs/d.txt"] = synced()
    local["docs/d.txt"] = here("docs/d.txt")
    result = plan_sync(local, remote, scoped, Direction.BOTH, ROOT, "/dav/", NOW, synced=every)
    assert actions(result) == [
        ("docs/c.txt", Action.DELETE_LOCAL),
        ("docs/d.txt", Action.DELETE_LOCAL),
    ]
    alone = plan_sync(local, remote, scoped, Direction.BOTH, ROOT, "/dav/", NOW)
    assert alone.items == () and len(alone.held) == 2
