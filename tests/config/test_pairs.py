"""The saved pairs file: overlaps refused in words, changes from two processes both kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.config.bookmarks import Bookmark, BookmarkStore, SyncPair
from app.config.pairs import PairError, PairFileError, PairStore, SavedPair, pair_files
from app.config.paths import AppPaths
from app.sync.background.status import PairState, PairStatus, write_status
from app.sync.lockfile import FileLock


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths.under(tmp_path / "home")


@pytest.fixture
def store(paths: AppPaths) -> PairStore:
    return PairStore.in_config(paths)


def folder(tmp_path: Path, name: str) -> str:
    (tmp_path / name).mkdir(parents=True, exist_ok=True)
    return str(tmp_path / name)


def test_a_pair_is_saved_with_every_field_and_read_back(store, tmp_path):
    pair = SavedPair(
        "Docs",
        folder(tmp_path, "docs"),
        "https://alice@dav.example/Docs",
        "up",
        bookmark="work",
        ignore=("*.tmp", "build/"),
    )
    saved = store.add(pair)
    assert saved.url == "https://alice@dav.example/Docs/"
    assert PairStore.in_config(store.paths).load() == [saved]
    assert store.get("Docs") == saved and store.get("nope") is None


@pytest.mark.parametrize(
    ("local", "url", "words"),
    [
        ("docs", "https://dav.example/Other/", "overlaps the local folder of pair 'Docs'"),
        ("docs/inner", "https://dav.example/Other/", "overlaps the local folder"),
        ("other", "https://dav.example/Docs/", "overlaps the server folder of pair 'Docs'"),
        ("other", "https://bob@dav.example/Docs/sub/", "overlaps the server folder"),
        ("other", "https://dav.example/", "overlaps the server folder"),
    ],
)
def test_overlapping_pairs_are_refused_in_words(store, tmp_path, local, url, words):
    store.add(SavedPair("Docs", folder(tmp_path, "docs"), "https://dav.example/Docs/"))
    with pytest.raises(PairError, match=words):
        store.add(SavedPair("Second", folder(tmp_path, local), url))
    assert [p.name for p in store.load()] == ["Docs"]


def test_neighbours_do_not_overlap(store, tmp_path):
    store.add(SavedPair("Docs", folder(tmp_path, "docs"), "https://dav.example/Docs/"))
    store.add(SavedPair("Docs2", folder(tmp_path, "docs2"), "https://dav.example/Docs2/"))
    store.add(SavedPair("Other", folder(tmp_path, "x"), "https://other.example/Docs/"))
    assert len(store.load()) == 3


@pytest.mark.parametrize(
    ("pair", "words"),
    [
        (SavedPair("", "/tmp", "https://h/"), "needs a name"),
        (SavedPair("a", "/tmp", "ftp://h/"), "not an http"),
        (SavedPair("a", "/tmp", "https://u:secret@h/"), "password does not belong"),
        (SavedPair("a", "/tmp", "https://h/", "sideways"), "up, down or both"),
    ],
)
def test_bad_pairs_are_refused(store, pair, words):
    with pytest.raises(PairError, match=words):
        store.add(pair)


def test_a_taken_name_is_refused_and_unique_names_are_offered(store, tmp_path):
    store.add(SavedPair("docs", folder(tmp_path, "a/docs"), "https://h/a/"))
    with pytest.raises(PairError, match="called 'docs' exists"):
        store.add(SavedPair("docs", folder(tmp_path, "b/docs"), "https://h/b/"))
    assert store.unique_name(folder(tmp_path, "b/docs")) == "docs 2"


def test_pause_resume_and_remove_keep_the_files(store, paths, tmp_path):
    local = Path(folder(tmp_path, "docs"))
    (local / "keep.txt").write_text("mine")
    pair = store.add(SavedPair("Docs", str(local), "https://h/Docs/"))
    files = pair_files(paths, pair)
    files.state.parent.mkdir(parents=True)
    files.state.write_text("db")
    write_status(files.status, PairStatus("Docs", PairState.IDLE, "up to date"))
    assert store.set_paused("Docs", True).paused
    assert store.status(store.get("Docs")).state is PairState.PAUSED
    assert not store.set_paused("Docs", False).paused
    assert store.remove("Docs").name == "Docs"
    assert store.load() == []
    assert not files.state.exists() and not files.status.exists()
    assert (local / "keep.txt").read_text() == "mine"
    with pytest.raises(KeyError):
        store.remove("Docs")
    with pytest.raises(KeyError):
        store.set_paused("Docs", True)


def test_a_pair_being_synced_is_not_removed(store, paths, tmp_path):
    pair = store.add(SavedPair("Docs", folder(tmp_path, "docs"), "https://h/Docs/"))
    with (
        FileLock(pair_files(paths, pair).lock),
        pytest.raises(PairError, match=r"being synced by process \d+"),
    ):
        store.remove("Docs")
    assert [p.name for p in store.load()] == ["Docs"]


def test_the_status_says_whether_a_process_holds_the_pair(store, paths, tmp_path):
    pair = store.add(SavedPair("Docs", folder(tmp_path, "docs"), "https://h/Docs/"))
    assert store.status(pair).text == "not synced yet"
    files = pair_files(paths, pair)
    write_status(
        files.status,
        PairStatus(
            "Docs",
            PairState.IDLE,
            "up to date",
            last_sync=1e9,
            last_result="2 uploaded",
            conflict_paths=("a (conflict).txt",),
        ),
    )
    with FileLock(files.lock):
        held = store.status(pair)
    assert (held.state, held.text, held.conflicts) == (PairState.IDLE, "up to date", 1)
    gone = store.status(pair)
    assert (gone.state, gone.text, gone.last_result) == (
        PairState.STOPPED,
        "not running",
        "2 uploaded",
    )


def test_pairs_saved_on_bookmarks_are_migrated_once(store, paths, tmp_path):
    bookmarks = BookmarkStore.in_config(paths)
    docs, photos = folder(tmp_path, "docs"), folder(tmp_path, "photos")
    bookmarks.add(
        Bookmark(
            "work",
            "https://dav.example/remote/",
            "alice",
            sync_pairs=(
                SyncPair(docs, "/remote/Docs/", "up"),
                SyncPair(photos, "/remote/Pics and more/"),
            ),
        )
    )
    added = store.migrate_bookmarks(bookmarks)
    assert [(p.name, p.url, p.direction, p.bookmark) for p in added] == [
        ("docs", "https://dav.example/remote/Docs/", "up", "work"),
        ("photos", "https://dav.example/remote/Pics%20and%20more/", "both", "work"),
    ]
    assert store.migrate_bookmarks(bookmarks) == []
    assert len(store.load()) == 2


def test_a_damaged_file_is_reported_and_left_alone(store):
    store.path.parent.mkdir(parents=True)
    store.path.write_text("{not json")
    with pytest.raises(PairFileError, match="cannot read the pairs"):
        store.load()
    with pytest.raises(PairFileError):
        store.add(SavedPair("a", "/tmp", "https://h/"))
    assert store.path.read_text() == "{not json"


_ADDER = """
import sys
from pathlib import Path
from app.config.pairs import PairStore, SavedPair
from app.config.paths import AppPaths
store = PairStore.in_config(AppPaths.under(Path(sys.argv[1])))
for n in range(15):
    name = f"{sys.argv[2]}-{n}"
    store.add(SavedPair(name, f"/nowhere/{name}", f"https://h/{name}/"))
"""


def test_two_processes_adding_at_once_lose_nothing(paths):
    base = paths.config.parent
    writers = [
        subprocess.Popen([sys.executable, "-c", _ADDER, str(base), who])
        for who in ("window", "cli", "third")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0]
    names = {p.name for p in PairStore.in_config(paths).load()}
    assert names == {f"{who}-{n}" for who in ("window", "cli", "third") for n in range(15)}
