"""Where one folder pair keeps its files in the data folder: state database, status, lock.

A pair is known by its two ends: the resolved local folder and the server
folder's URL in one canonical spelling (no user name, percent-encoded the
way the client sends it, ending in "/"), so the window, a CLI run and a
background process given "http://alice@host/dav/Docs" or
"http://host/dav/Docs/" all find the same database and the same lock.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit


def canonical_url(url: str) -> str:
    """The server folder's URL as pairs are told apart: no user, no query, one trailing "/"."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    decoded = unquote(parts.path or "/", errors="surrogateescape").rstrip("/") + "/"
    # Quoted as app.dav.paths.quote_path quotes a request's path (tests/sync/test_pairfiles.py
    # holds the two together), without importing the protocol layer: app.config, which keeps
    # the pairs, loads none of it. The spelling is part of every pair's identity on disk.
    path = quote(decoded, safe="/", errors="surrogateescape")
    return urlunsplit((parts.scheme.lower(), host.lower(), path, "", ""))


@dataclass(frozen=True, slots=True)
class PairFiles:
    state: Path  # the SQLite state database (app.sync.state)
    status: Path  # the last status the engine wrote, read by `davdesk pair list`
    lock: Path  # held while a process syncs the pair

    @classmethod
    def of(cls, data_dir: Path, local: Path, url: str) -> PairFiles:
        digest = hashlib.sha256(
            f"{Path(local).resolve()}\n{canonical_url(url)}".encode()
        ).hexdigest()[:24]
        folder = data_dir / "sync"
        return cls(
            folder / f"{digest}.sqlite", folder / f"{digest}.status.json", folder / f"{digest}.lock"
        )

    def remove(self) -> None:
        """Forget the pair: its database (with SQLite's side files), status and lock file."""
        for path in (
            self.state,
            self.state.with_name(self.state.name + "-wal"),
            self.state.with_name(self.state.name + "-shm"),
            self.status,
            self.lock,
        ):
            path.unlink(missing_ok=True)
