"""Uploading one file: a PUT with an explicit length, or Nextcloud's chunks for a big one.

DavClient.put hands over to put() here, which sees the connection only as an
UploadTarget (upload_target.py): uploads import nothing of the client.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from app.dav import checksum, errors, etags, mtimes
from app.dav.chunked import ChunkedUpload, Waiter
from app.dav.conditions import submit_lock_token
from app.dav.outcome import Outcome, success
from app.dav.transfer import BytesBody, FileBody, ProgressCallback
from app.dav.upload_target import UploadTarget


def put(
    target: UploadTarget,
    path: str,
    source: Path | bytes,
    *,
    if_match: str | None = None,
    if_none_match: bool = False,
    lock_token: str | None = None,
    content_type: str | None = None,
    headers: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
    mtime: float | None = None,
    mtime_by_proppatch: bool = True,
    wait: Waiter | None = None,
) -> Outcome:
    """Upload a file or bytes with an explicit Content-Length (never chunked encoding).

    if_match: the ETag the caller saw, so a file changed since is not
    overwritten (412); if_none_match: refuse to overwrite anything.
    mtime: the file's modification time to keep on the server (mtimes.py):
    X-OC-Mtime where the server takes it, else a dead property (a PROPPATCH:
    one more request, made only with mtime_by_proppatch); the Outcome's note
    says which way it went.
    On a server with chunked uploads a big file goes up in chunks
    (chunked.py); wait is how that upload waits for the server to
    assemble it, returning True when the wait should end (a cancel).
    """
    if etags.is_weak(if_match):
        # If-Match compares strongly, so a weak ETag (Apache's for a file changed in the
        # last second, quirks.WEAK_ETAG_OF_A_FRESH_FILE) never matches: compare it
        # ourselves just before writing instead.
        _check_unchanged(target, path, if_match)
        if_match = None
    chunked = target.extensions.chunked
    if (
        chunked
        and isinstance(source, Path)
        and not lock_token
        and chunked.applies_to(source.stat().st_size)
    ):
        upload = ChunkedUpload(
            target,
            path,
            source,
            chunked,
            algorithm=target.extensions.checksum,
            progress=progress,
            wait=wait,
        )
        return upload.run(if_match=if_match, if_none_match=if_none_match, mtime=mtime)
    body = BytesBody(source, progress) if isinstance(source, bytes) else FileBody(source, progress)
    request_headers = {
        "Content-Length": str(body.size),
        "Content-Type": content_type or "application/octet-stream",
    }
    if if_match:
        request_headers["If-Match"] = if_match
    if if_none_match:
        request_headers["If-None-Match"] = "*"
    if lock_token:
        request_headers["If"] = submit_lock_token(lock_token)
    if mtime is not None:
        request_headers[mtimes.HEADER] = mtimes.header_value(mtime)
    if target.extensions.checksum:
        request_headers["OC-Checksum"] = checksum.of_source(target.extensions.checksum, source)
    request_headers.update(headers or {})
    with target.exchange("PUT", path, headers=request_headers, content=body) as response:
        outcome = success(
            "put",
            path,
            response.status_code,
            response.reason_phrase,
            etag=response.headers.get("etag"),
        )
        accepted = mtimes.accepted(response.headers)
    if mtime is None:
        return outcome
    if accepted:
        return replace(outcome, note=mtimes.BY_HEADER)
    if not mtime_by_proppatch:
        return outcome
    return replace(outcome, note=mtimes.keep_as_property(target, path, mtime, lock_token))


def _check_unchanged(target: UploadTarget, path: str, etag: str) -> None:
    current = target.stat(path).etag
    if not etags.same(current, etag):
        raise errors.PreconditionFailedError(
            "PUT",
            target.url(path),
            412,
            condition=None,
            local=True,
            description=f"changed on the server since it was listed (ETag {etag} is now {current})",
        )
