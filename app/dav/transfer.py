"""Request and response bodies that stream files, with progress.

PUT bodies always carry an explicit Content-Length and are never sent with
chunked transfer encoding: some servers store a chunked PUT as a 0-byte file
(quirks.CHUNKED_BODY_STORED_EMPTY).
Downloads land in a temporary file beside the target and are renamed into
place only when complete, so a failed or cancelled download never leaves a
half-written file under the real name.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

#: Called with (bytes done, bytes total or None); it may raise to abort the transfer.
ProgressCallback = Callable[[int, int | None], None]

CHUNK_SIZE = 256 * 1024


class FileBody:
    """A re-iterable upload body read from disk.

    httpx re-sends the body when a digest nonce goes stale or a same-origin
    redirect is followed; a generator could be read only once, an object with
    ``__iter__`` starts again from the first byte.
    """

    def __init__(self, path: Path, progress: ProgressCallback | None = None) -> None:
        self.path = path
        self.size = path.stat().st_size
        # Fail here, before a request is sent, if the file cannot be read: a server that
        # creates the target on seeing the headers would otherwise keep an empty file.
        path.open("rb").close()
        self._progress = progress

    def __iter__(self) -> Iterator[bytes]:
        done = 0
        with self.path.open("rb") as handle:
            while done < self.size:
                chunk = handle.read(min(CHUNK_SIZE, self.size - done))
                if not chunk:
                    raise OSError(f"{self.path} shrank while it was being uploaded")
                done += len(chunk)
                yield chunk
                if self._progress:
                    self._progress(done, self.size)


class FileSlice:
    """Part of a file as an upload body: one chunk of a chunked upload.

    Re-iterable like FileBody. digest, when given, is the checksum of the
    bytes before this slice: each pass hashes on from a copy of it, and the
    copy that saw every byte becomes ``digest_after``, so a body httpx sends
    twice (a stale digest nonce) is not hashed twice.
    """

    def __init__(
        self,
        path: Path,
        offset: int,
        size: int,
        progress: ProgressCallback | None = None,
        digest: Any = None,
    ) -> None:
        self.path = path
        self.offset = offset
        self.size = size
        self._progress = progress
        self._digest = digest
        self.digest_after: Any = None

    def __iter__(self) -> Iterator[bytes]:
        done = 0
        digest = self._digest.copy() if self._digest is not None else None
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            while done < self.size:
                chunk = handle.read(min(CHUNK_SIZE, self.size - done))
                if not chunk:
                    raise OSError(f"{self.path} shrank while it was being uploaded")
                done += len(chunk)
                if digest is not None:
                    digest.update(chunk)
                yield chunk
                if self._progress:
                    self._progress(done, self.size)
        self.digest_after = digest


class BytesBody:
    """An in-memory upload body with the same progress contract as FileBody."""

    def __init__(self, data: bytes, progress: ProgressCallback | None = None) -> None:
        self.data = data
        self.size = len(data)
        self._progress = progress

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, self.size, CHUNK_SIZE):
            chunk = self.data[start : start + CHUNK_SIZE]
            yield chunk
            if self._progress:
                self._progress(start + len(chunk), self.size)


class PartFile:
    """A temporary download file in the target's folder, renamed into place on commit.

    Same folder, so the final rename is atomic and never crosses file systems.
    Leaving the context without commit() deletes it.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        handle, name = tempfile.mkstemp(
            prefix=f".{target.name[:100]}.", suffix=".davdesk-part", dir=target.parent
        )
        self.temp_path = Path(name)
        self.handle = os.fdopen(handle, "wb")
        self.written = 0
        self._committed = False

    def write(self, data: bytes) -> None:
        self.handle.write(data)
        self.written += len(data)

    def commit(self, mtime: float | None = None) -> None:
        self.handle.close()
        if mtime is not None:
            os.utime(self.temp_path, (mtime, mtime))
        os.replace(self.temp_path, self.target)
        self._committed = True

    def __enter__(self) -> PartFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self._committed:
            self.handle.close()
            self.temp_path.unlink(missing_ok=True)
