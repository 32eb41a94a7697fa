"""An upload sent again over what an earlier, cut-off attempt of its own may still be writing.

A run that is killed mid-PUT does not stop the server: it may go on
writing the body it had already received for a while (wsgidav writes a
PUT straight into the target; Apache renames it into place once the body
is in). The next run, sending that upload again, can then find the file
changed between its listing and its PUT, and the guard answers 412
although the only writer was the upload itself.

Sync knows when a 412 may be that (a Task with resumes set: it was
sending exactly this local version and never heard back), and takes the
server's file for its own earlier attempt by the same rule as planning
(app/sync/proof.py): only while the server's bytes are the start of the
local file's, or all of them. Anything else is someone else's version,
and stays a conflict.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from app.dav import DavClient, Outcome, errors
from app.jobs.model import Task

#: How often the server's file may change under a resent upload (each time found still to be
#: a start of ours) before the 412 stands: a cut-off body ends; a server that keeps changing
#: the file is someone else's doing.
ROUNDS = 8
_CHUNK = 1 << 20


def send_over_own_start(
    client: DavClient, task: Task, send: Callable[[str], Outcome]
) -> Outcome | None:
    """After a 412: send(etag) over the server's file while it is a start of ours, guarded by the
    ETag of the bytes that were compared; None when it is not ours (the 412 stands)."""
    for _ in range(ROUNDS):
        etag = own_start_etag(client, task)
        if etag is None:
            return None
        try:
            return send(etag)
        except errors.PreconditionFailedError:
            continue  # still being written: look again
    return None


def own_start_etag(client: DavClient, task: Task) -> str | None:
    """The ETag of the server's file if its bytes are the start of the local file's, else None
    (not there, a folder, someone else's bytes, or no ETag to guard an overwrite with)."""
    assert task.local is not None
    with tempfile.TemporaryDirectory(prefix="davdesk-resend-") as scratch:
        fetched = Path(scratch) / "server"
        try:
            answer = client.get(task.remote, fetched, keep_mtime=False)
        except errors.NotFoundError:
            return None
        if answer.etag is None or not _is_start_of(fetched, task.local):
            return None
        return answer.etag


def _is_start_of(part: Path, whole: Path) -> bool:
    with part.open("rb") as a, whole.open("rb") as b:
        while chunk := a.read(_CHUNK):
            if b.read(len(chunk)) != chunk:
                return False
    return True
