"""``remote.php/dav/versions/<user>/``: a file's earlier versions (client_apis/WebDAV/versions).

Sources: the developer manual's "Versions" page and the server's
apps/files_versions/lib/Sabre/ (VersionHome, VersionRoot, VersionCollection,
VersionFile, RestoreFolder, Plugin), read for behaviour:

* every overwrite of a file (a PUT, an assembled chunked upload, a bulk upload, a
  restore) keeps what it replaces as a version, named after that content's
  modification time in seconds (one later when the name is taken), in
  ``files_versions/<fileid>/`` of the user's data folder;
* ``versions/<fileid>/`` lists them (Depth 1), newest first, with getcontentlength,
  getlastmodified (the version's time), getetag, getcontenttype,
  ``nc:version-label`` (empty: no labels are set here) and ``nc:version-author``
  (the user id); an unknown or foreign file id is 404; ``versions/`` itself lists
  nothing;
* ``GET`` of a version downloads it;
* ``MOVE`` of a version to ``restore/target`` (any name) restores it: the current
  content becomes a version, the version's content becomes the file (a new ETag,
  the same file id), and the version leaves the list (RestoreFolder::moveInto ->
  rollback); COPY into restore/ is refused (403), as RestoreFolder only takes moves;
* DELETE of a version deletes it (204).

Not covered: labels (PROPPATCH of nc:version-label), expiry of old versions, the
versions of files shared with the user, version metadata beyond the author.
"""

from __future__ import annotations

import os
import shutil
import stat as stat_module
from collections.abc import Iterator

from tests.servers.nextcloud.dav import DavRequest, Namespace, Node, VirtualCollection
from tests.servers.nextcloud.davxml import (
    DAV,
    NC,
    PropName,
    PropValue,
    conflict,
    forbidden,
    not_found,
)
from tests.servers.nextcloud.files import FileStream, content_type
from tests.servers.nextcloud.http import Response, http_date
from tests.servers.nextcloud.storage import FILES, Storage

VERSIONS = "files_versions"
_ALLPROPS: tuple[PropName, ...] = (
    (DAV, "getlastmodified"),
    (DAV, "getcontentlength"),
    (DAV, "resourcetype"),
    (DAV, "getetag"),
    (DAV, "getcontenttype"),
)


def keep_version(storage: Storage, key: str) -> None:
    """Before key (a user's file) is overwritten: keep its content as a version."""
    target = storage.disk(key)
    try:
        st = target.stat()
    except OSError:
        return
    if not stat_module.S_ISREG(st.st_mode):
        return
    meta = storage.meta(key, st)
    folder = storage.disk(f"{VERSIONS}/{meta.fileid}")
    folder.mkdir(parents=True, exist_ok=True)
    stamp = int(st.st_mtime)
    while (folder / str(stamp)).exists():
        stamp += 1
    shutil.copy2(target, folder / str(stamp))
    os.utime(folder / str(stamp), (stamp, stamp))


class VersionNode(Node):
    allprops = _ALLPROPS

    def __init__(
        self,
        namespace: VersionsNamespace,
        fileid: int,
        name: str,
        st: os.stat_result,
        file_name: str,
    ) -> None:
        self.namespace = namespace
        self.fileid = fileid
        self.name = name
        self.st = st
        self.file_name = file_name
        self.key = f"{VERSIONS}/{fileid}/{name}"
        self.href = namespace.href(f"versions/{fileid}/{name}", False)

    def last_modified(self) -> float:
        return int(self.name)

    def file_etag(self) -> str | None:
        return f'"{self.fileid}-{self.name}"'

    def prop(self, name: PropName) -> PropValue | None:
        values: dict[PropName, PropValue] = {
            (DAV, "resourcetype"): "",
            (DAV, "getlastmodified"): http_date(int(self.name)),
            (DAV, "getcontentlength"): str(self.st.st_size),
            (DAV, "getetag"): self.file_etag() or "",
            (DAV, "getcontenttype"): content_type(self.file_name),
            (NC, "version-label"): "",
            (NC, "version-author"): self.namespace.instance.user_id,
        }
        return values.get(name)

    def live_props(self) -> tuple[PropName, ...]:
        return (*_ALLPROPS, (NC, "version-label"), (NC, "version-author"))


class VersionsNamespace(Namespace):
    @property
    def storage(self) -> Storage:
        return self.instance.storage

    def file_key(self, fileid: int) -> str | None:
        row = self.storage.store.one("SELECT path FROM nodes WHERE fileid = ?", (fileid,))
        key = row["path"] if row is not None else None
        if key is None or not key.startswith(FILES + "/") or self.storage.stat(key) is None:
            return None
        return key

    def versions(self, fileid: int) -> Iterator[VersionNode]:
        key = self.file_key(fileid)
        folder = self.storage.disk(f"{VERSIONS}/{fileid}")
        if key is None or not folder.is_dir():
            return
        for name in sorted((n for n in os.listdir(folder) if n.isdigit()), key=int, reverse=True):
            yield VersionNode(self, fileid, name, (folder / name).stat(), key.rpartition("/")[2])

    def node(self, rel: str) -> Node | None:
        segments = rel.split("/") if rel else []
        if not segments:
            return VirtualCollection(
                self.href("", True),
                [
                    VirtualCollection(self.href("versions", True)),
                    VirtualCollection(self.href("restore", True)),
                ],
            )
        if segments[0] == "restore":
            return VirtualCollection(self.href("restore", True)) if len(segments) == 1 else None
        if segments[0] != "versions":
            return None
        if len(segments) == 1:
            return VirtualCollection(self.href("versions", True))
        if not segments[1].isdigit() or self.file_key(int(segments[1])) is None:
            return None
        fileid = int(segments[1])
        if len(segments) == 2:
            return VirtualCollection(
                self.href(f"versions/{fileid}", True), list(self.versions(fileid))
            )
        if len(segments) == 3:
            return next((v for v in self.versions(fileid) if v.name == segments[2]), None)
        return None

    def handle(self, request: DavRequest) -> Response:
        method = request.http.method
        node = self.node(request.rel)
        if method in ("PUT", "MKCOL"):
            raise forbidden("Permission denied")
        if node is None:
            raise not_found(f"File with name {request.rel.rpartition('/')[2]} could not be located")
        if not isinstance(node, VersionNode):
            raise forbidden("Permission denied")
        if method in ("GET", "HEAD"):
            size = node.st.st_size
            headers = [
                ("Content-Type", content_type(node.file_name)),
                ("Last-Modified", http_date(int(node.name))),
                ("ETag", node.file_etag() or ""),
            ]
            if method == "HEAD":
                return Response(200, [*headers, ("Content-Length", str(size))], b"")
            handle = open(self.storage.disk(node.key), "rb")  # noqa: SIM115 - streamed
            return Response(200, headers, FileStream(handle, 0, size), length=size)
        if method == "DELETE":
            self.storage.disk(node.key).unlink()
            return Response(204, [], b"")
        if method in ("MOVE", "COPY"):
            destination, dest_rel = request.destination()
            dest = dest_rel.split("/")
            if destination is not self or len(dest) != 2 or dest[0] != "restore":
                raise forbidden("Versions can only be moved to restore/<name>")
            if method == "COPY":
                raise forbidden("Permission denied")
            return self.restore(node)
        raise conflict(f"{method} is not possible on a version")

    def restore(self, node: VersionNode) -> Response:
        storage = self.storage
        with storage.lock:
            key = self.file_key(node.fileid)
            if key is None:
                raise not_found("The file of this version is gone")
            keep_version(storage, key)
            temp = storage.temp_path()
            shutil.copy2(storage.disk(node.key), temp)
            os.replace(temp, storage.disk(key))
            storage.disk(node.key).unlink()
            storage.changed(key)
        return Response(201, [], b"")
