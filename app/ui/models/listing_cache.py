"""Folder listings: streamed in batches off the GUI thread, and kept per folder.

A revisited folder is shown from the cache only when a Depth 0 PROPFIND says
its ETag is still the one the listing was taken with; a server that gives no
folder ETag (wsgidav) gets a fresh listing every time, because nothing else
proves the cached one is current. The same Depth 0 request asks for the
quota, so the status bar costs no extra round trip, and (on Nextcloud) for
the folder's own permissions, which say whether files and folders may be
added to it.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

from app.dav import DavClient, Resource, errors
from app.dav.lookups import stat_many
from app.dav.multistatus import Response
from app.dav.paths import basename, same_resource
from app.dav.resource import int_or_none, parse_http_date
from app.dav.responses import PropReader
from app.dav.xmlbodies import BASIC_PROPS, LOCKDISCOVERY, MTIME_PROP, OC

_D = "{DAV:}"
QUOTA_AVAILABLE = f"{_D}quota-available-bytes"
QUOTA_USED = f"{_D}quota-used-bytes"
FOLDER_PROPS = (f"{_D}resourcetype", f"{_D}getetag", QUOTA_AVAILABLE, QUOTA_USED)
PERMISSIONS_PROP = f"{OC}permissions"
TREE_SIZE_PROP = f"{OC}size"

#: What the window's listings ask for: what the table shows and its lock icon. Not the mtime
#: Davdesk keeps as a dead property (MTIME_PROP): servers look it up file by file (Apache
#: mod_dav answered a 10,000-entry folder in twice the time with it) and answer a second
#: propstat, a 404, for every entry without it, which took a quarter of the window's parse.
#: A download looks it up for the files it is given (with_kept_mtimes).
LISTED_PROPS = (*BASIC_PROPS, LOCKDISCOVERY)

#: A batch goes to the GUI after this many entries or this many seconds, whichever comes first:
#: large enough that a 100,000-entry listing is a few hundred model insertions, small enough
#: that the first rows show at once and no single insertion stalls the event loop.
BATCH_ENTRIES = 500
BATCH_SECONDS = 0.05


#: A listing entry as the models and the cache keep it: a Resource's fields in a plain tuple of
#: strings, numbers and dates. CPython's collector stops tracking such tuples, while a Resource
#: (a slotted dataclass, holding a dict) stays tracked for life: with 100,000 of them every full
#: collection walked them all, holding the GIL for 60 ms and more, which froze the window.
#: Besides the basic properties a row keeps the kept mtime where it came with the entry (a
#: search's results; listings leave it out, see LISTED_PROPS) and Nextcloud's oc:permissions
#: letters (what the user may do with the entry; None where the server has no such rules),
#: interned so that 100,000 rows share the few distinct strings. The size is a file's size,
#: or a folder's total (oc:size) where the server gives one. Resources are made again for the
#: few rows acted on.
Row = tuple[
    str,
    bool,
    int | None,
    datetime | None,
    str | None,
    str | None,
    float | None,
    str | None,
    str | None,
]
# Final literals, so a type checker knows which field each index reads.
ROW_PATH: Final = 0
ROW_IS_DIR: Final = 1
ROW_SIZE: Final = 2
ROW_MODIFIED: Final = 3
ROW_ETAG: Final = 4
ROW_TYPE: Final = 5
ROW_KEPT_MTIME: Final = 6
ROW_PERMISSIONS: Final = 7
#: Who holds a lock on the entry ("" when the server does not say), None: unlocked.
ROW_LOCK: Final = 8


def as_row(resource: Resource) -> Row:
    kept = resource.props.get(MTIME_PROP)
    permissions = resource.permissions
    locks = resource.locks
    return (
        resource.path,
        resource.is_dir,
        resource.tree_size,
        resource.modified,
        resource.etag,
        resource.content_type,
        resource.kept_mtime if kept else None,
        sys.intern(permissions) if permissions is not None else None,
        (locks[0].owner or "") if locks else None,
    )


#: What a row reads of an entry's properties, found by index in its record (see row_of).
_ROW_TEXTS = PropReader(
    (
        f"{_D}getcontentlength",
        f"{_D}getlastmodified",
        f"{_D}getetag",
        f"{_D}getcontenttype",
        MTIME_PROP,
        PERMISSIONS_PROP,
        TREE_SIZE_PROP,
        LOCKDISCOVERY,
    )
)


def row_of(response: Response, permissions_asked: bool = False) -> Row:
    """as_row(Resource.from_response(response)), read straight from the response's record:
    no Resource and no property dict for each of a listing's 100,000 entries, which cost more
    than parsing them. What the quick reading cannot tell goes the long way: an entry with
    several 2xx propstats, one a lock is named on, and (permissions_asked: the server's
    listings carry oc:permissions) one without permissions letters, which may be an empty
    list (nothing allowed) where the quick reading sees none (no rules)."""
    texts = _ROW_TEXTS(response)
    if texts is None:
        return as_row(Resource.from_response(response))
    length, modified_text, etag, content_type, kept, permissions, tree_size, locks = texts
    if (locks is not None and "activelock" in locks) or (permissions is None and permissions_asked):
        return as_row(Resource.from_response(response))
    is_dir = response.is_collection
    modified = parse_http_date(modified_text)
    return (
        response.href,
        is_dir,
        int_or_none(tree_size if is_dir else length),
        modified,
        etag,
        content_type,
        _kept_mtime(kept, modified) if kept else None,
        sys.intern(permissions) if permissions is not None else None,
        None,
    )


def _kept_mtime(kept: str, modified: datetime | None) -> float | None:
    """Resource.kept_mtime: the kept seconds, or the server's time where they are garbled."""
    seconds = int_or_none(kept)
    if seconds is not None:
        return float(seconds)
    return modified.timestamp() if modified else None


def as_resource(row: Row) -> Resource:
    path, is_dir, size, modified, etag, content_type, kept, permissions, _ = row
    props = {MTIME_PROP: str(int(kept))} if kept is not None else {}
    if permissions is not None:
        props[PERMISSIONS_PROP] = permissions
    if is_dir and size is not None:
        props[TREE_SIZE_PROP] = str(size)
    return Resource(path, is_dir, None if is_dir else size, modified, etag, content_type, props)


def folder_path(path: str) -> str:
    """The one spelling of a folder path used as a key everywhere: with its trailing slash."""
    return path.rstrip("/") + "/"


@dataclass(frozen=True, slots=True)
class FolderInfo:
    """What a Depth 0 PROPFIND of a folder said: its ETag, quota and oc:permissions letters
    (None where not given)."""

    etag: str | None
    quota_available: int | None
    quota_used: int | None
    permissions: str | None = None


@dataclass(frozen=True, slots=True)
class Listing:
    etag: str | None
    rows: tuple[Row, ...]
    folders: tuple[str, ...]  # the names of the subfolders, for the folder tree
    permissions: str | None = None  # the folder's own, from its response in the listing
    #: The (column, descending) the rows are sorted in (row_order.py); None: as listed.
    order: tuple[int, bool] | None = None


class NotAFolderError(errors.DavError):
    """The path names a file, which has no listing to show."""


def folder_info(client: DavClient, path: str) -> FolderInfo:
    """Runs on a worker thread."""
    resource = client.stat(path, FOLDER_PROPS)
    if not resource.is_dir:
        raise NotAFolderError(f"{path} is a file, not a folder")
    available = _int(resource.props.get(QUOTA_AVAILABLE))
    # Nextcloud says -1 (not computed yet), -2 (unknown) or -3 (unlimited): no number to show.
    return FolderInfo(
        resource.etag,
        available if available is None or available >= 0 else None,
        _int(resource.props.get(QUOTA_USED)),
        resource.permissions,
    )


class LoadTicket:
    """One listing in flight, handed over one batch at a time.

    The worker and the GUI thread take turns: the worker waits until a batch
    is on screen before it parses the next (or, after the last, sorts). A
    worker busy in Python makes the GUI thread wait for the GIL on every call
    into Python, each data() of a repaint, and a repaint of a few hundred such
    calls then froze the window for a tenth of a second. Showing a batch is
    quick, so taking turns costs little time. Cancelled when the user has
    gone elsewhere, so the worker stops.
    """

    #: Seconds the worker waits for a batch to be shown before going on anyway (a window
    #: closed without cancelling must not leave a worker thread waiting for ever).
    PATIENCE = 2.0

    def __init__(self, path: str) -> None:
        self.path = path
        self._cancelled = threading.Event()
        self._shown = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()
        self._shown.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def shown(self) -> None:
        """Called by the GUI once a batch is on screen."""
        self._shown.set()

    def hand_over(self, emit: Callable[[tuple[Row, ...]], None], batch: tuple[Row, ...]) -> None:
        """Called by the worker: send a batch and wait until the GUI has shown it."""
        if self.cancelled:
            return
        self._shown.clear()
        emit(batch)
        self._shown.wait(self.PATIENCE)


def stream_listing(
    client: DavClient,
    ticket: LoadTicket,
    emit: Callable[[tuple[Row, ...]], None],
    turn: AbstractContextManager[object] | None = None,
) -> Listing | None:
    """Runs on a worker thread: the members of a folder, emitted in batches as the body streams.

    Returns the whole listing with the folder's own ETag and permissions (from
    its response in the same body), or None when cancelled. turn: held while
    the body is parsed (DavClient.iter_propfind's).
    """
    rows: list[Row] = []
    batch: list[Row] = []
    etag = permissions = None
    flushed = time.monotonic()
    prefix = folder_path(ticket.path)
    permissions_asked = PERMISSIONS_PROP in client.extensions.extra_props
    for response in client.iter_propfind(ticket.path, 1, LISTED_PROPS, turn=turn):
        status = response.status
        if status is not None and not 200 <= status < 300:
            continue
        path = response.href
        # A name after the folder's own path, spelled as asked: a member, told without the
        # Unicode normalisation same_resource does (twice per call, 100,000 entries).
        member = path.startswith(prefix) and path[len(prefix) :].strip("/")
        if not member and same_resource(path, ticket.path):
            folder = Resource.from_response(response)
            if not folder.is_dir:
                raise NotAFolderError(f"{ticket.path} is a file, not a folder")
            etag, permissions = folder.etag, folder.permissions
            continue
        batch.append(row_of(response, permissions_asked))
        now = time.monotonic()
        if len(batch) >= BATCH_ENTRIES or now - flushed >= BATCH_SECONDS:
            if ticket.cancelled:  # asked once a batch: a batch is parsed in milliseconds
                return None
            ticket.hand_over(emit, tuple(batch))
            rows.extend(batch)
            batch = []
            flushed = time.monotonic()
    if batch:
        ticket.hand_over(emit, tuple(batch))
        rows.extend(batch)
    if ticket.cancelled:
        return None
    folders = tuple(basename(row[ROW_PATH]) for row in rows if row[ROW_IS_DIR])
    return Listing(etag, tuple(rows), folders, permissions)


def with_kept_mtimes(client: DavClient, resources: Sequence[Resource]) -> list[Resource]:
    """The resources, each file with the mtime Davdesk kept for it on the server where it kept
    one (the dead property listings leave out: LISTED_PROPS), for a download to give the
    local copy. Runs on a worker thread: one Depth 0 PROPFIND per file, or one listing of a
    folder two or more of them share (lookups.stat_many). A file that cannot be described
    stays as it was: its download says what is wrong. Folders are listed with it when the
    download is planned."""
    files = [r for r in resources if not r.is_dir and MTIME_PROP not in r.props]
    if not files:
        return list(resources)
    described = stat_many(client, [r.path for r in files], (MTIME_PROP,))
    kept = {
        file.path: mtime
        for file, found in zip(files, described, strict=True)
        if isinstance(found, Resource) and (mtime := found.props.get(MTIME_PROP))
    }
    return [
        replace(r, props={**r.props, MTIME_PROP: kept[r.path]}) if r.path in kept else r
        for r in resources
    ]


class ListingCache:
    """The last listings seen, newest last; bounded by entries so big folders push out old ones."""

    def __init__(self, max_entries: int = 300_000) -> None:
        self._max_entries = max_entries
        self._listings: OrderedDict[str, Listing] = OrderedDict()

    def get(self, path: str) -> Listing | None:
        listing = self._listings.get(folder_path(path))
        if listing is not None:
            self._listings.move_to_end(folder_path(path))
        return listing

    def put(self, path: str, listing: Listing) -> None:
        self._listings[folder_path(path)] = listing
        self._listings.move_to_end(folder_path(path))
        total = sum(len(kept.rows) for kept in self._listings.values())
        while total > self._max_entries and len(self._listings) > 1:
            _, dropped = self._listings.popitem(last=False)
            total -= len(dropped.rows)

    def invalidate(self, path: str) -> None:
        self._listings.pop(folder_path(path), None)

    @staticmethod
    def is_current(listing: Listing, info: FolderInfo) -> bool:
        """Only an ETag proves a listing current; without one the folder is listed again."""
        return listing.etag is not None and listing.etag == info.etag


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
