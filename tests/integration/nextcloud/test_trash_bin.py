"""The trash bin against the fake Nextcloud: what deleting leaves, restore, delete for good,
empty."""

from __future__ import annotations

from app.dav.paths import basename
from app.jobs.model import Job, JobState, Op, Task, TaskResult
from app.jobs.planner import plan_delete
from app.jobs.runner import JobRunner
from app.nextcloud import trash
from app.nextcloud.connect import NextcloudConnection, connect


def _connect(server) -> NextcloudConnection:
    return connect(server.origin, login=server.login_name, password=server.password)


def _run(found: NextcloudConnection, job: Job) -> tuple[JobState, list]:
    results: list[TaskResult] = []
    ended = JobRunner(
        found.client, job, lambda e: results.append(e) if isinstance(e, TaskResult) else None
    ).run()
    return ended.state, [o for r in results for o in r.outcomes]


def _deleted(server, found: NextcloudConnection) -> list[trash.TrashItem]:
    root = server.files_root
    (root / "Inbox").mkdir()
    (root / "Inbox" / "report 2026 #1.pdf").write_bytes(b"pdf" * 100)
    (root / "old folder").mkdir()
    (root / "old folder" / "a.txt").write_bytes(b"a")
    files = found.account.files_path
    targets = [
        found.client.stat(files + "Inbox/report 2026 #1.pdf"),
        found.client.stat(files + "old folder/"),
    ]
    state, _ = _run(found, plan_delete(found.client, targets))
    assert state is JobState.FINISHED
    return trash.list_items(found.client, found.account)


def test_deleted_files_are_listed_with_where_they_were_and_when(nextcloud_server):
    found = _connect(nextcloud_server)
    with found.client:
        items = _deleted(nextcloud_server, found)
    by_name = {item.name: item for item in items}
    report, folder = by_name["report 2026 #1.pdf"], by_name["old folder"]
    assert report.original_location == "Inbox/report 2026 #1.pdf" and not report.is_dir
    assert report.size == 300 and report.deleted is not None
    assert folder.is_dir and folder.size == 1 and folder.original_location == "old folder"
    assert {basename(i.path) for i in items} == {i.name for i in nextcloud_server.trash_items()}


def test_restore_puts_a_file_back_where_it_was(nextcloud_server):
    found = _connect(nextcloud_server)
    with found.client:
        [report] = [i for i in _deleted(nextcloud_server, found) if not i.is_dir]
        state, [outcome] = _run(
            found,
            Job(
                "restore",
                (
                    (
                        Task(
                            Op.RESTORE,
                            report.path,
                            destination=trash.restore_path(found.account, report),
                        ),
                    ),
                ),
            ),
        )
        left = trash.list_items(found.client, found.account)
    assert state is JobState.FINISHED and outcome.op == "restore" and outcome.ok
    assert (
        nextcloud_server.files_root / "Inbox" / "report 2026 #1.pdf"
    ).read_bytes() == b"pdf" * 100
    assert [i.name for i in left] == ["old folder"]


def test_delete_for_good_and_empty(nextcloud_server):
    found = _connect(nextcloud_server)
    with found.client:
        items = _deleted(nextcloud_server, found)
        [folder] = [i for i in items if i.is_dir]
        state, [gone] = _run(found, Job("delete", ((Task(Op.DELETE, folder.path, is_dir=True),),)))
        assert state is JobState.FINISHED and gone.ok
        assert [i.name for i in nextcloud_server.trash_items()] != [] and all(
            not i.is_dir for i in nextcloud_server.trash_items()
        )
        state, outcomes = _run(
            found, Job("empty", ((Task(Op.EMPTY, found.account.trash_path, is_dir=True),),))
        )
        assert state is JobState.FINISHED and [o.op for o in outcomes] == ["empty"]
        assert trash.list_items(found.client, found.account) == []
    assert nextcloud_server.trash_items() == []
