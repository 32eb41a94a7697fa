"""``remote.php/dav/files/<user>/``: a WebDAV server over the user's folder, with Nextcloud's
properties, headers and rules (developer_manual/client_apis/WebDAV/basic.rst).

* Properties: the DAV ones, ``d:quota-used-bytes``/``d:quota-available-bytes`` on
  folders (-3: unlimited), and in the oc/nc namespaces ``oc:fileid``, ``oc:id``
  (``<8-digit id><instance id>``), ``oc:permissions``, ``oc:size`` (a folder's is
  everything inside it), ``nc:has-preview`` (images), ``oc:checksums``; plus dead
  properties set by PROPPATCH. allprop gives Sabre's default set only.
* PUT: ``X-OC-Mtime`` sets the mtime (answered with ``X-OC-MTime: accepted``),
  ``OC-Checksum`` is stored as sent (and dropped by a PUT without one), the body must
  be as long as Content-Length says (400 otherwise), ``OC-Total-Length`` /
  Content-Length over the quota is 507; the answer carries ETag, OC-ETag, OC-FileId,
  and on creation X-NC-OwnerId and X-NC-Permissions.
* Names the server's FilenameValidator refuses are 400 (Sabre body with
  ``OCA\\DAV\\Connector\\Sabre\\Exception\\InvalidPath``) for PUT, MKCOL and the
  destination of MOVE and COPY.
* Permissions (``oc:permissions``, overridable per node): no D, no DELETE; no W, no
  PUT over the file; no C (files) / K (folders) in a folder, nothing created in it;
  no N, no rename in place; no V, no move to another folder.
* DELETE moves the node to the trash bin; MOVE/COPY onto an existing node move that
  node to the trash bin first (Sabre deletes the destination), 204 then, else 201.
  A file keeps its id when moved or overwritten by PUT; a copy gets new ids.
"""

from __future__ import annotations

import mimetypes
import os
import re
import stat as stat_module
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from tests.servers.nextcloud.dav import (
    COLLECTION,
    DavRequest,
    Namespace,
    Node,
    not_implemented,
    proppatch_result,
)
from tests.servers.nextcloud.davxml import (
    DAV,
    NC,
    OC,
    PropName,
    PropValue,
    Raw,
    bad_request,
    conflict,
    esc,
    forbidden,
    insufficient_storage,
    invalid_path,
    method_not_allowed,
    mkcol_body_refused,
    not_found,
    parse_proppatch,
    precondition_failed,
)
from tests.servers.nextcloud.http import Response, http_date
from tests.servers.nextcloud.storage import FILES, Meta, Storage, join, parent_key

if TYPE_CHECKING:
    pass

_MIME = mimetypes.MimeTypes(filenames=())
#: The image types Nextcloud's default preview providers handle.
PREVIEW_TYPES = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/bmp",
    "image/webp",
    "image/x-xbitmap",
}
UNLIMITED = -3  # FileInfo::SPACE_UNLIMITED

FILE_ALLPROPS: tuple[PropName, ...] = (
    (DAV, "getlastmodified"),
    (DAV, "getcontentlength"),
    (DAV, "resourcetype"),
    (DAV, "getetag"),
    (DAV, "getcontenttype"),
)
FOLDER_ALLPROPS: tuple[PropName, ...] = (
    (DAV, "getlastmodified"),
    (DAV, "resourcetype"),
    (DAV, "quota-used-bytes"),
    (DAV, "quota-available-bytes"),
    (DAV, "getetag"),
)
EXTRA_PROPS: tuple[PropName, ...] = (
    (DAV, "displayname"),
    (OC, "id"),
    (OC, "fileid"),
    (OC, "permissions"),
    (OC, "size"),
    (NC, "has-preview"),
    (OC, "checksums"),
)
#: What PROPPATCH may not change: every live property, and Sabre's protected list.
PROTECTED: set[PropName] = {
    *FILE_ALLPROPS,
    *FOLDER_ALLPROPS,
    *EXTRA_PROPS,
    (DAV, "lockdiscovery"),
    (DAV, "supportedlock"),
    (DAV, "supported-report-set"),
    (DAV, "current-user-privilege-set"),
    (OC, "downloadURL"),
    (OC, "owner-id"),
    (OC, "owner-display-name"),
}

_NUMERIC = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")


def content_type(name: str) -> str:
    return _MIME.guess_type(name, strict=False)[0] or "application/octet-stream"


def parse_mtime(value: str) -> int:
    """sanitizeMtime: PHP's is_numeric (no hex), cast to int."""
    if not _NUMERIC.match(value):
        raise bad_request("X-OC-MTime header must be an integer (unix timestamp).")
    return int(float(value))


class FileNode(Node):
    def __init__(self, namespace: FilesNamespace, rel: str, st: os.stat_result) -> None:
        self.namespace = namespace
        self.storage: Storage = namespace.instance.storage
        self.rel = rel
        self.key = join(FILES, rel)
        self.st = st
        self.is_collection = stat_module.S_ISDIR(st.st_mode)
        self.href = namespace.href(rel, self.is_collection)
        self.meta: Meta = self.storage.meta(self.key, st)
        self.allprops = FOLDER_ALLPROPS if self.is_collection else FILE_ALLPROPS

    @property
    def name(self) -> str:
        return self.rel.rpartition("/")[2]

    def etag(self) -> str:
        return f'"{self.meta.etag}"'

    def file_etag(self) -> str | None:
        return None if self.is_collection else self.etag()

    def last_modified(self) -> float:
        return self.st.st_mtime

    def permissions(self) -> str:
        return self.storage.permissions(self.key, self.is_collection, self.meta)

    def prop(self, name: PropName) -> PropValue | None:
        instance = self.namespace.instance
        folder = self.is_collection
        if name == (DAV, "getlastmodified"):
            return http_date(self.st.st_mtime)
        elif name == (DAV, "getetag"):
            return self.etag()
        elif name == (DAV, "resourcetype"):
            return COLLECTION if folder else ""
        elif name == (DAV, "getcontentlength"):
            return None if folder else str(self.st.st_size)
        elif name == (DAV, "getcontenttype"):
            return None if folder else content_type(self.name)
        elif name == (DAV, "displayname"):
            return self.name or instance.user_id
        elif name == (DAV, "quota-used-bytes"):
            return str(self.storage.tree_size(self.key)) if folder else None
        elif name == (DAV, "quota-available-bytes"):
            if not folder:
                return None
            free = self.storage.free()
            return str(UNLIMITED if free is None else free)
        elif name == (OC, "fileid"):
            return str(self.meta.fileid)
        elif name == (OC, "id"):
            return instance.dav_file_id(self.meta.fileid)
        elif name == (OC, "permissions"):
            return self.permissions()
        elif name == (OC, "size"):
            return str(self.storage.tree_size(self.key) if folder else self.st.st_size)
        elif name == (NC, "has-preview"):
            return "true" if not folder and content_type(self.name) in PREVIEW_TYPES else "false"
        elif name == (OC, "checksums"):
            if folder or not self.meta.checksum:
                return None
            return Raw(
                "".join(
                    f"<oc:checksum>{esc(c)}</oc:checksum>"
                    for c in self.meta.checksum.split(" ")
                    if c
                )
            )
        return None

    def live_props(self) -> Iterable[PropName]:
        return (*self.allprops, *EXTRA_PROPS)

    def dead_props(self) -> dict[PropName, str]:
        rows = self.storage.store.all("SELECT * FROM props WHERE fileid = ?", (self.meta.fileid,))
        return {(r["namespace"], r["name"]): r["xml"] for r in rows}

    def children(self) -> Iterator[FileNode]:
        for rel, st in self.storage.members(FILES, self.rel):
            yield FileNode(self.namespace, rel, st)


class FilesNamespace(Namespace):
    """The user's files. Also what remote.php/webdav/ serves."""

    @property
    def storage(self) -> Storage:
        return self.instance.storage

    def node(self, rel: str) -> FileNode | None:
        st = self.storage.stat(join(FILES, rel))
        if st is None:
            return None
        return FileNode(self, rel, st)

    def require(self, rel: str) -> FileNode:
        node = self.node(rel)
        if node is None:
            raise not_found(f"File with name {rel.rpartition('/')[2] or rel} could not be located")
        return node

    # -- dispatch ---------------------------------------------------------------------------------
    def handle(self, request: DavRequest) -> Response:
        method = request.http.method
        if method in ("GET", "HEAD"):
            return self.get(request)
        if method == "PUT":
            return self.put(request)
        if method == "DELETE":
            return self.delete(request)
        if method == "MKCOL":
            return self.mkcol(request)
        if method in ("MOVE", "COPY"):
            return self.move_or_copy(request, method == "MOVE")
        raise not_implemented(method)

    # -- GET ---------------------------------------------------------------------------------------
    def get(self, request: DavRequest) -> Response:
        with self.storage.lock:
            node = self.require(request.rel)
            if node.is_collection:
                raise not_implemented("GET")
            try:
                handle = open(self.storage.disk(node.key), "rb")  # noqa: SIM115 - streamed
            except OSError as error:
                raise not_found(str(error)) from None
            size = os.fstat(handle.fileno()).st_size
            headers = [
                ("Content-Type", content_type(node.name)),
                ("ETag", node.etag()),
                ("Last-Modified", http_date(node.st.st_mtime)),
                ("Accept-Ranges", "bytes"),
            ]
            if node.meta.checksum:
                headers.append(("OC-Checksum", node.meta.checksum))
        start, end = 0, size - 1
        status = 200
        wanted = _single_range(request.http.header("range"), size)
        if_range = request.http.header("if-range")
        if wanted is not None and (if_range is None or if_range == node.etag()):
            if wanted == "unsatisfiable":
                handle.close()
                return Response(416, [("Content-Range", f"bytes */{size}")], b"")
            start, end = wanted
            status = 206
            headers.append(("Content-Range", f"bytes {start}-{end}/{size}"))
        length = max(0, end - start + 1)
        if request.http.method == "HEAD":
            handle.close()
            return Response(status, [*headers, ("Content-Length", str(length))], b"")
        return Response(status, headers, FileStream(handle, start, length), length=length)

    # -- PUT ---------------------------------------------------------------------------------------
    def put(self, request: DavRequest) -> Response:
        http = request.http
        rel = request.rel
        if not rel:
            raise conflict("PUT is not allowed on non-files.")
        self.check_put_target(rel, request)
        key = join(FILES, rel)
        length = max(
            [
                int(v)
                for v in (
                    http.header("content-length"),
                    http.header("oc-total-length"),
                    http.header("x-expected-entity-length"),
                )
                if v is not None and v.strip().isdigit()
            ]
            or [0]
        )
        self.check_quota("/" + rel, length)
        mtime = (
            parse_mtime(http.header("x-oc-mtime"))
            if http.header("x-oc-mtime") is not None
            else None
        )
        temp = receive_body(request, self.storage)
        try:
            with self.storage.lock:
                # Check again now the body is here: the guard must hold at the moment of writing.
                existing = self.node(rel)
                request.tree.check_preconditions(http, existing)
                self.check_put_target(rel, request)
                created = existing is None
                checksum = (http.header("oc-checksum") or "").strip() or None
                meta = self.commit_file(key, temp, mtime=mtime, checksum=checksum)
        finally:
            temp.unlink(missing_ok=True)
        response = Response(201 if created else 204, [], b"")
        etag = f'"{meta.etag}"'
        response.header("ETag", etag).header("OC-ETag", etag)
        response.header("OC-FileId", self.instance.dav_file_id(meta.fileid))
        if mtime is not None:
            response.header("X-OC-MTime", "accepted")
        if created:
            response.header("X-NC-OwnerId", self.instance.user_id)
            response.header("X-NC-Permissions", self.storage.permissions(key, False, meta))
        return response

    def check_put_target(self, rel: str, request: DavRequest) -> None:
        """Where a PUT (or an assembled upload) may write: parent, name, permissions."""
        parent = self.node(parent_key(rel))
        if parent is None:
            raise conflict("Files cannot be created in non-existent collections")
        if not parent.is_collection:
            raise conflict("Files can only be created as children of collections")
        existing = self.node(rel)
        if existing is not None and existing.is_collection:
            raise conflict("PUT is not allowed on non-files.")
        self.check_name(rel)
        if existing is None:
            if "C" not in parent.permissions():
                raise forbidden("Permission denied to create file")
        elif "W" not in existing.permissions():
            raise forbidden("Permission denied to write to this file")

    def check_name(self, rel: str) -> None:
        problem = self.instance.validator.problem(rel.rpartition("/")[2])
        if problem:
            raise invalid_path(problem)

    def check_quota(self, path: str, length: int) -> None:
        free = self.storage.free()
        if free is not None and length > free:
            raise insufficient_storage(
                f"Insufficient space in {path}, {length} required, {free} available"
            )

    def commit_file(self, key: str, temp: Path, *, mtime: int | None, checksum: str | None) -> Meta:
        """Put a received file in place (keeping the id of the file it replaces)."""
        from tests.servers.nextcloud.versions import keep_version

        with self.storage.lock:
            target = self.storage.disk(key)
            keep_version(self.storage, key)
            try:
                os.replace(temp, target)
            except (FileNotFoundError, NotADirectoryError):
                raise conflict("Files cannot be created in non-existent collections") from None
            if mtime is not None:
                os.utime(target, (time.time(), mtime))
            return self.storage.changed(key, checksum=checksum)

    # -- DELETE ------------------------------------------------------------------------------------
    def delete(self, request: DavRequest) -> Response:
        with self.storage.lock:
            node = self.require(request.rel)
            if not request.rel:
                raise forbidden("Permission denied to delete the home folder")
            if "D" not in node.permissions():
                raise forbidden(f"Permission denied to delete {node.name}")
            self.storage.trash(node.key)
        return Response(204, [], b"")

    # -- MKCOL -------------------------------------------------------------------------------------
    def mkcol(self, request: DavRequest) -> Response:
        rel = request.rel
        if request.http.small_body():
            raise mkcol_body_refused()
        with self.storage.lock:
            if self.node(rel) is not None:
                raise method_not_allowed("The resource you tried to create already exists")
            parent = self.node(parent_key(rel))
            if parent is None or not parent.is_collection:
                raise conflict("Parent node does not exist")
            self.check_name(rel)
            if "K" not in parent.permissions():
                raise forbidden("Permission denied to create folder")
            free = self.storage.free()
            if free is not None and free < 4096:
                raise insufficient_storage(
                    f"Insufficient space in /{rel}. {free} available. Cannot create directory"
                )
            key = join(FILES, rel)
            self.storage.disk(key).mkdir()
            meta = self.storage.changed(key)
        etag = f'"{meta.etag}"'
        return Response(
            201, [("OC-ETag", etag), ("OC-FileId", self.instance.dav_file_id(meta.fileid))], b""
        )

    # -- MOVE and COPY -----------------------------------------------------------------------------
    def move_or_copy(self, request: DavRequest, move: bool) -> Response:
        rel = request.rel
        destination, dest_rel = request.destination()
        overwrite = request.overwrite()
        with self.storage.lock:
            node = self.require(rel)
            if destination is not self:
                raise forbidden("Permission denied: the destination is not a files folder")
            if not rel and move:
                raise forbidden("Permission denied to move the home folder")
            if dest_rel == rel:
                raise forbidden("Source and destination uri are identical.")
            if not dest_rel:
                raise forbidden("Permission denied to replace the home folder")
            if not rel or dest_rel.startswith(rel + "/"):
                raise forbidden("Cannot move or copy a folder into itself")
            dest_parent = self.node(parent_key(dest_rel))
            if dest_parent is None or not dest_parent.is_collection:
                raise conflict("The destination node is not found")
            existing = self.node(dest_rel)
            if existing is not None and not overwrite:
                raise precondition_failed(
                    "The destination node already exists, and the overwrite header is set to false",
                    "Overwrite",
                )
            self.check_name(dest_rel)
            same_folder = parent_key(rel) == parent_key(dest_rel)
            if move and "N" not in node.permissions() and same_folder:
                raise forbidden(f"Permission denied to rename {node.name}")
            if move and "V" not in node.permissions() and not same_folder:
                raise forbidden(f"Permission denied to move {node.name}")
            if not (move and same_folder):
                needed = "K" if node.is_collection else "C"
                if needed not in dest_parent.permissions():
                    raise forbidden("Permission denied to create in the destination folder")
            if not move:
                self.check_quota("/" + dest_rel, self.storage.tree_size(node.key))
            dest_key = join(FILES, dest_rel)
            if existing is not None:
                self.storage.trash(dest_key)
            if move:
                self.storage.move(node.key, dest_key)
            else:
                depth = (request.http.header("depth") or "infinity").strip().lower()
                self.storage.copy(node.key, dest_key, recursive=depth != "0")
            meta = self.storage.meta(dest_key)
        etag = f'"{meta.etag}"'
        return Response(
            204 if existing is not None else 201,
            [("OC-ETag", etag), ("OC-FileId", self.instance.dav_file_id(meta.fileid))],
            b"",
        )

    # -- PROPPATCH ---------------------------------------------------------------------------------
    def proppatch(self, request: DavRequest, node: Node) -> Response:
        assert isinstance(node, FileNode)
        patch = parse_proppatch(request.http.small_body())
        failed = [name for _, name, _ in patch.operations if name in PROTECTED]
        done = [name for _, name, _ in patch.operations if name not in PROTECTED]
        if not failed:
            store = self.storage.store
            with store.transaction():
                for action, (namespace, local), xml in patch.operations:
                    if action == "set":
                        store.execute(
                            "INSERT OR REPLACE INTO props (fileid, namespace, name, xml)"
                            " VALUES (?, ?, ?, ?)",
                            (node.meta.fileid, namespace, local, xml or ""),
                        )
                    else:
                        store.execute(
                            "DELETE FROM props WHERE fileid = ? AND namespace = ? AND name = ?",
                            (node.meta.fileid, namespace, local),
                        )
        return proppatch_result(node, failed, done)


# -- helpers shared with the chunked uploads -------------------------------------------------------


def receive_body(request: DavRequest, storage: Storage) -> Path:
    """Stream the request body into a temporary file; 400 when it is not Content-Length long.

    File::put checks the count the same way (a client that sent less, or a proxy
    that cut the body, must not leave a short file behind).
    """
    temp = storage.temp_path()
    expected = request.http.content_length
    written = 0
    try:
        with open(temp, "wb") as out:
            for block in request.http.iter_body():
                out.write(block)
                written += len(block)
    except OSError:
        temp.unlink(missing_ok=True)
        raise
    if expected is not None and written != expected:
        temp.unlink(missing_ok=True)
        raise bad_request(
            f"Expected filesize of {expected} bytes but read (from Nextcloud client) and wrote "
            f"(to Nextcloud storage) {written} bytes. Could either be a network problem on the "
            f"sending side or a problem writing to the storage on the server side."
        )
    return temp


def _single_range(value: str | None, size: int) -> tuple[int, int] | str | None:
    """A single ``bytes=`` range as (first, last), "unsatisfiable", or None to send it all."""
    if not value or not value.startswith("bytes=") or "," in value:
        return None
    first, _, last = value[6:].strip().partition("-")
    try:
        if first == "":
            count = int(last)
            if count <= 0:
                return "unsatisfiable"
            return max(0, size - count), size - 1
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if start >= size or end < start:
        return "unsatisfiable"
    return start, min(end, size - 1)


class FileStream:
    """A response body read from an open file; the WSGI server closes it when done
    (also when the client went away before the first block)."""

    def __init__(self, handle: BinaryIO, start: int, length: int) -> None:
        self.handle = handle
        self.start = start
        self.length = length

    def __iter__(self) -> Iterator[bytes]:
        self.handle.seek(self.start)
        remaining = self.length
        while remaining > 0:
            block = self.handle.read(min(1024 * 1024, remaining))
            if not block:
                return
            remaining -= len(block)
            yield block

    def close(self) -> None:
        self.handle.close()


__all__ = [
    "FileNode",
    "FileStream",
    "FilesNamespace",
    "content_type",
    "parse_mtime",
    "receive_body",
]
