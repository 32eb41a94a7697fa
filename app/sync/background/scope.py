"""Planning for the paths that changed, not the whole tree: the same planner, a smaller view.

A background run knows where to look: the folders of the local paths the
watcher saw change, and the server folders whose ETag changed. Each of those
folders is read one level deep on both sides (one scandir, one PROPFIND
Depth 1), with the records of exactly its members. A member folder that is
new, gone from one side or never synced is read to the bottom on both sides
with every record below it, as a full scan would: the planner then sees the
whole of what moved, and its rules (deletes only when the record proves the
other side unchanged, conflicts keep both, folders go only with all they
hold) apply unchanged. A folder known on both sides is not entered: what
changed inside it is in scope by itself.

So the plan is the full plan restricted to these keys: every key in scope
is seen with both of its sides and its record, and nothing outside is
touched. The local root and the server root must exist; a missing one is an
error, never "everything was deleted".
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from app.dav import DavClient, Resource, errors, etags
from app.dav.retry import RetryPolicy
from app.jobs.naming import name_key
from app.sync.direction import Direction
from app.sync.ignore import Ignored, IgnoreRules
from app.sync.model import LocalFile, RemoteFile, SyncPlan
from app.sync.planner import needs_proof, plan_sync
from app.sync.proof import proven
from app.sync.retrying import Stop, retried
from app.sync.scan import Scan, _members, _remote_file, scan_local, scan_remote
from app.sync.state import Record, StateDB

Listing = list[tuple[str, Resource]]
E = TypeVar("E", LocalFile, RemoteFile)


@dataclass
class Looked:
    """What planning a scope saw of the server, for the poller's ETags once the run went well.

    examined: the folders whose every member was looked at (rel as the server spells it);
    etags: the ETag of each folder seen in a listing or a scan. Only a folder both examined
    and seen may take its new ETag: one merely listed in its parent may hide changes.
    """

    examined: set[str] = field(default_factory=set)
    etags: dict[str, str | None] = field(default_factory=dict)


def parent_rel(rel: str) -> str:
    return rel.rpartition("/")[0]


def in_ignored_folder(rel: str, rules: IgnoreRules) -> bool:
    """Whether a path is inside a folder the rules leave alone (nothing there is looked at)."""
    parts = rel.split("/")[:-1]
    return any(rules.ignored("/".join(parts[:n]), True) for n in range(1, len(parts) + 1))


def plan_folders(
    client: DavClient,
    local_root: Path,
    remote_root: str,
    direction: Direction,
    state: StateDB,
    rules: IgnoreRules,
    folders: Iterable[str],
    *,
    listings: dict[str, Listing] | None = None,
    workers: int = 4,
    stop: Stop | None = None,
    retry: RetryPolicy | None = None,
    now: datetime | None = None,
) -> tuple[SyncPlan, Looked]:
    """The plan for the members of these folders ("" is the root, "a/b" a folder in it).

    listings: server listings already fetched (by the poller's descent), by folder.
    """
    stop = stop or Stop()
    remote_root = remote_root.rstrip("/") + "/"
    if not local_root.is_dir():
        raise FileNotFoundError(f"{local_root}: the local folder is gone")
    retry = retry or client.retry
    scope = _Scope(client, local_root, remote_root, rules, stop, retry, dict(listings or {}))
    records, pending = state.load(), state.load_pending()
    for folder in sorted(set(folders)):
        if not (folder and in_ignored_folder(folder + "/x", rules)):
            scope.look(folder, records)
    keys = scope.keys
    scoped = {key: records[key] for key in keys if key in records}
    waiting = {key: pending[key] for key in keys if key in pending}
    local, remote = scope.local, scope.remote
    doubtful = [
        (local.found[key], remote.found[key])
        for key in local.found.keys() & remote.found.keys()
        if needs_proof(local.found[key], remote.found[key], scoped.get(key), waiting.get(key))
    ]
    same = proven(client, doubtful, workers, stop, retry)
    plan = plan_sync(
        local,
        remote,
        scoped,
        direction,
        local_root,
        remote_root,
        now or datetime.now(),
        waiting,
        same,
        client.extensions.names,
        synced=[key for key, record in records.items() if not record.is_dir],
    )
    return plan, scope.looked


class _Scope:
    def __init__(
        self,
        client: DavClient,
        local_root: Path,
        remote_root: str,
        rules: IgnoreRules,
        stop: Stop,
        retry: RetryPolicy,
        listings: dict[str, Listing],
    ) -> None:
        self.client, self.local_root, self.remote_root = client, local_root, remote_root
        self.rules, self.stop, self.retry = rules, stop, retry
        self.listings = listings
        self.looked = Looked()
        self.local: Scan[LocalFile] = Scan()
        self.remote: Scan[RemoteFile] = Scan()
        self.keys: set[str] = set()
        self._deep: set[str] = set()
        self._parsing = threading.Lock()

    def look(self, folder: str, records: dict[str, Record]) -> None:
        """The folder's members on both sides and their records; new or one-sided member
        folders to the bottom."""
        prefix = folder + "/" if folder else ""
        key_prefix = name_key(prefix)
        here = self._local_members(folder)
        there = self._remote_members(folder)
        members = set(here) | set(there)
        members |= {
            key
            for key in records
            if key.startswith(key_prefix) and "/" not in key[len(key_prefix) :]
        }
        for key in members:
            self.keys.add(key)
            local, remote, record = here.get(key), there.get(key), records.get(key)
            if local is not None:
                self.local.add(key, *local)
            if remote is not None:
                self.remote.add(key, *remote)
            is_dir = any(e is not None and e[0].is_dir for e in (local, remote))
            if not is_dir or any(e is not None and e[1] is not None for e in (local, remote)):
                continue
            known = (
                local is not None and remote is not None and record is not None and record.is_dir
            )
            if not known:
                self._deep_scan(key, records)

    def _local_members(self, folder: str) -> dict[str, tuple[LocalFile, Ignored | None]]:
        path = self.local_root / folder if folder else self.local_root
        prefix = folder + "/" if folder else ""
        found: dict[str, tuple[LocalFile, Ignored | None]] = {}
        try:
            entries = list(os.scandir(path))
        except (FileNotFoundError, NotADirectoryError):
            if not folder:
                raise
            return found
        for entry in entries:
            info = entry.stat(follow_symlinks=False)
            is_dir = stat.S_ISDIR(info.st_mode)
            if not (is_dir or stat.S_ISREG(info.st_mode)):
                continue
            rel = prefix + entry.name
            found[name_key(rel)] = (
                LocalFile(
                    rel,
                    path / entry.name,
                    is_dir,
                    0 if is_dir else info.st_size,
                    info.st_mtime_ns,
                    info.st_mtime,
                ),
                self.rules.check(rel, is_dir),
            )
        return found

    def _remote_members(self, folder: str) -> dict[str, tuple[RemoteFile, Ignored | None]]:
        prefix = folder + "/" if folder else ""
        listing = self.listings.get(folder)
        if listing is None:
            try:
                with self.stop.watching(self.client):
                    listing = retried(
                        lambda: _members(self.client, self.remote_root + prefix, self._parsing),
                        self.stop,
                        self.retry,
                    )
            except errors.NotFoundError:
                if not folder:
                    raise
                listing = []
            self.listings[folder] = listing
        self.looked.examined.add(folder)
        found: dict[str, tuple[RemoteFile, Ignored | None]] = {}
        for name, resource in listing:
            rel = prefix + name
            if resource.is_dir:
                self.looked.etags[rel] = etags.normal(resource.etag)
            found[name_key(rel)] = (
                _remote_file(rel, resource),
                self.rules.check(rel, resource.is_dir),
            )
        return found

    def _deep_scan(self, key: str, records: dict[str, Record]) -> None:
        """A member folder that is not known on both sides: everything below it, both sides."""
        if key in self._deep:
            return
        self._deep.add(key)
        local, remote = self.local.found.get(key), self.remote.found.get(key)
        if local is not None and local.is_dir:
            _merge(
                self.local,
                scan_local(local.path, self.rules, self.stop, local.rel + "/"),
                self.keys,
            )
        if remote is not None and remote.is_dir:
            below = scan_remote(
                self.client,
                remote.path + "/",
                self.rules,
                stop=self.stop,
                retry=self.retry,
                prefix=remote.rel + "/",
            )
            _merge(self.remote, below, self.keys)
            self.looked.examined.add(remote.rel)
            for entry in below.found.values():
                if entry.is_dir:
                    self.looked.examined.add(entry.rel)
                    self.looked.etags[entry.rel] = etags.normal(entry.etag)
        self.keys.update(k for k in records if k.startswith(key + "/"))


def _merge(into: Scan[E], below: Scan[E], keys: set[str]) -> None:
    for bucket, target in (
        (below.found, into.found),
        (below.junk, into.junk),
        (below.ignored, into.ignored),
    ):
        target.update(bucket)
        keys.update(bucket)
