"""Restoring from the trash bin (app/jobs/ops/restore.py) against the fake Nextcloud: after a
lost answer, the item gone from the trash bin shows the restore took effect."""

from __future__ import annotations

from app.jobs.context import TaskContext
from app.jobs.model import Op, Task
from app.jobs.operations import DONE_EARLIER, already_done, execute, is_idempotent
from app.jobs.planner import plan_delete
from app.jobs.runner import JobRunner
from app.nextcloud import trash
from app.nextcloud.connect import connect

CTX = TaskContext(progress=lambda done, total: None)


def test_a_restore_that_took_effect_is_seen_to_have(nextcloud_server):
    found = connect(
        nextcloud_server.origin,
        login=nextcloud_server.login_name,
        password=nextcloud_server.password,
    )
    (nextcloud_server.files_root / "notes.txt").write_bytes(b"notes")
    with found.client as client:
        target = client.stat(found.account.files_path + "notes.txt")
        JobRunner(client, plan_delete(client, [target]), lambda event: None).run()
        [item] = trash.list_items(client, found.account)
        task = Task(Op.RESTORE, item.path, destination=trash.restore_path(found.account, item))

        assert not is_idempotent(task)  # a second MOVE would find nothing to restore
        assert already_done(client, task) is None  # still in the trash bin: not done
        [restored] = execute(client, task, CTX)
        [done] = already_done(client, task)

    assert restored.ok and restored.op == "restore"
    assert done.ok and done.note == DONE_EARLIER
    assert (nextcloud_server.files_root / "notes.txt").read_bytes() == b"notes"
