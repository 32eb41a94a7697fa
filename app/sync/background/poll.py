"""Noticing server changes by asking as little as possible.

On a server whose folder ETags change when anything below them changes
(Nextcloud: its ETag propagation, quirks.FOLDER_ETAGS_PROPAGATE), one
PROPFIND Depth 0 of the pair's root per interval says whether anything
changed at all; when it did, the descent
lists only the folders whose ETag changed, down to the deepest ones. Those
folders are the scope of the run (scope.py), with their listings handed
over so that nothing is listed twice. A folder whose ETag is not known yet
(made since the last look) is entered too, once: from then on it is known.

Servers whose folder ETags do not propagate (Apache mod_dav_fs, whose folder
ETag is its mtime: quirks.FOLDER_ETAG_IS_ITS_MTIME; wsgidav and nginx, whose
folders have none: quirks.FOLDERS_WITHOUT_ETAG) are rescanned in full at a
longer interval instead. The known ETags are those of the last run that went well, so a
failed run is looked at again on the next poll.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import partial

from app.dav import DavClient
from app.dav.etags import normal as normal_etag
from app.dav.retry import RetryPolicy
from app.sync.background.scope import Listing, Looked
from app.sync.ignore import IgnoreRules
from app.sync.model import RemoteFile
from app.sync.retrying import Stop, retried
from app.sync.scan import Scan, _members

#: The properties of the Depth 0 look: only the ETag is compared.
ETAG_PROPS = ("{DAV:}getetag", "{DAV:}resourcetype")


def propagates(client: DavClient) -> bool:
    """Whether a folder's ETag on this server changes when anything below it changes."""
    return client.extensions.folder_etags


@dataclass
class FolderETags:
    """The ETag of each server folder of the pair ("" the root) as the last good run saw it."""

    known: dict[str, str | None] = field(default_factory=dict)

    def from_scan(self, root_etag: str | None, scan: Scan[RemoteFile]) -> FolderETags:
        known = {"": root_etag}
        known.update(
            (entry.rel, normal_etag(entry.etag)) for entry in scan.found.values() if entry.is_dir
        )
        return FolderETags(known)

    def updated(self, looked: Looked, root_etag: str | None = None) -> FolderETags:
        """These ETags brought up to date with what a good run examined; root_etag: the root's
        from the poll that started the run (None: the root keeps its known ETag)."""
        known = dict(self.known)
        for rel in looked.examined & looked.etags.keys():
            known[rel] = looked.etags[rel]
        if root_etag is not None:
            known[""] = root_etag
        return FolderETags(known)


def root_etag(client: DavClient, remote_root: str, stop: Stop, retry: RetryPolicy) -> str | None:
    """One PROPFIND Depth 0 of the pair's root (NotFoundError if it is gone)."""
    with stop.watching(client):
        found = retried(lambda: client.stat(remote_root, ETAG_PROPS), stop, retry)
    return normal_etag(found.etag)


@dataclass(frozen=True, slots=True)
class Changes:
    root_etag: str | None
    folders: frozenset[str]  # "" the root, "a/b" a folder: the scope of the run
    listings: dict[str, Listing]


def server_changes(
    client: DavClient,
    remote_root: str,
    etags: FolderETags,
    rules: IgnoreRules,
    stop: Stop,
    retry: RetryPolicy,
) -> Changes:
    """The folders whose ETag changed since the last good run, found from the root down."""
    remote_root = remote_root.rstrip("/") + "/"
    top = root_etag(client, remote_root, stop, retry)
    if top is not None and etags.known.get("") == top:
        return Changes(top, frozenset(), {})
    changed, listings, queue = {""}, {}, [""]
    parsing = threading.Lock()
    while queue:
        folder = queue.pop()
        prefix = folder + "/" if folder else ""
        with stop.watching(client):
            listing = retried(partial(_members, client, remote_root + prefix, parsing), stop, retry)
        listings[folder] = listing
        for name, resource in listing:
            rel = prefix + name
            if not resource.is_dir or rules.ignored(rel, True):
                continue
            etag = normal_etag(resource.etag)
            if etag is None or etag != etags.known.get(rel):
                changed.add(rel)
                queue.append(rel)
    return Changes(top, frozenset(changed), listings)
