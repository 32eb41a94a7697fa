"""Reading both sides of a pair: the local folder with os.scandir, the server with Depth 1 walks.

Both scans key every entry by the NFC form of its relative path and keep
apart what the ignore rules name (nothing below an ignored folder is looked
at): ignored entries are never synced, but a folder deleted on the other
side may only go if what it holds may go with it. The remote walk lists
folders in parallel, one PROPFIND Depth 1 each, on as many threads as the
client has connections: servers refuse Depth infinity, and one listing per
folder over several connections is what makes a tree of thousands of
folders quick. Each listing asks only for what a sync compares.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from queue import SimpleQueue
from typing import Generic, TypeVar

from app.dav import DavClient, Resource, errors
from app.dav.paths import basename, parent, same_resource
from app.dav.retry import RetryPolicy
from app.dav.xmlbodies import MTIME_PROP
from app.jobs.naming import name_key
from app.sync.ignore import Ignored, IgnoreRules
from app.sync.model import LocalFile, RemoteFile
from app.sync.retrying import PlanningCancelled, Stop, retried

#: What a sync compares: kind, size, the ETag, and both times (the server's, and the file's
#: own where Davdesk kept it as a dead property). Not the content type.
SCAN_PROPS = (
    "{DAV:}resourcetype",
    "{DAV:}getcontentlength",
    "{DAV:}getlastmodified",
    "{DAV:}getetag",
    MTIME_PROP,
)

E = TypeVar("E", LocalFile, RemoteFile)


class NotAFolderError(errors.DavError):
    """The server folder a scan was given is a file (its own listing says so)."""


@dataclass(frozen=True, slots=True)
class Scan(Generic[E]):
    """One side of a pair. found: what is synced; junk and ignored: what the rules leave alone
    (Ignored.JUNK and Ignored.KEPT), all by key. listed (the server's side): each folder
    listed, by its path, with the time.monotonic() at which its listing was asked for (what
    it lacked was absent then: Job.listed)."""

    found: dict[str, E] = field(default_factory=dict)
    junk: dict[str, E] = field(default_factory=dict)
    ignored: dict[str, E] = field(default_factory=dict)
    listed: dict[str, float] = field(default_factory=dict)

    def add(self, key: str, entry: E, verdict: Ignored | None) -> None:
        if verdict is None:
            self.found[key] = entry
        elif verdict is Ignored.JUNK:
            self.junk[key] = entry
        else:
            self.ignored[key] = entry


def scan_pair(
    client: DavClient,
    local_root: Path,
    remote_root: str,
    rules: IgnoreRules,
    *,
    workers: int = 4,
    stop: Stop | None = None,
    retry: RetryPolicy | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> tuple[Scan[LocalFile], Scan[RemoteFile]]:
    """Both sides at the same time: the server's on a thread, the disk on this one.

    The server's listing of remote_root is its only check: NotFoundError where it is
    missing, NotAFolderError where it is a file. meanwhile: called on this thread once the
    server's scan has started, before the disk's (a front end loads what planning needs
    while the server answers).
    """
    stop = stop or Stop()
    retry = retry or client.retry
    remote_root = remote_root.rstrip("/") + "/"
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-remote") as one:
        remote_scan = one.submit(scan_remote, client, remote_root, rules, workers, stop, retry)
        with stop.on_failure():
            try:
                if meanwhile is not None:
                    meanwhile()
                local = scan_local(local_root, rules, stop)
            except PlanningCancelled:
                remote_scan.result()  # the listing's own failure, if that is what stopped it
                raise
            return local, remote_scan.result()


def scan_local(
    root: Path, rules: IgnoreRules, stop: Stop | None = None, prefix: str = ""
) -> Scan[LocalFile]:
    """Folders and regular files below root; links are not followed (a link could leave the pair).

    prefix: root's own path inside the pair ("a/b/"), when root is one of its folders.
    """
    scan: Scan[LocalFile] = Scan()
    check = rules.check
    pending = [(root, prefix)]
    while pending:
        if stop is not None:
            stop.check()
        folder, prefix = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = prefix + entry.name
                info = entry.stat(follow_symlinks=False)
                is_dir = stat.S_ISDIR(info.st_mode)
                if not (is_dir or stat.S_ISREG(info.st_mode)):
                    continue
                verdict = check(rel, is_dir)
                path = folder / entry.name  # cheaper than Path(entry.path), same path
                scan.add(
                    name_key(rel),
                    LocalFile(
                        rel,
                        path,
                        is_dir,
                        0 if is_dir else info.st_size,
                        info.st_mtime_ns,
                        info.st_mtime,
                    ),
                    verdict,
                )
                if is_dir and verdict is None:
                    pending.append((path, rel + "/"))
    return scan


def scan_remote(
    client: DavClient,
    root: str,
    rules: IgnoreRules,
    workers: int = 4,
    stop: Stop | None = None,
    retry: RetryPolicy | None = None,
    prefix: str = "",
) -> Scan[RemoteFile]:
    """Every folder and file below the server folder root (a decoded path ending in "/").

    prefix: root's own path inside the pair ("a/b/"), when root is one of its folders.

    Each worker lists one folder and turns its members into entries; this
    thread only merges them and hands out the subfolders, woken once per
    listing through a queue. The listing of root tells whether it is there
    (NotFoundError) and a folder (NotAFolderError), so no request asks first.
    """
    stop = stop or Stop()
    policy = retry or client.retry
    scan: Scan[RemoteFile] = Scan()
    listed: SimpleQueue[tuple[str, float, list[_Entry]] | BaseException] = SimpleQueue()
    parsing = threading.Lock()  # one listing parsed at a time: see DavClient.iter_propfind

    def listing(folder: str, prefix: str) -> None:
        top = folder == root
        try:
            with stop.watching(client):
                # The clock is read before the request goes: the server's answer is no older.
                asked, members = retried(
                    lambda: (time.monotonic(), _members(client, folder, parsing, top=top)),
                    stop,
                    policy,
                )
            entries = [_entry(prefix + name, resource, rules) for name, resource in members]
            listed.put((folder, asked, entries))
        except BaseException as exc:  # handed to the merging thread, never lost on a worker
            listed.put(exc)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sync-scan") as pool:
        pool.submit(listing, root, prefix)
        outstanding = 1
        with stop.on_failure():  # a failed listing: the others are cut off, not waited for
            while outstanding:
                answer = listed.get()
                outstanding -= 1
                if isinstance(answer, BaseException):
                    raise answer
                folder, asked, entries = answer
                scan.listed[folder] = asked
                for key, entry, verdict in entries:
                    scan.add(key, entry, verdict)
                    if entry.is_dir and verdict is None:
                        pool.submit(listing, entry.path + "/", entry.rel + "/")
                        outstanding += 1
    return scan


_Entry = tuple[str, RemoteFile, Ignored | None]


def _entry(rel: str, resource: Resource, rules: IgnoreRules) -> _Entry:
    return name_key(rel), _remote_file(rel, resource), rules.check(rel, resource.is_dir)


def _members(
    client: DavClient, folder: str, turn: threading.Lock | None = None, *, top: bool = False
) -> list[tuple[str, Resource]]:
    """The folder's members (not itself) with their names; folder ends in "/".

    A member listed outside its folder is not trusted, nor is a nameless one.
    Servers answer in the spelling they were asked in, which is checked
    first; anything else is compared the slow way (NFC, trailing slashes).
    top: the folder is the scan's root, and NotAFolderError if it is listed as a file.
    """
    members = []
    for response in client.iter_propfind(folder, 1, SCAN_PROPS, turn=turn):
        if response.status is not None and not 200 <= response.status < 300:
            continue
        path = response.href
        if path.startswith(folder) and "/" not in path[len(folder) :].rstrip("/"):
            name = path[len(folder) :].rstrip("/")
        elif same_resource(parent(path), folder) and not same_resource(path, folder):
            name = basename(path)
        else:
            name = ""
            if not (top and same_resource(path, folder)):
                continue
        if name:
            members.append((name, Resource.from_response(response)))
        elif top and not response.is_collection:  # "": the folder itself
            raise NotAFolderError(f"{client.url(folder.rstrip('/'))}: a file, not a folder")
    return members


def _remote_file(rel: str, resource: Resource) -> RemoteFile:
    return RemoteFile(
        rel,
        resource.path.rstrip("/") if resource.is_dir else resource.path,
        resource.is_dir,
        resource.size or 0,
        resource.etag,
        resource.kept_mtime,
        resource.modified.timestamp() if resource.modified else None,
    )
