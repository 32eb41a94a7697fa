"""Local copies of server files opened or edited in place, and which of them hold unsent edits.

Open and Edit (the window's, and `davdesk edit`) download a file into a cache
folder of the connection and hand it to an application. The copy is reused
while the server's ETag is unchanged, so opening a file twice costs one
PROPFIND. Edit uploads every save with If-Match on the ETag the copy was
downloaded (or last uploaded) as: the lost-update guard of every upload, so
a file someone changed on the server meanwhile is a conflict, never overwritten.

What the copy was when it last matched the server is kept as its size and
st_mtime_ns (its "stamp"): a copy whose stamp moved on holds edits the server
has not got. Such a copy is never overwritten by a download nor deleted (copies
nobody opened for KEEP_DAYS are pruned when a window opens), and
the index that remembers it survives the process (index.json in the folder),
so a later Open or Edit still knows the edits are there.

Each file gets a sub-folder named after a hash of its server path, so the copy
keeps the file's own name (what the application shows) and two files of one
name in different folders never meet.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from app.dav import DavClient, Outcome, Resource, etags
from app.dav.paths import basename, check_local_name, join, parent
from app.jobs.conflict import Conflict
from app.jobs.model import Job, Op, Task
from app.jobs.naming import free_name, local_names, name_key

#: Days a copy nobody opened stays in the cache (one with unsent edits stays for good).
KEEP_DAYS = 30
#: (size, st_mtime_ns) of a local file: what moves when an application saves it.
Stamp = tuple[int, int]
_INDEX = "index.json"


def stamp_of(path: Path) -> Stamp | None:
    """The file's size and modification time in nanoseconds; None when it is not there."""
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns


@dataclass(frozen=True, slots=True)
class LocalCopy:
    """One server file's copy. etag: the server version the copy was downloaded or uploaded
    as; server_size/server_modified stand in for it where the server gives no ETag. synced:
    the copy's stamp when it matched that version."""

    remote: str
    local: Path
    etag: str | None
    synced: Stamp | None
    server_size: int | None = None
    server_modified: float | None = None

    @property
    def name(self) -> str:
        return basename(self.remote)

    def unsent(self) -> bool:
        """Whether the copy holds edits the server has not got (it changed since it matched)."""
        now = stamp_of(self.local)
        return now is not None and now != self.synced

    def same_version(self, resource: Resource) -> bool:
        """Whether the server still has the version this copy was made from."""
        if self.etag is not None and resource.etag is not None:
            return etags.same(self.etag, resource.etag)
        modified = resource.modified.timestamp() if resource.modified else None
        return (resource.size, modified) == (self.server_size, self.server_modified)


def connection_folder(cache_root: Path, connection: str) -> Path:
    """The cache folder of one connection (its user and base URL): one per account and server."""
    digest = hashlib.sha256(connection.encode("utf-8")).hexdigest()[:16]
    return cache_root / "edited" / digest


class LocalCopies:
    """The copies of one connection, indexed by server path. Thread-safe: the window's pool
    threads, a watcher thread and the CLI's job threads all use it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._copies: dict[str, LocalCopy] | None = None

    def place(self, remote: str) -> Path:
        """Where a file's copy goes; its name checked as every downloaded name is."""
        name = check_local_name(basename(remote))
        digest = hashlib.sha256(remote.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        return self.folder / digest / name

    def get(self, remote: str) -> LocalCopy | None:
        with self._lock:
            return self._load().get(remote)

    def by_local(self, local: Path) -> LocalCopy | None:
        with self._lock:
            return next((c for c in self._load().values() if c.local == local), None)

    def unsent(self) -> list[LocalCopy]:
        """Copies whose edits are not on the server, by server path."""
        with self._lock:
            copies = list(self._load().values())
        return sorted((c for c in copies if c.unsent()), key=lambda c: c.remote)

    def record(self, copy: LocalCopy) -> LocalCopy:
        with self._lock:
            self._fresh()[copy.remote] = copy
            self._save()
        return copy

    def downloaded(self, resource: Resource, local: Path, etag: str | None) -> LocalCopy:
        """A download finished: the copy is the version it was downloaded as."""
        modified = resource.modified.timestamp() if resource.modified else None
        return self.record(
            LocalCopy(
                resource.path,
                local,
                etag or resource.etag,
                stamp_of(local),
                resource.size,
                modified,
            )
        )

    def uploaded(
        self, copy: LocalCopy, sent: Stamp | None, server: Resource | None, etag: str | None
    ) -> LocalCopy:
        """An upload of the copy as it was at `sent` succeeded; the server now has etag (the
        PUT's answer), or the version a look afterwards found."""
        size = server.size if server else (sent[0] if sent else None)
        modified = server.modified.timestamp() if server and server.modified else None
        return self.record(
            replace(
                copy,
                etag=etag or (server.etag if server else None),
                synced=sent,
                server_size=size,
                server_modified=modified,
            )
        )

    def moved(self, copy: LocalCopy, remote: str) -> LocalCopy:
        """The copy was saved on the server under another name: it stands for that file now."""
        with self._lock:
            copies = self._fresh()
            copies.pop(copy.remote, None)
            moved = replace(copy, remote=remote)
            copies[remote] = moved
            self._save()
        return moved

    def prune(self, older_than_days: float = KEEP_DAYS, now: float | None = None) -> list[str]:
        """Delete copies nobody opened for a while, never one that holds unsent edits.

        Returns the server paths whose copies went. A copy counts as used when its
        file was last written or read (opening it in an application reads it).
        """
        limit = (time.time() if now is None else now) - older_than_days * 86400
        gone = []
        with self._lock:
            copies = self._fresh()
            for remote, copy in list(copies.items()):
                try:
                    found = copy.local.stat()
                except OSError:
                    found = None
                if found is not None and (
                    copy.unsent() or max(found.st_mtime, found.st_atime) > limit
                ):
                    continue
                with contextlib.suppress(OSError):
                    copy.local.unlink()
                with contextlib.suppress(OSError):
                    copy.local.parent.rmdir()  # its own folder, empty now
                del copies[remote]
                gone.append(remote)
            if gone:
                self._save()
        return gone

    # -- the index -----------------------------------------------------------------------------

    def _fresh(self) -> dict[str, LocalCopy]:
        """The index as it is on disk now: another window or a `davdesk edit` of the same
        connection may have written it since, and a write must not drop their entries."""
        self._copies = None
        return self._load()

    def _load(self) -> dict[str, LocalCopy]:
        if self._copies is None:
            self._copies = {}
            try:
                entries = json.loads((self.folder / _INDEX).read_text("utf-8"))
            except (OSError, ValueError):
                entries = []
            for entry in entries if isinstance(entries, list) else []:
                try:
                    synced = entry["synced"]
                    copy = LocalCopy(
                        entry["remote"],
                        Path(entry["local"]),
                        entry["etag"],
                        (int(synced[0]), int(synced[1])) if synced else None,
                        entry.get("server_size"),
                        entry.get("server_modified"),
                    )
                except (KeyError, TypeError, ValueError, IndexError):
                    continue  # an entry this version cannot read: its copy stays on disk
                self._copies[copy.remote] = copy
        return self._copies

    def _save(self) -> None:
        """Written whole to a temporary file and renamed: a crash leaves the old index."""
        assert self._copies is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        entries = [{**asdict(c), "local": str(c.local)} for c in self._copies.values()]
        fd, name = tempfile.mkstemp(dir=self.folder, prefix=".index-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(entries, out, ensure_ascii=False)
            os.replace(name, self.folder / _INDEX)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(name)
            raise


# -- planning: what Open, Edit and a conflict's choices send ---------------------------------


@dataclass(frozen=True, slots=True)
class OpenPlan:
    """What opening a file needs: a download job, or none when the copy can be used as it is.

    kept_edits: the copy holds edits not on the server, so it was not replaced.
    """

    resource: Resource
    local: Path
    job: Job | None
    kept_edits: bool = False


def plan_open(client: DavClient, copies: LocalCopies, remote: str) -> OpenPlan:
    """Look at the file on the server (one PROPFIND) and decide whether to download it."""
    resource = client.stat(remote)
    if resource.is_dir:
        raise IsADirectoryError(f"{resource.name} is a folder")
    copy = copies.get(resource.path)
    if copy is not None and copy.local.exists():
        if copy.unsent():
            return OpenPlan(resource, copy.local, None, kept_edits=True)
        if copy.same_version(resource):
            return OpenPlan(resource, copy.local, None)
    local = copy.local if copy is not None else copies.place(resource.path)
    if copy is None and local.exists():
        # A copy the index does not know (its entry lost): it may hold edits, so it is kept
        # beside the fresh download, never overwritten.
        local.rename(local.with_name(free_name(local.name, local_names(local.parent))))
    modified = resource.modified.timestamp() if resource.modified else None
    task = Task(
        Op.DOWNLOAD,
        resource.path,
        local,
        size=resource.size or 0,
        etag=resource.etag,
        conflict=Conflict.OVERWRITE,
        mtime=modified,
    )
    return OpenPlan(resource, local, Job(f"Open {resource.name}", ((task,),)))


def upload_job(copy: LocalCopy, etag: str | None = None, *, guarded: bool = True) -> Job:
    """The upload of an edited copy over the version it was made from (If-Match its ETag; its
    size and time where the server gave no ETag). etag: overwrite that version instead.
    guarded=False: a plain PUT, whatever the server holds now."""
    size = stamp_of(copy.local)
    task = Task(
        Op.UPLOAD,
        copy.remote,
        copy.local,
        size=size[0] if size else 0,
        exists=True,
        conflict=Conflict.OVERWRITE,
    )
    if guarded:
        task = replace(
            task,
            etag=etag or copy.etag,
            target_size=None if (etag or copy.etag) else copy.server_size,
            target_modified=None if (etag or copy.etag) else copy.server_modified,
        )
    return Job(f"Upload {copy.name}", ((task,),))


def save_as_copy_job(client: DavClient, copy: LocalCopy) -> Job:
    """The edited copy uploaded next to the server's file under a free name ("a (2).txt"),
    refusing to overwrite (If-None-Match: *)."""
    folder = parent(copy.remote)
    taken = {name_key(r.name) for r in client.listdir(folder)}
    target = join(folder, free_name(copy.name, taken))
    size = stamp_of(copy.local)
    task = Task(Op.UPLOAD, target, copy.local, size=size[0] if size else 0)
    return Job(f"Save {copy.name} as {basename(target)}", ((task,),))


def download_theirs_job(client: DavClient, copy: LocalCopy) -> tuple[Resource, Job]:
    """The server's version over the local copy (whose edits the user chose to drop)."""
    resource = client.stat(copy.remote)
    modified = resource.modified.timestamp() if resource.modified else None
    task = Task(
        Op.DOWNLOAD,
        copy.remote,
        copy.local,
        size=resource.size or 0,
        etag=resource.etag,
        conflict=Conflict.OVERWRITE,
        mtime=modified,
    )
    return resource, Job(f"Download {copy.name} from the server", ((task,),))


#: A copy up to this size is compared byte for byte with the server's file after a 412.
COMPARE_UP_TO = 4 * 1024 * 1024


def server_has_copy(client: DavClient, copy: LocalCopy) -> Resource | None:
    """After a 412: the server's file when it already holds exactly the copy's bytes, else None.

    An upload of this very edit that went through elsewhere (retried from the results
    pane, whose job does not report back here) leaves the copy's ETag behind; its next
    save must not be called a conflict with itself.
    """
    found = client.lookup(copy.remote)
    local = stamp_of(copy.local)
    if (
        found is None
        or found.is_dir
        or local is None
        or found.size != local[0]
        or local[0] > COMPARE_UP_TO
    ):
        return None
    reply = client.request(
        "GET", copy.remote, headers={"Accept-Encoding": "identity"}, limit=COMPARE_UP_TO + 1
    )
    return found if reply.body == copy.local.read_bytes() else None


def after_upload(
    client: DavClient, copies: LocalCopies, copy: LocalCopy, sent: Stamp | None, outcome: Outcome
) -> LocalCopy:
    """Record a successful upload: the new ETag from the PUT's answer, else from a look.

    A look can only see what is there now; it is taken right after the PUT, so it is the
    version just written unless someone wrote in the same instant.
    """
    server = None
    if outcome.etag is None or etags.is_weak(outcome.etag):
        server = client.lookup(outcome.path)
    etag = outcome.etag if server is None else server.etag
    if outcome.path != copy.remote:
        copy = copies.moved(copy, outcome.path)
    return copies.uploaded(copy, sent, server, etag)
