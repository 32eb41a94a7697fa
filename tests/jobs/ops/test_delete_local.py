"""Deleting a local file for a sync (app/jobs/ops/delete_local.py): never sent twice blindly, and
a file already gone is what shows an earlier attempt took effect."""

from __future__ import annotations

from app.dav import DavClient
from app.jobs.context import TaskContext
from app.jobs.model import Op, Task
from app.jobs.operations import DONE_EARLIER, already_done, execute, is_idempotent

CTX = TaskContext(progress=lambda done, total: None)


def test_a_local_delete_that_took_effect_is_seen_to_have(local):
    kept = local / "kept.txt"
    kept.write_bytes(b"as synced")
    seen = kept.stat()
    task = Task(Op.DELETE_LOCAL, "/x/kept.txt", local=kept, size=seen.st_size, mtime=seen.st_mtime)

    assert not is_idempotent(task)  # a second unlink would fail: the file is gone
    with DavClient("http://127.0.0.1:9/") as nowhere:  # only the disk is looked at
        assert already_done(nowhere, task) is None
        [deleted] = execute(nowhere, task, CTX)
        [done] = already_done(nowhere, task)

    assert deleted.ok and not kept.exists()
    assert done.ok and done.note == DONE_EARLIER
