"""execute(), already_done() and is_idempotent() against real servers (wsgidav and Apache).

Tasks run one by one here, without the runner: what a task does to the
server and the disk is checked, not how a job schedules it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from app.dav import DavClient, Source, errors, words
from app.dav.outcome import OutcomeClass
from app.jobs.context import Cancelled, TaskContext
from app.jobs.model import Conflict, Op, Task
from app.jobs.operations import DONE_EARLIER, already_done, execute, is_idempotent
from app.jobs.planner import plan_download, plan_upload

CTX = TaskContext(progress=lambda done, total: None)
FEB_3_2001 = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC).timestamp()


def run(client: DavClient, task: Task, ctx: TaskContext = CTX):
    return execute(client, task, ctx)


# -- uploads ---------------------------------------------------------------


def test_upload_onto_a_file_changed_since_planning_is_a_conflict(client, base, dav_server, local):
    dav_server.make_file("doc.txt", b"as listed")
    (local / "doc.txt").write_bytes(b"mine")
    [task] = plan_upload(client, [local / "doc.txt"], base, Conflict.OVERWRITE).tasks
    assert task.exists and task.etag
    dav_server.make_file("doc.txt", b"changed by someone else")

    [outcome] = run(client, task)
    assert outcome.outcome_class is OutcomeClass.CONFLICT and outcome.status == 412
    assert (dav_server.root / "doc.txt").read_bytes() == b"changed by someone else"


def test_upload_guard_without_etag_compares_size_and_time(client, base, dav_server, local):
    """What a server without ETags gets: the size and time planning saw, compared before writing."""
    dav_server.make_file("doc.txt", b"as listed")
    (local / "doc.txt").write_bytes(b"mine")
    listed = client.stat(base + "doc.txt")
    task = Task(
        Op.UPLOAD,
        base + "doc.txt",
        local=local / "doc.txt",
        exists=True,
        target_size=listed.size,
        target_modified=listed.modified.timestamp(),
        conflict=Conflict.OVERWRITE,
    )
    dav_server.make_file("doc.txt", b"changed: another size")

    [outcome] = run(client, task)
    assert (
        outcome.outcome_class is OutcomeClass.CONFLICT and "changed on the server" in outcome.note
    )
    # Decided by Davdesk's own comparison: no server answered 412, and the Outcome says so.
    assert outcome.source is Source.LOCAL and outcome.description is None
    assert (dav_server.root / "doc.txt").read_bytes() == b"changed: another size"

    unchanged = client.stat(base + "doc.txt")
    task = Task(
        Op.UPLOAD,
        base + "doc.txt",
        local=local / "doc.txt",
        exists=True,
        target_size=unchanged.size,
        target_modified=unchanged.modified.timestamp(),
        conflict=Conflict.OVERWRITE,
    )
    assert run(client, task)[0].ok
    assert (dav_server.root / "doc.txt").read_bytes() == b"mine"


def test_upload_of_a_new_file_refuses_one_created_meanwhile(client, base, dav_server, local):
    (local / "new.txt").write_bytes(b"mine")
    [task] = plan_upload(client, [local / "new.txt"], base, Conflict.ASK).tasks
    assert not task.exists
    dav_server.make_file("new.txt", b"theirs")

    [outcome] = run(client, task)
    assert outcome.outcome_class is OutcomeClass.CONFLICT
    assert outcome.note == "appeared on the server after planning"
    [skipped] = run(client, task.with_policy(Conflict.SKIP))
    assert skipped.ok and skipped.reason == "skipped" and skipped.source is Source.LOCAL
    assert (dav_server.root / "new.txt").read_bytes() == b"theirs"


def test_upload_skip_sends_nothing(client, base, dav_server, local, monkeypatch):
    dav_server.make_file("doc.txt", b"theirs")
    (local / "doc.txt").write_bytes(b"mine")
    [task] = plan_upload(client, [local / "doc.txt"], base, Conflict.SKIP).tasks
    monkeypatch.setattr(client, "_send", _no_requests)
    [outcome] = run(client, task)
    assert outcome.ok and outcome.reason == "skipped" and outcome.source is Source.LOCAL
    assert (dav_server.root / "doc.txt").read_bytes() == b"theirs"


def test_mtime_is_kept_both_ways(client, base, dav_server, local):
    source = local / "old.txt"
    source.write_bytes(b"from 2001")
    os.utime(source, (FEB_3_2001, FEB_3_2001))
    [task] = plan_upload(client, [source], base, Conflict.ASK).tasks

    [outcome] = run(client, task, TaskContext(progress=CTX.progress, mtime_by_proppatch=True))
    assert outcome.ok and outcome.note == "mtime kept as a dead property"
    assert client.stat(base + "old.txt").kept_mtime == FEB_3_2001

    back = local / "back"
    back.mkdir()
    job = plan_download(client, [client.stat(base + "old.txt")], back, Conflict.ASK)
    [download] = job.tasks
    assert download.mtime == FEB_3_2001
    assert run(client, download)[0].ok
    assert (back / "old.txt").stat().st_mtime == FEB_3_2001
    assert (back / "old.txt").read_bytes() == b"from 2001"


def test_an_upload_costs_no_proppatch_unless_asked(client, base, dav_server, local):
    """Keeping the mtime where X-OC-Mtime is not taken doubles the requests: a choice, off
    by default. The upload itself is whole either way."""
    source = local / "old.txt"
    source.write_bytes(b"from 2001")
    os.utime(source, (FEB_3_2001, FEB_3_2001))
    [task] = plan_upload(client, [source], base, Conflict.ASK).tasks
    [outcome] = run(client, task)
    assert outcome.ok and outcome.note is None
    assert "{urn:davdesk}mtime" not in client.stat(base + "old.txt").props
    assert (dav_server.root / "old.txt").read_bytes() == b"from 2001"


def test_upload_without_keep_mtime_sets_no_property(client, base, local):
    source = local / "plain.txt"
    source.write_bytes(b"x")
    [task] = plan_upload(client, [source], base, Conflict.ASK).tasks
    [outcome] = run(client, task, TaskContext(progress=CTX.progress, keep_mtime=False))
    assert outcome.ok and outcome.note is None
    assert "{urn:davdesk}mtime" not in client.stat(base + "plain.txt").props


def test_missing_local_file_is_a_local_failure(client, base, local):
    task = Task(Op.UPLOAD, base + "gone.txt", local=local / "gone.txt")
    [outcome] = run(client, task)
    assert not outcome.ok and outcome.source is Source.LOCAL
    assert outcome.reason == "FileNotFoundError"


def test_cancelled_propagates(client, base, local):
    source = local / "big.bin"
    source.write_bytes(os.urandom(1024 * 1024))

    def cancel(done: int, total: int | None) -> None:
        raise Cancelled

    with pytest.raises(Cancelled):
        run(client, Task(Op.UPLOAD, base + "big.bin", local=source), TaskContext(progress=cancel))


def test_wrong_password_and_lost_server_propagate(dav_server, base, local):
    (local / "f.txt").write_bytes(b"x")
    task = Task(Op.UPLOAD, base + "f.txt", local=local / "f.txt")
    with (
        DavClient(dav_server.url, user=dav_server.user, password="wrong") as bad,
        pytest.raises(errors.AuthenticationError),
    ):
        run(bad, task)
    with DavClient("http://127.0.0.1:9/") as unreachable, pytest.raises(errors.ConnectError):
        run(unreachable, Task(Op.DELETE, "/x.txt"))


def test_already_done_upload_with_if_none_match(client, base, local):
    (local / "f.txt").write_bytes(b"content")
    [task] = plan_upload(client, [local / "f.txt"], base, Conflict.ASK).tasks
    assert not is_idempotent(task)
    assert already_done(client, task) is None
    assert run(client, task)[0].ok
    [outcome] = already_done(client, task)
    assert outcome.ok and outcome.note == DONE_EARLIER


def test_already_done_upload_with_if_match(client, base, dav_server, local):
    dav_server.make_file("f.txt", b"old")
    (local / "f.txt").write_bytes(b"new content")
    [task] = plan_upload(client, [local / "f.txt"], base, Conflict.OVERWRITE).tasks
    assert task.etag and not is_idempotent(task)
    assert already_done(client, task) is None
    assert run(client, task)[0].ok
    assert already_done(client, task)[0].note == DONE_EARLIER


def test_plain_put_after_conflict_is_idempotent(client, base, dav_server, local):
    dav_server.make_file("f.txt", b"theirs")
    (local / "f.txt").write_bytes(b"mine")
    task = Task(
        Op.UPLOAD, base + "f.txt", local=local / "f.txt", exists=True, conflict=Conflict.OVERWRITE
    )
    assert is_idempotent(task) and already_done(client, task) is None
    assert run(client, task)[0].ok
    assert (dav_server.root / "f.txt").read_bytes() == b"mine"


def test_upload_rename_after_conflict_picks_a_free_name_when_it_runs(
    client, base, dav_server, local
):
    dav_server.make_file("f.txt", b"theirs")
    dav_server.make_file("f (2).txt", b"also theirs")
    (local / "f.txt").write_bytes(b"mine")
    task = Task(
        Op.UPLOAD, base + "f.txt", local=local / "f.txt", exists=True, conflict=Conflict.RENAME
    )
    [outcome] = run(client, task)
    assert outcome.ok and outcome.path == base + "f (3).txt"
    assert (dav_server.root / "f (3).txt").read_bytes() == b"mine"
    assert (dav_server.root / "f.txt").read_bytes() == b"theirs"


# -- server-side operations -------------------------------------------------


def test_already_done_move(client, base, dav_server):
    dav_server.make_file("a.txt", b"x")
    dav_server.make_dir("dst")
    task = Task(Op.MOVE, base + "a.txt", destination=base + "dst/a.txt", size=1)
    assert not is_idempotent(task)
    assert already_done(client, task) is None
    assert run(client, task)[0].ok
    [outcome] = already_done(client, task)
    assert outcome.ok and outcome.note == DONE_EARLIER
    assert outcome.destination == base + "dst/a.txt"


def test_already_done_copy_and_mkdir_and_delete(client, base, dav_server):
    dav_server.make_file("a.txt", b"xyz")
    copy = Task(Op.COPY, base + "a.txt", destination=base + "b.txt", size=3)
    mkdir = Task(Op.MKDIR, base + "new/", is_dir=True)
    delete = Task(Op.DELETE, base + "a.txt", exists=True)
    assert [already_done(client, t) for t in (copy, mkdir, delete)] == [None, None, None]
    for task in (copy, mkdir, delete):
        assert run(client, task)[0].ok
        assert already_done(client, task)[0].note == DONE_EARLIER


def test_idempotent_tasks_need_no_check():
    assert is_idempotent(Task(Op.DOWNLOAD, "/a", local=Path("a")))
    assert is_idempotent(Task(Op.COPY, "/a", destination="/b", conflict=Conflict.OVERWRITE))
    assert not is_idempotent(Task(Op.COPY, "/a", destination="/b", conflict=Conflict.ASK))
    assert is_idempotent(Task(Op.COPY, "/a", destination="/b", exists=True, conflict=Conflict.SKIP))
    assert not is_idempotent(Task(Op.MOVE, "/a", destination="/b", conflict=Conflict.OVERWRITE))
    assert not is_idempotent(Task(Op.MKDIR, "/a/", is_dir=True))


def test_mkdir_existing_folder_is_ok_but_a_file_is_not(client, base, dav_server):
    dav_server.make_dir("there")
    dav_server.make_file("file", b"x")
    [outcome] = run(client, Task(Op.MKDIR, base + "there/", is_dir=True, conflict=Conflict.SKIP))
    assert outcome.ok and outcome.note == "already exists"
    [outcome] = run(client, Task(Op.MKDIR, base + "there/", is_dir=True, conflict=Conflict.ASK))
    assert not outcome.ok and outcome.status == 405
    [outcome] = run(client, Task(Op.MKDIR, base + "file/", is_dir=True, conflict=Conflict.SKIP))
    assert not outcome.ok and outcome.status in (400, 405)  # Apache: 400 for "file/"
    assert (dav_server.root / "file").read_bytes() == b"x"


def test_delete_folder_and_missing_file(client, base, dav_server):
    dav_server.make_file("folder/inner.txt", b"x")
    [outcome] = run(client, Task(Op.DELETE, base + "folder", is_dir=True))
    assert outcome.ok and not (dav_server.root / "folder").exists()
    # Already gone: the file is not there, as asked. A success with a note, never a retry.
    [outcome] = run(client, Task(Op.DELETE, base + "missing.txt"))
    assert outcome.ok and outcome.already_gone and outcome.status == 404
    assert (words.action(outcome), words.problem(outcome), words.note(outcome)) == (
        "Deleted",
        "",
        "Already gone: nothing to delete",
    )


def test_a_404_on_anything_but_a_delete_stays_a_problem(client, base, dav_server, tmp_path):
    [outcome] = run(client, Task(Op.DOWNLOAD, base + "missing.txt", local=tmp_path / "m.txt"))
    assert not outcome.ok and outcome.status == 404 and not outcome.already_gone
    assert (words.action(outcome), words.problem(outcome)) == ("Download", "Not on the server")


def test_copy_of_a_folder_onto_an_existing_one_asks(client, base, dav_server):
    dav_server.make_file("src/a.txt", b"new")
    dav_server.make_file("dst/src/a.txt", b"old")
    task = Task(Op.COPY, base + "src", destination=base + "dst/src", is_dir=True, exists=True)
    [outcome] = run(client, task)
    assert (
        outcome.outcome_class is OutcomeClass.CONFLICT and outcome.destination == base + "dst/src"
    )
    assert outcome.note == "exists at the destination"
    assert (dav_server.root / "dst" / "src" / "a.txt").read_bytes() == b"old"


# -- downloads -------------------------------------------------------------


@pytest.mark.parametrize("policy", list(Conflict))
def test_download_onto_an_existing_local_file(client, base, dav_server, local, policy):
    dav_server.make_file("f.txt", b"remote")
    (local / "f.txt").write_bytes(b"local")
    [task] = plan_download(client, [client.stat(base + "f.txt")], local, policy).tasks
    [outcome] = run(client, task)
    names = sorted(p.name for p in local.iterdir())
    if policy is Conflict.ASK:
        assert (
            not outcome.ok
            and outcome.error == "target-exists"
            and outcome.reason == "exists locally"
        )
        assert outcome.outcome_class is OutcomeClass.CONFLICT and outcome.source is Source.LOCAL
        assert (local / "f.txt").read_bytes() == b"local"
    elif policy in (Conflict.SKIP, Conflict.NEWER):  # the local file is the newer one
        assert outcome.ok and outcome.reason == "skipped"
        assert (local / "f.txt").read_bytes() == b"local"
    elif policy in (Conflict.OVERWRITE, Conflict.DIFFERENT):  # another size: different
        assert outcome.ok and (local / "f.txt").read_bytes() == b"remote"
    else:
        assert outcome.ok and names == ["f (2).txt", "f.txt"]
        assert (local / "f (2).txt").read_bytes() == b"remote"
    assert len(names) == (2 if policy is Conflict.RENAME else 1)


def test_download_with_an_unsafe_name_writes_nothing(client, base, local):
    [outcome] = run(client, Task(Op.DOWNLOAD, base + "..", local=None))
    assert not outcome.ok and outcome.source is Source.LOCAL and outcome.reason == "UnsafePathError"
    [outcome] = run(client, Task(Op.DOWNLOAD, base + "x", local=local / "bad\nname"))
    assert not outcome.ok and outcome.reason == "UnsafePathError"
    assert list(local.iterdir()) == []


# -- what no test server does on request: Nextcloud's X-OC-Mtime, a refused PROPPATCH -----


def _no_requests(*args, **kwargs):
    raise AssertionError("no request may be sent")


def _client(handler) -> DavClient:
    return DavClient("https://dav.example.test/", transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    ("answer", "by_proppatch", "proppatch", "description"),
    [
        ({"X-OC-MTime": "accepted"}, True, None, "mtime kept by X-OC-Mtime"),
        ({"X-OC-MTime": "accepted"}, False, None, "mtime kept by X-OC-Mtime"),
        ({}, True, 403, "server refused to keep the mtime (403 Forbidden)"),
        ({}, False, None, None),
    ],
)
def test_mtime_by_header_or_not_at_all(tmp_path, answer, by_proppatch, proppatch, description):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        request.read()
        if request.method == "PUT":
            return httpx.Response(201, headers=answer)
        return httpx.Response(proppatch or 500)

    source = tmp_path / "f.txt"
    source.write_bytes(b"x")
    os.utime(source, (FEB_3_2001, FEB_3_2001))
    with _client(handler) as client:
        [outcome] = run(
            client,
            Task(Op.UPLOAD, "/f.txt", local=source),
            TaskContext(progress=CTX.progress, mtime_by_proppatch=by_proppatch),
        )
    assert outcome.ok and outcome.note == description
    assert seen[0].headers["X-OC-Mtime"] == str(int(FEB_3_2001))
    assert [r.method for r in seen] == (["PUT"] if proppatch is None else ["PUT", "PROPPATCH"])
