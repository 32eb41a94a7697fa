"""The job-engine guards sync relies on, against the real servers: a sync task never deletes
or overwrites a version it did not see, even when the file changes after the preview."""

from __future__ import annotations

from app.dav.paths import join
from app.jobs.context import TaskContext
from app.jobs.model import Conflict, Op, Task
from app.jobs.operations import execute


def run(client, task):
    return execute(client, task, TaskContext(progress=lambda done, total: None))


def test_a_remote_delete_keeps_a_file_changed_since_the_scan(client, base, dav_server):
    dav_server.make_file("a.txt", b"v1")
    seen = client.stat(join(base, "a.txt"))
    dav_server.make_file("a.txt", b"v2, changed after the scan")
    task = Task(Op.DELETE, seen.path, etag=seen.etag, exists=True, target_size=seen.size)
    [outcome] = run(client, task)
    assert not outcome.ok and outcome.status == 412 and outcome.outcome_class == "conflict"
    assert (dav_server.root / "a.txt").read_bytes() == b"v2, changed after the scan"
    task = Task(
        Op.DELETE,
        seen.path,
        etag=client.stat(seen.path).etag,
        exists=True,
        target_size=len(b"v2, changed after the scan"),
    )
    assert run(client, task)[0].ok and not (dav_server.root / "a.txt").exists()


def test_a_download_keeps_a_local_file_changed_since_the_scan(client, base, dav_server, local):
    dav_server.make_file("a.txt", b"server")
    target = local / "a.txt"
    target.write_bytes(b"local")
    seen = target.stat()
    target.write_bytes(b"local, edited after the scan")
    task = Task(
        Op.DOWNLOAD,
        join(base, "a.txt"),
        local=target,
        exists=True,
        conflict=Conflict.OVERWRITE,
        target_size=seen.st_size,
        target_modified=seen.st_mtime,
    )
    [outcome] = run(client, task)
    assert not outcome.ok and outcome.outcome_class == "conflict"
    assert target.read_bytes() == b"local, edited after the scan"


def test_a_local_delete_keeps_a_changed_file_and_a_full_folder(client, local):
    kept = local / "kept.txt"
    kept.write_bytes(b"12")
    seen = kept.stat()
    kept.write_bytes(b"123")
    task = Task(Op.DELETE_LOCAL, "/x/kept.txt", local=kept, size=seen.st_size, mtime=seen.st_mtime)
    assert not run(client, task)[0].ok and kept.exists()
    now = kept.stat()
    task = Task(Op.DELETE_LOCAL, "/x/kept.txt", local=kept, size=now.st_size, mtime=now.st_mtime)
    assert run(client, task)[0].ok and not kept.exists()
    (local / "full").mkdir()
    (local / "full" / "x").write_bytes(b"")
    [outcome] = run(client, Task(Op.DELETE_LOCAL, "/x/full", local=local / "full", is_dir=True))
    assert not outcome.ok and (local / "full" / "x").exists()


def test_a_remote_folder_delete_keeps_a_folder_that_is_not_empty(client, base, dav_server):
    dav_server.make_file("folder/kept.txt", b"kept")
    task = Task(Op.DELETE, join(base, "folder") + "/", is_dir=True, exists=True, target_size=0)
    [outcome] = run(client, task)
    assert not outcome.ok and outcome.outcome_class == "conflict"
    assert (dav_server.root / "folder" / "kept.txt").read_bytes() == b"kept"
    (dav_server.root / "folder" / "kept.txt").unlink()
    assert run(client, task)[0].ok and not (dav_server.root / "folder").exists()
