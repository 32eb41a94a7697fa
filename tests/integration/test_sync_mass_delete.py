"""The mass-delete guard (app/sync/guard.py) in `davdesk sync`, against the real servers.

An emptied side is never carried over without the user's word: the sync deletes nothing,
says why and exits non-zero; --allow-mass-delete carries the deletes out once,
--restore-mass-delete copies the files back. What is checked is what a user checks: both
folders' files and bytes afterwards, and every line the sync printed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.integration.test_sync import tree, write
from tests.jobs.ops.test_delete_local import trashed

FILES = {"a.txt": b"alpha", "b.txt": b"bravo" * 100, "sub/c.txt": b"charlie"}


def empty(root: Path) -> None:
    """Everything in the folder removed (Apache's own .DAV store too: it is no file of ours)."""
    for path in root.iterdir():
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def _synced(sync, local: Path, server) -> None:
    for rel, data in FILES.items():
        write(local, rel, data)
    code, outcomes, _ = sync("both")
    assert code == 0 and all(o["ok"] for o in outcomes), outcomes
    assert tree(server.root) == tree(local)


def _held(run, where: str) -> None:
    code, lines, err = run
    assert code != 0
    [held] = lines
    assert held["reason"] == "held back" and not held["ok"], lines
    assert f"all 3 synced files were deleted {where}" in held["note"]
    assert "--allow-mass-delete" in err and "--restore-mass-delete" in err


def test_an_emptied_server_folder_deletes_nothing_here_until_allowed(sync, dav_server, local):
    _synced(sync, local, dav_server)
    empty(dav_server.root)
    _held(sync("both"), "on the server")
    assert tree(local) == {"sub": None, **FILES}, "nothing was deleted here"
    _held(sync("both"), "on the server")  # asked again until the user decides

    code, outcomes, _ = sync("both", "--allow-mass-delete")
    assert code == 0 and all(o["ok"] for o in outcomes), outcomes
    assert sorted(o["op"] for o in outcomes) == ["delete-local"] * 4
    assert tree(local) == {} and tree(dav_server.root) == {}
    assert sync("both")[1] == []
    # Deleted here means moved to the trash: every file can still be restored from it.
    assert {rel: trashed(local / rel) for rel in FILES} == FILES


def test_an_emptied_server_folder_restored_gets_its_files_back(sync, dav_server, local):
    _synced(sync, local, dav_server)
    empty(dav_server.root)
    _held(sync("both"), "on the server")
    code, outcomes, _ = sync("both", "--restore-mass-delete")
    assert code == 0 and all(o["ok"] for o in outcomes), outcomes
    assert tree(dav_server.root) == tree(local) == {"sub": None, **FILES}
    assert sync("both")[1] == [], "recorded as synced again"


@pytest.mark.parametrize("word", ["--allow-mass-delete", "--restore-mass-delete"])
def test_an_emptied_local_folder_is_not_carried_to_the_server(sync, dav_server, local, word):
    """An unmounted disk looks like this: the server keeps every file until the user says."""
    _synced(sync, local, dav_server)
    empty(local)
    _held(sync("both"), "locally")
    assert tree(dav_server.root) == {"sub": None, **FILES}, "nothing was deleted on the server"
    code, outcomes, _ = sync("both", word)
    assert code == 0 and all(o["ok"] for o in outcomes), outcomes
    if word == "--allow-mass-delete":
        assert tree(dav_server.root) == tree(local) == {}
    else:
        assert tree(local) == tree(dav_server.root) == {"sub": None, **FILES}


def test_a_partial_delete_on_the_server_syncs_as_before(sync, dav_server, local):
    _synced(sync, local, dav_server)
    (dav_server.root / "a.txt").unlink()
    code, outcomes, _ = sync("both")
    assert code == 0 and [(o["op"], o["ok"]) for o in outcomes] == [("delete-local", True)]
    assert tree(local) == {"sub": None, "b.txt": FILES["b.txt"], "sub/c.txt": FILES["sub/c.txt"]}


def test_the_words_go_with_a_one_off_sync_only(sync, dav_server, local):
    code, _, err = sync("both", "--watch", "--allow-mass-delete")
    assert code != 0 and "one-off sync" in err
