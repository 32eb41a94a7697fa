"""``remote.php/dav/trashbin/<user>/``: the trash bin
(developer_manual/client_apis/WebDAV/trashbin.rst).

* ``trash/`` lists the deleted items, named ``<name>.d<deletion time>`` (TrashFile::getName),
  with ``nc:trashbin-filename``, ``nc:trashbin-original-location`` (relative to the
  files root, no leading slash), ``nc:trashbin-deletion-time``, and the usual
  getcontentlength, resourcetype, oc:fileid (the id the file had), oc:size,
  ``oc:permissions`` ``GD``. A deleted folder can be listed further; files in it keep
  their names. Files can be downloaded (GET, with Content-Disposition).
* ``MOVE`` of an item to ``restore/<anything>`` restores it where it was
  (Trashbin::restore): into the files root when that folder is gone or closed for
  creating, and as ``name (restored).ext``, ``name (restored 2).ext``... when the name
  is taken. An item from inside a deleted folder is restored into the files root.
* ``DELETE`` of an item deletes it for good; ``DELETE`` of ``trash/`` empties the bin.

As in TrashbinPlugin, the ETag of an item is its modification time (for an item at
the top, the deletion time), unquoted: it only tells previews apart.
"""

from __future__ import annotations

import os
import stat as stat_module
from collections.abc import Iterator

from tests.servers.nextcloud.dav import (
    COLLECTION,
    DavRequest,
    Namespace,
    Node,
    VirtualCollection,
    not_implemented,
)
from tests.servers.nextcloud.davxml import (
    DAV,
    NC,
    OC,
    PropName,
    PropValue,
    forbidden,
    insufficient_storage,
    not_found,
)
from tests.servers.nextcloud.files import PREVIEW_TYPES, FileStream, content_type
from tests.servers.nextcloud.http import Response, http_date
from tests.servers.nextcloud.storage import FILES, TRASH, Storage, TrashEntry, join

_ALLPROPS: tuple[PropName, ...] = (
    (DAV, "getlastmodified"),
    (DAV, "getcontentlength"),
    (DAV, "resourcetype"),
    (DAV, "getetag"),
    (DAV, "getcontenttype"),
)


def unique_filename(storage: Storage, location: str, filename: str) -> str:
    """Trashbin::getUniqueFilename, with PHP's pathinfo() split at the last dot."""
    folder = join(FILES, location) if location else FILES
    if storage.stat(join(folder, filename)) is None:
        return filename
    name, dot, ext = filename.rpartition(".")
    if not dot:
        name, ext = filename, ""
    ext = f".{ext}" if dot else ""
    candidate = f"{name} (restored){ext}"
    number = 2
    while storage.stat(join(folder, candidate)) is not None:
        candidate = f"{name} (restored {number}){ext}"
        number += 1
    return candidate


class TrashItemNode(Node):
    """An item in the trash bin, at the top (``entry`` itself) or inside a deleted folder."""

    allprops = _ALLPROPS

    def __init__(
        self, namespace: TrashNamespace, entry: TrashEntry, sub: str, st: os.stat_result
    ) -> None:
        self.namespace = namespace
        self.storage: Storage = namespace.instance.storage
        self.entry = entry
        self.sub = sub  # path below the top item ('' for the item itself)
        self.key = join(f"{TRASH}/{entry.name}", sub) if sub else f"{TRASH}/{entry.name}"
        self.st = st
        self.is_collection = stat_module.S_ISDIR(st.st_mode)
        rel = join(f"trash/{entry.name}", sub) if sub else f"trash/{entry.name}"
        self.href = namespace.href(rel, self.is_collection)
        self.meta = self.storage.meta(self.key, st)

    @property
    def filename(self) -> str:
        return self.sub.rpartition("/")[2] if self.sub else self.entry.filename

    @property
    def mtime(self) -> int:
        return self.entry.deleted if not self.sub else int(self.st.st_mtime)

    def last_modified(self) -> float:
        return self.mtime

    def prop(self, name: PropName) -> PropValue | None:
        folder = self.is_collection
        if name == (DAV, "resourcetype"):
            return COLLECTION if folder else ""
        elif name == (DAV, "getlastmodified"):
            return http_date(self.mtime)
        elif name == (DAV, "getetag"):
            return str(self.mtime)
        elif name == (DAV, "getcontentlength"):
            return None if folder else str(self.st.st_size)
        elif name == (DAV, "getcontenttype"):
            return None if folder else content_type(self.filename)
        elif name == (DAV, "displayname") or name == (NC, "trashbin-filename"):
            return self.filename
        elif name == (NC, "trashbin-original-location"):
            return (
                join(self.entry.original_location, self.sub)
                if self.sub
                else self.entry.original_location
            )
        elif name == (NC, "trashbin-deletion-time"):
            return str(self.entry.deleted)
        elif name == (OC, "fileid") or name == (OC, "id"):
            return str(self.meta.fileid)
        elif name == (OC, "size"):
            return str(self.storage.tree_size(self.key))
        elif name == (OC, "permissions"):
            return "GD"
        elif name == (NC, "has-preview"):
            return (
                "true" if not folder and content_type(self.filename) in PREVIEW_TYPES else "false"
            )
        elif name == (NC, "mount-type"):
            return ""
        return None

    def live_props(self) -> tuple[PropName, ...]:
        return (
            *_ALLPROPS,
            (NC, "trashbin-filename"),
            (NC, "trashbin-original-location"),
            (NC, "trashbin-deletion-time"),
            (OC, "fileid"),
            (OC, "id"),
            (OC, "size"),
            (OC, "permissions"),
            (NC, "has-preview"),
            (NC, "mount-type"),
            (DAV, "displayname"),
        )

    def children(self) -> Iterator[TrashItemNode]:
        if not self.is_collection:
            return
        try:
            names = sorted(os.listdir(self.storage.disk(self.key)))
        except OSError:
            return
        for name in names:
            sub = join(self.sub, name) if self.sub else name
            st = self.storage.stat(join(self.key, name))
            if st is not None:
                yield TrashItemNode(self.namespace, self.entry, sub, st)


class TrashRootNode(VirtualCollection):
    def __init__(self, namespace: TrashNamespace) -> None:
        super().__init__(namespace.href("trash", True))
        self.namespace = namespace

    def prop(self, name: PropName) -> PropValue | None:
        if name == (DAV, "getlastmodified"):
            return http_date(0)
        return super().prop(name)

    def children(self) -> Iterator[Node]:
        for entry in self.namespace.storage.trash_entries():
            node = self.namespace.item(entry.name, "")
            if node is not None:
                yield node


class TrashNamespace(Namespace):
    @property
    def storage(self) -> Storage:
        return self.instance.storage

    def item(self, name: str, sub: str) -> TrashItemNode | None:
        entry = self.storage.trash_entry(name)
        if entry is None:
            return None
        key = f"{TRASH}/{name}"
        st = self.storage.stat(join(key, sub) if sub else key)
        if st is None:
            return None
        return TrashItemNode(self, entry, sub, st)

    def node(self, rel: str) -> Node | None:
        segments = rel.split("/") if rel else []
        if not segments:
            return VirtualCollection(
                self.href("", True),
                [TrashRootNode(self), VirtualCollection(self.href("restore", True))],
            )
        if segments[0] == "restore":
            return VirtualCollection(self.href("restore", True)) if len(segments) == 1 else None
        if segments[0] != "trash":
            return None
        if len(segments) == 1:
            return TrashRootNode(self)
        return self.item(segments[1], "/".join(segments[2:]))

    # -- dispatch ---------------------------------------------------------------------------------
    def handle(self, request: DavRequest) -> Response:
        method = request.http.method
        segments = request.rel.split("/") if request.rel else []
        if method in ("GET", "HEAD"):
            return self.download(request)
        if method == "DELETE":
            if segments == ["trash"]:
                return self.empty()
            return self.delete(request, segments)
        if method == "MOVE":
            return self.restore(request, segments)
        if method in ("PUT", "MKCOL", "COPY"):
            raise forbidden("Not allowed to create files or folders in the trashbin")
        raise not_implemented(method)

    def _require_item(self, segments: list[str]) -> TrashItemNode:
        node = self.node("/".join(segments))
        if not isinstance(node, TrashItemNode):
            if node is None:
                raise not_found(
                    f"File with name {segments[-1] if segments else ''} could not be located"
                )
            raise forbidden("Permission denied")
        return node

    def download(self, request: DavRequest) -> Response:
        segments = request.rel.split("/") if request.rel else []
        node = self._require_item(segments)
        if node.is_collection:
            raise not_implemented("GET")
        size = node.st.st_size
        headers = [
            ("Content-Type", content_type(node.filename)),
            ("Content-Disposition", f'attachment; filename="{node.filename}"'),
            ("Last-Modified", http_date(node.mtime)),
            ("ETag", str(node.mtime)),
        ]
        if request.http.method == "HEAD":
            return Response(200, [*headers, ("Content-Length", str(size))], b"")
        handle = open(self.storage.disk(node.key), "rb")  # noqa: SIM115 - streamed
        return Response(200, headers, FileStream(handle, 0, size), length=size)

    def delete(self, request: DavRequest, segments: list[str]) -> Response:
        with self.storage.lock:
            node = self._require_item(segments)
            self.storage.remove(node.key)
            if not node.sub:
                self.storage.forget_trash(node.entry.name)
        return Response(204, [], b"")

    def empty(self) -> Response:
        with self.storage.lock:
            for entry in self.storage.trash_entries():
                self.storage.remove(f"{TRASH}/{entry.name}")
            self.storage.store.execute("DELETE FROM trash")
        return Response(204, [], b"")

    def restore(self, request: DavRequest, segments: list[str]) -> Response:
        destination, dest_rel = request.destination()
        with self.storage.lock:
            node = self._require_item(segments)
            dest_segments = dest_rel.split("/")
            if destination is not self or len(dest_segments) != 2 or dest_segments[0] != "restore":
                raise forbidden("Trash bin items can only be moved to restore/<name>")
            if node.sub:
                location = ""  # Trashbin::restore without a timestamp: the files root
            else:
                location = node.entry.location
                parent = self.tree.files.node(location) if location else None
                if location and (
                    parent is None
                    or not parent.is_collection
                    or not {"C", "K"} & set(parent.permissions())
                ):
                    location = ""
            free = self.storage.free()
            size = self.storage.tree_size(node.key)
            if free is not None and free < size:
                raise insufficient_storage(f"Insufficient space to restore {node.filename}")
            name = unique_filename(self.storage, location, node.filename)
            target = join(FILES, join(location, name) if location else name)
            self.storage.move(node.key, target)
            self.storage.changed(target, keep_checksum=True)
            if not node.sub:
                self.storage.forget_trash(node.entry.name)
        return Response(201, [], b"")
