"""``remote.php/dav/uploads/<user>/``: chunked upload v2
(developer_manual/client_apis/WebDAV/chunking.rst).

1. ``MKCOL uploads/<user>/<folder>`` with ``Destination`` (the final file's URL).
2. ``PUT uploads/<user>/<folder>/<n>`` per chunk, with ``Destination``: ``n`` a number
   from 1 to 10000; ``OC-Total-Length`` is checked against the quota (507) before the
   body is taken; the body must be Content-Length long.
3. ``MOVE uploads/<user>/<folder>/.file`` with ``Destination``: the chunks are joined in
   the order of their numbers. ``OC-Total-Length``, when sent, must be their sum
   ("Chunks on server do not sum up to X but to Y bytes", 400), every chunk but the
   last must be at least ``min_chunk_size`` (the documented 5 MB; 400), the quota
   must hold (507). ``X-OC-Mtime`` (answered ``X-OC-MTime: accepted``),
   ``OC-Checksum``, ``Overwrite: F`` (412 when the file exists) and an ``If`` header on
   the destination (``If: <url> (["etag"])``, 412) are honoured. The answer is 201 for
   a new file, 204 for a replaced one (which keeps its file id), with OC-ETag and
   OC-FileId, and the upload folder is gone.
4. ``DELETE uploads/<user>/<folder>`` aborts the upload.

Stricter than Nextcloud on local storage, by the documentation's letter: a missing
``Destination`` on MKCOL, PUT or MOVE is a 400 here, where Nextcloud would quietly fall
back to chunking v1 (ChunkingV2Plugin::checkPrerequisites). The upload folder lists
``.file`` (the future file, its size the sum of the chunks) and the chunks with their
sizes, as UploadFolder::getChildren does; neither can be downloaded (405).

``assembly_delay`` is slept after the checks, with the upload folder still there and
the destination not yet written: a client whose MOVE timed out can watch the
destination appear later, as on a slow real server.
"""

from __future__ import annotations

import os
import re
import shutil
import stat as stat_module
import time
from collections.abc import Iterator

from tests.servers.nextcloud.dav import COLLECTION, DavRequest, Namespace, Node, not_implemented
from tests.servers.nextcloud.davxml import (
    DAV,
    OC,
    PropName,
    PropValue,
    bad_request,
    conflict,
    forbidden,
    insufficient_storage,
    method_not_allowed,
    mkcol_body_refused,
    not_found,
    precondition_failed,
)
from tests.servers.nextcloud.files import FilesNamespace, parse_mtime, receive_body
from tests.servers.nextcloud.http import Response, http_date
from tests.servers.nextcloud.storage import FILES, UPLOADS, Storage, join, parent_key

FUTURE_FILE = ".file"
_CHUNK_NAME = re.compile(r"^\d+$")

_ALLPROPS: tuple[PropName, ...] = (
    (DAV, "getlastmodified"),
    (DAV, "getcontentlength"),
    (DAV, "resourcetype"),
    (DAV, "getetag"),
    (DAV, "getcontenttype"),
)


def missing_destination(step: str) -> Exception:
    return bad_request(
        f"Chunked upload v2 needs the Destination header on {step} "
        f"(the URL of the file the chunks are for)"
    )


def chunk_number(name: str) -> int | None:
    if not _CHUNK_NAME.match(name):
        return None
    number = int(name)
    return number if 1 <= number <= 10000 else None


class UploadNode(Node):
    """The upload home, an upload folder, a chunk, or an upload folder's ``.file``."""

    allprops = _ALLPROPS

    def __init__(
        self, namespace: UploadsNamespace, rel: str, st: os.stat_result, future: bool = False
    ) -> None:
        self.namespace = namespace
        self.storage: Storage = namespace.instance.storage
        self.rel = rel
        self.future = future
        self.folder_key = join(UPLOADS, rel if not future else parent_key(rel))
        self.key = self.folder_key if future else join(UPLOADS, rel)
        self.st = st
        self.is_collection = not future and stat_module.S_ISDIR(st.st_mode)
        self.href = namespace.href(rel, self.is_collection)
        self.meta = self.storage.meta(self.key, st)

    def file_etag(self) -> str | None:
        return None if self.is_collection else f'"{self.meta.etag}"'

    def last_modified(self) -> float:
        return self.st.st_mtime

    def size(self) -> int:
        if self.future:
            return sum(size for _, _, size in self.namespace.chunks(self.folder_key))
        return self.st.st_size

    def prop(self, name: PropName) -> PropValue | None:
        if name == (DAV, "resourcetype"):
            return COLLECTION if self.is_collection else ""
        elif name == (DAV, "getlastmodified"):
            return http_date(self.st.st_mtime)
        elif name == (DAV, "getetag"):
            return f'"{self.meta.etag}"'
        elif name == (DAV, "getcontentlength"):
            return None if self.is_collection else str(self.size())
        elif name == (DAV, "getcontenttype"):
            return None if self.is_collection else "application/octet-stream"
        elif name == (OC, "fileid"):
            return str(self.meta.fileid)
        elif name == (OC, "size"):
            return str(self.storage.tree_size(self.key) if self.is_collection else self.size())
        return None

    def children(self) -> Iterator[UploadNode]:
        if not self.is_collection:
            return
        if self.rel:  # an upload folder: the future file first, then the chunks
            yield UploadNode(self.namespace, join(self.rel, FUTURE_FILE), self.st, future=True)
        for rel, st in self.storage.members(UPLOADS, self.rel):
            yield UploadNode(self.namespace, rel, st)


class UploadsNamespace(Namespace):
    @property
    def storage(self) -> Storage:
        return self.instance.storage

    @property
    def files(self) -> FilesNamespace:
        return self.tree.files

    def node(self, rel: str) -> UploadNode | None:
        segments = rel.split("/") if rel else []
        if len(segments) > 2:
            return None
        if len(segments) == 2 and segments[1] == FUTURE_FILE:
            st = self.storage.stat(join(UPLOADS, segments[0]))
            if st is None or not stat_module.S_ISDIR(st.st_mode):
                return None
            return UploadNode(self, rel, st, future=True)
        st = self.storage.stat(join(UPLOADS, rel))
        if st is None:
            return None
        return UploadNode(self, rel, st)

    def chunks(self, folder_key: str) -> list[tuple[int, str, int]]:
        """(number, name, size) of an upload folder's chunks, in assembly order."""
        found = []
        try:
            names = os.listdir(self.storage.disk(folder_key))
        except OSError:
            return []
        for name in names:
            number = chunk_number(name)
            st = self.storage.stat(join(folder_key, name))
            if number is not None and st is not None and stat_module.S_ISREG(st.st_mode):
                found.append((number, name, st.st_size))
        return sorted(found)

    # -- dispatch ---------------------------------------------------------------------------------
    def handle(self, request: DavRequest) -> Response:
        method = request.http.method
        segments = request.rel.split("/") if request.rel else []
        if method in ("GET", "HEAD"):
            node = self.node(request.rel)
            if node is None:
                raise not_found(f"File with name {request.rel} could not be located")
            if node.is_collection:
                raise not_implemented(method)
            raise method_not_allowed("Reading intermediate uploads is not allowed")
        if method == "MKCOL":
            return self.start(request, segments)
        if method == "PUT":
            return self.put_chunk(request, segments)
        if method == "DELETE":
            return self.delete(request, segments)
        if method == "MOVE" and len(segments) == 2 and segments[1] == FUTURE_FILE:
            return self.assemble(request, segments[0])
        if method in ("MOVE", "COPY"):
            raise forbidden("Only an upload folder's .file can be moved, to assemble the upload")
        raise not_implemented(method)

    def start(self, request: DavRequest, segments: list[str]) -> Response:
        if not segments:
            raise method_not_allowed("The resource you tried to create already exists")
        if len(segments) > 1:
            raise forbidden(f"Permission denied to create file (filename {segments[-1]})")
        if not request.http.header("destination"):
            raise missing_destination("MKCOL")
        destination, dest_rel = request.destination()
        if destination is not self.files or not dest_rel:
            raise forbidden(
                f"The Destination of an upload must be a file in files/{self.instance.user_id}/"
            )
        if request.http.small_body():
            raise mkcol_body_refused()
        key = join(UPLOADS, segments[0])
        with self.storage.lock:
            if self.storage.stat(key) is not None:
                raise method_not_allowed("The resource you tried to create already exists")
            self.storage.disk(key).mkdir()
            self.storage.changed(key)
            self.storage.store.execute(
                "INSERT OR REPLACE INTO uploads (folder, destination) VALUES (?, ?)",
                (segments[0], dest_rel),
            )
        return Response(201, [], b"")

    def put_chunk(self, request: DavRequest, segments: list[str]) -> Response:
        http = request.http
        if len(segments) < 2:
            raise forbidden(
                f"Permission denied to create file (filename {segments[-1] if segments else ''})"
            )
        if len(segments) > 2:
            raise conflict("Files cannot be created in non-existent collections")
        folder_key = join(UPLOADS, segments[0])
        st = self.storage.stat(folder_key)
        if st is None or not stat_module.S_ISDIR(st.st_mode):
            raise conflict("Files cannot be created in non-existent collections")
        if segments[1] == FUTURE_FILE:
            raise forbidden("Permission denied to put into this file")
        if not http.header("destination"):
            raise missing_destination("every chunk PUT")
        destination, dest_rel = request.destination()
        if destination is not self.files:
            raise forbidden(
                f"The Destination of an upload must be a file in files/{self.instance.user_id}/"
            )
        if chunk_number(segments[1]) is None:
            raise bad_request("Invalid chunk name, must be numeric between 1 and 10000")
        total = http.header("oc-total-length")
        free = self.storage.free()
        if free is not None and total is not None and total.strip().isdigit() and int(total) > free:
            path = "/" + (dest_rel if self.files.node(dest_rel) else parent_key(dest_rel))
            raise insufficient_storage(
                f"Insufficient space in {path}, {int(total)} required, {free} available"
            )
        temp = receive_body(request, self.storage)
        try:
            with self.storage.lock:
                if self.storage.stat(folder_key) is None:
                    raise conflict("Files cannot be created in non-existent collections")
                key = join(folder_key, segments[1])
                os.replace(temp, self.storage.disk(key))
                self.storage.changed(key)
        finally:
            temp.unlink(missing_ok=True)
        return Response(201, [], b"")

    def delete(self, request: DavRequest, segments: list[str]) -> Response:
        if not segments or (len(segments) == 2 and segments[1] == FUTURE_FILE):
            raise forbidden("Permission denied to delete this node")
        key = join(UPLOADS, request.rel)
        with self.storage.lock:
            if self.storage.stat(key) is None:
                raise not_found(f"File with name {segments[-1]} could not be located")
            self.storage.remove(key)
            if len(segments) == 1:
                self.storage.store.execute("DELETE FROM uploads WHERE folder = ?", (segments[0],))
        return Response(204, [], b"")

    # -- assembly ----------------------------------------------------------------------------------
    def assemble(self, request: DavRequest, folder: str) -> Response:
        http = request.http
        options = self.instance.options
        folder_key = join(UPLOADS, folder)
        if self.node(folder) is None:
            raise not_found(f"File with name {folder} could not be located")
        if not http.header("destination"):
            raise missing_destination("the MOVE of .file")
        destination, dest_rel = request.destination()
        overwrite = request.overwrite()
        if destination is not self.files or not dest_rel:
            raise forbidden(
                f"The Destination of an upload must be a file in files/{self.instance.user_id}/"
            )
        dest_key = join(FILES, dest_rel)
        with self.storage.lock:
            self._check_destination(request, dest_rel, overwrite)
            chunks = self.chunks(folder_key)
        total = sum(size for _, _, size in chunks)
        free = self.storage.free()
        if free is not None and total > free:
            path = "/" + (dest_rel if self.files.node(dest_rel) else parent_key(dest_rel))
            raise insufficient_storage(
                f"Insufficient space in {path}, {total} required, {free} available"
            )
        expected = http.header("oc-total-length")
        if expected is not None and expected.strip() != str(total):
            raise bad_request(f"Chunks on server do not sum up to {expected} but to {total} bytes")
        for number, _name, size in chunks[:-1]:
            if size < options.min_chunk_size:
                raise bad_request(
                    f"Chunk {number} is {size} bytes: every chunk but the last must be at "
                    f"least {options.min_chunk_size} bytes"
                )
        mtime = (
            parse_mtime(http.header("x-oc-mtime"))
            if http.header("x-oc-mtime") is not None
            else None
        )
        checksum = (http.header("oc-checksum") or "").strip() or None
        temp = self.storage.temp_path()
        try:
            with open(temp, "wb") as out:
                for _number, name, _size in chunks:
                    with open(self.storage.disk(join(folder_key, name)), "rb") as part:
                        shutil.copyfileobj(part, out, 1024 * 1024)
            if options.assembly_delay:
                time.sleep(options.assembly_delay)
            with self.storage.lock:
                if self.storage.stat(folder_key) is None:
                    raise not_found(f"File with name {folder} could not be located")
                request.tree.check_if_header(http)
                existed = self._check_destination(request, dest_rel, overwrite)
                meta = self.files.commit_file(dest_key, temp, mtime=mtime, checksum=checksum)
                self.storage.remove(folder_key)
                self.storage.store.execute("DELETE FROM uploads WHERE folder = ?", (folder,))
        finally:
            temp.unlink(missing_ok=True)
        etag = f'"{meta.etag}"'
        response = Response(
            204 if existed else 201,
            [
                ("ETag", etag),
                ("OC-ETag", etag),
                ("OC-FileId", self.instance.dav_file_id(meta.fileid)),
            ],
            b"",
        )
        if mtime is not None:
            response.header("X-OC-MTime", "accepted")
        return response

    def _check_destination(self, request: DavRequest, dest_rel: str, overwrite: bool) -> bool:
        """Sabre's Destination checks, then where a PUT could write; True: it exists."""
        parent = self.files.node(parent_key(dest_rel))
        if parent is None or not parent.is_collection:
            raise conflict("The destination node is not found")
        existing = self.files.node(dest_rel)
        if existing is not None and not overwrite:
            raise precondition_failed(
                "The destination node already exists, and the overwrite header is set to false",
                "Overwrite",
            )
        self.files.check_put_target(dest_rel, request)
        return existing is not None
