"""JobRunner against real servers (wsgidav and Apache): whole jobs, as a user checks them.

What is asserted is what a user would look at after a job: the files on the
server (read from its folder on disk) or on the local disk, every file's
Outcome, and the job's events (one TaskResult per task, exactly one JobEnded,
last). Timing is never measured to the millisecond: the tests wait for
events, and bounds on "it ended promptly" are generous.
"""

from __future__ import annotations

import collections
import itertools
import os
import random
import socket
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.dav import DavClient, Source, Timeouts, errors
from app.dav.outcome import OutcomeClass
from app.dav.paths import quote_path, url_path
from app.dav.retry import RetryPolicy
from app.jobs import runner as runner_module
from app.jobs.model import Conflict, Job, JobEnded, JobEvent, JobProgress, JobState, Op, TaskResult
from app.jobs.operations import DONE_EARLIER
from app.jobs.planner import describe, plan_copy, plan_delete, plan_download, plan_upload, retry_job
from app.jobs.runner import UNCONFIRMED, JobOptions, JobRunner
from app.nextcloud.connect import connect
from tests.servers import WsgiDavServer
from tests.servers.fault_proxy import FaultProxy

#: Retries that give up fast: a test that provokes failures should not wait for backoff.
FAST_RETRY = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.05)
#: No job in this file takes more than a few seconds; this only turns a hang into a failure.
JOB_TIMEOUT = 60.0
KIB = 1024
MIB = 1024 * KIB


# -- fixtures -----------------------------------------------------------------


# -- running a job and checking what every job must do ---------------------------------


class Recorder:
    """The job's one callback: keeps every event in arrival order, then runs a hook on it.

    The hook gets the recorder, and through it the runner, so it can cancel or
    pause from inside the callback, on the worker thread, as a front end might.
    """

    def __init__(self, hook: Callable[[Recorder, JobEvent], None] | None = None) -> None:
        self.hook = hook
        self.runner: JobRunner | None = None
        self.events: list[JobEvent] = []
        self.ended_at: float | None = None
        self._lock = threading.Lock()

    def __call__(self, event: JobEvent) -> None:
        with self._lock:
            self.events.append(event)
            if isinstance(event, JobEnded):
                self.ended_at = time.monotonic()
        if self.hook is not None:
            self.hook(self, event)

    def snapshot(self) -> list[JobEvent]:
        with self._lock:
            return list(self.events)

    @property
    def results(self) -> list[TaskResult]:
        return [e for e in self.snapshot() if isinstance(e, TaskResult)]

    @property
    def progress(self) -> list[JobProgress]:
        return [e for e in self.snapshot() if isinstance(e, JobProgress)]

    def outcomes(self, op: Op | None = None) -> list:
        return [o for r in self.results if op is None or r.task.op is op for o in r.outcomes]


@dataclass
class Started:
    job: Job
    runner: JobRunner
    recorder: Recorder
    thread: threading.Thread

    def finish(self, timeout: float = JOB_TIMEOUT) -> JobEnded:
        """Wait for the job to end (bounded) and check what every job must do, however it ended."""
        self.thread.join(timeout)
        assert not self.thread.is_alive(), f"{self.job.name}: did not end within {timeout} s"
        return check_job_contract(self.job, self.recorder)


def start(
    client: DavClient,
    job: Job,
    options: JobOptions | None = None,
    hook: Callable[[Recorder, JobEvent], None] | None = None,
    recorder: Recorder | None = None,
) -> Started:
    recorder = recorder or Recorder(hook)
    recorder.runner = runner = JobRunner(
        client, job, recorder, options or JobOptions(retry=FAST_RETRY)
    )
    return Started(job, runner, recorder, runner.start())


def run(
    client: DavClient,
    job: Job,
    options: JobOptions | None = None,
    hook: Callable[[Recorder, JobEvent], None] | None = None,
) -> tuple[JobEnded, Recorder]:
    started = start(client, job, options, hook)
    return started.finish(), started.recorder


def check_job_contract(job: Job, recorder: Recorder) -> JobEnded:
    """One TaskResult per task, exactly one JobEnded and it came last, counts that add up."""
    events = recorder.snapshot()
    ends = [e for e in events if isinstance(e, JobEnded)]
    assert len(ends) == 1, f"{len(ends)} JobEnded events"
    [ended] = ends
    assert events[-1] is ended, "an event arrived after JobEnded"
    assert ended.job_id == job.id
    results = [e for e in events if isinstance(e, TaskResult)]
    assert all(r.job_id == job.id for r in results)
    assert collections.Counter(r.task for r in results) == collections.Counter(job.tasks), (
        "not exactly one TaskResult per task"
    )
    assert all(r.outcomes for r in results), "a TaskResult without Outcomes"
    outcomes = [o for r in results for o in r.outcomes]
    ok = sum(o.outcome_class is OutcomeClass.OK for o in outcomes)
    cancelled = sum(o.outcome_class is OutcomeClass.CANCELLED for o in outcomes)
    assert (ended.ok, ended.failed, ended.cancelled) == (
        ok,
        len(outcomes) - ok - cancelled,
        cancelled,
    )
    if ended.state is JobState.FINISHED:
        assert ok == len(outcomes) and ended.error is None
    return ended


def check_progress(job: Job, recorder: Recorder) -> None:
    """Progress never goes backwards, and the last event says everything was done."""
    progress = recorder.progress
    assert progress, "no progress events"
    files = [p.files_done for p in progress]
    done = [p.bytes_done for p in progress]
    assert files == sorted(files), "files_done went backwards"
    assert done == sorted(done), "bytes_done went backwards"
    assert all(
        p.files_total == len(job.tasks) and p.bytes_total == job.bytes_total for p in progress
    )
    assert all(p.bytes_done <= p.bytes_total for p in progress)
    last = progress[-1]
    assert last.files_done == last.files_total
    assert last.bytes_done == last.bytes_total == job.bytes_total
    assert last.transfers == () and not last.paused


# -- what is on the server, on disk -----------------------------------------------------


def tree(root: Path) -> tuple[dict[str, bytes], set[str]]:
    """Files (with contents) and folders under root, by "/"-separated relative path.

    Apache's mod_dav_fs keeps dead properties in ``.DAV`` folders: not part of the share.
    A server may be writing meanwhile (Apache stores a PUT as ``.davfs.tmp*`` and renames
    it): a file that vanishes between listing and reading is left out.
    """
    files: dict[str, bytes] = {}
    folders: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".DAV"]
        here = Path(dirpath)
        for name in dirnames:
            folders.add((here / name).relative_to(root).as_posix())
        for name in filenames:
            try:
                files[(here / name).relative_to(root).as_posix()] = (here / name).read_bytes()
            except FileNotFoundError:
                continue
    return files, folders


def server_files(handle) -> dict[str, bytes]:
    return tree(handle.root)[0]


def rel(path: str, base: str) -> str:
    """A decoded server path as a path relative to the test's root."""
    assert path.startswith(base), (path, base)
    return path[len(base) :].strip("/")


def settled(read: Callable[[], object], quiet: float = 0.3, limit: float = 10.0) -> object:
    """read() once it has stopped changing for ``quiet`` seconds (a server may still be
    finishing requests the client gave up on)."""
    deadline = time.monotonic() + limit
    last = read()
    stable_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = read()
        if now != last:
            last, stable_since = now, time.monotonic()
        elif time.monotonic() - stable_since >= quiet:
            break
    return last


# -- local trees --------------------------------------------------------------------------

STEMS = [
    "plain",
    "with space",
    "100% sure",
    "hash#tag",
    "this&that",
    "plus+sign",
    "semi;colon",
    "it's",
    "ünïcödé",
    "日本語",
    unicodedata.normalize("NFD", "café"),
]
FOLDERS = ["", "sub folder", "sub folder/deeper #2", "50% off", "ü & more"]


def make_tree(root: Path, count: int, big_every: int = 100) -> dict[str, bytes]:
    """count files spread over FOLDERS with awkward names; every big_every-th spans chunks."""
    files = {}
    for i in range(count):
        folder = FOLDERS[i % len(FOLDERS)]
        name = f"{STEMS[i % len(STEMS)]} {i:03d}.txt"
        relpath = f"{folder}/{name}" if folder else name
        data = f"{i:03d} {relpath}\n".encode() * (1 + i % 7)
        if big_every and i % big_every == 0:
            data = data * (300 * KIB // len(data) + 1)  # more than one 256 KiB chunk
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        files[relpath] = data
    return files


# -- 1. a big folder upload ----------------------------------------------------------------


def test_folder_upload_of_500_files(dav_server, client, base, local):
    source = local / "upload src"
    expected = {f"upload src/{k}": v for k, v in make_tree(source, 500).items()}
    job = plan_upload(client, [source], base, Conflict.ASK)
    assert sum(t.op is Op.UPLOAD for t in job.tasks) == 500

    ended, recorder = run(client, job, JobOptions(workers=4, retry=FAST_RETRY, progress_interval=0))

    assert ended.state is JobState.FINISHED, [o for o in recorder.outcomes() if not o.ok][:5]
    assert (ended.ok, ended.failed, ended.cancelled) == (len(job.tasks), 0, 0)
    files, folders = tree(dav_server.root)
    uploaded = {rel(o.path, base) for o in recorder.outcomes(Op.UPLOAD) if o.ok}
    assert set(files) == uploaded == set(expected)
    assert files == expected
    created = {rel(o.path, base) for o in recorder.outcomes(Op.MKDIR) if o.ok}
    assert folders == created == {"upload src", *(f"upload src/{f}" for f in FOLDERS if f)}
    assert all(o.attempt == 1 and o.status in (201, 204) for o in recorder.outcomes(Op.UPLOAD))
    check_progress(job, recorder)


class SlowRecorder(Recorder):
    """A callback that dawdles once before recording an event, as a busy front end might."""

    def __init__(self, slow_on: int, seconds: float) -> None:
        super().__init__()
        self._progress_seen = itertools.count(1)
        self.slow_on, self.seconds = slow_on, seconds

    def __call__(self, event: JobEvent) -> None:
        if isinstance(event, JobProgress) and next(self._progress_seen) == self.slow_on:
            time.sleep(self.seconds)  # the other workers go on meanwhile
        super().__call__(event)


def test_progress_arrives_in_order_when_the_callback_is_slow(dav_server, client, base, local):
    source = local / "few"
    make_tree(source, 40, big_every=0)
    job = plan_upload(client, [source], base, Conflict.ASK)
    recorder = SlowRecorder(slow_on=30, seconds=0.3)  # among the uploads
    options = JobOptions(workers=4, retry=FAST_RETRY, progress_interval=0)
    assert start(client, job, options, recorder=recorder).finish().state is JobState.FINISHED
    check_progress(job, recorder)


# -- 2. a locked member, and the retry that brings the lock token ---------------------------


def test_delete_with_a_locked_member_then_retry_with_the_token(dav_server, client, base):
    h = dav_server
    for name in ("a.txt", "locked.txt", "inner/b.txt"):
        h.make_file(f"box/{name}", b"in the box")
    h.make_file("loose.txt", b"loose")
    h.make_file("other/c.txt", b"other")
    lock = client.lock(base + "box/locked.txt")
    selection = [client.stat(base + path) for path in ("box/", "loose.txt", "other/")]

    ended, recorder = run(client, plan_delete(client, selection))

    assert ended.state is JobState.FAILED
    failed = [r for r in recorder.results if not r.ok]
    assert [r.task.remote for r in failed] == [base + "box/"]
    [member] = [o for o in failed[0].outcomes if o.path == base + "box/locked.txt"]
    assert member.status == 423 and not member.ok and member.outcome_class is OutcomeClass.FAILED
    assert (h.root / "box" / "locked.txt").read_bytes() == b"in the box"
    assert not (h.root / "loose.txt").exists() and not (h.root / "other").exists()
    # The folder's own Outcome says truthfully what became of the members not locked.
    [folder] = [o for o in failed[0].outcomes if o.path == base + "box/"]
    assert not folder.ok
    if (h.root / "box" / "a.txt").exists():  # Apache: 424, nothing deleted
        assert folder.status == 424 and "refused the whole delete" in folder.note
        assert (h.root / "box" / "inner" / "b.txt").exists()
    else:  # wsgidav: 207, the rest deleted
        assert folder.status == 207 and "the members not listed were deleted" in folder.note
        assert tree(h.root / "box")[0] == {"locked.txt": b"in the box"}
    assert all(o.ok for r in recorder.results if r not in failed for o in r.outcomes)

    retry = retry_job(failed, lock_token=lock.token)
    assert retry.tasks == (failed[0].task.with_policy(lock_token=lock.token),)
    ended, recorder = run(client, retry)

    assert ended.state is JobState.FINISHED
    assert [o.path for o in recorder.outcomes()] == [base + "box/"]
    assert tree(h.root) == ({}, set())


# -- 3. copy conflicts, then overwrite exactly those ----------------------------------------


def test_copy_conflicts_then_retry_with_overwrite(dav_server, client, base):
    h = dav_server
    names = ["one.txt", "two words.txt", "50% three.txt", "four#4.txt", "fünf.txt"]
    for name in names:
        h.make_file(f"src/{name}", f"new {name}".encode())
    taken = ["two words.txt", "four#4.txt"]
    for name in taken:
        h.make_file(f"dst/{name}", f"old {name}".encode())
    job = plan_copy(client, client.listdir(base + "src/"), base + "dst/", Conflict.ASK)

    ended, recorder = run(client, job)

    assert ended.state is JobState.FAILED and (ended.ok, ended.failed) == (3, 2)
    conflicts = [o for o in recorder.outcomes() if not o.ok]
    assert sorted(o.path for o in conflicts) == sorted(base + f"src/{n}" for n in taken)
    assert all(o.status == 412 and o.outcome_class is OutcomeClass.CONFLICT for o in conflicts)
    assert {o.destination for o in conflicts} == {base + f"dst/{n}" for n in taken}
    for name in names:
        want = f"{'old' if name in taken else 'new'} {name}".encode()
        assert (h.root / "dst" / name).read_bytes() == want
    copied_before = {n: (h.root / "dst" / n).stat().st_mtime_ns for n in names if n not in taken}

    retry = retry_job([r for r in recorder.results if not r.ok], conflict=Conflict.OVERWRITE)
    assert sorted(t.remote for t in retry.tasks) == sorted(base + f"src/{n}" for n in taken)
    assert all(t.conflict is Conflict.OVERWRITE for t in retry.tasks)
    ended, recorder = run(client, retry)

    assert ended.state is JobState.FINISHED and ended.ok == 2
    for name in names:
        assert (h.root / "dst" / name).read_bytes() == f"new {name}".encode()
        assert (h.root / "src" / name).read_bytes() == f"new {name}".encode()
    assert {n: (h.root / "dst" / n).stat().st_mtime_ns for n in copied_before} == copied_before


# -- 4. cancel half-way ----------------------------------------------------------------------


def _cancel_after(files: int, when: dict) -> Callable[[Recorder, JobEvent], None]:
    """A hook that cancels the job from the callback once `files` transfers have ended.

    It cancels on the first progress event after that which shows a transfer
    at most a quarter done, so that one, at least, is cut off part-way (a
    transfer is never more than one chunk further than its last progress
    event says). when gets the time of the cancel and that transfer's path.
    """
    ended = itertools.count(1)
    enough = threading.Event()
    lock = threading.Lock()

    def hook(recorder: Recorder, event: JobEvent) -> None:
        if (
            isinstance(event, TaskResult)
            and event.task.op in (Op.UPLOAD, Op.DOWNLOAD)
            and not event.task.is_dir
            and next(ended) >= files
        ):
            enough.set()
        elif isinstance(event, JobProgress) and enough.is_set():
            early = [t for t in event.transfers if 0 < t.bytes_done <= t.bytes_total // 4]
            with lock:
                if not early or "cut" in when:
                    return
                when["cut"] = early[0].path
                when["cancelled_at"] = time.monotonic()
            recorder.runner.cancel()

    return hook


#: 40 files of 1 MiB (four chunks each) take about 5 s at this rate uncancelled.
SLOW = 8 * MIB
FILE_SIZE = 1 * MIB


def test_cancel_a_download_half_way(dav_server, client, base, local):
    h = dav_server
    contents = {f"big/file {i:02d}.bin": random.randbytes(FILE_SIZE) for i in range(40)}
    for relpath, data in contents.items():
        h.make_file(relpath, data)
    job = plan_download(client, [client.stat(base + "big/")], local, Conflict.ASK)
    when: dict = {}

    ended, recorder = run(
        client,
        job,
        JobOptions(workers=4, limit_rate=SLOW, retry=FAST_RETRY, progress_interval=0),
        hook=_cancel_after(10, when),
    )

    assert ended.state is JobState.CANCELLED
    assert recorder.ended_at - when["cancelled_at"] < 5.0, "the job did not stop promptly"
    files = [r for r in recorder.results if not r.task.is_dir]
    done = {r.task.local.name for r in files if r.ok}
    assert 10 <= len(done) < 40
    assert ended.failed == 0 and ended.ok + ended.cancelled == len(job.tasks)
    for result in files:
        if not result.ok:
            [outcome] = result.outcomes
            assert outcome.reason == "cancelled" and outcome.source is Source.LOCAL
            assert outcome.outcome_class is OutcomeClass.CANCELLED
    [cut] = [r for r in files if r.task.remote == when["cut"]]
    assert cut.outcomes[0].outcome_class is OutcomeClass.CANCELLED  # cut off part-way
    # On disk: exactly the files whose Outcome is ok, each complete; no temporary file left.
    on_disk = sorted(p.name for p in (local / "big").iterdir())
    assert not [n for n in on_disk if n.endswith(".davdesk-part")], on_disk
    assert set(on_disk) == done
    for name in on_disk:
        assert (local / "big" / name).read_bytes() == contents[f"big/{name}"]


def test_cancel_an_upload_half_way(dav_server, client, base, local):
    h = dav_server
    source = local / "big"
    source.mkdir()
    contents = {}
    for i in range(40):
        data = random.randbytes(FILE_SIZE)
        (source / f"file {i:02d}.bin").write_bytes(data)
        contents[f"big/file {i:02d}.bin"] = data
    job = plan_upload(client, [source], base, Conflict.ASK)
    when: dict = {}

    ended, recorder = run(
        client,
        job,
        JobOptions(workers=4, limit_rate=SLOW, retry=FAST_RETRY, progress_interval=0),
        hook=_cancel_after(10, when),
    )

    assert ended.state is JobState.CANCELLED
    assert recorder.ended_at - when["cancelled_at"] < 5.0, "the job did not stop promptly"
    uploads = [r for r in recorder.results if r.task.op is Op.UPLOAD]
    done = {rel(r.task.remote, base) for r in uploads if r.ok}
    assert 10 <= len(done) < 40
    for result in uploads:
        if not result.ok:
            [outcome] = result.outcomes
            assert outcome.reason == "cancelled" and outcome.outcome_class is OutcomeClass.CANCELLED
    [cut] = [r for r in uploads if r.task.remote == when["cut"]]
    assert cut.outcomes[0].outcome_class is OutcomeClass.CANCELLED  # cut off part-way
    # The server may still be finishing the requests that were cut off: look once it is quiet.
    files = settled(lambda: server_files(h))
    partial = sorted(name for name, data in files.items() if data != contents.get(name))
    assert not partial, f"{h.name} kept half-written files of cancelled uploads: {partial}"
    assert set(files) == done


# -- 5. pause and resume ----------------------------------------------------------------------


def test_pause_and_resume(dav_server, client, base, local):
    h = dav_server
    contents = {f"many/f{i:02d}.txt": f"file {i}\n".encode() * 100 for i in range(40)}
    for relpath, data in contents.items():
        h.make_file(relpath, data)
    job = plan_download(client, [client.stat(base + "many/")], local, Conflict.ASK)
    paused = threading.Event()
    at_pause: list[int] = []
    workers = 4
    count = itertools.count(1)

    def hook(recorder: Recorder, event: JobEvent) -> None:
        if isinstance(event, TaskResult) and next(count) == 6:
            at_pause.append(6)
            recorder.runner.pause()
            paused.set()

    started = start(client, job, JobOptions(workers=workers, retry=FAST_RETRY), hook)
    assert paused.wait(JOB_TIMEOUT)
    # Tasks already past their last byte may still end; after that, nothing moves.
    time.sleep(0.5)
    while_paused = len(started.recorder.results)
    time.sleep(0.5)
    assert len(started.recorder.results) == while_paused, "a task ended while the job was paused"
    assert while_paused <= at_pause[0] + workers
    assert while_paused < len(job.tasks)
    assert started.runner.paused and started.recorder.progress[-1].paused
    assert started.thread.is_alive()

    started.runner.resume()
    ended = started.finish()

    assert ended.state is JobState.FINISHED and ended.ok == len(job.tasks)
    assert tree(local)[0] == contents
    check_progress(job, started.recorder)


# -- 6. the server goes away mid-job ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_server_stopped_mid_job_then_retry_on_a_new_server(wsgidav_server, tmp_path):
    h = wsgidav_server
    # The fixture's server listens on a port the OS picked, and cheroot binds such a port without
    # SO_REUSEADDR: no new server can take it while the connections the old one closed linger
    # in TIME_WAIT. So the same folder is served from a port chosen here, which can be reused.
    h.server.stop()
    port = _free_port()
    source = tmp_path / "out" / "many"
    source.mkdir(parents=True)
    contents = {}
    for i in range(200):
        data = f"small file {i}\n".encode() * 200  # about 3 KiB
        (source / f"f{i:03d}.txt").write_bytes(data)
        contents[f"many/f{i:03d}.txt"] = data
    stop_now = threading.Event()
    count = itertools.count(1)

    def hook(recorder: Recorder, event: JobEvent) -> None:
        if isinstance(event, TaskResult) and event.task.op is Op.UPLOAD and next(count) >= 20:
            stop_now.set()

    with (
        WsgiDavServer(h.root, port=port) as first,
        DavClient(
            first.url,
            user=h.user,
            password=h.password,
            workers=2,
            timeouts=Timeouts(connect=5, read=20),
        ) as client,
    ):
        job = plan_upload(client, [source], "/", Conflict.ASK)
        # keep_mtime off: this test is about the PUTs (a PROPPATCH after the PUT is another story).
        options = JobOptions(workers=2, limit_rate=150 * KIB, retry=FAST_RETRY, keep_mtime=False)
        started = start(client, job, options, hook)
        assert stop_now.wait(JOB_TIMEOUT)
        first.stop()
        stopped_at = time.monotonic()
        ended = started.finish()
        assert started.recorder.ended_at - stopped_at < 30

        results = started.recorder.results
        assert ended.state is JobState.FAILED, ended
        assert ended.error, (
            ended,
            collections.Counter((o.reason, o.source.value) for r in results for o in r.outcomes),
        )
        uploads = [r for r in results if r.task.op is Op.UPLOAD]
        done = {rel(r.task.remote, "/") for r in uploads if r.ok}
        assert 20 <= len(done) < 200, "the server was stopped too late to test anything"
        assert server_files(h) == {name: contents[name] for name in done}
        for result in uploads:
            if not result.ok:
                [outcome] = result.outcomes
                assert outcome.source is Source.TRANSPORT or (
                    outcome.source is Source.LOCAL and outcome.reason == "not attempted"
                ), outcome
        assert any(o.reason == "not attempted" for r in uploads for o in r.outcomes), (
            "the job went on asking a server that was gone"
        )

        with WsgiDavServer(h.root, port=port):
            retry = retry_job([r for r in results if not r.ok])
            assert {t.remote for t in retry.tasks} == {r.task.remote for r in uploads if not r.ok}
            ended, _ = run(client, retry, JobOptions(workers=2, retry=FAST_RETRY, keep_mtime=False))
            assert ended.state is JobState.FINISHED
            assert server_files(h) == contents


# -- 7. retries with backoff -------------------------------------------------------------------


@pytest.fixture
def flaky(wsgidav_server):
    """flaky(failures, retry_after) -> a proxy answering 503 to the first PUTs of each path."""
    proxies: list[FaultProxy] = []

    def make(failures: int, retry_after: str = "0") -> FaultProxy:
        proxies.append(
            FaultProxy(
                wsgidav_server.url,
                faults=("503",),
                methods=("PUT",),
                first=failures,
                retry_after=retry_after,
            )
        )
        return proxies[-1]

    yield make
    for proxy in proxies:
        proxy.close()


def _proxied(proxy: FaultProxy, handle) -> DavClient:
    return DavClient(proxy.url, user=handle.user, password=handle.password, workers=4)


def _some_files(folder: Path, count: int) -> dict[str, bytes]:
    folder.mkdir(parents=True)
    contents = {}
    for i in range(count):
        data = f"retry me {i}\n".encode() * 50
        (folder / f"r {i}.txt").write_bytes(data)
        contents[f"{folder.name}/r {i}.txt"] = data
    return contents


def test_a_503_is_retried_and_the_outcome_says_which_attempt(flaky, wsgidav_server, local):
    proxy = flaky(failures=1)
    contents = _some_files(local / "up", 6)
    with _proxied(proxy, wsgidav_server) as client:
        job = plan_upload(client, [local / "up"], "/", Conflict.ASK)
        ended, recorder = run(client, job)

    assert ended.state is JobState.FINISHED
    uploads = recorder.outcomes(Op.UPLOAD)
    assert len(uploads) == 6 and all(o.ok and o.attempt == 2 for o in uploads)
    assert all(o.attempt == 1 for o in recorder.outcomes(Op.MKDIR))
    assert set(proxy.seen("PUT").values()) == {2}  # refused once, then stored: no third PUT
    assert server_files(wsgidav_server) == contents


def test_retries_give_up_after_the_policy_attempts(flaky, wsgidav_server, local):
    proxy = flaky(failures=100)
    _some_files(local / "up", 3)
    policy = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)
    with _proxied(proxy, wsgidav_server) as client:
        job = plan_upload(client, [local / "up"], "/", Conflict.ASK)
        ended, recorder = run(client, job, JobOptions(retry=policy))

    assert ended.state is JobState.FAILED and ended.failed == 3
    for outcome in recorder.outcomes(Op.UPLOAD):
        assert (outcome.status, outcome.attempt, outcome.source) == (503, 3, Source.RESPONSE)
        assert outcome.outcome_class is OutcomeClass.FAILED
    assert set(proxy.seen("PUT").values()) == {3}
    assert server_files(wsgidav_server) == {}


def test_cancel_wakes_a_job_waiting_out_a_retry_after(flaky, wsgidav_server, local):
    proxy = flaky(failures=100, retry_after="30")
    _some_files(local / "up", 1)
    with _proxied(proxy, wsgidav_server) as client:
        job = plan_upload(client, [local / "up"], "/", Conflict.ASK)
        started = start(client, job, JobOptions(retry=RetryPolicy(attempts=4, max_delay=30)))
        assert proxy.faulted.wait(JOB_TIMEOUT)
        time.sleep(0.2)  # now in the 30 s wait the server asked for
        cancelled_at = time.monotonic()
        started.runner.cancel()
        ended = started.finish()
    assert started.recorder.ended_at - cancelled_at < 5.0
    assert ended.state is JobState.CANCELLED
    [outcome] = started.recorder.outcomes(Op.UPLOAD)
    assert outcome.outcome_class is OutcomeClass.CANCELLED
    assert proxy.seen("PUT") == {"/up/r%200.txt": 1}


# -- a lost answer, and a server that fails the check of whether it took effect ------------------
#
# Each test scripts the proxy request by request: an attempt whose answer is lost (the server
# acted, or not), then checks that meet 500s. The Outcome must say what the server holds, or
# that the server would not say: never a 412 for a file that is there, nor a failed delete
# of a file that is gone.


@pytest.fixture
def scripted(dav_server) -> Iterator[Callable[..., FaultProxy]]:
    """scripted({(method, path): [fault, ...]}) -> a proxy in front of the test's server;
    paths are decoded server paths, quoted here as the client sends them."""
    proxies: list[FaultProxy] = []

    def make(script: dict[tuple[str, str], list[str | None]]) -> FaultProxy:
        raw = {(method, quote_path(path)): faults for (method, path), faults in script.items()}
        proxies.append(FaultProxy(dav_server.url, script=raw))
        return proxies[-1]

    yield make
    for proxy in proxies:
        proxy.close()


def _one_upload(
    proxy: FaultProxy, handle, source: Path, before_run: Callable[[], None] = lambda: None
):
    """Plan the upload of source into the server's root (healthy), then run it through proxy."""
    with DavClient(proxy.url_for(handle.url), user=handle.user, password=handle.password) as client:
        with proxy.healthy():
            job = plan_upload(client, [source], client.root, Conflict.ASK)
        before_run()
        ended, recorder = run(client, job)
    [outcome] = recorder.outcomes(Op.UPLOAD)
    return ended, outcome


def test_an_upload_whose_checks_meet_500s_is_done_once_they_answer(dav_server, scripted, local):
    """Seed 12's trace: the PUT is stored and its answer lost, the check gets 500s. The check
    is asked again instead of a second PUT that would meet its own file (412)."""
    source = local / "a file.txt"
    source.write_bytes(b"all of it\n" * 100)
    path = url_path(dav_server.url) + "a file.txt"
    proxy = scripted(
        {("PUT", path): ["reset-after"], ("PROPFIND", path): [None, "500", "500"]}
    )  # the first: the partial check
    ended, outcome = _one_upload(proxy, dav_server, source)

    assert ended.state is JobState.FINISHED
    assert outcome.ok and (outcome.reason, outcome.note) == ("already done", DONE_EARLIER)
    assert proxy.seen("PUT") == {quote_path(path): 1}
    assert server_files(dav_server) == {"a file.txt": source.read_bytes()}


def test_a_delete_whose_checks_meet_500s_is_done_once_they_answer(dav_server, scripted, base):
    dav_server.make_file("gone.txt", b"x")
    path = base + "gone.txt"
    proxy = scripted({("DELETE", path): ["reset-after"], ("PROPFIND", path): ["500"] * 3})
    with DavClient(
        proxy.url_for(dav_server.url), user=dav_server.user, password=dav_server.password
    ) as through:
        with proxy.healthy():
            job = plan_delete(through, [through.stat(path)])
        ended, recorder = run(through, job)

    [outcome] = recorder.outcomes(Op.DELETE)
    assert ended.state is JobState.FINISHED and outcome.ok and outcome.note == DONE_EARLIER
    assert proxy.seen("DELETE") == {quote_path(path): 1}
    assert not (dav_server.root / "gone.txt").exists()


def test_a_check_the_server_keeps_failing_is_reported_unconfirmed(dav_server, scripted, local):
    """Every check meets a 500: the Outcome says it could not be confirmed, not 412."""
    source = local / "a file.txt"
    source.write_bytes(b"all of it\n" * 100)
    path = url_path(dav_server.url) + "a file.txt"
    proxy = scripted({("PUT", path): ["reset-after"], ("PROPFIND", path): ["500"] * 50})
    ended, outcome = _one_upload(proxy, dav_server, source)

    assert ended.state is JobState.FAILED and ended.failed == 1
    assert (outcome.reason, outcome.status, outcome.ok) == (UNCONFIRMED, None, False)
    # Neither a conflict nor a failure: nothing says which; the class says it is unknown.
    assert outcome.outcome_class is OutcomeClass.UNCONFIRMED
    assert (
        outcome.note.startswith("could not be confirmed")
        and f"asked {FAST_RETRY.checks} times" in outcome.note
    )
    assert "412" in outcome.detail and "500" in outcome.detail
    assert proxy.seen("PROPFIND")[quote_path(path)] == 1 + 2 * FAST_RETRY.checks
    assert server_files(dav_server) == {"a file.txt": source.read_bytes()}  # it is there


def test_a_file_of_the_same_size_is_not_taken_for_a_lost_upload(dav_server, scripted, local):
    """The PUT never arrived, and someone else's file of the same size appeared meanwhile:
    read back and compared, it is not ours, so the Outcome is the 412 conflict it is."""
    source = local / "a file.txt"
    source.write_bytes(b"ours " * 200)
    path = url_path(dav_server.url) + "a file.txt"
    proxy = scripted({("PUT", path): ["reset-before"]})
    theirs = b"THEIR" * 200
    _, outcome = _one_upload(
        proxy, dav_server, source, before_run=lambda: dav_server.make_file("a file.txt", theirs)
    )

    assert outcome.status == 412 and outcome.outcome_class is OutcomeClass.CONFLICT
    assert outcome.note == "appeared on the server after planning"
    assert proxy.seen("GET")  # the check read the file back
    assert server_files(dav_server) == {"a file.txt": theirs}


def test_a_cancel_after_a_lost_answer_says_the_server_may_have_acted(wsgidav_server, local):
    """The first PUT's connection is reset (the server may have stored it), the second meets
    a 503 asking for 30 s: cancelled in that wait, the Outcome does not say "not done"."""
    source = local / "a file.txt"
    source.write_bytes(b"x" * 100)
    proxy = FaultProxy(
        wsgidav_server.url,
        retry_after="30",
        script={("PUT", "/a%20file.txt"): ["reset-before", "503"]},
    )
    with (
        proxy,
        DavClient(proxy.url, user=wsgidav_server.user, password=wsgidav_server.password) as client,
    ):
        with proxy.healthy():
            job = plan_upload(client, [source], "/", Conflict.ASK)
        started = start(
            client, job, JobOptions(retry=RetryPolicy(attempts=4, base_delay=0.01, max_delay=30))
        )
        deadline = time.monotonic() + JOB_TIMEOUT
        while proxy.injected["503"] < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)  # in the 30 s wait
        started.runner.cancel()
        ended = started.finish()

    assert ended.state is JobState.CANCELLED
    [outcome] = started.recorder.outcomes(Op.UPLOAD)
    assert outcome.outcome_class is OutcomeClass.CANCELLED
    assert outcome.note == runner_module.MAY_HAVE


def test_a_lost_upload_is_judged_by_the_checksum_a_nextcloud_keeps(nextcloud_server, local):
    """On a Nextcloud the check compares the checksum the server keeps of each upload
    (oc:checksums) with the local file's, reading nothing back: ours, stored with its answer
    lost, is done; someone else's file of the same size is not ours, and stays a conflict."""
    files = url_path(nextcloud_server.files_url)
    for name in ("ours.txt", "taken.txt"):
        (local / name).write_bytes(b"ours " * 200)
    script = {
        ("PUT", quote_path(files + "ours.txt")): ["reset-after"],
        ("PUT", quote_path(files + "taken.txt")): ["reset-before"],
    }
    with FaultProxy(nextcloud_server.origin, script=script) as proxy:
        with proxy.healthy():
            found = connect(
                proxy.url_for(nextcloud_server.files_url),
                login=nextcloud_server.login_name,
                password=nextcloud_server.password,
            )
        with found.client as client:
            with proxy.healthy():
                job = plan_upload(
                    client, [local / "ours.txt", local / "taken.txt"], files, Conflict.ASK
                )
                client.put(files + "taken.txt", b"THEIR" * 200)  # after planning, checksummed
            _, recorder = run(client, job)

    outcomes = {o.path.rsplit("/", 1)[1]: o for o in recorder.outcomes(Op.UPLOAD)}
    assert outcomes["ours.txt"].ok and outcomes["ours.txt"].note == DONE_EARLIER
    assert outcomes["taken.txt"].status == 412
    read_back = [path for path in proxy.seen("GET") if path.startswith(quote_path(files))]
    assert read_back == []  # judged by the checksums, not by reading the files back
    stored = nextcloud_server.files_root
    assert (stored / "ours.txt").read_bytes() == b"ours " * 200
    assert (stored / "taken.txt").read_bytes() == b"THEIR" * 200


def test_the_check_of_a_lost_answer_is_asked_again_on_any_5xx_within_its_budget():
    policy = RetryPolicy(attempts=2, checks=4)
    for worth in (
        _status_error(500),
        _status_error(503),
        _status_error(507),
        errors.ProtocolError("x"),
        errors.TimeoutError("x"),
        errors.ConnectError("x"),
    ):
        assert policy.should_ask_again(worth, 1) and policy.should_ask_again(worth, 3)
        assert not policy.should_ask_again(worth, 4)
    for answer in (
        _status_error(401),
        _status_error(403),
        _status_error(404),
        errors.MultiStatusError("x"),
        errors.CertificateError("x", url="u", reason="r"),
        OSError("x"),
    ):
        assert not policy.should_ask_again(answer, 1)


def _status_error(status: int, retry_after: str | None = None) -> errors.StatusError:
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    return errors.status_error_class(status)("PUT", "http://x/f", status, headers=headers)


def test_retry_policy_decides_what_is_worth_repeating():
    """The table of docs/retries.md: on par with rclone and the Nextcloud client."""
    policy = RetryPolicy(attempts=3)
    nobodys_lock = errors.LockedError(  # Nextcloud's own lock while another request writes
        "PUT",
        "http://x/f",
        423,
        server_exception="OCA\\DAV\\Connector\\Sabre\\Exception\\FileLocked",
    )
    for worth in (
        errors.ConnectError("x"),
        errors.ProtocolError("x"),
        errors.TimeoutError("x"),
        *(_status_error(s) for s in (408, 429, 500, 502, 503, 504)),
        nobodys_lock,
    ):
        assert policy.should_retry(worth, 1) and policy.should_retry(worth, 2)
        assert not policy.should_retry(worth, 3)
    patient = RetryPolicy(attempts=8)  # a server that cannot be reached is said at once
    assert patient.should_retry(errors.ProtocolError("x"), 3)
    assert patient.should_retry(errors.ConnectError("x"), 2)
    assert not patient.should_retry(errors.ConnectError("x"), 3)
    assert not patient.should_retry(errors.TimeoutError("x"), 3)
    someones_lock = errors.LockedError("PUT", "http://x/f", 423, condition="lock-token-submitted")
    ours_refused = errors.LockedError(
        "PUT",
        "http://x/f",
        423,
        lock_submitted=True,
        server_exception=nobodys_lock.server_exception,
    )
    for answer in (
        _status_error(404),
        _status_error(403),
        _status_error(412),
        someones_lock,
        _status_error(423),
        ours_refused,
        _status_error(501),
        _status_error(507),
        _status_error(401),
        errors.UnsafePathError("x"),
        RuntimeError("x"),
        OSError("x"),
    ):
        assert not policy.should_retry(answer, 1)


def test_statuses_that_may_come_after_the_server_acted_are_checked_before_a_repeat():
    acted = [s for s in (408, 429, 500, 502, 503, 504) if _status_error(s).may_have_acted]
    assert acted == [500, 502, 504]
    assert errors.ProtocolError("x").may_have_acted and not errors.ConnectError("x").may_have_acted


def test_a_request_given_up_on_says_how_many_attempts_were_made():
    policy = RetryPolicy(attempts=3, base_delay=0)
    sent = []

    def failing() -> None:
        sent.append(1)
        raise errors.ProtocolError("PROPFIND http://x/: connection failed: reset")

    with pytest.raises(errors.ProtocolError) as caught:
        policy.run(failing)
    assert len(sent) == 3 and caught.value.attempts == 3
    assert str(caught.value).endswith("connection failed: reset (gave up after 3 attempts)")


def test_retry_policy_delay_honours_retry_after_and_backs_off_with_jitter():
    policy = RetryPolicy(attempts=10, base_delay=0.5, max_delay=8.0)
    assert policy.delay(_status_error(503, "0"), 1) == 0
    assert policy.delay(_status_error(503, "3"), 1) == 3
    assert policy.delay(_status_error(503, "3600"), 1) == 8.0  # a hostile server cannot park a job
    soon = datetime.fromtimestamp(time.time() + 2, UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 0 <= policy.delay(_status_error(503, soon), 1) <= 3
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (9, 8.0)]:
        waits = [policy.delay(errors.ConnectError("x"), attempt) for _ in range(200)]
        assert all(0 <= w <= ceiling for w in waits)
        assert max(waits) > ceiling / 2 and len(set(waits)) > 100  # full jitter, not lockstep


# -- 8. modification times, both ways ----------------------------------------------------------


def test_mtimes_are_kept_up_and_back_down(dav_server, client, base, local):
    source = local / "dated"
    stamps = {
        "a.txt": datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC).timestamp(),
        "sub dir/b #2.txt": datetime(2010, 10, 10, 10, 10, 10, tzinfo=UTC).timestamp(),
        "ü 100%.txt": datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp(),
    }
    for relpath, stamp in stamps.items():
        path = source / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(relpath.encode())
        os.utime(path, (stamp, stamp))

    ended, recorder = run(
        client,
        plan_upload(client, [source], base, Conflict.ASK),
        JobOptions(keep_mtime=True, mtime_by_proppatch=True, retry=FAST_RETRY),
    )
    assert ended.state is JobState.FINISHED
    assert all(o.note == "mtime kept as a dead property" for o in recorder.outcomes(Op.UPLOAD))

    back = local.parent / "back"
    back.mkdir()
    job = plan_download(client, [client.stat(base + "dated/")], back, Conflict.ASK)
    ended, _ = run(client, job, JobOptions(keep_mtime=True, retry=FAST_RETRY))
    assert ended.state is JobState.FINISHED
    for relpath, stamp in stamps.items():
        copy = back / "dated" / relpath
        assert copy.read_bytes() == relpath.encode()
        assert copy.stat().st_mtime == stamp, relpath


# -- 9. a task that raises ----------------------------------------------------------------------


@pytest.mark.expected_log("raised")
def test_a_task_that_raises_fails_alone(dav_server, client, base, local, monkeypatch):
    source = local / "batch"
    source.mkdir()
    for i in range(10):
        (source / f"f{i}.txt").write_bytes(f"file {i}".encode())
    job = plan_upload(client, [source], base, Conflict.ASK)
    # After planning: one file becomes a folder, and one task hits a bug in the engine.
    (source / "f3.txt").unlink()
    (source / "f3.txt").mkdir()
    real_execute = runner_module.execute

    def execute(client, task, ctx):
        if task.remote.endswith("/f7.txt"):
            raise RuntimeError("boom")
        return real_execute(client, task, ctx)

    monkeypatch.setattr(runner_module, "execute", execute)

    ended, recorder = run(client, job)

    assert ended.state is JobState.FAILED and (ended.ok, ended.failed) == (len(job.tasks) - 2, 2)
    by_name = {r.task.remote.rsplit("/", 1)[1]: r.outcomes for r in recorder.results}
    [bug] = by_name["f7.txt"]
    assert (bug.ok, bug.source, bug.reason, bug.detail) == (
        False,
        Source.LOCAL,
        "RuntimeError",
        "boom",
    )
    [folder] = by_name["f3.txt"]
    assert not folder.ok and folder.source is Source.LOCAL and folder.reason == "IsADirectoryError"
    uploaded = {rel(o.path, base) for o in recorder.outcomes(Op.UPLOAD) if o.ok}
    assert len(uploaded) == 8
    assert settled(lambda: server_files(dav_server)) == {
        name: f"file {name[len('batch/f') : -len('.txt')]}".encode() for name in uploaded
    }


# -- 10. a dry run ---------------------------------------------------------------------------------


def _no_requests(*args, **kwargs):
    raise AssertionError("a dry run sent a request")


def test_dry_run_touches_nothing(dav_server, client, base, local, monkeypatch):
    h = dav_server
    h.make_file("keep/a.txt", b"a")
    h.make_file("keep/sub/b.txt", b"b")
    h.make_file("elsewhere/a.txt", b"other a")
    make_tree(local / "keep", 12, big_every=0)
    jobs = [
        plan_upload(client, [local / "keep"], base, Conflict.OVERWRITE),
        plan_delete(client, [client.stat(base + "keep/")]),
        plan_copy(client, client.listdir(base + "keep/"), base + "elsewhere/", Conflict.ASK),
        plan_download(client, [client.stat(base + "keep/")], local, Conflict.RENAME),
    ]

    def state():
        stats = {}
        for root in (h.root, local):
            for dirpath, _, filenames in os.walk(root):
                for name in filenames:
                    path = Path(dirpath, name)
                    stats[str(path)] = (path.read_bytes(), path.stat().st_mtime_ns)
        return stats

    before = state()
    monkeypatch.setattr(client, "_send", _no_requests)
    for job in jobs:
        outcomes = describe(job)
        assert len(outcomes) == len(job.tasks)
        assert all(o.source is Source.DRY_RUN and o.ok for o in outcomes)
        assert [o.path for o in outcomes] == [t.remote for t in job.tasks]
    assert state() == before
