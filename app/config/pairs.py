"""Saved folder pairs: what background sync keeps in step, shared by the window and the CLI.

One JSON file in the config folder (pairs.json). The window and a CLI may
change it at the same time, so every change is load, modify, write under an
OS file lock beside it (pairs.json.lock), and the write replaces the file in
one rename: neither loses the other's change, and a crash leaves the old
file or the new one.

A pair's lasting status (last sync, last result, conflicts, its state line)
is written by whichever process syncs it, into the pair's status file in the
data folder (app.sync.pairfiles), and read here for `davdesk pair list`.

Pairs must not overlap: two pairs writing into one local folder, or into
one server folder, would sync each other's changes back and forth (and one
pair's delete would look like a user's to the other).
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, unquote, urljoin, urlsplit

from app.config.bookmarks import Bookmark, BookmarkStore
from app.config.jsonfile import read_json, write_json
from app.config.paths import AppPaths
from app.sync.background.status import PairState, PairStatus, read_status
from app.sync.background.watch_spec import WatchSpec
from app.sync.direction import Direction
from app.sync.lockfile import FileLock, LockHeld
from app.sync.pairfiles import PairFiles, canonical_url

_FORMAT = 1
#: Seconds a change waits for another process's change of the pairs file (a few ms each).
_WRITER_WAIT = 30.0
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SavedPair:
    """A local folder kept in step with a server folder (url: the folder's full URL)."""

    name: str
    local: str
    url: str
    direction: str = Direction.BOTH.value
    #: The bookmark whose account and trust decisions the window connects with; None for a
    #: pair added from the CLI (which takes the password from DAVDESK_PASSWORD or the keyring).
    bookmark: str | None = None
    #: The user's gitignore-style patterns; the defaults (editor and office temp files) always
    #: apply, as does the folder's .davdeskignore.
    ignore: tuple[str, ...] = ()
    paused: bool = False


class PairError(Exception):
    """A pair that cannot be saved or found, in words for the user."""


class PairFileError(PairError):
    """The pairs file exists but cannot be understood; it is left untouched for the user."""


def state_dir(paths: AppPaths) -> Path:
    """The data folder in which the engine keeps every pair's database, status and lock."""
    return paths.data


def pair_files(paths: AppPaths, pair: SavedPair) -> PairFiles:
    return PairFiles.of(state_dir(paths), Path(pair.local), pair.url)


def watch_spec(pair: SavedPair) -> WatchSpec:
    return WatchSpec(
        pair.name, Path(pair.local), pair.url, Direction(pair.direction), pair.ignore, pair.paused
    )


class PairStore:
    """The pairs file. Reads and writes the disk: use it off the GUI thread."""

    def __init__(self, path: Path, paths: AppPaths) -> None:
        self.path = path
        self.paths = paths
        self._thread_lock = threading.Lock()

    @classmethod
    def in_config(cls, paths: AppPaths) -> PairStore:
        return cls(paths.config / "pairs.json", paths)

    # -- reading ----------------------------------------------------------------------------

    def load(self) -> list[SavedPair]:
        return self._load()

    def get(self, name: str) -> SavedPair | None:
        return next((p for p in self._load() if p.name == name), None)

    def status(self, pair: SavedPair) -> PairStatus:
        """The last status written for the pair; a pair no process holds is said to be not
        running (its last sync and result stay)."""
        files = pair_files(self.paths, pair)
        status = read_status(files.status, pair.name)
        if pair.paused:
            return dataclasses.replace(
                status, state=PairState.PAUSED, text="paused", detail=None, retry_at=None
            )
        if status.state is PairState.STOPPED or _held(files.lock):
            return status
        return dataclasses.replace(
            status, state=PairState.STOPPED, text="not running", detail=None, retry_at=None
        )

    def overlap(self, pair: SavedPair, ignoring: str | None = None) -> str | None:
        """Why pair may not be saved beside the others (None: it may)."""
        return _overlap(pair, [p for p in self._load() if p.name not in (pair.name, ignoring)])

    def unique_name(self, local: str) -> str:
        """The local folder's name, numbered when another pair has it: "Documents 2"."""
        base = Path(local).name or "Pair"
        taken = {p.name for p in self._load()}
        name, number = base, 2
        while name in taken:
            name, number = f"{base} {number}", number + 1
        return name

    # -- changing ---------------------------------------------------------------------------

    def add(self, pair: SavedPair) -> SavedPair:
        """Save a new pair; PairError if its name is taken or it overlaps another."""
        pair = _normalized(pair)

        def change(pairs: list[SavedPair]) -> list[SavedPair]:
            if any(p.name == pair.name for p in pairs):
                raise PairError(f"a pair called {pair.name!r} exists")
            why = _overlap(pair, pairs)
            if why:
                raise PairError(why)
            return [*pairs, pair]

        self._change(change)
        return pair

    def update(self, pair: SavedPair) -> None:
        """Replace the pair of the same name; KeyError if there is none, PairError on overlap."""
        pair = _normalized(pair)

        def change(pairs: list[SavedPair]) -> list[SavedPair]:
            names = [p.name for p in pairs]
            if pair.name not in names:
                raise KeyError(pair.name)
            why = _overlap(pair, [p for p in pairs if p.name != pair.name])
            if why:
                raise PairError(why)
            pairs[names.index(pair.name)] = pair
            return pairs

        self._change(change)

    def set_paused(self, name: str, paused: bool) -> SavedPair:
        """KeyError if there is no pair of that name."""
        found: list[SavedPair] = []

        def change(pairs: list[SavedPair]) -> list[SavedPair]:
            pair = _named(pairs, name)
            found.append(dataclasses.replace(pair, paused=paused))
            return [found[0] if p.name == name else p for p in pairs]

        self._change(change)
        return found[0]

    def remove(self, name: str) -> SavedPair:
        """Forget the pair and its state database and status; its files stay where they are.

        KeyError if there is none. LockHeld if a process is syncing it right now (stop that
        first, or pause the pair), so no database is pulled from under a run.
        """
        removed: list[SavedPair] = []

        def change(pairs: list[SavedPair]) -> list[SavedPair]:
            removed.append(_named(pairs, name))
            return [p for p in pairs if p.name != name]

        files = None
        pair = self.get(name)
        if pair is not None:
            files = pair_files(self.paths, pair)
            lock = FileLock(files.lock)
            try:
                lock.acquire()
            except LockHeld as held:
                raise PairError(
                    f"pair {name!r} is being synced by {held}: stop that first "
                    "(quit it, or pause the pair there)"
                ) from None
            try:
                self._change(change)
                files.remove()
            finally:
                lock.release()
        else:
            self._change(change)
        return removed[0]

    def migrate_bookmarks(self, bookmarks: BookmarkStore) -> list[SavedPair]:
        """Save every pair a bookmark remembered (before pairs had their own file) that is not
        saved yet; the ones added. A pair that would overlap a saved one is left out."""
        added: list[SavedPair] = []
        candidates = [
            _from_bookmark(b, p.local, p.remote, p.direction)
            for b in bookmarks.load()
            for p in b.sync_pairs
        ]

        def change(pairs: list[SavedPair]) -> list[SavedPair]:
            kept = list(pairs)
            for candidate in candidates:
                key = (str(Path(candidate.local)), canonical_url(candidate.url))
                if any((str(Path(p.local)), canonical_url(p.url)) == key for p in kept):
                    continue
                named = dataclasses.replace(candidate, name=_free_name(candidate.name, kept))
                if _overlap(named, kept) is None:
                    kept.append(named)
                    added.append(named)
            return kept

        if candidates:
            self._change(change)
        return added

    # -- the file -----------------------------------------------------------------------------

    def _change(self, change: Callable[[list[SavedPair]], list[SavedPair]]) -> None:
        lock = FileLock(self.path.with_name(self.path.name + ".lock"))
        with self._thread_lock:
            try:
                lock.acquire(timeout=_WRITER_WAIT)
            except LockHeld as held:
                raise PairError(f"the pairs file is being changed by {held}; try again") from None
            try:
                self._save(change(self._load()))
            finally:
                lock.release()

    def _load(self) -> list[SavedPair]:
        try:
            document = read_json(self.path)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PairFileError(f"cannot read the pairs in {self.path}: {exc}") from exc
        if document is None:
            return []
        try:
            return [_from_json(entry) for entry in document["pairs"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise PairFileError(f"the pairs in {self.path} are damaged: {exc!r}") from exc

    def _save(self, pairs: Iterable[SavedPair]) -> None:
        write_json(self.path, {"format": _FORMAT, "pairs": [_to_json(p) for p in pairs]})


def _held(lock_path: Path) -> bool:
    """Whether a process holds the pair's lock now (is watching or syncing it)."""
    if not lock_path.exists():
        return False
    probe = FileLock(lock_path)
    try:
        probe.acquire()
    except LockHeld:
        return True
    probe.release()
    return False


def _named(pairs: list[SavedPair], name: str) -> SavedPair:
    found = next((p for p in pairs if p.name == name), None)
    if found is None:
        raise KeyError(name)
    return found


def _free_name(name: str, pairs: list[SavedPair]) -> str:
    taken = {p.name for p in pairs}
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name} {number}", number + 1
    return candidate


def _normalized(pair: SavedPair) -> SavedPair:
    """An absolute local folder, a URL that ends in "/", a known direction, a usable name."""
    if not pair.name.strip():
        raise PairError("a pair needs a name")
    parts = urlsplit(pair.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PairError(f"not an http(s) URL: {pair.url}")
    if parts.password is not None:
        raise PairError(
            "a password does not belong in a saved URL (it would be stored in "
            "plain text): leave it out; it comes from the keyring or "
            "DAVDESK_PASSWORD"
        )
    try:
        direction = Direction(pair.direction)
    except ValueError:
        raise PairError(f"direction must be up, down or both, not {pair.direction!r}") from None
    url = pair.url if pair.url.endswith("/") else pair.url + "/"
    return dataclasses.replace(
        pair,
        name=pair.name.strip(),
        local=str(Path(pair.local).expanduser().absolute()),
        url=url,
        direction=direction.value,
        ignore=tuple(pair.ignore),
    )


def _overlap(pair: SavedPair, others: Iterable[SavedPair]) -> str | None:
    local = _resolved(pair.local)
    server = _server_folder(pair.url)
    for other in others:
        other_local = _resolved(other.local)
        if local == other_local or local in other_local.parents or other_local in local.parents:
            return (
                f"{pair.local} overlaps the local folder of pair {other.name!r} "
                f"({other.local}): a folder may belong to one pair only"
            )
        origin, path = server
        other_origin, other_path = _server_folder(other.url)
        if origin == other_origin and (path.startswith(other_path) or other_path.startswith(path)):
            return (
                f"{pair.url} overlaps the server folder of pair {other.name!r} "
                f"({other.url}): a server folder may belong to one pair only"
            )
    return None


def _resolved(local: str) -> Path:
    return Path(local).expanduser().resolve()


def _server_folder(url: str) -> tuple[str, str]:
    """(origin, decoded path ending in "/"), compared case-sensitively as servers do."""
    canonical = urlsplit(canonical_url(url))
    return f"{canonical.scheme}://{canonical.netloc}", unquote(canonical.path)


def _from_bookmark(bookmark: Bookmark, local: str, remote: str, direction: str) -> SavedPair:
    """remote: a decoded server path, absolute or below the bookmark's folder."""
    quoted = quote(remote, safe="/", errors="surrogateescape")  # as a request line has it
    url = (
        urljoin(bookmark.url, quoted)
        if remote.startswith("/")
        else urljoin(bookmark.url.rstrip("/") + "/", quoted)
    )
    return SavedPair(
        Path(local).name or bookmark.name, local, url, direction, bookmark=bookmark.name
    )


def _to_json(pair: SavedPair) -> dict[str, Any]:
    value = dataclasses.asdict(pair)
    value["ignore"] = list(pair.ignore)
    return value


_FIELDS = {f.name for f in dataclasses.fields(SavedPair)}


def _from_json(entry: Any) -> SavedPair:
    """Unknown keys (a newer version's) are dropped."""
    if not isinstance(entry, dict):
        raise ValueError(f"not a pair: {entry!r}")
    values = {key: value for key, value in entry.items() if key in _FIELDS}
    values["ignore"] = tuple(str(p) for p in values.get("ignore") or ())
    pair = SavedPair(**values)
    if not all(isinstance(v, str) for v in (pair.name, pair.local, pair.url, pair.direction)):
        raise ValueError(f"pair without a name, folder or URL: {entry.get('name')!r}")
    Direction(pair.direction)
    return pair
