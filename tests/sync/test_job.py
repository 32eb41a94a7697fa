"""How a plan becomes jobs: a conflict's steps, and what the recorder lets follow them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from app.dav import Outcome
from app.dav.outcome import cancelled
from app.jobs.model import Conflict, Op, TaskResult
from app.sync.job import SyncRecorder, build_job
from app.sync.model import Action, Direction, LocalFile, PlanItem, RemoteFile, SyncPlan
from app.sync.state import StateDB

ROOT = Path("/home/me/pair")


def conflict(stem: str, root: Path) -> PlanItem:
    local = LocalFile(f"{stem}.txt", root / f"{stem}.txt", False, 5, 10**9, 1.0)
    remote = RemoteFile(f"{stem}.txt", f"/dav/{stem}.txt", False, 7, "e7", 2.0, 2.0)
    return PlanItem(
        f"{stem}.txt",
        Action.CONFLICT,
        "changed on both sides",
        size=19,
        local=local,
        remote=remote,
        conflict_rel=f"{stem} (conflict 2024-05-01 1432).txt",
    )


def conflict_plan(direction: Direction, root: Path = ROOT, stems=("a;b?",)) -> SyncPlan:
    return SyncPlan(root, "/dav/", direction, tuple(conflict(stem, root) for stem in stems))


def result(task, ok: bool = True) -> TaskResult:
    return TaskResult(
        1,
        task,
        (
            Outcome(
                task.op.value,
                task.remote,
                200 if ok else 500,
                "OK" if ok else "Internal Server Error",
                ok=ok,
            ),
        ),
    )


@pytest.fixture
def state(tmp_path):
    with StateDB(tmp_path / "state.sqlite") as db:
        yield db


def test_a_conflict_first_saves_the_servers_version_beside_and_moves_nothing():
    [task] = build_job(conflict_plan(Direction.BOTH)).job.tasks
    assert task.op is Op.DOWNLOAD and task.remote == "/dav/a;b?.txt"
    assert task.local == ROOT / "a;b? (conflict 2024-05-01 1432).txt"
    assert not task.exists and task.conflict is Conflict.ASK  # a file there since: kept


def test_then_both_versions_go_up_guarded_once_the_copy_is_saved(state, tmp_path):
    recorder = SyncRecorder(state, build_job(conflict_plan(Direction.BOTH, tmp_path)))
    recorder.begin()
    [save] = recorder.sync_job.job.tasks
    save.local.write_bytes(b"servers")  # what the download saved
    recorder.record(result(save))
    follow_up = recorder.follow_up()
    assert follow_up is not None
    copy, replace = follow_up.sync_job.job.tasks
    assert (copy.op, copy.remote, copy.local) == (
        Op.UPLOAD,
        "/dav/a;b? (conflict 2024-05-01 1432).txt",
        save.local,
    )
    assert not copy.exists  # If-None-Match: *
    assert (replace.op, replace.remote, replace.etag) == (Op.UPLOAD, "/dav/a;b?.txt", "e7")
    assert replace.exists and replace.conflict is Conflict.OVERWRITE  # If-Match the saved one
    follow_up.begin()
    for task in (copy, replace):
        follow_up.record(result(task))
    assert follow_up.follow_up() is None
    assert set(state.load()) == {"a;b?.txt", "a;b? (conflict 2024-05-01 1432).txt"}


def test_only_a_saved_copy_lets_the_local_version_replace_the_servers(state):
    recorder = SyncRecorder(state, build_job(conflict_plan(Direction.BOTH, stems=("a", "b"))))
    saved, failed = recorder.sync_job.job.tasks
    recorder.record(result(saved))
    recorder.record(result(failed, ok=False))
    follow_up = recorder.follow_up()
    assert follow_up is not None
    assert {t.remote for t in follow_up.sync_job.job.tasks} == {
        "/dav/a.txt",
        "/dav/a (conflict 2024-05-01 1432).txt",
    }


def test_nothing_follows_a_cancelled_run(state):
    recorder = SyncRecorder(state, build_job(conflict_plan(Direction.BOTH, stems=("a", "b"))))
    saved, stopped = recorder.sync_job.job.tasks
    recorder.record(result(saved))
    recorder.record(TaskResult(1, stopped, (cancelled(stopped.op.value, stopped.remote),)))
    assert recorder.follow_up() is None


def test_a_download_only_pair_saves_the_copy_and_changes_nothing_on_the_server(state):
    recorder = SyncRecorder(state, build_job(conflict_plan(Direction.DOWN)))
    [save] = recorder.sync_job.job.tasks
    recorder.record(result(save))
    assert recorder.follow_up() is None


def test_the_jobs_carry_the_scans_listing_times_for_their_bulk_uploads(state, tmp_path):
    """Both jobs of a plan know when each server folder was listed (Job.listed), so a bulk
    upload can tell whether what planning saw absent was seen moments ago."""
    plan = dataclasses.replace(conflict_plan(Direction.BOTH, tmp_path), listed={"/dav/": 12.5})
    recorder = SyncRecorder(state, build_job(plan))
    assert recorder.sync_job.job.listed == {"/dav/": 12.5}
    [save] = recorder.sync_job.job.tasks
    save.local.write_bytes(b"servers")
    recorder.record(result(save))
    follow_up = recorder.follow_up()
    assert follow_up is not None and follow_up.sync_job.job.listed == {"/dav/": 12.5}
