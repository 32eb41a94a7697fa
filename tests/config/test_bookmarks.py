"""Bookmarks survive a round trip, are written atomically, and never hold a password."""

from __future__ import annotations

import json
import os
import stat
import threading

import pytest

from app.config import AppPaths, Bookmark, BookmarkFileError, BookmarkStore

PIN = ":".join(["AB"] * 32)


@pytest.fixture
def store(tmp_path):
    return BookmarkStore.in_config(AppPaths.under(tmp_path))


def test_a_missing_file_means_no_bookmarks(store):
    assert store.load() == []
    assert not store.path.exists()


def test_round_trip_keeps_every_field(store):
    bookmark = Bookmark(
        "Home",
        "https://nas.local/dav/",
        "alice",
        pinned_sha256=PIN,
        ca_file="/etc/ca.pem",
        last_path="/dav/Photos/",
    )
    store.add(bookmark)
    assert BookmarkStore(store.path).load() == [bookmark]


def test_add_update_remove(store):
    store.add(Bookmark("A", "https://a/"))
    store.add(Bookmark("B", "https://b/"))
    with pytest.raises(ValueError, match="a bookmark called 'A' exists"):
        store.add(Bookmark("A", "https://elsewhere/"))
    store.update(Bookmark("A", "https://a2/", "bob"))
    store.update(Bookmark("C", "https://c/"), name="B")  # a rename keeps the place
    assert [(b.name, b.url) for b in store.load()] == [("A", "https://a2/"), ("C", "https://c/")]
    with pytest.raises(KeyError):
        store.update(Bookmark("Z", "https://z/"))
    with pytest.raises(ValueError, match="a bookmark called 'A' exists"):
        store.update(Bookmark("A", "https://c/"), name="C")
    store.remove("A")
    assert [b.name for b in store.load()] == ["C"]
    with pytest.raises(KeyError):
        store.remove("A")


def test_put_adds_replaces_and_renames(store):
    store.put(Bookmark("A", "https://a/"))
    store.put(Bookmark("B", "https://b/"))
    store.put(Bookmark("A", "https://a2/"))
    assert [(b.name, b.url) for b in store.load()] == [("A", "https://a2/"), ("B", "https://b/")]
    store.put(Bookmark("A2", "https://a2/"), replacing="A")
    assert [b.name for b in store.load()] == ["A2", "B"]
    store.put(Bookmark("B", "https://b2/"), replacing="A2")  # renamed onto B: B gives way
    assert [(b.name, b.url) for b in store.load()] == [("B", "https://b2/")]


def test_the_file_is_private_json_without_passwords(store):
    store.add(Bookmark("Home", "https://nas.local/dav/", "alice"))
    document = json.loads(store.path.read_text(encoding="utf-8"))
    assert document["bookmarks"][0]["user"] == "alice"
    assert not any("password" in key for key in document["bookmarks"][0])
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_a_password_typed_into_the_file_by_hand_is_dropped(store):
    store.path.parent.mkdir(parents=True)
    store.path.write_text(
        json.dumps(
            {
                "format": 1,
                "bookmarks": [
                    {"name": "X", "url": "https://x/", "password": "oops", "added_later": 1}
                ],
            }
        )
    )
    assert store.load() == [Bookmark("X", "https://x/")]
    store.put(Bookmark("Y", "https://y/"))
    assert "oops" not in store.path.read_text()


def test_a_damaged_file_is_an_error_and_stays_as_it_was(store):
    store.path.parent.mkdir(parents=True)
    store.path.write_text("{not json")
    with pytest.raises(BookmarkFileError, match="bookmarks"):
        store.load()
    with pytest.raises(BookmarkFileError):
        store.add(Bookmark("A", "https://a/"))
    assert store.path.read_text() == "{not json"


@pytest.mark.parametrize(
    "document",
    [{"bookmarks": [42]}, {"bookmarks": [{"url": "https://a/"}]}, {"bookmarks": None}, []],
)
def test_damaged_entries_are_an_error(store, document):
    store.path.parent.mkdir(parents=True)
    store.path.write_text(json.dumps(document))
    with pytest.raises(BookmarkFileError):
        store.load()


def test_a_failed_write_leaves_the_old_file_and_no_temporary(store, monkeypatch):
    store.add(Bookmark("A", "https://a/"))
    before = store.path.read_bytes()

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match="No space left on device"):
        store.add(Bookmark("B", "https://b/"))
    assert store.path.read_bytes() == before
    assert sorted(p.name for p in store.path.parent.iterdir()) == [
        store.path.name,
        store.path.name + ".lock",
    ]


def test_concurrent_adds_are_all_kept(store):
    threads = [
        threading.Thread(target=store.add, args=(Bookmark(f"B{i}", f"https://b{i}/"),))
        for i in range(16)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(b.name for b in store.load()) == sorted(f"B{i}" for i in range(16))


def test_two_stores_of_one_file_keep_each_others_changes(store):
    """The window's preferences and a connect dialog each hold a store of the same file."""
    from app.config.bookmarks import BookmarkStore

    other = BookmarkStore(store.path)
    threads = [
        threading.Thread(
            target=(store, other)[i % 2].add, args=(Bookmark(f"B{i}", f"https://b{i}/"),)
        )
        for i in range(16)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(b.name for b in other.load()) == sorted(f"B{i}" for i in range(16))


def test_sync_pairs_round_trip_and_old_files_load_without_them(tmp_path):
    from app.config.bookmarks import Bookmark, BookmarkStore, SyncPair

    store = BookmarkStore(tmp_path / "bookmarks.json")
    store.path.write_text(
        '{"format": 1, "bookmarks": [{"name": "old", "url": "http://h/"}]}', encoding="utf-8"
    )
    assert store.get("old") == Bookmark("old", "http://h/")
    pair = SyncPair("/home/me/Docs", "/dav/Docs/", "up")
    store.put(Bookmark("new", "http://h/", sync_pairs=(pair,)))
    assert store.get("new").sync_pairs == (pair,)
    assert store.get("old").sync_pairs == ()
