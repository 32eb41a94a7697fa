"""A file a background run failed, retried elsewhere (as the results pane does), against
wsgidav and Apache: a retry that works is recorded for the pair, so its next look does
nothing for that file; one that fails leaves the pair's records as they were."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from app.dav import DavClient
from app.jobs.model import TaskResult
from app.jobs.planner import retry_job
from app.jobs.runner import JobRunner
from app.sync.background.status import PairState
from app.sync.pairfiles import PairFiles
from app.sync.state import StateDB
from tests.sync.background.conftest import FAST, Recorder, wait_for

#: The pair never tries again by itself meanwhile: what the retry does is all that happens.
PATIENT = dataclasses.replace(FAST, first_backoff=600.0, max_backoff=600.0)


def retried(client: DavClient, failed: TaskResult) -> TaskResult:
    """The results pane's Retry: a job of exactly that task, run on a client of the user's."""
    results: list[TaskResult] = []
    job = retry_job([failed])
    JobRunner(client, job, lambda e: results.append(e) if isinstance(e, TaskResult) else None).run()
    (result,) = results
    return result


def failures(recorder: Recorder, name: str) -> list[TaskResult]:
    with recorder.lock:
        return [r for r in recorder.results if not r.ok and r.task.remote.endswith(name)]


def looked(recorder: Recorder) -> int:
    with recorder.lock:
        return sum(s.text == "looking for changes" for s in recorder.statuses)


def record_of(state: Path, key: str):
    with StateDB(state) as db:
        return db.load().get(key)


def test_a_retry_elsewhere_is_recorded_for_the_pair_and_a_failed_one_is_not(
    dav_server, local, watch, recorder, tmp_path
):
    (local / "a.txt").write_bytes(b"v1")
    engine = watch(
        dav_server.url, dav_server.user, dav_server.password, local, "up", settings=PATIENT
    )
    on_server = dav_server.root / "a.txt"
    wait_for(lambda: on_server.exists() and recorder.idle(), what="the first upload")
    state = PairFiles.of(tmp_path / "state", local, dav_server.url).state
    first = record_of(state, "a.txt")
    assert first is not None and first.local_size == 2
    user = DavClient(dav_server.url, user=dav_server.user, password=dav_server.password)
    colleague = DavClient(dav_server.url, user=dav_server.user, password=dav_server.password)
    try:
        path = colleague.root + "a.txt"
        held = colleague.lock(path, owner="colleague")
        (local / "a.txt").write_bytes(b"v2, longer")  # its upload meets the lock: 423
        wait_for(lambda: failures(recorder, "a.txt"), what="the upload to fail")
        wait_for(
            lambda: recorder.last is not None and recorder.last.state is PairState.WAITING,
            what="the pair to wait",
        )

        # Retried while the lock holds: it fails again, and the pair's record stays v1's.
        again = retried(user, failures(recorder, "a.txt")[0])
        assert not again.ok and again.outcomes[0].status == 423
        engine.record_retry("pair", again)
        engine.sync_now("pair")  # a look after the retry was handed over: it failed too
        wait_for(lambda: len(failures(recorder, "a.txt")) == 2, what="the pair's own try")
        assert record_of(state, "a.txt") == first

        # The lock gone, the retry works: recorded for the pair, whose next look does nothing.
        colleague.unlock(path, held.token)
        done = retried(user, failures(recorder, "a.txt")[-1])
        assert done.ok, done.outcomes
        assert on_server.read_bytes() == b"v2, longer"
        runs = len(recorder.runs)
        engine.record_retry("pair", done)
        wait_for(
            lambda: recorder.last is not None and recorder.last.state is PairState.IDLE,
            what="up to date, at once (not after the back-off)",
        )
        recorded = record_of(state, "a.txt")
        assert recorded is not None and recorded.local_size == len(b"v2, longer")
        assert recorded.local_mtime_ns == (local / "a.txt").stat().st_mtime_ns
        with recorder.lock:
            assert len(recorder.runs) == runs  # nothing uploaded again, no conflict
        looks = looked(recorder)
        engine.sync_now("pair")
        wait_for(lambda: looked(recorder) > looks and recorder.idle(), what="one more look")
        with recorder.lock:
            assert len(recorder.runs) == runs
        assert on_server.read_bytes() == b"v2, longer"
        assert (local / "a.txt").read_bytes() == b"v2, longer"
        assert sorted(p.name for p in local.iterdir()) == ["a.txt"]  # no conflict copy
    finally:
        user.close()
        colleague.close()
