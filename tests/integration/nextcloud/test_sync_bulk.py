"""A first upload sync into the fake Nextcloud: new files in bulk batches, none overwritten.

The bulk endpoint writes without If-None-Match, so a file planned absent goes in a batch
only while what said so is recent: the scan's own listing of its folder, for
LISTING_TRUSTED_FOR seconds (Job.listed), else a listing asked for just before the batch.
A file that appeared on the server meanwhile keeps its guarded PUT, whose 412 leaves it
there: a conflict, settled by the next run, never an overwrite.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from app.dav import Outcome, Source
from app.jobs import runner
from app.jobs.model import TaskResult
from app.jobs.runner import LISTING_TRUSTED_FOR, JobOptions, JobRunner
from app.nextcloud.connect import NextcloudConnection, connect
from app.sync import Direction, StateDB, SyncPlan
from app.sync.ignore import IgnoreRules
from app.sync.job import SyncRecorder, build_job
from app.sync.planner import plan_pair

FILES = 40


def _connect(server) -> NextcloudConnection:
    return connect(server.origin, login=server.login_name, password=server.password)


def _files(folder: Path) -> None:
    for i in range(FILES):
        (folder / f"note {i:02d} #é.txt").write_bytes(os.urandom(100 + i))


def _run(found: NextcloudConnection, state: StateDB, plan: SyncPlan) -> list[Outcome]:
    outcomes: list[Outcome] = []
    recorder = SyncRecorder(state, build_job(plan))
    recorder.begin()

    def on_event(event: object) -> None:
        if isinstance(event, TaskResult):
            recorder.record(event)
            outcomes.extend(event.outcomes)

    JobRunner(found.client, recorder.sync_job.job, on_event, JobOptions(workers=4)).run()
    return outcomes


def _plan(found: NextcloudConnection, local: Path, state: StateDB, remote: str) -> SyncPlan:
    return plan_pair(found.client, local, remote, Direction.UP, state, IgnoreRules())


def test_a_first_sync_batches_its_new_files_on_the_scans_listing(
    nextcloud_server, local, tmp_path, monkeypatch
):
    """No second listing of the folder between the scan and the batches: the scan's is new.
    (The bound is made an hour here, so that no machine is too slow for it.)"""
    monkeypatch.setattr(runner, "LISTING_TRUSTED_FOR", 3600.0)
    _files(local)
    (nextcloud_server.files_root / "pair").mkdir()
    found = _connect(nextcloud_server)
    with found.client, StateDB(tmp_path / "state.sqlite") as state:
        remote = found.account.files_path + "pair/"
        nextcloud_server.requests.reset()
        plan = _plan(found, local, state, remote)
        assert set(plan.listed) == {remote}
        outcomes = _run(found, state, plan)
        records = state.load()
    methods = [r.method for r in nextcloud_server.requests]
    assert methods.count("PROPFIND") == 1  # the scan's
    assert methods.count("POST") == 4 and "PUT" not in methods
    assert len(outcomes) == FILES
    assert all(o.ok and o.source is Source.JSON_BATCH for o in outcomes)
    assert len(records) == FILES
    for source in local.iterdir():
        stored = nextcloud_server.files_root / "pair" / source.name
        assert stored.read_bytes() == source.read_bytes()


def test_a_file_that_appeared_since_an_older_listing_is_not_overwritten(
    nextcloud_server, local, tmp_path
):
    """A plan whose listing is older than LISTING_TRUSTED_FOR (a preview looked at, then run):
    the folder is listed again before the batch, and a file someone wrote meanwhile keeps
    its bytes; its upload is a conflict and records nothing, the others go in batches."""
    _files(local)
    (nextcloud_server.files_root / "pair").mkdir()
    found = _connect(nextcloud_server)
    with found.client, StateDB(tmp_path / "state.sqlite") as state:
        remote = found.account.files_path + "pair/"
        plan = _plan(found, local, state, remote)
        earlier = {folder: asked - LISTING_TRUSTED_FOR - 1 for folder, asked in plan.listed.items()}
        plan = replace(plan, listed=earlier)
        theirs = nextcloud_server.files_root / "pair" / "note 07 #é.txt"
        theirs.write_bytes(b"a colleague's file, written after the scan")
        nextcloud_server.requests.reset()
        outcomes = _run(found, state, plan)
        records = state.load()
    assert theirs.read_bytes() == b"a colleague's file, written after the scan"
    by_name = {Path(o.path).name: o for o in outcomes}
    refused = by_name.pop(theirs.name)
    assert refused.is_conflict and refused.status == 412 and refused.source is Source.RESPONSE
    assert all(o.ok and o.source is Source.JSON_BATCH for o in by_name.values())
    assert theirs.name not in records and len(records) == FILES - 1
    assert [r.method for r in nextcloud_server.requests].count("PROPFIND") >= 1
    for name in by_name:
        stored = nextcloud_server.files_root / "pair" / name
        assert stored.read_bytes() == (local / name).read_bytes()
