"""The state database: what both sides held after the last successful sync of each path.

A delete is propagated only when this proves the file was in sync, and an
edit is told from an untouched file by comparing with it, so it is written
only for paths whose Outcome was ok. One SQLite file per folder pair, in the
data folder the front end passes in (this package does not read settings).
Writes are committed as results come in, those that come in together in one
transaction (SyncRecorder.flush): a run killed half-way keeps the record of
every file whose result was written, and the pending row of every other
transfer it started, so the next plan knows the leftovers are its own.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY,
    is_dir INTEGER NOT NULL,
    local_size INTEGER NOT NULL,
    local_mtime_ns INTEGER NOT NULL,
    remote_size INTEGER NOT NULL,
    remote_mtime REAL,
    remote_etag TEXT
);
CREATE TABLE IF NOT EXISTS pending (
    key TEXT PRIMARY KEY,
    upload INTEGER NOT NULL,
    local_size INTEGER NOT NULL,
    local_mtime_ns INTEGER NOT NULL,
    remote_etag TEXT
)
"""

#: A local size no file has: the local side is then always "changed since the last sync".
#: Recorded after a one-way conflict, where the local edit stays and must never be overwritten.
UNSYNCED = -1


@dataclass(frozen=True, slots=True)
class Record:
    is_dir: bool
    local_size: int
    local_mtime_ns: int
    remote_size: int
    remote_mtime: float | None
    remote_etag: str | None  # None after an upload whose answer carried no ETag


@dataclass(frozen=True, slots=True)
class Pending:
    """A transfer a run started and never heard back from (it was killed or cut off mid-body).

    What it saw: the local version it was sending, the server version it was
    fetching. The next plan knows from this that a half-written or
    unrecorded file on the server is its own, not a colleague's edit.
    """

    upload: bool  # else a download
    local_size: int
    local_mtime_ns: int
    remote_etag: str | None


def state_file(data_dir: Path, local_root: Path, remote_url: str) -> Path:
    """The database of one pair: named by a hash of both ends, so pairs never share state."""
    digest = hashlib.sha256(f"{local_root.resolve()}\n{remote_url}".encode()).hexdigest()[:24]
    return data_dir / "sync" / f"{digest}.sqlite"


class StateDB:
    """Thread-safe: workers record results while the front end reads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> StateDB:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def load(self) -> dict[str, Record]:
        with self._lock:
            rows = self._db.execute(
                "SELECT key, is_dir, local_size, local_mtime_ns, remote_size, "
                "remote_mtime, remote_etag FROM entries"
            ).fetchall()
        return {key: Record(bool(is_dir), *rest) for key, is_dir, *rest in rows}

    def load_pending(self) -> dict[str, Pending]:
        with self._lock:
            rows = self._db.execute(
                "SELECT key, upload, local_size, local_mtime_ns, remote_etag FROM pending"
            ).fetchall()
        return {key: Pending(bool(upload), *rest) for key, upload, *rest in rows}

    def put_many(self, records: Iterable[tuple[str, Record]], settled: Iterable[str] = ()) -> None:
        """Write records; settled: keys whose pending transfer has an answer now."""
        rows = [
            (
                key,
                int(r.is_dir),
                r.local_size,
                r.local_mtime_ns,
                r.remote_size,
                r.remote_mtime,
                r.remote_etag,
            )
            for key, r in records
        ]
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)", rows
            )
            self._db.executemany("DELETE FROM pending WHERE key = ?", [(key,) for key in settled])

    def start_pending(self, pending: Iterable[tuple[str, Pending]]) -> None:
        rows = [
            (key, int(p.upload), p.local_size, p.local_mtime_ns, p.remote_etag)
            for key, p in pending
        ]
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR REPLACE INTO pending VALUES (?, ?, ?, ?, ?)", rows)

    def forget(self, keys: Iterable[str], *, below: bool = False) -> None:
        """Drop records; with below, also every record inside those folders."""
        with self._lock, self._db:
            self._db.execute("BEGIN")
            for key in keys:
                self._db.execute("DELETE FROM entries WHERE key = ?", (key,))
                if below:
                    self._db.execute(
                        "DELETE FROM entries WHERE substr(key, 1, ?) = ?", (len(key) + 1, key + "/")
                    )
