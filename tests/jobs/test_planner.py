"""The planner against real servers (wsgidav and Apache): what a selection becomes, and that the
plan, executed task by task, does what it said.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from app.dav import DavClient, Source
from app.dav.outcome import OutcomeClass
from app.jobs.context import TaskContext
from app.jobs.model import Conflict, Job, Op, Task, TaskResult
from app.jobs.operations import execute
from app.jobs.planner import (
    describe,
    plan_copy,
    plan_delete,
    plan_download,
    plan_mkdir,
    plan_move,
    plan_upload,
    retry_job,
)

CTX = TaskContext(progress=lambda done, total: None)

AWKWARD = [
    "with space.txt",
    "100% sure.txt",
    "hash#tag.txt",
    "this&that.txt",
    unicodedata.normalize("NFD", "café-nfd.txt"),
]


def run_job(client: DavClient, job: Job) -> list[TaskResult]:
    """Every task in stage order, as the runner would (without its threads and retries)."""
    return [TaskResult(job.id, task, tuple(execute(client, task, CTX))) for task in job.tasks]


def tree(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) below root, by relative path.

    Dot names are left out: Apache keeps dead properties in .DAV folders.
    """
    paths = (
        p
        for p in sorted(root.rglob("*"))
        if not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
    return {str(p.relative_to(root)): None if p.is_dir() else p.read_bytes() for p in paths}


def snapshot(root: Path) -> dict[str, tuple[bytes | None, float]]:
    return {k: (v, (root / k).stat().st_mtime) for k, v in tree(root).items()}


# -- upload ----------------------------------------------------------------


def test_upload_plan_of_a_nested_tree(client, base, dav_server, local):
    for relpath, data in [
        ("top/a.txt", b"a"),
        ("top/sub/b.txt", b"bb"),
        ("top/sub/deeper/c.txt", b"ccc"),
    ]:
        (local / relpath).parent.mkdir(parents=True, exist_ok=True)
        (local / relpath).write_bytes(data)
    (local / "top/sub/empty").mkdir()
    dav_server.make_file("top/a.txt", b"old a")
    etag = client.stat(base + "top/a.txt").etag

    job = plan_upload(client, [local / "top"], base, Conflict.OVERWRITE)

    mkdirs, deeper, uploads = job.stages
    assert [t.remote for t in mkdirs] == [base + "top/sub/"]  # top/ exists: merged, not created
    assert [t.remote for t in deeper] == [base + "top/sub/deeper/", base + "top/sub/empty/"]
    assert {t.op for t in mkdirs + deeper} == {Op.MKDIR}
    by_remote = {t.remote: t for t in uploads}
    assert set(by_remote) == {
        base + "top/a.txt",
        base + "top/sub/b.txt",
        base + "top/sub/deeper/c.txt",
    }
    assert by_remote[base + "top/a.txt"].exists and by_remote[base + "top/a.txt"].etag == etag
    assert not by_remote[base + "top/sub/b.txt"].exists
    assert by_remote[base + "top/sub/deeper/c.txt"].size == 3
    assert by_remote[base + "top/sub/b.txt"].mtime == (local / "top/sub/b.txt").stat().st_mtime
    assert job.bytes_total == 6

    assert all(r.ok for r in run_job(client, job))
    assert tree(dav_server.root) == tree(local)


def test_upload_rename_picks_free_names(client, base, dav_server, local):
    dav_server.make_file("a.txt", b"theirs")
    (local / "a.txt").write_bytes(b"mine")
    (local / "a (2).txt").write_bytes(b"mine too")
    job = plan_upload(client, [local / "a.txt", local / "a (2).txt"], base, Conflict.RENAME)
    assert [t.remote for t in job.tasks] == [base + "a (3).txt", base + "a (2).txt"]
    assert [o.reason for o in describe(job)] == ["would rename to a (3).txt", "would upload"]
    assert all(r.ok for r in run_job(client, job))
    assert tree(dav_server.root) == {
        "a.txt": b"theirs",
        "a (2).txt": b"mine too",
        "a (3).txt": b"mine",
    }


def test_upload_refuses_a_missing_local_path(client, base, local):
    with pytest.raises(ValueError, match="no such file"):
        plan_upload(client, [local / "nope"], base, Conflict.ASK)


# -- download --------------------------------------------------------------


def test_download_plan_with_awkward_names_and_a_nested_folder(client, base, dav_server, local):
    for name in AWKWARD:
        dav_server.make_file(f"dl & co/{name}", name.encode())
    dav_server.make_file("dl & co/nested 50%/inner #1.txt", b"inner")
    dav_server.make_dir("dl & co/nested 50%/empty")

    job = plan_download(client, [client.stat(base + "dl & co")], local, Conflict.ASK)
    folders, files = job.stages
    assert all(t.is_dir for t in folders) and not any(t.is_dir for t in files)
    assert {t.local for t in folders} == {
        local / "dl & co",
        local / "dl & co/nested 50%",
        local / "dl & co/nested 50%/empty",
    }
    assert len(files) == len(AWKWARD) + 1 and all(t.mtime for t in files)

    results = run_job(client, job)
    assert all(r.ok for r in results), [o for r in results for o in r.outcomes if not o.ok]
    assert tree(local) == tree(dav_server.root)
    assert unicodedata.normalize("NFD", "café-nfd.txt") in os.listdir(local / "dl & co")


def test_download_plan_refuses_an_unsafe_name(client, base, dav_server, local):
    dav_server.make_file("in/back\\slash.txt", b"x")
    dav_server.make_file("in/fine.txt", b"y")
    job = plan_download(client, [client.stat(base + "in")], local, Conflict.ASK)
    refused = [t for t in job.tasks if t.local is None]
    assert [t.remote for t in refused] == [base + "in/back\\slash.txt"]
    assert [o.reason for o in describe(job) if o.path == refused[0].remote] == ["would skip"]

    outcomes = {o.path: o for r in run_job(client, job) for o in r.outcomes}
    bad = outcomes[base + "in/back\\slash.txt"]
    assert not bad.ok and bad.source is Source.LOCAL and "separator" in bad.detail
    assert tree(local) == {"in": None, "in/fine.txt": b"y"}


def test_download_rename_does_not_take_a_name_it_downloads(client, base, dav_server, local):
    dav_server.make_file("d/a.txt", b"remote a")
    dav_server.make_file("d/a (2).txt", b"remote a2")
    (local / "d").mkdir()
    (local / "d/a.txt").write_bytes(b"local a")
    job = plan_download(client, [client.stat(base + "d")], local, Conflict.RENAME)
    assert sorted(t.local.name for t in job.stages[1]) == ["a (2).txt", "a (3).txt"]
    assert all(r.ok for r in run_job(client, job))
    assert tree(local / "d") == {
        "a.txt": b"local a",
        "a (2).txt": b"remote a2",
        "a (3).txt": b"remote a",
    }


# -- copy and move ---------------------------------------------------------


@pytest.mark.parametrize("op", [Op.COPY, Op.MOVE])
@pytest.mark.parametrize("policy", list(Conflict))
def test_copy_and_move_with_each_conflict_policy(client, base, dav_server, monkeypatch, op, policy):
    dav_server.make_file("src/a.txt", b"new")
    dav_server.make_file("dst/a.txt", b"old")
    plan = plan_copy if op is Op.COPY else plan_move
    job = plan(client, [client.stat(base + "src/a.txt")], base + "dst/", policy)
    [task] = job.tasks
    if policy in (Conflict.SKIP, Conflict.NEWER, Conflict.DIFFERENT):
        monkeypatch.setattr(client, "_send", _no_requests)
    [outcome] = execute(client, task, CTX)

    dst = tree(dav_server.root / "dst")
    source_kept = (dav_server.root / "src" / "a.txt").exists()
    if policy is Conflict.ASK:
        assert outcome.outcome_class is OutcomeClass.CONFLICT and outcome.status == 412
        assert dst == {"a.txt": b"old"} and source_kept
    elif policy in (Conflict.SKIP, Conflict.NEWER, Conflict.DIFFERENT):
        # newer, different: the same size, times a moment apart: not newer, not different
        assert task.conflict is Conflict.SKIP
        assert outcome.ok and outcome.reason == "skipped" and outcome.source is Source.LOCAL
        assert dst == {"a.txt": b"old"} and source_kept
    elif policy is Conflict.OVERWRITE:
        assert outcome.ok and dst == {"a.txt": b"new"}
        assert source_kept == (op is Op.COPY)
    else:
        assert task.destination == base + "dst/a (2).txt" and not task.exists
        assert outcome.ok and dst == {"a.txt": b"old", "a (2).txt": b"new"}
        assert source_kept == (op is Op.COPY)


def test_copy_onto_itself_with_overwrite_is_a_skip(client, base, dav_server):
    dav_server.make_file("a.txt", b"keep")
    [task] = plan_copy(client, [client.stat(base + "a.txt")], base, Conflict.OVERWRITE).tasks
    assert task.conflict is Conflict.SKIP
    [task] = plan_copy(client, [client.stat(base + "a.txt")], base, Conflict.RENAME).tasks
    assert task.destination == base + "a (2).txt"


def test_copy_rename_does_not_take_a_name_it_copies(client, base, dav_server):
    dav_server.make_file("src/a.txt", b"a")
    dav_server.make_file("src/a (2).txt", b"a2")
    dav_server.make_file("dst/a.txt", b"old")
    job = plan_copy(client, client.listdir(base + "src"), base + "dst", Conflict.RENAME)
    assert sorted(t.destination for t in job.tasks) == [
        base + "dst/a (2).txt",
        base + "dst/a (3).txt",
    ]
    assert all(r.ok for r in run_job(client, job))
    assert tree(dav_server.root / "dst") == {"a.txt": b"old", "a (2).txt": b"a2", "a (3).txt": b"a"}


def test_move_of_a_folder_plans_its_trailing_slash(client, base, dav_server):
    dav_server.make_file("folder/x.txt", b"x")
    dav_server.make_dir("dst")
    job = plan_move(client, [client.stat(base + "folder")], base + "dst", Conflict.ASK)
    [task] = job.tasks
    assert task.is_dir and task.destination == base + "dst/folder/"
    assert all(r.ok for r in run_job(client, job))
    assert tree(dav_server.root) == {"dst": None, "dst/folder": None, "dst/folder/x.txt": b"x"}


# -- mkdir and delete ------------------------------------------------------


def test_mkdir_with_parents_has_a_stage_per_level(client, base, dav_server):
    dav_server.make_dir("a")
    job = plan_mkdir([base + "a/b/c", base + "a/b/d/"], parents=True, client=client)
    assert [[t.remote for t in stage] for stage in job.stages] == [
        [base + "a/b/"],
        [base + "a/b/c/", base + "a/b/d/"],
    ]
    assert all(r.ok for r in run_job(client, job))
    assert tree(dav_server.root) == {"a": None, "a/b": None, "a/b/c": None, "a/b/d": None}
    assert len(plan_mkdir([base + "x/y"]).stages) == 1


def test_delete_plan(client, base, dav_server):
    dav_server.make_file("f.txt", b"x")
    dav_server.make_file("folder/g.txt", b"x")
    job = plan_delete(client, client.listdir(base))
    assert len(job.stages) == 1 and {t.is_dir for t in job.tasks} == {False, True}
    assert all(r.ok for r in run_job(client, job))
    assert tree(dav_server.root) == {}


# -- dry run ---------------------------------------------------------------


def test_describe_touches_nothing(client, base, dav_server, local, monkeypatch):
    dav_server.make_file("remote/exists.txt", b"theirs")
    dav_server.make_file("remote/keep.txt", b"keep")
    dav_server.make_dir("other")
    (local / "up").mkdir()
    (local / "up/exists.txt").write_bytes(b"mine")
    (local / "up/sub").mkdir()
    (local / "up/sub/new.txt").write_bytes(b"new")
    (local / "down").mkdir()
    jobs = [
        plan_upload(client, [local / "up"], base, Conflict.ASK),
        plan_copy(client, client.listdir(base + "remote"), base + "other", Conflict.SKIP),
        plan_move(
            client, [client.stat(base + "remote/keep.txt")], base + "remote", Conflict.RENAME
        ),
        plan_download(client, [client.stat(base + "remote")], local / "down", Conflict.OVERWRITE),
        plan_delete(client, [client.stat(base + "remote")]),
    ]
    server_before, local_before = snapshot(dav_server.root), snapshot(local)
    monkeypatch.setattr(client, "_send", _no_requests)

    described = [describe(job) for job in jobs]

    assert snapshot(dav_server.root) == server_before and snapshot(local) == local_before
    assert all(
        o.ok and o.source is Source.DRY_RUN and o.status is None for d in described for o in d
    )
    upload, copy, move, download, delete = ([o.reason for o in d] for d in described)
    assert upload == ["would create", "would create", "would upload", "would upload"]
    assert copy == ["would copy", "would copy"]
    assert move == ["would rename to keep (2).txt"]
    assert download == ["would create", "would download", "would download"]
    assert delete == ["would delete"]
    assert described[1][0].destination == base + "other/exists.txt"
    assert described[3][1].note == str(local / "down/remote/exists.txt")


def test_describe_names_overwrites_and_skips(client, base, dav_server, local):
    dav_server.make_file("a.txt", b"theirs")
    (local / "a.txt").write_bytes(b"mine")
    [overwrite] = describe(plan_upload(client, [local / "a.txt"], base, Conflict.OVERWRITE))
    [skip] = describe(plan_upload(client, [local / "a.txt"], base, Conflict.SKIP))
    assert (overwrite.reason, overwrite.note) == ("would overwrite", base + "a.txt")
    assert (skip.reason, skip.note) == ("would skip", base + "a.txt exists")


# -- retry -----------------------------------------------------------------


def test_retry_with_another_policy(client, base, dav_server, local):
    dav_server.make_file("dst/a.txt", b"old")
    dav_server.make_file("src/a.txt", b"new")
    (local / "up.txt").write_bytes(b"mine")
    [upload] = plan_upload(client, [local / "up.txt"], base + "dst", Conflict.ASK).tasks
    dav_server.make_file("dst/up.txt", b"theirs, created after planning")
    copy_job = plan_copy(client, [client.stat(base + "src/a.txt")], base + "dst", Conflict.ASK)
    mkdir = Task(Op.MKDIR, base + "dst/made/", is_dir=True)
    first = run_job(client, Job("first", ((upload,), copy_job.tasks, (mkdir,))))
    assert [r.outcomes[0].outcome_class for r in first] == [
        OutcomeClass.CONFLICT,
        OutcomeClass.CONFLICT,
        OutcomeClass.OK,
    ]

    retry = retry_job(
        first + first[:1], conflict=Conflict.OVERWRITE, lock_token="urn:t", name="Again"
    )
    assert retry.name == "Again"
    assert [[t.op for t in s] for s in retry.stages] == [[Op.MKDIR], [Op.UPLOAD, Op.COPY]]
    assert all(t.conflict is Conflict.OVERWRITE and t.lock_token == "urn:t" for t in retry.tasks)
    retried_upload = retry.stages[1][0]
    assert retried_upload.exists and retried_upload.etag is None  # a plain PUT: the user chose

    again = run_job(
        client,
        Job(
            "without the lock",
            tuple(
                tuple(t.with_policy() for t in stage)
                for stage in retry_job(first, Conflict.OVERWRITE).stages
            ),
        ),
    )
    assert all(r.ok for r in again)
    assert tree(dav_server.root / "dst") == {"a.txt": b"new", "up.txt": b"mine", "made": None}


def test_retry_with_skip_and_rename_after_a_conflict(client, base, dav_server):
    dav_server.make_file("a.txt", b"new")
    dav_server.make_file("dst/a.txt", b"old")
    [task] = plan_copy(client, [client.stat(base + "a.txt")], base + "dst", Conflict.ASK).tasks
    dav_server.make_file("dst/a (2).txt", b"older")
    first = run_job(client, Job("first", ((task,),)))

    [skip] = retry_job(first, Conflict.SKIP).tasks
    assert execute(client, skip, CTX)[0].reason == "skipped"
    [rename] = retry_job(first, Conflict.RENAME).tasks
    assert execute(client, rename, CTX)[0].destination == base + "dst/a (3).txt"
    assert tree(dav_server.root / "dst") == {
        "a.txt": b"old",
        "a (2).txt": b"older",
        "a (3).txt": b"new",
    }
    [same] = retry_job(first).tasks
    assert same == task


def test_retry_with_ask_keeps_the_guard(client, base, dav_server, local):
    (local / "f.txt").write_bytes(b"mine")
    job = plan_upload(client, [local / "f.txt"], base, Conflict.ASK)
    dav_server.make_file("f.txt", b"theirs")
    first = run_job(client, job)
    [task] = retry_job(first, Conflict.ASK).tasks
    assert task == job.tasks[0]
    [outcome] = execute(client, task, CTX)
    assert outcome.outcome_class is OutcomeClass.CONFLICT
    assert (dav_server.root / "f.txt").read_bytes() == b"theirs"


def _no_requests(*args, **kwargs):
    raise AssertionError("no request may be sent")


def test_overwrite_if_newer_and_if_different_are_decided_per_file(
    client, base, dav_server, tmp_path
):
    """WinSCP's choices: each existing target is overwritten or skipped by its size and
    date; a target that was not there is guarded as new."""
    import os
    import time as clock

    from app.jobs.planner import plan_upload

    for name in ("older.txt", "newer.txt", "same.txt", "bigger.txt"):
        dav_server.make_file(name, b"server")
    local = tmp_path / "up"
    local.mkdir()
    now = clock.time()
    stamps = {
        "older.txt": now - 86400,
        "newer.txt": now + 86400,
        "same.txt": None,
        "bigger.txt": None,
        "fresh.txt": now,
    }
    for name, when in stamps.items():
        path = local / name
        path.write_bytes(b"server" if name != "bigger.txt" else b"server, longer")
        server_time = (dav_server.root / name).stat().st_mtime if name != "fresh.txt" else now
        os.utime(path, (when or server_time, when or server_time))
    paths = sorted(local.iterdir())
    newer = {
        t.remote.rsplit("/", 1)[1]: t.conflict
        for t in plan_upload(client, paths, base, Conflict.NEWER).tasks
    }
    assert newer == {
        "older.txt": Conflict.SKIP,
        "newer.txt": Conflict.OVERWRITE,
        "same.txt": Conflict.SKIP,
        "bigger.txt": Conflict.SKIP,
        "fresh.txt": Conflict.ASK,
    }
    different = {
        t.remote.rsplit("/", 1)[1]: t.conflict
        for t in plan_upload(client, paths, base, Conflict.DIFFERENT).tasks
    }
    assert different == {
        "older.txt": Conflict.OVERWRITE,
        "newer.txt": Conflict.OVERWRITE,
        "same.txt": Conflict.SKIP,
        "bigger.txt": Conflict.OVERWRITE,
        "fresh.txt": Conflict.ASK,
    }
