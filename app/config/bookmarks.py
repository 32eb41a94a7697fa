"""Saved servers: what the user connected to, and the trust decisions they made for each.

Bookmarks live in one JSON file in the config folder. A password is never one
of their fields: it belongs in the OS keyring (secrets.py), so the file can be
backed up, synced or shown to a colleague without leaking anything.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.config.jsonfile import read_json, write_json
from app.config.paths import AppPaths
from app.sync.lockfile import FileLock, LockHeld

_FORMAT = 1
#: Seconds a change waits for another window's or process's change of the file (a few ms each).
_WRITER_WAIT = 30.0


@dataclass(frozen=True, slots=True)
class SyncPair:
    """A local folder synced with a folder on the bookmark's server (direction: an
    app.sync.direction.Direction value)."""

    local: str
    remote: str
    direction: str = "both"


@dataclass(frozen=True, slots=True)
class Bookmark:
    """A server the user saved, with the trust decisions they made for it."""

    name: str
    url: str
    user: str = ""
    #: A certificate the user chose to trust always (SHA-256, "AB:CD:..."), though no CA
    #: vouches for it.
    pinned_sha256: str | None = None
    #: A private CA that vouches for this server's certificate.
    ca_file: str | None = None
    #: The folder that was open last, to reopen it.
    last_path: str | None = None
    #: Folders synced with this server; a bookmark file from before sync has none.
    sync_pairs: tuple[SyncPair, ...] = ()
    #: "nextcloud" for a Nextcloud account (url is then its files endpoint, and the keyring
    #: holds an app password, revoked on sign-out); "webdav" for any other server.
    kind: str = "webdav"
    #: Keep uploaded files' modification times also where the server needs a PROPPATCH per
    #: file for it (Nextcloud and ownCloud keep them anyway, from X-OC-Mtime).
    keep_mtime: bool = False


class BookmarkFileError(Exception):
    """The bookmarks file exists but cannot be understood; it is left untouched for the user."""


class BookmarkStore:
    """The bookmarks file. Reads and writes the disk: use it off the GUI thread.

    Each change is load, modify, write under an OS file lock beside the file
    (bookmarks.json.lock), so two stores of the same file (the window's
    preferences and a connect dialog each make one, and `davdesk bookmark` runs
    in another process) cannot lose each other's change. A read needs no lock:
    the file is replaced whole.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread_lock = threading.Lock()

    @classmethod
    def in_config(cls, paths: AppPaths) -> BookmarkStore:
        return cls(paths.config / "bookmarks.json")

    def load(self) -> list[Bookmark]:
        return self._load()

    def save(self, bookmarks: Iterable[Bookmark]) -> None:
        with self._changing():
            self._save(list(bookmarks))

    def get(self, name: str) -> Bookmark | None:
        return next((b for b in self.load() if b.name == name), None)

    def add(self, bookmark: Bookmark) -> None:
        """Add a new bookmark; ValueError if its name is taken."""
        with self._changing():
            bookmarks = self._load()
            if any(b.name == bookmark.name for b in bookmarks):
                raise ValueError(f"a bookmark called {bookmark.name!r} exists")
            self._save([*bookmarks, bookmark])

    def update(self, bookmark: Bookmark, *, name: str | None = None) -> None:
        """Replace the bookmark called ``name`` (default: the same name), keeping its place.

        KeyError if there is none; ValueError if a rename would take another's name.
        """
        old = bookmark.name if name is None else name
        with self._changing():
            bookmarks = self._load()
            names = [b.name for b in bookmarks]
            if old not in names:
                raise KeyError(old)
            if bookmark.name != old and bookmark.name in names:
                raise ValueError(f"a bookmark called {bookmark.name!r} exists")
            bookmarks[names.index(old)] = bookmark
            self._save(bookmarks)

    def put(self, bookmark: Bookmark, *, replacing: str | None = None) -> None:
        """Save what the user just connected with, without asking whether it is new.

        Replaces the bookmark called ``replacing`` (the user renamed it) or of the
        same name, else adds it; another bookmark already using the name gives way.
        """
        with self._changing():
            bookmarks = self._load()
            names = {b.name for b in bookmarks}
            old = replacing if replacing in names else bookmark.name
            kept, placed = [], False
            for existing in bookmarks:
                if existing.name == old and not placed:
                    kept.append(bookmark)
                    placed = True
                elif existing.name != bookmark.name:  # one of that name is overwritten
                    kept.append(existing)
            if not placed:
                kept.append(bookmark)
            self._save(kept)

    def remove(self, name: str) -> None:
        """KeyError if there is no bookmark of that name."""
        with self._changing():
            bookmarks = self._load()
            kept = [b for b in bookmarks if b.name != name]
            if len(kept) == len(bookmarks):
                raise KeyError(name)
            self._save(kept)

    @contextmanager
    def _changing(self) -> Iterator[None]:
        lock = FileLock(self.path.with_name(self.path.name + ".lock"))
        with self._thread_lock:
            try:
                lock.acquire(timeout=_WRITER_WAIT)
            except LockHeld as held:
                raise BookmarkFileError(
                    f"the bookmarks in {self.path} are being changed by {held}; try again"
                ) from None
            try:
                yield
            finally:
                lock.release()

    def _load(self) -> list[Bookmark]:
        try:
            document = read_json(self.path)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BookmarkFileError(f"cannot read the bookmarks in {self.path}: {exc}") from exc
        if document is None:
            return []
        try:
            return [_from_json(entry) for entry in document["bookmarks"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise BookmarkFileError(f"the bookmarks in {self.path} are damaged: {exc!r}") from exc

    def _save(self, bookmarks: list[Bookmark]) -> None:
        write_json(
            self.path, {"format": _FORMAT, "bookmarks": [dataclasses.asdict(b) for b in bookmarks]}
        )


_FIELDS = {f.name for f in dataclasses.fields(Bookmark)}


def _from_json(entry: Any) -> Bookmark:
    """Unknown keys (a newer version's, or a password someone typed in by hand) are dropped."""
    if not isinstance(entry, dict):
        raise ValueError(f"not a bookmark: {entry!r}")
    values = {key: value for key, value in entry.items() if key in _FIELDS}
    values["sync_pairs"] = tuple(_pair(p) for p in values.get("sync_pairs") or ())
    bookmark = Bookmark(**values)
    if not isinstance(values.get("name"), str) or not isinstance(values.get("url"), str):
        raise ValueError(f"bookmark without a name or URL: {entry.get('name')!r}")
    return bookmark


def _pair(entry: Any) -> SyncPair:
    if not isinstance(entry, dict) or not all(
        isinstance(entry.get(k), str) for k in ("local", "remote")
    ):
        raise ValueError(f"not a sync pair: {entry!r}")
    return SyncPair(entry["local"], entry["remote"], str(entry.get("direction", "both")))
