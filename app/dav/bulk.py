"""Nextcloud's bulk upload: many small files in one ``POST remote.php/dav/bulk``.

A PUT per file costs a round trip and a PHP request each; Nextcloud (capability
``dav.bulkupload`` 1.0) takes a ``multipart/related`` body instead, one part
per file with its path relative to the user's files (X-File-Path), the MD5 of
its bytes (X-File-MD5, checked by the server), its mtime (X-File-Mtime) and a
Content-Length. The answer is a JSON map, a multi-status in JSON: per path
``{"error": false, "etag", "fileid", "permissions"}`` or ``{"error": true,
"message"}``. The server writes each file where it is told, replacing what is
there: it knows no If-Match or If-None-Match, so only files that planning saw
absent go this way (app/jobs/batches.py).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.dav.members import batch_outcomes
from app.dav.outcome import Outcome
from app.dav.upload_target import UploadTarget

KIB = 1024
#: Files up to this size go in batches. Measured (tests/bench/bench_nextcloud.py): a 4 KiB
#: file costs about a twentieth of its own PUT inside a batch; by 1 MiB the transfer itself
#: dominates and a PUT, which streams and can be guarded, loses little.
THRESHOLD = 1024 * KIB
#: At most this many files, and this many bytes of them, in one POST: the server reads and
#: writes a batch as one PHP request, so a batch is also what a failure costs again.
BATCH_FILES = 100
BATCH_BYTES = 8 * 1024 * KIB


@dataclass(frozen=True, slots=True)
class BulkUploads:
    """Where a server takes bulk uploads, and for which files.

    endpoint: the decoded path of the bulk endpoint ("/remote.php/dav/bulk");
    files_root: the user's files collection ("/remote.php/dav/files/alice/"),
    which X-File-Path is relative to.
    """

    endpoint: str
    files_root: str
    threshold: int = THRESHOLD
    batch_files: int = BATCH_FILES
    batch_bytes: int = BATCH_BYTES

    def applies_to(self, path: str, size: int) -> bool:
        return (
            size <= self.threshold and path.startswith(self.files_root) and not path.endswith("/")
        )

    def file_path(self, path: str) -> str:
        """X-File-Path: the path inside the user's files, with a leading slash."""
        return "/" + path[len(self.files_root) :]


@dataclass(frozen=True, slots=True)
class BulkFile:
    """One file of a batch: where it goes, its bytes on disk, the mtime to give it (or None)."""

    path: str
    local: Path
    mtime: float | None = None


def send_batch(
    target: UploadTarget, bulk: BulkUploads, files: Sequence[BulkFile]
) -> dict[str, Outcome]:
    """POST the files; each file's Outcome by its path, for the files the answer names.

    The answer is read by members.batch_outcomes.
    A file the answer leaves out has no Outcome here: the caller must not take it
    for a success. Raises what the client raises when the POST itself fails.
    """
    boundary = "boundary_" + secrets.token_hex(16)
    parts: list[bytes] = []
    by_file_path: dict[str, str] = {}
    for item in files:
        data = item.local.read_bytes()
        file_path = bulk.file_path(item.path)
        by_file_path[file_path] = item.path
        headers = [
            f"X-File-Path: {file_path}",
            f"X-File-MD5: {hashlib.md5(data).hexdigest()}",
            f"Content-Length: {len(data)}",
        ]
        if item.mtime is not None:
            headers.append(f"X-File-Mtime: {int(item.mtime)}")
        head = "".join(f"{header}\r\n" for header in headers)
        parts.append(f"--{boundary}\r\n{head}\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    reply = target.request(
        "POST",
        bulk.endpoint,
        content=b"".join(parts),
        headers={"Content-Type": f"multipart/related; boundary={boundary}"},
    )
    return batch_outcomes(reply, by_file_path, len(files))
