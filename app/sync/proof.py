"""Proving, byte by byte, that what the server holds is the local file or the start of it.

Planning only reads, but some decisions cannot be made from sizes, times
and ETags without risking someone's file:

- two files on both sides with no record to go by, of the same size and
  second (what rclone takes as equal): recorded as in sync only if their
  bytes are equal, since a later delete of one would otherwise take the
  other;
- a file where an interrupted run was uploading ours: it is that upload's
  fragment (or the whole of it, unrecorded) only if its bytes are the
  start of ours; anything else is someone's version, and a conflict;
- a file an interrupted run was downloading: it landed (by an atomic
  rename) only if the local file's bytes are the server's.

Each costs one download of the server's file, only in those cases: the
first sync of two folders that already hold the same files, and the files
a killed run had in flight.
"""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.dav import DavClient
from app.dav.retry import RetryPolicy
from app.jobs.naming import name_key
from app.sync.model import LocalFile, RemoteFile
from app.sync.retrying import Stop, retried

_CHUNK = 1 << 20


def proven(
    client: DavClient,
    pairs: list[tuple[LocalFile, RemoteFile]],
    workers: int,
    stop: Stop,
    retry: RetryPolicy,
) -> frozenset[str]:
    """The keys of the pairs whose server bytes are the local file's bytes, or their start."""
    if not pairs:
        return frozenset()
    with (
        tempfile.TemporaryDirectory(prefix="davdesk-sync-") as scratch,
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sync-compare") as pool,
    ):

        def starts(pair: tuple[LocalFile, RemoteFile], number: int) -> bool:
            target = Path(scratch) / str(number)
            with stop.watching(client):
                retried(lambda: client.get(pair[1].path, target, keep_mtime=False), stop, retry)
            return is_start_of(target, pair[0].path)

        with stop.on_failure():
            results = list(pool.map(starts, pairs, range(len(pairs))))
    return frozenset(name_key(pair[0].rel) for pair, ok in zip(pairs, results, strict=True) if ok)


def is_start_of(part: Path, whole: Path) -> bool:
    """Whether the bytes of part are the first bytes of whole (all of them, if as long)."""
    with part.open("rb") as a, whole.open("rb") as b:
        while True:
            chunk = a.read(_CHUNK)
            if not chunk:
                return True
            if b.read(len(chunk)) != chunk:
                return False
