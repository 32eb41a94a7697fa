"""Deciding, path by path, what a sync does: the three-way comparison with the state database.

For each path the local entry, the remote entry and the record of the last
successful sync are compared. A side "changed" when it differs from the
record; without a record nothing is known, so nothing is deleted. The rules
that keep every file:

- a delete is carried over only when the record proves the other side still
  holds the version that was in sync;
- deleted on one side and changed on the other: the changed file is
  restored to the side that deleted it;
- changed on both sides (or on both sides and never synced, with different
  contents): a conflict, both kept: the server's version is saved beside the
  local one as "name (conflict YYYY-MM-DD HHMM).ext";
- a one-way pair never overwrites a change made on the side it does not
  carry over: it leaves it alone.
"""

from __future__ import annotations

import filecmp
import tempfile
from bisect import bisect_left
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.dav import DavClient, Outcome, errors
from app.dav.outcome import Source
from app.dav.paths import check_local_name
from app.dav.extensions import NameRules
from app.jobs.naming import name_key
from app.sync.ignore import IgnoreRules
from app.sync.model import Action, Direction, LocalFile, PlanItem, RemoteFile, SyncPlan
from app.sync.names import conflict_name, refused_by_server
from app.sync.scan import normal_etag, scan_local, scan_remote
from app.sync.state import Pending, Record, StateDB


def plan_pair(client: DavClient, local_root: Path, remote_root: str, direction: Direction,
              state: StateDB, rules: IgnoreRules, *, workers: int = 4,
              now: datetime | None = None) -> SyncPlan:
    """Scan both sides and plan; reads only (the server, the disk and the database)."""
    remote_root = remote_root.rstrip("/") + "/"
    local = scan_local(local_root, rules)
    remote = scan_remote(client, remote_root, rules, workers)
    records, pending = state.load(), state.load_pending()
    alike = [(local[key], remote[key]) for key in local.keys() & remote.keys()
             if _needs_proof(local[key], remote[key], records.get(key))]
    return plan_sync(local, remote, records, direction, local_root, remote_root,
                     now or datetime.now(), pending, same_content(client, alike, workers),
                     client.extensions.names)


def _needs_proof(local: LocalFile, remote: RemoteFile, record: Record | None) -> bool:
    """Look-alikes whose equality would be recorded without any record behind it."""
    if local.is_dir or remote.is_dir or not look_alike(local, remote):
        return False
    return record is None or not (local_unchanged(local, record)
                                  or remote_unchanged(remote, record))


def same_content(client: DavClient, pairs: list[tuple[LocalFile, RemoteFile]],
                 workers: int) -> frozenset[str]:
    """The keys of the pairs whose bytes are equal: each server file fetched and compared.

    Same size and second is what rclone takes as equal; recording two
    different files as in sync would later let a delete of one take the
    other, so a pair is recorded only once its bytes are proven equal.
    Costs one download per such pair, only when there is no record to go
    by (the first sync of two folders that already hold the same files).
    """
    if not pairs:
        return frozenset()
    with tempfile.TemporaryDirectory(prefix="davdesk-sync-") as scratch, \
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sync-compare") as pool:
        def equal(pair: tuple[LocalFile, RemoteFile], number: int) -> bool:
            target = Path(scratch) / str(number)
            client.get(pair[1].path, target, keep_mtime=False)
            return filecmp.cmp(pair[0].path, target, shallow=False)

        results = pool.map(equal, pairs, range(len(pairs)))
        return frozenset(name_key(pair[0].rel) for pair, same in zip(pairs, results) if same)


def local_unchanged(found: LocalFile, record: Record) -> bool:
    return found.is_dir or (found.size == record.local_size
                            and found.mtime_ns == record.local_mtime_ns)


def remote_unchanged(found: RemoteFile, record: Record) -> bool:
    """Same ETag; without one recorded (an upload answered without it) the same size will do,
    and without one sent the same size and time."""
    if found.is_dir:
        return True
    etag = normal_etag(found.etag)
    if record.remote_etag is not None and etag is not None:
        return etag == record.remote_etag
    if record.remote_etag is None:
        return found.size == record.remote_size
    return found.size == record.remote_size and found.mtime == record.remote_mtime


def look_alike(local: LocalFile, remote: RemoteFile) -> bool:
    """The same size and whole-second time (kept by an upload, given by a download): the same
    file for rclone; for a sync without a record to go by, a reason to compare the bytes."""
    return (local.size == remote.size and remote.mtime is not None
            and int(local.mtime) == int(remote.mtime))


def record_of(local: LocalFile, remote: RemoteFile) -> Record:
    return Record(local.is_dir, local.size, local.mtime_ns, remote.size, remote.mtime,
                  normal_etag(remote.etag))


@dataclass
class _Planner:
    local: dict[str, LocalFile]
    remote: dict[str, RemoteFile]
    records: dict[str, Record]
    direction: Direction
    now: datetime
    items: list[PlanItem] = field(default_factory=list)
    in_sync: list[tuple[LocalFile, RemoteFile]] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    refused: list[Outcome] = field(default_factory=list)
    remote_root: str = "/"
    pending: dict[str, Pending] = field(default_factory=dict)
    proven: frozenset[str] | None = None  # None: look-alikes are taken as equal (unit tests)
    names: NameRules | None = None  # the server's own rules (Nextcloud's forbidden names)
    folder_deletes: list[PlanItem] = field(default_factory=list)

    def run(self) -> None:
        for key in sorted(self.local.keys() | self.remote.keys() | self.records.keys()):
            local, remote, record = self.local.get(key), self.remote.get(key), self.records.get(key)
            if local is None and remote is None:
                self.gone.append(key)
                continue
            kinds = {e.is_dir for e in (local, remote) if e is not None}
            if len(kinds) == 2:
                self._refuse(key, "a file on one side and a folder on the other: left alone")
                continue
            if record is not None and record.is_dir not in kinds:
                record = None  # the record is of something else that had this name
            if kinds == {True}:
                self._folder(key, local, remote, record)
            else:
                self._file(key, local, remote, record)
        self._settle_folder_deletes()

    # -- folders -----------------------------------------------------------------------------

    def _folder(self, key: str, local: LocalFile | None, remote: RemoteFile | None,
                record: Record | None) -> None:
        d = self.direction
        if local is not None and remote is not None:
            if record is None:
                self.in_sync.append((local, remote))
        elif local is not None:
            if record is not None and d.downloads:
                self.folder_deletes.append(PlanItem(local.rel, Action.DELETE_LOCAL,
                                                    "deleted on the server", True, local=local))
            elif d.uploads and self._sendable(local.rel):
                why = "deleted on the server: restored" if record else "new folder"
                self._add(PlanItem(local.rel, Action.CREATE_FOLDER, why, True, local=local))
        elif remote is not None:
            if record is not None and d.uploads:
                self.folder_deletes.append(PlanItem(remote.rel, Action.DELETE_REMOTE,
                                                    "deleted locally", True, remote=remote))
            elif d.downloads and self._storable(remote.rel):
                why = "deleted locally: restored" if record else "new folder on the server"
                self._add(PlanItem(remote.rel, Action.CREATE_FOLDER, why, True, remote=remote,
                                   remote_side=False))

    def _settle_folder_deletes(self) -> None:
        """A folder is deleted only if everything in it is deleted too; else it is restored."""
        deleted = {name_key(i.rel) for i in self.items
                   if i.action in (Action.DELETE_LOCAL, Action.DELETE_REMOTE)}
        ordered = {Action.DELETE_LOCAL: sorted(self.local), Action.DELETE_REMOTE: sorted(self.remote)}
        for item in sorted(self.folder_deletes, key=lambda i: i.rel.count("/"), reverse=True):
            key = name_key(item.rel)
            keys = ordered[item.action]
            # Everything below "a/b" sorts between "a/b/" and "a/b0" ("0" follows "/").
            inside = keys[bisect_left(keys, key + "/"):bisect_left(keys, key + "0")]
            if all(k in deleted for k in inside):
                deleted.add(key)
                self._add(item)
            elif item.action is Action.DELETE_LOCAL and self.direction.uploads:
                self._add(PlanItem(item.rel, Action.CREATE_FOLDER,
                                   "deleted on the server, but not all inside: restored", True,
                                   local=item.local))
            elif item.action is Action.DELETE_REMOTE and self.direction.downloads:
                self._add(PlanItem(item.rel, Action.CREATE_FOLDER,
                                   "deleted locally, but not all inside: restored", True,
                                   remote=item.remote, remote_side=False))

    # -- files -----------------------------------------------------------------------------

    def _file(self, key: str, local: LocalFile | None, remote: RemoteFile | None,
              record: Record | None) -> None:
        d = self.direction
        if local is not None and remote is not None:
            self._both(key, local, remote, record, self.pending.get(key))
        elif local is not None:
            if record is None:
                if d.uploads:
                    self._upload(local, None, "new")
            elif not local_unchanged(local, record):
                if d.uploads:
                    self._upload(local, None, "deleted on the server, changed here: restored")
            elif d.downloads:
                self._add(PlanItem(local.rel, Action.DELETE_LOCAL, "deleted on the server",
                                   local=local))
            else:
                self._upload(local, None, "deleted on the server: restored")
        elif remote is not None:
            if record is None:
                if d.downloads:
                    self._download(None, remote, "new on the server")
            elif not remote_unchanged(remote, record):
                if d.downloads:
                    self._download(None, remote, "deleted locally, changed on the server: restored")
            elif d.uploads:
                self._add(PlanItem(remote.rel, Action.DELETE_REMOTE, "deleted locally",
                                   remote=remote))
            else:
                self._download(None, remote, "deleted locally: restored")

    def _both(self, key: str, local: LocalFile, remote: RemoteFile, record: Record | None,
              pending: Pending | None) -> None:
        alike = look_alike(local, remote) and (self.proven is None or key in self.proven)
        if record is None:
            if alike or _fetched(local, remote, pending):
                self.in_sync.append((local, remote))
            elif _sending(local, pending) and self.direction.uploads:
                self._upload(local, remote, "an interrupted upload: sent again")
            else:
                self._conflict(local, remote, "on both sides, never synced, and different")
            return
        changed_here = not local_unchanged(local, record)
        changed_there = not remote_unchanged(remote, record)
        if not changed_here and not changed_there:
            if record.remote_etag != normal_etag(remote.etag) or record.remote_mtime != remote.mtime:
                self.in_sync.append((local, remote))  # learn the ETag an upload was not told
        elif changed_here and not changed_there:
            if self.direction.uploads:
                self._upload(local, remote, "changed locally")
        elif changed_there and not changed_here:
            if self.direction.downloads:
                self._download(local, remote, "changed on the server")
        elif alike or _fetched(local, remote, pending):
            self.in_sync.append((local, remote))
        elif _sending(local, pending) and self.direction.uploads:
            self._upload(local, remote, "an interrupted upload: sent again")
        else:
            self._conflict(local, remote, "changed on both sides")

    def _upload(self, local: LocalFile, remote: RemoteFile | None, why: str) -> None:
        if self._sendable(local.rel):
            self._add(PlanItem(local.rel, Action.UPLOAD, why, size=local.size, local=local,
                               remote=remote))

    def _download(self, local: LocalFile | None, remote: RemoteFile, why: str) -> None:
        if self._storable(remote.rel):
            self._add(PlanItem(remote.rel, Action.DOWNLOAD, why, size=remote.size, local=local,
                               remote=remote))

    def _conflict(self, local: LocalFile, remote: RemoteFile, why: str) -> None:
        folder, _, name = local.rel.rpartition("/")
        prefix = folder + "/" if folder else ""
        taken = _Siblings(prefix, self.local.keys() | self.remote.keys())
        beside = prefix + conflict_name(name, self.now, taken)
        size = remote.size + (local.size if self.direction.uploads else 0)
        self._add(PlanItem(local.rel, Action.CONFLICT,
                           f"{why}: both kept, the server's as {beside.rpartition('/')[2]}",
                           size=size, local=local, remote=remote, conflict_rel=beside))

    # -- names -----------------------------------------------------------------------------------

    def _sendable(self, rel: str) -> bool:
        for segment in rel.split("/"):
            why = refused_by_server(segment)
            rule = self.names.problem(segment) if self.names and not why else None
            if why or rule:
                self._refuse(rel, f"not uploaded: the name {segment!r} {why}" if why
                             else f"not uploaded: {rule}", op="put")
                return False
        return True

    def _storable(self, rel: str) -> bool:
        try:
            for segment in rel.split("/"):
                check_local_name(segment)
        except errors.UnsafePathError as exc:
            self._refuse(rel, f"not downloaded: {exc}", op="get")
            return False
        return True

    def _refuse(self, rel: str, why: str, op: str = "sync") -> None:
        self.refused.append(Outcome(op, self.remote_root + rel, None, "refused", ok=False,
                                    note=why, source=Source.LOCAL))

    def _add(self, item: PlanItem) -> None:
        self.items.append(item)


def _sending(local: LocalFile, pending: Pending | None) -> bool:
    """A run was uploading exactly this local version and was cut off: what the server has
    now (a fragment, or the whole file unrecorded) is that upload's, not someone's edit."""
    return (pending is not None and pending.upload and pending.local_size == local.size
            and pending.local_mtime_ns == local.mtime_ns)


def _fetched(local: LocalFile, remote: RemoteFile, pending: Pending | None) -> bool:
    """A run was downloading exactly this server version and the local file has its size:
    the download completed (it lands by an atomic rename) but was not recorded."""
    return (pending is not None and not pending.upload and pending.remote_etag is not None
            and pending.remote_etag == normal_etag(remote.etag) and local.size == remote.size)


class _Siblings:
    """The names taken in one folder, for conflict_name, over the keys of whole paths."""

    def __init__(self, prefix: str, keys: set[str]) -> None:
        self._prefix = name_key(prefix)
        self._keys = keys

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._prefix + name in self._keys


def plan_sync(local: dict[str, LocalFile], remote: dict[str, RemoteFile],
              records: dict[str, Record], direction: Direction, local_root: Path,
              remote_root: str, now: datetime,
              pending: dict[str, Pending] | None = None,
              proven: frozenset[str] | None = None, names: NameRules | None = None) -> SyncPlan:
    """The plan for two scans and the records; pure: no I/O, so it is tested without a server.

    proven: keys of look-alike pairs whose bytes were compared equal (plan_pair
    fetches them); None takes every look-alike as equal.
    """
    planner = _Planner(local, remote, records, direction, now, remote_root=remote_root,
                       pending=pending or {}, proven=proven, names=names)
    planner.run()
    items = tuple(sorted(planner.items, key=lambda i: i.rel))
    return SyncPlan(local_root, remote_root, direction, items, tuple(planner.in_sync),
                    tuple(planner.gone), tuple(planner.refused))
