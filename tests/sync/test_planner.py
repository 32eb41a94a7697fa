"""The three-way rules of app.sync.planner, on made-up scans: no server, no disk."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from app.sync.guard import MassDelete
from app.sync.model import Action, Direction, LocalFile, RemoteFile
from app.sync.planner import plan_sync
from app.sync.scan import Scan
from app.sync.state import UNSYNCED, Pending, Record

NOW = datetime(2024, 5, 1, 14, 32)
ROOT = Path("/home/me/pair")


def here(rel: str, size: int = 3, mtime: int = 1000, is_dir: bool = False) -> LocalFile:
    return LocalFile(rel, ROOT / rel, is_dir, 0 if is_dir else size, mtime * 10**9, float(mtime))


def there(
    rel: str, size: int = 3, etag: str | None = "e1", mtime: float = 1000.0, is_dir: bool = False
) -> RemoteFile:
    return RemoteFile(rel, "/dav/" + rel, is_dir, 0 if is_dir else size, etag, mtime, mtime)


def synced(
    size: int = 3, mtime: int = 1000, etag: str | None = "e1", is_dir: bool = False
) -> Record:
    return Record(is_dir, size, mtime * 10**9, size, float(mtime), etag)


def plan(
    local=(), remote=(), records=None, direction=Direction.BOTH, pending=None, mass_delete=None
):
    return plan_sync(
        {f.rel: f for f in local},
        {f.rel: f for f in remote},
        records or {},
        direction,
        ROOT,
        "/dav/",
        NOW,
        pending,
        mass_delete=mass_delete or MassDelete.HOLD,
    )


def actions(result) -> list[tuple[str, Action]]:
    return [(item.rel, item.action) for item in result.items]


def test_unchanged_pair_plans_nothing():
    result = plan([here("a")], [there("a")], {"a": synced()})
    assert result.items == () and result.in_sync == ()


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        (Direction.BOTH, [("new", Action.UPLOAD)]),
        (Direction.UP, [("new", Action.UPLOAD)]),
        (Direction.DOWN, []),
    ],
)
def test_a_new_local_file_goes_up_unless_the_pair_only_downloads(direction, expected):
    assert actions(plan([here("new")], [], direction=direction)) == expected


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        (Direction.BOTH, [("new", Action.DOWNLOAD)]),
        (Direction.DOWN, [("new", Action.DOWNLOAD)]),
        (Direction.UP, []),
    ],
)
def test_a_new_server_file_comes_down_unless_the_pair_only_uploads(direction, expected):
    assert actions(plan([], [there("new")], direction=direction)) == expected


def test_changes_on_one_side_are_carried_to_the_other():
    result = plan(
        [here("mine", size=4), here("theirs")],
        [there("mine"), there("theirs", etag="e2")],
        {"mine": synced(), "theirs": synced()},
    )
    assert actions(result) == [("mine", Action.UPLOAD), ("theirs", Action.DOWNLOAD)]
    upload = result.items[0]
    assert upload.reason == "changed locally" and upload.size == 4


def test_a_delete_propagates_only_when_the_record_proves_it_was_in_sync():
    result = plan([here("kept")], [there("gone there")], {"kept": synced(), "gone there": synced()})
    assert actions(result) == [("gone there", Action.DELETE_REMOTE), ("kept", Action.DELETE_LOCAL)]


def test_without_a_record_nothing_is_deleted():
    assert actions(plan([here("a")], [there("b")])) == [
        ("a", Action.UPLOAD),
        ("b", Action.DOWNLOAD),
    ]


def test_deleted_here_but_edited_there_is_restored_not_deleted():
    result = plan([], [there("doc", etag="e2")], {"doc": synced()})
    assert actions(result) == [("doc", Action.DOWNLOAD)]
    assert "restored" in result.items[0].reason


def test_deleted_there_but_edited_here_is_restored_not_deleted():
    result = plan([here("doc", size=9)], [], {"doc": synced()})
    assert actions(result) == [("doc", Action.UPLOAD)]
    assert "restored" in result.items[0].reason


def test_edits_on_both_sides_are_a_conflict_with_a_dated_name():
    result = plan(
        [here("report.pdf", size=5)],
        [there("report.pdf", size=7, etag="e2")],
        {"report.pdf": synced()},
    )
    [item] = result.items
    assert item.action is Action.CONFLICT
    assert item.conflict_rel == "report (conflict 2024-05-01 1432).pdf"


def test_the_conflict_name_avoids_a_name_in_use():
    taken = here("report (conflict 2024-05-01 1432).pdf")
    result = plan([here("report.pdf", size=5), taken], [there("report.pdf", size=7)])
    [item] = [i for i in result.items if i.action is Action.CONFLICT]
    assert item.conflict_rel == "report (conflict 2024-05-01 1432 2).pdf"


def test_never_synced_look_alikes_are_recorded_not_transferred():
    result = plan([here("a", mtime=1000)], [there("a", mtime=1000.0)])
    assert result.items == () and [pair[0].rel for pair in result.in_sync] == ["a"]


def test_an_etag_learnt_after_an_upload_is_recorded_without_a_transfer():
    record = Record(False, 3, 1000 * 10**9, 3, 1000.0, None)
    result = plan([here("a")], [there("a", etag="new")], {"a": record})
    assert result.items == () and len(result.in_sync) == 1


def test_weak_and_strong_etags_of_one_version_are_equal():
    result = plan([here("a")], [there("a", etag='W/"e1"')], {"a": synced(etag="e1")})
    assert result.items == ()


def test_a_one_way_conflict_record_never_lets_a_download_overwrite_the_local_edit():
    unsynced = Record(False, UNSYNCED, 0, 3, 1000.0, "e1")
    assert (
        plan([here("a", size=5)], [there("a")], {"a": unsynced}, direction=Direction.DOWN).items
        == ()
    )
    result = plan(
        [here("a", size=5)], [there("a", etag="e2")], {"a": unsynced}, direction=Direction.DOWN
    )
    assert actions(result) == [("a", Action.CONFLICT)]


def test_an_interrupted_upload_is_sent_again_not_a_conflict():
    pending = {"a": Pending(True, 5, 2000 * 10**9, None)}
    result = plan(
        [here("a", size=5, mtime=2000)], [there("a", size=2, etag="fragment")], pending=pending
    )
    assert actions(result) == [("a", Action.UPLOAD)]


def test_an_unrecorded_finished_download_is_recorded():
    pending = {"a": Pending(False, -1, 0, "e9")}
    result = plan(
        [here("a", size=3, mtime=5)], [there("a", size=3, etag="e9", mtime=99.0)], pending=pending
    )
    assert result.items == () and len(result.in_sync) == 1


def test_a_folder_is_deleted_only_with_everything_in_it():
    records = {"f": synced(is_dir=True), "f/a": synced(), "g": synced(is_dir=True), "g/a": synced()}
    result = plan(
        [here("f", is_dir=True), here("f/a"), here("g", is_dir=True), here("g/a"), here("g/new")],
        [],
        records,
        # Every synced file is gone from the server: allowed, so the folder rules alone decide.
        mass_delete=MassDelete.ALLOW,
    )
    assert actions(result) == [
        ("f", Action.DELETE_LOCAL),
        ("f/a", Action.DELETE_LOCAL),
        ("g", Action.CREATE_FOLDER),
        ("g/a", Action.DELETE_LOCAL),
        ("g/new", Action.UPLOAD),
    ]


def test_a_file_against_a_folder_is_refused():
    result = plan([here("x")], [there("x", is_dir=True)])
    assert result.items == () and "folder" in result.refused[0].note


@pytest.mark.parametrize("folder_here", [False, True])
def test_what_the_folder_of_a_file_against_a_folder_holds_waits_with_it(folder_here):
    """Its members would go into (or come out of) a path that is a file on the other side:
    every run would fail them. Only the clash is reported; a sibling sorting between the
    folder and its members is planned as usual."""
    inside = [here("x/in.txt")] if folder_here else [there("x/in.txt")]
    local = [here("x", is_dir=folder_here), here("x-y")] + (inside if folder_here else [])
    remote = [there("x", is_dir=not folder_here)] + ([] if folder_here else inside)
    result = plan(local, remote, {"x/in.txt": synced()})
    assert actions(result) == [("x-y", Action.UPLOAD)]
    assert [o.path for o in result.refused] == ["/dav/x"] and result.gone == ()


def test_names_the_server_would_refuse_are_reported_before_upload():
    result = plan([here("bad\x07.txt")], [])
    assert result.items == ()
    [refused] = result.refused
    assert not refused.ok and "control character" in refused.note


def test_unsafe_server_names_are_not_downloaded():
    result = plan([], [there("..")])
    assert result.items == () and "not downloaded" in result.refused[0].note


def test_records_of_paths_gone_from_both_sides_are_forgotten():
    assert plan([], [], {"old": synced()}).gone == ("old",)


def test_summary_counts_items_and_bytes_per_action():
    result = plan([here("a", size=10), here("b", size=20)], [there("c", size=5)])
    assert result.summary() == {Action.UPLOAD: (2, 30), Action.DOWNLOAD: (1, 5)}


def test_a_pending_upload_is_sent_again_only_over_what_may_be_its_fragment():
    """Without byte proofs (proven None) a shorter server file is taken for a fragment; one
    that is longer cannot be, and neither can anything the proof did not find to be ours."""
    pending = {"a": Pending(True, 5, 2000 * 10**9, None)}
    longer = plan(
        [here("a", size=5, mtime=2000)], [there("a", size=9, etag="theirs")], pending=pending
    )
    assert actions(longer) == [("a", Action.CONFLICT)]
    unproven = plan_sync(
        {"a": here("a", size=5, mtime=2000)},
        {"a": there("a", size=2, etag="theirs")},
        {},
        Direction.BOTH,
        ROOT,
        "/dav/",
        NOW,
        pending,
        proven=frozenset(),
    )
    assert actions(unproven) == [("a", Action.CONFLICT)]
    fragment = plan_sync(
        {"a": here("a", size=5, mtime=2000)},
        {"a": there("a", size=2, etag="fragment")},
        {},
        Direction.BOTH,
        ROOT,
        "/dav/",
        NOW,
        pending,
        proven=frozenset({"a"}),
    )
    assert actions(fragment) == [("a", Action.UPLOAD)]


def test_pending_rows_the_plan_no_longer_needs_are_stale():
    pending = {
        "conflict": Pending(True, 5, 2000 * 10**9, None),
        "again": Pending(True, 5, 2000 * 10**9, None),
        "gone": Pending(False, -1, 0, "e1"),
    }
    result = plan(
        [here("conflict", size=5, mtime=2000), here("again", size=5, mtime=2000)],
        [there("conflict", size=9), there("again", size=2)],
        pending=pending,
    )
    assert actions(result) == [("again", Action.UPLOAD), ("conflict", Action.CONFLICT)]
    assert result.stale == ("conflict", "gone")


def test_conflict_names_avoid_each_other_and_ignored_files():
    taken = "a (conflict 2024-05-01 1432).txt"
    local = Scan({"a.txt": here("a.txt", size=5)}, ignored={taken: here(taken)})
    result = plan_sync(
        local, {"a.txt": there("a.txt", size=7)}, {}, Direction.BOTH, ROOT, "/dav/", NOW
    )
    [item] = result.items
    assert item.conflict_rel == "a (conflict 2024-05-01 1432 2).txt"
    many = plan(
        [here(f"d/{n}", size=5) for n in range(3)] + [here("d/0 (conflict 2024-05-01 1432)")],
        [there(f"d/{n}", size=7) for n in range(3)],
    )
    names = [i.conflict_rel for i in many.items if i.action is Action.CONFLICT]
    assert names == [
        "d/0 (conflict 2024-05-01 1432 2)",
        "d/1 (conflict 2024-05-01 1432)",
        "d/2 (conflict 2024-05-01 1432)",
    ]


def test_clutter_goes_with_its_deleted_folder_and_other_ignored_files_keep_it():
    records = {"f": synced(is_dir=True), "f/a": synced(), "g": synced(is_dir=True), "g/a": synced()}
    local = Scan(
        {
            "f": here("f", is_dir=True),
            "f/a": here("f/a"),
            "g": here("g", is_dir=True),
            "g/a": here("g/a"),
        },
        junk={"f/.DS_Store": here("f/.DS_Store"), "g/Thumbs.db": here("g/Thumbs.db")},
        ignored={"g/build.log": here("g/build.log")},
    )
    # Every synced file is gone from the server: allowed, so the folder rules alone decide.
    allow = MassDelete.ALLOW
    both = plan_sync(local, {}, records, Direction.BOTH, ROOT, "/dav/", NOW, mass_delete=allow)
    assert actions(both) == [
        ("f", Action.DELETE_LOCAL),
        ("f/.DS_Store", Action.DELETE_LOCAL),
        ("f/a", Action.DELETE_LOCAL),
        ("g", Action.CREATE_FOLDER),
        ("g/a", Action.DELETE_LOCAL),
    ]
    assert "build.log" in both.items[3].reason and both.refused == () and both.unpaired == ()
    down = plan_sync(local, {}, records, Direction.DOWN, ROOT, "/dav/", NOW, mass_delete=allow)
    assert actions(down) == [
        ("f", Action.DELETE_LOCAL),
        ("f/.DS_Store", Action.DELETE_LOCAL),
        ("f/a", Action.DELETE_LOCAL),
        ("g/a", Action.DELETE_LOCAL),
    ]
    [kept] = down.refused
    assert kept.path == "/dav/g/" and "build.log" in kept.note and down.unpaired == ("g",)
