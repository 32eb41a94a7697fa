"""Folder deletes and ignored files, against the real servers.

Clutter the defaults ignore (.DS_Store, Thumbs.db in any case, ...) goes with
a folder deleted on the other side; files the user's own patterns ignore
keep their folder, which is said once, and the next run is quiet.
"""

from __future__ import annotations

import shutil

from tests.integration.test_sync import ops, tree, write


def test_clutter_goes_with_a_folder_deleted_on_the_server(sync, dav_server, local):
    write(local, "old/a.txt", b"a")
    write(local, "old/inner/b.txt", b"b")
    write(local, "kept.txt", b"k")  # not every file goes: no mass delete (app/sync/guard.py)
    assert sync("both")[0] == 0
    for junk in (".DS_Store", "inner/thumbs.db", "Desktop.INI", "~$draft.docx"):
        write(local, f"old/{junk}", b"clutter")
    shutil.rmtree(dav_server.root / "old")
    code, outcomes, _ = sync("both")
    assert code == 0, outcomes
    assert ops(outcomes) == [("delete-local", True)] * 8
    assert tree(local) == tree(dav_server.root) == {"kept.txt": b"k"}
    assert sync("both")[1] == []


def test_clutter_goes_with_a_folder_deleted_locally(sync, dav_server, local):
    write(local, "old/a.txt", b"a")
    assert sync("both")[0] == 0
    dav_server.make_file("old/.DS_Store", b"clutter a Mac left on the share")
    dav_server.make_file("old/Thumbs.db", b"and a Windows")
    shutil.rmtree(local / "old")
    code, outcomes, _ = sync("both")
    assert code == 0, outcomes
    assert ops(outcomes) == [("delete", True)] * 4
    assert tree(dav_server.root) == tree(local) == {}
    assert sync("both")[1] == []


def test_a_folder_holding_ignored_files_is_kept_and_restored(sync, dav_server, local):
    write(local, "old/a.txt", b"a")
    assert sync("both", "--ignore", "*.log")[0] == 0
    write(local, "old/build.log", b"mine, never synced")
    shutil.rmtree(dav_server.root / "old")
    code, outcomes, _ = sync("both", "--ignore", "*.log")
    assert code == 0, outcomes
    assert ops(outcomes) == [("delete-local", True), ("mkcol", True)]
    assert tree(local) == {"old": None, "old/build.log": b"mine, never synced"}
    assert tree(dav_server.root) == {"old": None}
    assert sync("both", "--ignore", "*.log")[1] == []


def test_a_one_way_pair_keeps_such_a_folder_and_says_so_once(sync, dav_server, local):
    dav_server.make_file("old/a.txt", b"a")
    assert sync("down", "--ignore", "*.log")[0] == 0
    write(local, "old/build.log", b"mine, never synced")
    shutil.rmtree(dav_server.root / "old")
    code, outcomes, _ = sync("down", "--ignore", "*.log")
    assert code == 1
    [kept] = [o for o in outcomes if not o["ok"]]
    assert kept["path"].endswith("/old/") and "build.log" in kept["note"]
    assert "ignored" in kept["note"]
    assert tree(local) == {"old": None, "old/build.log": b"mine, never synced"}
    assert sync("down", "--ignore", "*.log")[:2] == (0, [])
    assert tree(local) == {"old": None, "old/build.log": b"mine, never synced"}


def test_an_upload_pair_keeps_a_server_folder_holding_ignored_files(sync, dav_server, local):
    write(local, "old/a.txt", b"a")
    assert sync("up", "--ignore", "*.log")[0] == 0
    dav_server.make_file("old/server.log", b"the server's, never synced")
    shutil.rmtree(local / "old")
    code, outcomes, _ = sync("up", "--ignore", "*.log")
    assert code == 1 and [o["reason"] for o in outcomes if not o["ok"]] == ["kept"]
    assert tree(dav_server.root) == {"old": None, "old/server.log": b"the server's, never synced"}
    assert sync("up", "--ignore", "*.log")[:2] == (0, [])
