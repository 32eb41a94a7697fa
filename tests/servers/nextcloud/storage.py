"""The user's storage: the folders on disk and what Nextcloud's file cache says about them.

Layout, as in a Nextcloud data directory (``data/<user>/...``)::

    <home>/files/                 the user's files (what files/<user>/ serves)
    <home>/files_trashbin/files/  deleted items, named "<name>.d<deletion time>"
    <home>/uploads/               chunked uploads in progress, one folder each
    <home>/cache/                 request bodies being received (never listed)

Every node has a row keyed by its path relative to ``<home>`` (``files/a/b.txt``):
a file id that stays with it through moves (and into the trash and back), an ETag
that changes on every write and bubbles up to every parent folder (Nextcloud's
propagator: a sync client sees at the root that something changed below), and the
OC-Checksum given at upload. Rows are made lazily, so files a test puts straight
into the folder get ids and ETags on first sight; a file changed behind the
server's back (size or mtime differ from the row) gets a new ETag, as a rescan would.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat as stat_module
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.servers.nextcloud.store import Store

FILES = "files"
TRASH = "files_trashbin/files"
UPLOADS = "uploads"

DEFAULT_FILE_PERMISSIONS = "RGDNVW"
DEFAULT_FOLDER_PERMISSIONS = "RGDNVCK"


def new_etag() -> str:
    """A fresh ETag (Nextcloud's are uniqid()-like: 13 hex digits)."""
    return secrets.token_hex(7)[:13]


def join(key: str, name: str) -> str:
    """``key/name``; either may be empty (the root of a namespace is ``files`` itself)."""
    if not name:
        return key
    return f"{key}/{name}" if key else name


def parent_key(key: str) -> str:
    return key.rpartition("/")[0]


@dataclass(frozen=True)
class Meta:
    fileid: int
    etag: str  # unquoted
    checksum: str


@dataclass(frozen=True)
class TrashEntry:
    name: str  # in the trash bin: "<filename>.d<deletion time>"
    filename: str
    location: str  # original parent folder, relative to the files root ('' = root)
    deleted: int
    is_dir: bool

    @property
    def original_location(self) -> str:
        """nc:trashbin-original-location: relative to the files root, no leading slash."""
        return f"{self.location}/{self.filename}" if self.location else self.filename


class Storage:
    """Disk and cache rows together; mutating methods hold ``store.lock`` throughout."""

    def __init__(self, home: Path, store: Store, quota: int | None) -> None:
        self.home = home
        self.store = store
        self.quota = quota
        for sub in (FILES, TRASH, UPLOADS, "cache"):
            (home / sub).mkdir(parents=True, exist_ok=True)

    @property
    def lock(self):  # threading.RLock has no public type
        return self.store.lock

    def disk(self, key: str) -> Path:
        return self.home / key

    def stat(self, key: str) -> os.stat_result | None:
        try:
            return os.stat(self.disk(key))
        except (FileNotFoundError, NotADirectoryError):
            return None

    def members(self, space: str, rel: str) -> Iterator[tuple[str, os.stat_result]]:
        """(relative path, stat) of each entry of a folder in a space, by name; none if gone."""
        try:
            names = sorted(os.listdir(self.disk(join(space, rel))))
        except OSError:
            return
        for name in names:
            child = join(rel, name)
            st = self.stat(join(space, child))
            if st is not None:
                yield child, st

    def temp_path(self) -> Path:
        return self.home / "cache" / f"upload-{uuid.uuid4().hex}.part"

    # -- cache rows ---------------------------------------------------------------------
    def meta(self, key: str, st: os.stat_result | None = None) -> Meta:
        """The row of ``key`` (which exists on disk), made or refreshed as needed."""
        with self.lock:
            if st is None:
                st = os.stat(self.disk(key))
            size, mtime_ns = self._snapshot(st)
            row = self.store.one("SELECT * FROM nodes WHERE path = ?", (key,))
            if row is None:
                meta = Meta(self.store.new_fileid(), new_etag(), "")
                self.store.execute(
                    "INSERT INTO nodes (path, fileid, etag, size, mtime_ns, checksum) "
                    "VALUES (?, ?, ?, ?, ?, '')",
                    (key, meta.fileid, meta.etag, size, mtime_ns),
                )
                return meta
            if (row["size"], row["mtime_ns"]) != (size, mtime_ns):
                # Changed behind the server's back: a new ETag, here and above, as the
                # scanner and propagator would give it.
                etag = new_etag()
                self.store.execute(
                    "UPDATE nodes SET etag = ?, size = ?, mtime_ns = ? WHERE path = ?",
                    (etag, size, mtime_ns, key),
                )
                self.propagate(key)
                return Meta(row["fileid"], etag, row["checksum"])
            return Meta(row["fileid"], row["etag"], row["checksum"])

    @staticmethod
    def _snapshot(st: os.stat_result) -> tuple[int, int]:
        if stat_module.S_ISDIR(st.st_mode):
            return 0, st.st_mtime_ns
        return st.st_size, st.st_mtime_ns

    def changed(
        self,
        key: str,
        *,
        checksum: str | None = None,
        keep_checksum: bool = False,
        fileid: int | None = None,
    ) -> Meta:
        """After a write: a new ETag for ``key`` and for every folder above it.

        ``checksum`` is the OC-Checksum sent with the new content; without one the old
        checksum is cleared (it no longer matches), unless ``keep_checksum``.
        """
        with self.lock:
            st = os.stat(self.disk(key))
            size, mtime_ns = self._snapshot(st)
            row = self.store.one("SELECT * FROM nodes WHERE path = ?", (key,))
            etag = new_etag()
            if row is None:
                fileid = fileid if fileid is not None else self.store.new_fileid()
                self.store.execute(
                    "INSERT INTO nodes (path, fileid, etag, size, mtime_ns, checksum) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (key, fileid, etag, size, mtime_ns, checksum or ""),
                )
                meta = Meta(fileid, etag, checksum or "")
            else:
                value = row["checksum"] if keep_checksum and checksum is None else (checksum or "")
                self.store.execute(
                    "UPDATE nodes SET etag = ?, size = ?, mtime_ns = ?, checksum = ? "
                    "WHERE path = ?",
                    (etag, size, mtime_ns, value, key),
                )
                meta = Meta(row["fileid"], etag, value)
            self.propagate(key)
            return meta

    def propagate(self, key: str) -> None:
        """New ETags (and fresh snapshots) for the folders above ``key``, up to its root."""
        with self.lock:
            for root in (FILES, TRASH, UPLOADS):
                if key == root or key.startswith(root + "/"):
                    break
            else:
                return
            current = key
            while current != root:
                current = parent_key(current)
                st = self.stat(current)
                if st is None:
                    continue
                self.meta(current, st)  # make the row if needed
                size, mtime_ns = self._snapshot(st)
                self.store.execute(
                    "UPDATE nodes SET etag = ?, size = ?, mtime_ns = ? WHERE path = ?",
                    (new_etag(), size, mtime_ns, current),
                )

    # -- permissions --------------------------------------------------------------------
    def permissions(self, key: str, is_dir: bool, meta: Meta | None = None) -> str:
        meta = meta or self.meta(key)
        row = self.store.one("SELECT letters FROM perms WHERE fileid = ?", (meta.fileid,))
        if row is not None:
            return row["letters"]
        return DEFAULT_FOLDER_PERMISSIONS if is_dir else DEFAULT_FILE_PERMISSIONS

    def set_permissions(self, key: str, letters: str) -> None:
        with self.lock:
            meta = self.meta(key)
            self.store.execute(
                "INSERT OR REPLACE INTO perms (fileid, letters) VALUES (?, ?)",
                (meta.fileid, letters),
            )

    # -- sizes and quota ------------------------------------------------------------------
    def tree_size(self, key: str) -> int:
        """oc:size: a file's size, or everything inside a folder."""
        path = self.disk(key)
        if not path.is_dir():
            try:
                return path.stat().st_size
            except OSError:
                return 0
        total = 0
        for folder, _dirs, files in os.walk(path):
            for name in files:
                with contextlib.suppress(OSError):  # gone since the walk listed it
                    total += os.lstat(os.path.join(folder, name)).st_size
        return total

    def used(self) -> int:
        return self.tree_size(FILES)

    def free(self) -> int | None:
        """Bytes left under the quota; None when unlimited (Nextcloud's SPACE_UNLIMITED)."""
        if self.quota is None:
            return None
        return max(0, self.quota - self.used())

    # -- moving nodes around ----------------------------------------------------------------
    def move(self, old: str, new: str) -> None:
        """Rename on disk; rows (file ids, checksums, permissions) follow."""
        with self.lock:
            os.rename(self.disk(old), self.disk(new))
            self.store.move_subtree(old, new)
            self.propagate(old)
            self.propagate(new)

    def remove(self, key: str) -> None:
        """Delete for good (trash bin items, aborted uploads)."""
        with self.lock:
            path = self.disk(key)
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()
            self.store.delete_subtree(key)
            self.propagate(key)

    def copy(self, old: str, new: str, *, recursive: bool = True) -> None:
        """Copy with new file ids; checksums are copied along with the content."""
        with self.lock:
            source, target = self.disk(old), self.disk(new)
            if source.is_dir():
                if recursive:
                    shutil.copytree(source, target)
                else:
                    target.mkdir()
                    shutil.copystat(source, target)
            else:
                shutil.copy2(source, target)
            rows = {r["path"]: r for r in self.store.subtree(old)}
            for path in self._walk_keys(new):
                source_row = rows.get(old + path[len(new) :])
                self.store.execute("DELETE FROM nodes WHERE path = ?", (path,))
                self.meta(path)
                if source_row is not None and source_row["checksum"]:
                    self.store.execute(
                        "UPDATE nodes SET checksum = ? WHERE path = ?",
                        (source_row["checksum"], path),
                    )
            self.propagate(new)

    def _walk_keys(self, key: str) -> Iterator[str]:
        yield key
        path = self.disk(key)
        if path.is_dir():
            for folder, dirs, files in os.walk(path):
                rel = Path(folder).relative_to(self.home).as_posix()
                for name in dirs + files:
                    yield f"{rel}/{name}"

    # -- the trash bin -----------------------------------------------------------------------
    def trash(self, key: str) -> TrashEntry:
        """Move ``files/...`` into the trash bin (Trashbin::move2trash)."""
        with self.lock:
            rel = key[len(FILES) + 1 :]
            location, _, filename = rel.rpartition("/")
            deleted = int(time.time())
            # Two deletions of one name in one second: Nextcloud nudges the time on.
            while (
                self.store.one("SELECT 1 FROM trash WHERE name = ?", (f"{filename}.d{deleted}",))
                or self.disk(f"{TRASH}/{filename}.d{deleted}").exists()
            ):
                deleted += 1
            entry = TrashEntry(
                f"{filename}.d{deleted}", filename, location, deleted, self.disk(key).is_dir()
            )
            for path in self._walk_keys(key):  # files put there behind our back keep ids too
                self.meta(path)
            self.move(key, f"{TRASH}/{entry.name}")
            self.store.execute(
                "INSERT INTO trash (name, filename, location, deleted, is_dir) "
                "VALUES (?, ?, ?, ?, ?)",
                (entry.name, entry.filename, entry.location, entry.deleted, int(entry.is_dir)),
            )
            return entry

    def trash_entries(self) -> list[TrashEntry]:
        rows = self.store.all("SELECT * FROM trash ORDER BY deleted, name")
        return [
            TrashEntry(r["name"], r["filename"], r["location"], r["deleted"], bool(r["is_dir"]))
            for r in rows
            if self.disk(f"{TRASH}/{r['name']}").exists()
        ]

    def trash_entry(self, name: str) -> TrashEntry | None:
        row = self.store.one("SELECT * FROM trash WHERE name = ?", (name,))
        if row is None or not self.disk(f"{TRASH}/{name}").exists():
            return None
        return TrashEntry(
            row["name"], row["filename"], row["location"], row["deleted"], bool(row["is_dir"])
        )

    def forget_trash(self, name: str) -> None:
        self.store.execute("DELETE FROM trash WHERE name = ?", (name,))
