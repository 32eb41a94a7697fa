"""Nextcloud's chunked upload v2: a big file goes up in numbered chunks, then one MOVE.

The chunks collect in a folder of the user's uploads collection; the MOVE of
its ``.file`` has the server assemble them at the destination. Every request
carries the destination (Destination) and the file's size (OC-Total-Length),
as the protocol requires.

The folder's name is derived from the destination and the local file's size
and modification time, so an attempt after a broken connection (or a later
run) finds the chunks already there by listing the folder, and sends only
the missing ones. A cancel or a refusal deletes the folder. A final MOVE whose
answer was lost is not sent again blindly: the server may still be
assembling, so the destination is watched first.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import replace
from pathlib import Path
from typing import Any

from app.dav import checksum, errors, etags, mtimes
from app.dav.conditions import tagged_etag
from app.dav.extensions import ChunkedUploads
from app.dav.outcome import Outcome, Source, success
from app.dav.paths import join
from app.dav.resource import Resource
from app.dav.transfer import FileSlice, ProgressCallback
from app.dav.upload_target import UploadTarget

log = logging.getLogger(__name__)

#: Called with seconds to wait; True when the wait was cut short because the job was cancelled.
Waiter = Callable[[float], bool]
_CONTENT_LENGTH = "{DAV:}getcontentlength"
#: Failures after which the chunks on the server are still worth resuming from.
_KEEP_CHUNKS = (errors.TransportError, errors.RetryableStatusError, errors.PreconditionFailedError)


def upload_folder_name(destination_url: str, size: int, mtime_ns: int) -> str:
    """The same name for the same local file going to the same place: what makes resuming work."""
    key = f"{destination_url}\n{size}\n{mtime_ns}".encode()
    return "davdesk-" + hashlib.sha256(key).hexdigest()[:32]


def uninterrupted(seconds: float) -> bool:
    """A Waiter for callers with nothing to cancel: it just sleeps."""
    time.sleep(seconds)
    return False


class ChunkedUpload:
    """One file's chunked upload; run() makes one attempt and returns its Outcome."""

    def __init__(
        self,
        target: UploadTarget,
        path: str,
        source: Path,
        config: ChunkedUploads,
        *,
        algorithm: str | None = None,
        progress: ProgressCallback | None = None,
        wait: Waiter | None = None,
    ) -> None:
        self._target = target
        self._path = path
        self._source = source
        self._config = config
        self._algorithm = algorithm
        self._progress = progress
        self._wait = wait or uninterrupted
        stat = source.stat()
        self.size = stat.st_size
        self.chunk_size = config.chunk_size_for(self.size)
        self.destination = target.url(path)
        self.folder = (
            join(config.uploads, upload_folder_name(self.destination, self.size, stat.st_mtime_ns))
            + "/"
        )
        self._common = {"Destination": self.destination, "OC-Total-Length": str(self.size)}

    def run(
        self,
        *,
        if_match: str | None = None,
        if_none_match: bool = False,
        mtime: float | None = None,
    ) -> Outcome:
        """Send what is missing, then assemble.

        if_match: replace only this version of the destination; if_none_match:
        only create it (the MOVE is sent with Overwrite: F).
        """
        try:
            on_server = self._chunks_on_server()
            digest, reused = self._send_chunks(on_server)
            return self._assemble(
                digest, reused, if_match=if_match, if_none_match=if_none_match, mtime=mtime
            )
        except _KEEP_CHUNKS:
            raise
        except BaseException:
            self._abort()
            raise

    # -- chunks -----------------------------------------------------------------

    def _plan(self) -> Iterator[tuple[str, int, int]]:
        """(name, offset, length) of each chunk, numbered from 1 as the protocol requires.

        Names are zero-padded so that servers assembling "in the order of
        their names" and those going by number agree.
        """
        for number, offset in enumerate(range(0, self.size, self.chunk_size), 1):
            yield f"{number:05d}", offset, min(self.chunk_size, self.size - offset)

    def _chunks_on_server(self) -> dict[str, int]:
        """The chunks an earlier attempt left (name -> size); a new folder when there is none.

        A folder the server will not list is of no use for resuming: it is
        deleted and made anew.
        """
        try:
            listing = self._target.propfind(self.folder, 1, [_CONTENT_LENGTH])
        except errors.NotFoundError:
            listing = None
        except errors.StatusError as exc:
            log.info("cannot list the upload folder %s (%s): starting it anew", self.folder, exc)
            self._abort()
            listing = None
        if listing is None:
            self._target.request("MKCOL", self.folder, headers={"Destination": self.destination})
            return {}
        return {r.name: r.size or 0 for r in listing if not r.is_dir}

    def _send_chunks(self, on_server: dict[str, int]) -> tuple[Any, int]:
        """Upload each chunk the server does not hold in full; (checksum so far, chunks reused).

        Where the server takes several chunks of a file at once
        (max_parallel_count), up to that many go at once, bounded by the
        client's connections.
        """
        parallel = min(self._config.parallel, self._target.workers)
        if parallel > 1:
            return self._send_chunks_in_parallel(on_server, parallel)
        digest = checksum.hasher(self._algorithm) if self._algorithm else None
        reused = 0
        for name, offset, length in self._plan():
            if on_server.get(name) == length:
                reused += 1
                digest = self._hash_local(offset, length, digest)
                self._report(offset + length)
                continue
            body = FileSlice(
                self._source,
                offset,
                length,
                progress=functools.partial(self._report_from, offset),
                digest=digest,
            )
            headers = {
                **self._common,
                "Content-Length": str(length),
                "Content-Type": "application/octet-stream",
            }
            self._target.request("PUT", self.folder + name, headers=headers, content=body)
            digest = body.digest_after
        if reused:
            log.info(
                "chunked upload of %s resumed: %d chunks were already on the server",
                self._path,
                reused,
            )
        return digest, reused

    def _send_chunks_in_parallel(self, on_server: dict[str, int], parallel: int) -> tuple[Any, int]:
        """The chunks on `parallel` threads; this thread hashes the file in order meanwhile.

        The checksum covers the file from its first byte to its last, so it is
        taken here, chunk by chunk in order, rather than from bodies that
        finish in any order. Progress is the sum of every chunk's bytes sent.
        The first failure stops the chunks not yet started and is raised once
        those under way have ended.
        """
        digest = checksum.hasher(self._algorithm) if self._algorithm else None
        sent: dict[str, int] = {}
        lock = threading.Lock()
        reused = 0

        def report(name: str, done: int) -> None:
            with lock:
                sent[name] = done
                total = sum(sent.values())
            self._report(total)

        def put(name: str, offset: int, length: int) -> None:
            body = FileSlice(
                self._source, offset, length, progress=lambda done, _total: report(name, done)
            )
            headers = {
                **self._common,
                "Content-Length": str(length),
                "Content-Type": "application/octet-stream",
            }
            self._target.request("PUT", self.folder + name, headers=headers, content=body)

        with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="chunk") as pool:
            futures: list[Future[None]] = []
            whole = False
            try:
                for name, offset, length in self._plan():
                    if on_server.get(name) == length:
                        reused += 1
                        report(name, length)
                    else:
                        futures.append(pool.submit(put, name, offset, length))
                    digest = self._hash_local(offset, length, digest)
                    if any(f.done() and f.exception() is not None for f in futures):
                        break
                else:
                    whole = True
            finally:
                if not whole:  # a chunk failed, or this thread was stopped (a cancel)
                    for future in futures:
                        future.cancel()
                wait(futures)
            for future in futures:
                failure = None if future.cancelled() else future.exception()
                if failure is not None:
                    raise failure
        if reused:
            log.info(
                "chunked upload of %s resumed: %d chunks were already on the server",
                self._path,
                reused,
            )
        return digest, reused

    def _hash_local(self, offset: int, length: int, digest: Any) -> Any:
        """A chunk the server already holds still counts towards the file's checksum."""
        if digest is None:
            return None
        for block in FileSlice(self._source, offset, length):
            digest.update(block)
        return digest

    def _report(self, done: int) -> None:
        if self._progress:
            self._progress(done, self.size)

    def _report_from(self, start: int, done: int, _total: int | None) -> None:
        """A chunk's progress (done of its bytes) as the file's: the chunk starts at start."""
        self._report(start + done)

    # -- assembly -----------------------------------------------------------------

    def _assemble(
        self,
        digest: Any,
        reused: int,
        *,
        if_match: str | None,
        if_none_match: bool,
        mtime: float | None,
    ) -> Outcome:
        before = None if if_none_match else self._target.lookup(self._path)
        if if_match:
            self._check_version(before, if_match)
        headers = {**self._common, "Overwrite": "F" if if_none_match else "T"}
        if if_match:
            # The check above covers a server that ignores the tagged If list.
            headers["If"] = tagged_etag(self.destination, if_match)
        if mtime is not None:
            headers[mtimes.HEADER] = mtimes.header_value(mtime)
        if digest is not None:
            headers["OC-Checksum"] = checksum.header_value(self._algorithm or "", digest)
        try:
            reply = self._target.request("MOVE", self.folder + ".file", headers=headers)
        except errors.TransportError:
            landed = self._await_assembly(before)
            if landed is None:
                raise
            return self._described(landed, reused, None, digest)
        outcome = success(
            "put",
            self._path,
            reply.status,
            reply.reason,
            etag=reply.headers.get("oc-etag") or reply.headers.get("etag"),
        )
        accepted = mtimes.accepted(reply.headers)
        return self._described(
            outcome,
            reused,
            mtime if not accepted else None,
            digest,
            mtime_by_header=accepted and mtime is not None,
        )

    def _check_version(self, before: Resource | None, etag: str) -> None:
        if before is None or not etags.same(before.etag, etag):
            now = "deleted" if before is None else f"ETag {before.etag}"
            raise errors.PreconditionFailedError(
                "MOVE",
                self.destination,
                412,
                local=True,
                description=f"changed on the server since it was listed (ETag {etag} is now {now})",
            )

    def _await_assembly(self, before: Resource | None) -> Outcome | None:
        """After a MOVE that lost its answer: the Outcome once the file is at its destination.

        None when the upload folder vanished without the file arriving, when
        the job was cancelled, or when assembly_wait passed: the caller then
        raises, and the next attempt starts from what the server holds.
        """
        deadline = time.monotonic() + self._config.assembly_wait
        delay = 0.5
        while True:
            found = self._target.lookup(self._path)
            if (
                found is not None
                and not found.is_dir
                and found.size == self.size
                and (before is None or found.etag != before.etag)
            ):
                return Outcome(
                    "put",
                    self._path,
                    None,
                    "assembled",
                    ok=True,
                    etag=found.etag,
                    source=Source.LOCAL,
                    note="the answer to the final MOVE was lost, and the server assembled the file",
                )
            if self._target.lookup(self.folder) is None or time.monotonic() >= deadline:
                return None
            if self._wait(delay):
                return None
            delay = min(delay * 2, 5.0)

    def _described(
        self,
        outcome: Outcome,
        reused: int,
        mtime: float | None,
        digest: Any,
        mtime_by_header: bool = False,
    ) -> Outcome:
        """The Outcome with how the upload went: chunks, reused chunks, mtime, checksum."""
        count = -(-self.size // self.chunk_size)
        parts = [outcome.note] if outcome.note else []
        parts.append(
            f"uploaded in {count} chunks"
            + (f", {reused} of them already on the server" if reused else "")
        )
        if mtime_by_header:
            parts.append(mtimes.BY_HEADER)
        elif mtime is not None:
            parts.append(mtimes.keep_as_property(self._target, self._path, mtime))
        if digest is not None:
            parts.append(f"OC-Checksum {self._algorithm}")
        return replace(outcome, note="; ".join(parts))

    def _abort(self) -> None:
        """Delete the upload folder: the server's share of a cancelled or refused upload."""
        try:
            self._target.request("DELETE", self.folder)
        except errors.DavError as exc:
            log.info("could not delete the upload folder %s: %s", self.folder, exc)
