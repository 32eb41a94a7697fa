"""What Nextcloud keeps in its database, kept in one SQLite file in the data folder.

File ids, ETags, checksums, permission overrides and dead properties (Nextcloud's
``oc_filecache`` and ``oc_properties``), the trash bin's original locations
(``oc_files_trash``), chunked uploads' destinations (Nextcloud keeps them in its
distributed cache), app passwords and sessions (``oc_authtoken``, PHP's session
files) and pending login flows (``oc_login_flow_v2``). Keeping them on disk lets a
server be stopped and started again on the same data, as a real one restarts: file
ids, app passwords, sessions and half-done uploads survive.

One connection, used by every request thread under :attr:`Store.lock`: SQLite
serialises writers anyway, and a single re-entrant lock also makes each
"rename on disk, then update the rows" step atomic for other requests.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS config (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ids (id INTEGER PRIMARY KEY AUTOINCREMENT, unused INTEGER);
CREATE TABLE IF NOT EXISTS nodes (
    path TEXT PRIMARY KEY,          -- relative to the user's folder: files/..., uploads/...
    fileid INTEGER NOT NULL,
    etag TEXT NOT NULL,             -- unquoted
    size INTEGER NOT NULL,          -- the size and mtime last seen: a file changed behind
    mtime_ns INTEGER NOT NULL,      -- the server's back gets a new ETag, as a rescan would
    checksum TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS perms (fileid INTEGER PRIMARY KEY, letters TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS props (
    fileid INTEGER NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, xml TEXT NOT NULL,
    PRIMARY KEY (fileid, namespace, name)
);
CREATE TABLE IF NOT EXISTS trash (
    name TEXT PRIMARY KEY,          -- "<filename>.d<deletion time>"
    filename TEXT NOT NULL,
    location TEXT NOT NULL,         -- the parent folder, relative to files/ ('' = the root)
    deleted INTEGER NOT NULL,
    is_dir INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS uploads (folder TEXT PRIMARY KEY, destination TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS app_passwords (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    password TEXT NOT NULL UNIQUE,
    login_name TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    passphrase TEXT NOT NULL,
    login_name TEXT NOT NULL,
    app_password TEXT,              -- set when the session was opened with an app password
    dav INTEGER NOT NULL            -- Auth::DAV_AUTHENTICATED: opened by a DAV request
);
CREATE TABLE IF NOT EXISTS flows (
    poll_token TEXT PRIMARY KEY,
    login_token TEXT NOT NULL UNIQUE,
    state_token TEXT NOT NULL,
    client TEXT NOT NULL,
    created REAL NOT NULL,
    login_name TEXT,
    server TEXT,
    app_password TEXT
);
"""


def _upper_bound(prefix: str) -> str:
    """The smallest string greater than every ``prefix + '/...'``: '/' + 1 is '0'."""
    return prefix + "0"


class Store:
    """The server's database. Every method takes :attr:`lock` itself; callers that
    combine several steps (disk and rows) hold it around the whole sequence."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None

    # -- connection -------------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        with self.lock:
            if self._conn is None:
                conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
                conn.row_factory = sqlite3.Row
                # A test server: durability across power cuts is not needed, speed is.
                conn.execute("PRAGMA synchronous=OFF")
                conn.execute("PRAGMA journal_mode=MEMORY")
                conn.executescript(_SCHEMA)
                self._conn = conn
            return self._conn

    def close(self) -> None:
        with self.lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self.lock:
            return self.conn.execute(sql, params)

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Row | None:
        with self.lock:
            return self.conn.execute(sql, params).fetchone()

    def all(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.lock:
            self.conn.execute("BEGIN")
            try:
                yield
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    # -- config -------------------------------------------------------------------------
    def config(self, key: str, default: str) -> str:
        """The stored value, storing ``default`` the first time (instance id, secrets)."""
        with self.lock:
            row = self.one("SELECT value FROM config WHERE key = ?", (key,))
            if row is not None:
                return row["value"]
            self.execute("INSERT INTO config (key, value) VALUES (?, ?)", (key, default))
            return default

    def new_fileid(self) -> int:
        with self.lock:
            cursor = self.execute("INSERT INTO ids (unused) VALUES (NULL)")
            return int(cursor.lastrowid or 0)

    # -- node rows by path prefix ---------------------------------------------------------
    def subtree(self, path: str) -> list[sqlite3.Row]:
        return self.all(
            "SELECT * FROM nodes WHERE path = ? OR (path >= ? AND path < ?)",
            (path, path + "/", _upper_bound(path)),
        )

    def delete_subtree(self, path: str) -> None:
        with self.lock:
            ids = [r["fileid"] for r in self.subtree(path)]
            self.execute(
                "DELETE FROM nodes WHERE path = ? OR (path >= ? AND path < ?)",
                (path, path + "/", _upper_bound(path)),
            )
            for fileid in ids:
                self.execute("DELETE FROM perms WHERE fileid = ?", (fileid,))
                self.execute("DELETE FROM props WHERE fileid = ?", (fileid,))

    def move_subtree(self, old: str, new: str) -> None:
        """Rename the rows of ``old`` and everything under it: file ids follow the move."""
        with self.transaction():
            # Rows left at the destination by files removed behind the server's back.
            self.execute(
                "DELETE FROM nodes WHERE path = ? OR (path >= ? AND path < ?)",
                (new, new + "/", _upper_bound(new)),
            )
            self.execute(
                "UPDATE nodes SET path = ? || substr(path, ?) "
                "WHERE path = ? OR (path >= ? AND path < ?)",
                (new, len(old) + 1, old, old + "/", _upper_bound(old)),
            )
