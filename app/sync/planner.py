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
- a server file is taken for an interrupted upload of ours only when its
  bytes are the start of the local file's (proof.py): otherwise someone
  else wrote it, and it is a conflict;
- a one-way pair never overwrites a change made on the side it does not
  carry over: it leaves it alone.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from app.dav import DavClient, Outcome, errors, etags
from app.dav.extensions import NameRules
from app.dav.outcome import Source
from app.dav.paths import check_local_name
from app.dav.retry import RetryPolicy
from app.jobs.naming import name_key
from app.sync.direction import Direction
from app.sync.folders import FolderDeletes
from app.sync.guard import MassDelete, held_deletes
from app.sync.ignore import IgnoreRules
from app.sync.model import Action, LocalFile, PlanItem, RemoteFile, SyncPlan
from app.sync.names import conflict_name, refused_by_server
from app.sync.proof import proven
from app.sync.retrying import Stop
from app.sync.scan import Scan, scan_pair
from app.sync.state import Pending, Record, StateDB


def plan_pair(
    client: DavClient,
    local_root: Path,
    remote_root: str,
    direction: Direction,
    state: StateDB,
    rules: IgnoreRules,
    *,
    workers: int = 4,
    now: datetime | None = None,
    stop: Stop | None = None,
    retry: RetryPolicy | None = None,
    seen: Callable[[Scan[RemoteFile]], None] | None = None,
    scans: tuple[Scan[LocalFile], Scan[RemoteFile]] | None = None,
    mass_delete: MassDelete = MassDelete.HOLD,
) -> SyncPlan:
    """Scan both sides (at the same time) and plan; reads only: the server, the disk, the database.

    stop: set it from another thread to end planning with PlanningCancelled. seen: shown
    the server's scan (background sync keeps its folders' ETags to poll by). scans: both
    sides as scan_pair found them just before, under the pair's lock (not scanned again).
    mass_delete: the user's word on deletes of every synced file of one side (guard.py).
    """
    stop = stop or Stop()
    retry = retry or client.retry
    remote_root = remote_root.rstrip("/") + "/"
    local, remote = scans or scan_pair(
        client, local_root, remote_root, rules, workers=workers, stop=stop, retry=retry
    )
    if seen is not None:
        seen(remote)
    records, pending = state.load(), state.load_pending()
    doubtful = [
        (local.found[key], remote.found[key])
        for key in local.found.keys() & remote.found.keys()
        if needs_proof(local.found[key], remote.found[key], records.get(key), pending.get(key))
    ]
    same = proven(client, doubtful, workers, stop, retry)
    return plan_sync(
        local,
        remote,
        records,
        direction,
        local_root,
        remote_root,
        now or datetime.now(),
        pending,
        same,
        client.extensions.names,
        mass_delete=mass_delete,
    )


def needs_proof(
    local: LocalFile, remote: RemoteFile, record: Record | None, pending: Pending | None
) -> bool:
    """Whether the plan for this pair turns on the bytes (see proof.py)."""
    if local.is_dir or remote.is_dir:
        return False
    if record is not None and (local_unchanged(local, record) or remote_unchanged(remote, record)):
        return False  # one side as recorded: the plan follows the other side, whatever it holds
    return (
        look_alike(local, remote)
        or _fetched(local, remote, pending)
        or (_sending(local, pending) and remote.size <= local.size)
    )


def local_unchanged(found: LocalFile, record: Record) -> bool:
    return found.is_dir or (
        found.size == record.local_size and found.mtime_ns == record.local_mtime_ns
    )


def remote_unchanged(found: RemoteFile, record: Record) -> bool:
    """Same ETag; without one recorded (an upload answered without it) the same size will do,
    and without one sent the same size and time."""
    if found.is_dir:
        return True
    etag = etags.normal(found.etag)
    if record.remote_etag is not None and etag is not None:
        return etag == record.remote_etag
    if record.remote_etag is None:
        return found.size == record.remote_size
    return found.size == record.remote_size and found.mtime == record.remote_mtime


def look_alike(local: LocalFile, remote: RemoteFile) -> bool:
    """The same size and whole-second time (kept by an upload, given by a download): the same
    file for rclone; for a sync without a record to go by, a reason to compare the bytes."""
    return (
        local.size == remote.size
        and remote.mtime is not None
        and int(local.mtime) == int(remote.mtime)
    )


def record_of(local: LocalFile, remote: RemoteFile) -> Record:
    return Record(
        local.is_dir,
        local.size,
        local.mtime_ns,
        remote.size,
        remote.mtime,
        etags.normal(remote.etag),
    )


@dataclass
class _Planner:
    local: Scan[LocalFile]
    remote: Scan[RemoteFile]
    records: dict[str, Record]
    direction: Direction
    now: datetime
    items: list[PlanItem] = field(default_factory=list)
    in_sync: list[tuple[LocalFile, RemoteFile]] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    refused: list[Outcome] = field(default_factory=list)
    remote_root: str = "/"
    pending: dict[str, Pending] = field(default_factory=dict)
    #: Keys whose server bytes are the local file's or their start (proof.py); None: taken
    #: to be so wherever the sizes allow (unit tests of the rules alone).
    proven: frozenset[str] | None = None
    names: NameRules | None = None  # the server's own rules (Nextcloud's forbidden names)
    folder_deletes: list[PlanItem] = field(default_factory=list)
    taken: set[str] | None = None  # every key on either side, for conflict names

    def run(self) -> FolderDeletes:
        local, remote = self.local.found, self.remote.found
        clashes: list[str] = []  # a file here, a folder there: what is in the folder waits too
        for key in sorted(local.keys() | remote.keys() | self.records.keys()):
            if clashes and any(key.startswith(folder) for folder in clashes):
                continue
            here, there, record = local.get(key), remote.get(key), self.records.get(key)
            if here is None and there is None:
                self.gone.append(key)
                continue
            kinds = {e.is_dir for e in (here, there) if e is not None}
            if len(kinds) == 2:
                self._refuse(
                    key,
                    "a file on one side and a folder on the other: left alone, "
                    "with what the folder holds",
                )
                clashes.append(key + "/")
                continue
            if record is not None and record.is_dir not in kinds:
                record = None  # the record is of something else that had this name
            if kinds == {True}:
                self._folder(here, there, record)
            else:
                self._file(key, here, there, record)
        settled = FolderDeletes(self.local, self.remote, self.direction, self.remote_root)
        self.items.extend(settled.settle(self.folder_deletes, self.items))
        self.refused.extend(settled.refused)
        return settled

    # -- folders -----------------------------------------------------------------------------

    def _folder(
        self, local: LocalFile | None, remote: RemoteFile | None, record: Record | None
    ) -> None:
        d = self.direction
        if local is not None and remote is not None:
            if record is None:
                self.in_sync.append((local, remote))
        elif local is not None:
            if record is not None and d.downloads:
                self.folder_deletes.append(
                    PlanItem(
                        local.rel, Action.DELETE_LOCAL, "deleted on the server", True, local=local
                    )
                )
            elif d.uploads and self._sendable(local.rel):
                why = "deleted on the server: restored" if record else "new folder"
                self.items.append(PlanItem(local.rel, Action.CREATE_FOLDER, why, True, local=local))
        elif remote is not None:
            if record is not None and d.uploads:
                self.folder_deletes.append(
                    PlanItem(
                        remote.rel, Action.DELETE_REMOTE, "deleted locally", True, remote=remote
                    )
                )
            elif d.downloads and self._storable(remote.rel):
                why = "deleted locally: restored" if record else "new folder on the server"
                self.items.append(
                    PlanItem(
                        remote.rel,
                        Action.CREATE_FOLDER,
                        why,
                        True,
                        remote=remote,
                        remote_side=False,
                    )
                )

    # -- files -----------------------------------------------------------------------------

    def _file(
        self, key: str, local: LocalFile | None, remote: RemoteFile | None, record: Record | None
    ) -> None:
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
                self.items.append(
                    PlanItem(local.rel, Action.DELETE_LOCAL, "deleted on the server", local=local)
                )
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
                self.items.append(
                    PlanItem(remote.rel, Action.DELETE_REMOTE, "deleted locally", remote=remote)
                )
            else:
                self._download(None, remote, "deleted locally: restored")

    def _both(
        self,
        key: str,
        local: LocalFile,
        remote: RemoteFile,
        record: Record | None,
        pending: Pending | None,
    ) -> None:
        if record is not None:
            changed_here = not local_unchanged(local, record)
            changed_there = not remote_unchanged(remote, record)
            if not changed_here and not changed_there:
                if (
                    record.remote_etag != etags.normal(remote.etag)
                    or record.remote_mtime != remote.mtime
                ):
                    self.in_sync.append((local, remote))  # learn the ETag an upload was not told
                return
            if not changed_there:
                if self.direction.uploads:
                    self._upload(local, remote, "changed locally")
                return
            if not changed_here:
                if self.direction.downloads:
                    self._download(local, remote, "changed on the server")
                return
        ours = self._starts_ours(key, local, remote)
        landed = _sending(local, pending) and remote.size == local.size  # all of ours: proven
        if ours and (look_alike(local, remote) or landed or _fetched(local, remote, pending)):
            self.in_sync.append((local, remote))
        elif ours and _sending(local, pending) and self.direction.uploads:
            self._upload(local, remote, "an interrupted upload: sent again")
        elif record is None:
            self._conflict(local, remote, "on both sides, never synced, and different")
        else:
            self._conflict(local, remote, "changed on both sides")

    def _starts_ours(self, key: str, local: LocalFile, remote: RemoteFile) -> bool:
        """Whether the server's bytes are the local file's, or their start."""
        return remote.size <= local.size and (self.proven is None or key in self.proven)

    def _upload(self, local: LocalFile, remote: RemoteFile | None, why: str) -> None:
        if self._sendable(local.rel):
            resumes = _sending(local, self.pending.get(name_key(local.rel)))
            self.items.append(
                PlanItem(
                    local.rel,
                    Action.UPLOAD,
                    why,
                    size=local.size,
                    local=local,
                    remote=remote,
                    resumes=resumes,
                )
            )

    def _download(self, local: LocalFile | None, remote: RemoteFile, why: str) -> None:
        if self._storable(remote.rel):
            self.items.append(
                PlanItem(
                    remote.rel, Action.DOWNLOAD, why, size=remote.size, local=local, remote=remote
                )
            )

    def _conflict(self, local: LocalFile, remote: RemoteFile, why: str) -> None:
        """The server's version is fetched, and with an uploading pair sent up under the new
        name before the local version replaces it: three transfers, counted in size."""
        if self.taken is None:  # built once: a plan may hold thousands of conflicts
            self.taken = {
                *self.local.found,
                *self.local.junk,
                *self.local.ignored,
                *self.remote.found,
                *self.remote.junk,
                *self.remote.ignored,
            }
        folder, _, name = local.rel.rpartition("/")
        prefix = folder + "/" if folder else ""
        beside = prefix + conflict_name(name, self.now, _Siblings(prefix, self.taken))
        self.taken.add(name_key(beside))
        uploads = self.direction.uploads
        size = remote.size * (2 if uploads else 1) + (local.size if uploads else 0)
        self.items.append(
            PlanItem(
                local.rel,
                Action.CONFLICT,
                f"{why}: both kept, the server's as {beside.rpartition('/')[2]}",
                size=size,
                local=local,
                remote=remote,
                conflict_rel=beside,
            )
        )

    # -- names -----------------------------------------------------------------------------------

    def _sendable(self, rel: str) -> bool:
        for segment in rel.split("/"):
            why = refused_by_server(segment)
            rule = self.names.problem(segment) if self.names and not why else None
            if why or rule:
                self._refuse(
                    rel,
                    f"not uploaded: the name {segment!r} {why}" if why else f"not uploaded: {rule}",
                    op="put",
                )
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
        self.refused.append(
            Outcome(
                op, self.remote_root + rel, None, "refused", ok=False, note=why, source=Source.LOCAL
            )
        )


def _sending(local: LocalFile, pending: Pending | None) -> bool:
    """A run was uploading exactly this local version and never heard back."""
    return (
        pending is not None
        and pending.upload
        and pending.local_size == local.size
        and pending.local_mtime_ns == local.mtime_ns
    )


def _fetched(local: LocalFile, remote: RemoteFile, pending: Pending | None) -> bool:
    """A run was downloading exactly this server version and the local file has its size:
    the download may have completed (it lands by an atomic rename) without being recorded."""
    return (
        pending is not None
        and not pending.upload
        and pending.remote_etag is not None
        and pending.remote_etag == etags.normal(remote.etag)
        and local.size == remote.size
    )


class _Siblings:
    """The names taken in one folder, for conflict_name, over the keys of whole paths."""

    def __init__(self, prefix: str, keys: set[str]) -> None:
        self._prefix = name_key(prefix)
        self._keys = keys

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._prefix + name in self._keys


def plan_sync(
    local: Scan[LocalFile] | dict[str, LocalFile],
    remote: Scan[RemoteFile] | dict[str, RemoteFile],
    records: dict[str, Record],
    direction: Direction,
    local_root: Path,
    remote_root: str,
    now: datetime,
    pending: dict[str, Pending] | None = None,
    proven: frozenset[str] | None = None,
    names: NameRules | None = None,
    *,
    mass_delete: MassDelete = MassDelete.HOLD,
    synced: Collection[str] | None = None,
) -> SyncPlan:
    """The plan for two scans and the records; pure: no I/O, so it is tested without a server.

    local, remote: a Scan, or just what it found (nothing ignored). proven:
    keys whose server bytes were found to be the local file's or their start
    (plan_pair fetches them); None takes that to be so wherever sizes allow.
    mass_delete: what becomes of deletes that take every synced file of one side
    (guard.py). synced: the keys of every file the state database records, where
    records holds only some (a plan of a few folders); None: the records' files.
    """
    local_scan = local if isinstance(local, Scan) else Scan(local)
    remote_scan = remote if isinstance(remote, Scan) else Scan(remote)

    def planned(known: dict[str, Record]) -> tuple[_Planner, FolderDeletes]:
        planner = _Planner(
            local_scan,
            remote_scan,
            known,
            direction,
            now,
            remote_root=remote_root,
            pending=pending or {},
            proven=proven,
            names=names,
        )
        return planner, planner.run()

    planner, folders = planned(records)
    files = synced if synced is not None else [k for k, r in records.items() if not r.is_dir]
    held = (
        held_deletes(planner.items, files, planner.gone)
        if mass_delete is not MassDelete.ALLOW
        else None
    )
    forgotten: tuple[str, ...] = ()
    if held is not None and mass_delete is MassDelete.RESTORE:
        forgotten = held.keys  # planned again without them: one side's files, copied back
        gone = set(forgotten)
        planner, folders = planned({k: r for k, r in records.items() if k not in gone})
        planner.items = [
            replace(item, reason=held.restored) if name_key(item.rel) in gone else item
            for item in planner.items
        ]
        held = None
    elif held is not None:
        holding = {id(item) for item in held.items}
        planner.items = [item for item in planner.items if id(item) not in holding]
        planner.refused.append(held.refusal(remote_root))
    items = tuple(sorted(planner.items, key=lambda i: i.rel))
    transfers = {name_key(i.rel) for i in items if i.action in (Action.UPLOAD, Action.DOWNLOAD)}
    return SyncPlan(
        local_root,
        remote_root,
        direction,
        items,
        tuple(planner.in_sync),
        tuple(planner.gone),
        tuple(planner.refused),
        (*folders.unpaired, *forgotten),
        tuple(sorted(key for key in planner.pending if key not in transfers)),
        remote.listed if isinstance(remote, Scan) else {},
        held=held.items if held is not None else (),
    )
