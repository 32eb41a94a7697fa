"""``POST remote.php/dav/bulk``: Nextcloud's bulk upload (apps/dav/lib/BulkUpload/).

Written from the server's BulkUploadPlugin and MultipartRequestParser:

* only the exact path ``remote.php/dav/bulk``, only POST, for a signed-in user;
* the body is ``multipart/related; boundary=...`` (quotes around the boundary allowed;
  any other type, or no boundary, is 400 before anything is written);
* each part: ``--boundary`` CRLF, header lines (names case-insensitive), a blank
  line, exactly Content-Length bytes, CRLF; the body ends with ``--boundary--``.
  A part without Content-Length (411) or X-File-MD5, a wrong MD5, or a body that
  ends early stops the whole request: 400 with the JSON map of the files written
  before it;
* each file is written where X-File-Path says (relative to the user's files),
  replacing what is there, with the mtime of X-File-Mtime (or X-OC-Mtime); a file
  the storage refuses (no parent folder, a folder in the way, a forbidden name, no
  permission, no space) is ``{"error": true, "message": ...}`` and the rest go on;
* the answer is 200 with a JSON map, path -> ``{"error": false, "etag", "fileid",
  "permissions"}``; the ETag is bare (no quotes), as the server's getETag() gives it.

Not modelled: PHP's upload limits, the file locking of a real storage.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from tests.servers.nextcloud.auth import Login
from tests.servers.nextcloud.davxml import SabreError, bad_request
from tests.servers.nextcloud.http import HttpError, Request, Response
from tests.servers.nextcloud.storage import FILES, join

if TYPE_CHECKING:
    from tests.servers.nextcloud.dav import DavTree


class _Stop(Exception):
    """The body cannot be read on: the request ends with what was written so far."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def handle(tree: DavTree, http: Request, login: Login) -> Response:
    boundary = _boundary(http.header("content-type"))
    body = b"".join(http.iter_body())
    written: dict[str, dict[str, object]] = {}
    position = 0
    last = f"--{boundary}--\r\n".encode()
    separator = f"--{boundary}\r\n".encode()
    try:
        while not body.startswith(last, position):
            if not body.startswith(separator, position):
                raise _Stop(400, "Boundary not found where it should be.")
            position += len(separator)
            headers, position = _part_headers(body, position)
            length = int(headers["content-length"])
            content = body[position : position + length]
            if len(content) != length:
                raise _Stop(400, "Unexpected EOF while reading stream.")
            if hashlib.md5(content).hexdigest() != headers["x-file-md5"]:
                raise _Stop(400, "Computed md5 hash is incorrect.")
            position += length + 2  # the CRLF after the content
            path = headers.get("x-file-path", "")
            mtime = headers.get("x-file-mtime") or headers.get("x-oc-mtime")
            written[path] = _write(tree, http, login, path, content, mtime)
    except _Stop as stop:
        return Response.json(stop.status, written)
    return Response.json(200, written)


def _boundary(content_type: str | None) -> str:
    if content_type is None:
        raise bad_request("Content-Type can not be null")
    try:
        mime, parameter = content_type.split(";")
        key, value = parameter.split("=")
    except ValueError:
        raise bad_request("Error while parsing boundary in Content-Type header.") from None
    value = value.strip()
    if value.startswith('"') and value.endswith('"'):
        value = value[1:-1]
    if mime.strip() != "multipart/related":
        raise bad_request("Content-Type must be multipart/related")
    if key.strip() != "boundary":
        raise bad_request("Boundary is invalid")
    return value


def _part_headers(body: bytes, position: int) -> tuple[dict[str, str], int]:
    headers: dict[str, str] = {}
    while True:
        end = body.find(b"\r\n", position)
        if end < 0:
            raise _Stop(500, "An error occurred while reading headers of a part")
        line = body[position:end].decode("utf-8", "replace")
        position = end + 2
        if not line:
            break
        if ":" not in line:
            raise _Stop(400, "An error occurred while reading headers of a part")
        name, value = line.split(":", 1)
        headers[name.strip().lower()] = value.strip()
    if "content-length" not in headers:
        raise _Stop(411, "The Content-Length header must not be null.")
    if "x-file-md5" not in headers:
        raise _Stop(400, "The X-File-MD5 header must not be null.")
    return headers, position


def _write(
    tree: DavTree, http: Request, login: Login, path: str, content: bytes, mtime: str | None
) -> dict[str, object]:
    """Folder::newFile then touch: the file's entry in the answer."""
    from tests.servers.nextcloud.dav import DavRequest
    from tests.servers.nextcloud.files import parse_mtime

    files = tree.files
    rel = path.strip("/")
    try:
        if not rel or any(s in (".", "..") for s in rel.split("/")):
            raise bad_request(f'Invalid path "{path}"')
        request = DavRequest(http, tree, files, rel, login)
        files.check_put_target(rel, request)
        files.check_quota(path, len(content))
        stamp = parse_mtime(mtime) if mtime is not None else None
        temp = files.storage.temp_path()
        temp.write_bytes(content)
        try:
            meta = files.commit_file(join(FILES, rel), temp, mtime=stamp, checksum=None)
        finally:
            temp.unlink(missing_ok=True)
    except (SabreError, HttpError) as refused:
        return {"error": True, "message": refused.message or f'Could not create path "{path}"'}
    key = join(FILES, rel)
    return {
        "error": False,
        "etag": meta.etag,
        "fileid": tree.instance.dav_file_id(meta.fileid),
        "permissions": files.storage.permissions(key, False, meta),
    }
