"""The cache of edited copies and the save watch, on the local disk alone."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from app.dav import Resource
from app.jobs.file_watch import FileWatch
from app.jobs.local_copies import LocalCopies, connection_folder, stamp_of


def resource(path: str, etag: str | None = '"1"', size: int = 3) -> Resource:
    return Resource(path, False, size, datetime(2026, 1, 2, tzinfo=UTC), etag, None)


def test_a_copy_with_unsent_edits_is_remembered_across_processes(tmp_path):
    folder = connection_folder(tmp_path, "alice@https://example.test")
    copies = LocalCopies(folder)
    local = copies.place("/dav/Docs/a b.txt")
    assert local.name == "a b.txt" and local.parent.parent == folder
    assert copies.place("/dav/Other/a b.txt") != local  # same name, other folder: apart
    local.parent.mkdir(parents=True)
    local.write_bytes(b"one")
    copies.downloaded(resource("/dav/Docs/a b.txt"), local, '"1"')
    assert copies.unsent() == []
    local.write_bytes(b"one, edited")
    again = LocalCopies(folder)
    [unsent] = again.unsent()
    assert unsent.remote == "/dav/Docs/a b.txt" and unsent.etag == '"1"'


def test_same_version_compares_etags_without_quotes_or_weakness(tmp_path):
    copies = LocalCopies(tmp_path)
    local = tmp_path / "f"
    local.write_bytes(b"abc")
    copy = copies.downloaded(resource("/f", 'W/"x"'), local, None)
    assert copy.same_version(resource("/f", '"x"'))
    assert not copy.same_version(resource("/f", '"y"'))
    # Without ETags, size and time stand in.
    plain = copies.downloaded(resource("/g", None), local, None)
    assert plain.same_version(resource("/g", None)) and not plain.same_version(
        resource("/g", None, size=4)
    )


def test_an_unreadable_index_loses_no_file(tmp_path):
    (tmp_path / "index.json").write_text("{not json")
    copies = LocalCopies(tmp_path)
    assert copies.unsent() == [] and copies.get("/a") is None


def test_the_watch_reports_a_save_once_it_holds_still(tmp_path):
    path = tmp_path / "doc.txt"
    path.write_bytes(b"v1")
    saved: list[Path] = []
    watch = FileWatch(saved.append)
    watch.watch(path, stamp_of(path))
    assert watch.check() == []
    path.write_bytes(b"v2, longer")
    assert watch.check() == []  # changed since the last look: maybe still being written
    assert watch.check() == [path]  # held still for one look: saved
    assert watch.check() == []  # reported once
    os.replace(_written(tmp_path / "tmp", b"v3 via rename"), path)  # how vim saves
    watch.check()
    assert watch.check() == [path] and saved == [path, path]


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_pruning_keeps_recent_copies_and_every_unsent_edit(tmp_path):
    copies = LocalCopies(tmp_path)
    paths = {}
    month_ago = 1_000_000_000.0
    for remote in ("/old.txt", "/recent.txt", "/edited.txt"):
        local = copies.place(remote)
        local.parent.mkdir(parents=True)
        local.write_bytes(b"v1")
        if remote != "/recent.txt":
            os.utime(local, (month_ago, month_ago))
        copies.downloaded(resource(remote), local, '"1"')
        paths[remote] = local
    paths["/edited.txt"].write_bytes(b"v1, edited and not sent")
    os.utime(paths["/edited.txt"], (month_ago + 1, month_ago + 1))
    gone = copies.prune(older_than_days=30, now=month_ago + 40 * 86400 - 1)
    assert gone == ["/old.txt"]
    assert not paths["/old.txt"].exists() and not paths["/old.txt"].parent.exists()
    assert paths["/edited.txt"].exists() and paths["/recent.txt"].exists()
    assert LocalCopies(tmp_path).get("/old.txt") is None


def test_two_writers_of_one_index_keep_each_others_entries(tmp_path):
    first, second = LocalCopies(tmp_path), LocalCopies(tmp_path)
    assert first.get("/a") is None and second.get("/b") is None  # both have read it
    for copies, remote in ((first, "/a"), (second, "/b")):
        local = copies.place(remote)
        local.parent.mkdir(parents=True)
        local.write_bytes(b"x")
        copies.downloaded(resource(remote), local, '"1"')
    assert LocalCopies(tmp_path).get("/a") is not None
    assert LocalCopies(tmp_path).get("/b") is not None
