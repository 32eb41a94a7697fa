"""The edges of watching: no file-system events to be had, a sleep of the computer, and the
plan of a few folders being the full plan's for their paths."""

from __future__ import annotations

import dataclasses
import errno
import shutil
import threading
import time
from datetime import datetime

from watchdog.observers import Observer

from app.dav import DavClient
from app.dav.paths import url_path
from app.jobs.model import TaskResult
from app.jobs.runner import JobRunner
from app.nextcloud.connect import connect
from app.sync.background.engine import BackgroundSync
from app.sync.background.scope import plan_folders
from app.sync.background.types import WatchSpec
from app.sync.ignore import IgnoreRules
from app.sync.job import SyncRecorder, build_job
from app.sync.model import Direction
from app.sync.planner import plan_pair
from app.sync.state import StateDB
from tests.sync.background.conftest import FAST, Recorder, wait_for


class LimitedObserver(Observer):
    """The platform's observer on a system whose inotify watches are all taken."""

    def schedule(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "inotify watch limit reached")


def test_without_events_the_pair_scans_and_says_so_once(wsgidav_server, local, tmp_path):
    recorder = Recorder()
    client = DavClient(
        wsgidav_server.url, user=wsgidav_server.user, password=wsgidav_server.password
    )
    spec = WatchSpec("p", local, wsgidav_server.url, Direction.BOTH)
    engine = BackgroundSync(
        [spec],
        lambda _s: (client, url_path(wsgidav_server.url)),
        tmp_path / "state",
        recorder,
        FAST,
        observer=LimitedObserver(),
    )
    engine.start()
    try:
        wait_for(recorder.idle)
        (local / "seen by a scan.txt").write_text("x")
        wait_for(lambda: (wsgidav_server.root / "seen by a scan.txt").exists())
        notes = {s.note for s in recorder.statuses}
        assert notes == {
            (
                "watching by periodic full scans: inotify watch limit reached (raise "
                "fs.inotify.max_user_watches, or pause other pairs)"
            )
        }
    finally:
        engine.stop(10)
        client.close()


def test_a_sleep_of_the_computer_brings_one_poll_forward(nextcloud_server, local, tmp_path):
    found = connect(
        nextcloud_server.origin,
        login=nextcloud_server.login_name,
        password=nextcloud_server.password,
    )
    root = found.account.files_path
    jump = [0.0]
    recorder = Recorder()
    settings = dataclasses.replace(FAST, poll_interval=3600.0, full_scan_interval=3600.0, tick=0.05)
    engine = BackgroundSync(
        [WatchSpec("p", local, found.client.url(root), Direction.BOTH)],
        lambda _s: (found.client, root),
        tmp_path / "state",
        recorder,
        settings,
        wall=lambda: time.time() + jump[0],
    )
    engine.start()
    try:
        wait_for(recorder.idle)
        mark = len(nextcloud_server.requests)
        jump[0] = 8 * 3600.0  # a night asleep: eight hours of polls "missed"

        def depth0() -> list:
            return [
                r
                for r in nextcloud_server.requests[mark:]
                if r.method == "PROPFIND" and r.headers.get("depth") == "0"
            ]

        wait_for(depth0, what="a poll after the jump")
        finished = threading.Event()
        threading.Timer(1.0, finished.set).start()  # twenty ticks: a flood would show
        finished.wait()
        assert len(depth0()) == 1
    finally:
        engine.stop(10)
        found.client.close()


def test_the_plan_of_changed_folders_is_the_full_plan_for_them(dav_server, local, tmp_path):
    for rel, text in (
        ("top.txt", "t"),
        ("a/one.txt", "1"),
        ("a/b/two.txt", "2"),
        ("gone/x.txt", "x"),
        ("other/y.txt", "y"),
    ):
        (local / rel).parent.mkdir(parents=True, exist_ok=True)
        (local / rel).write_text(text)
    rules = IgnoreRules()
    with (
        DavClient(dav_server.url, user=dav_server.user, password=dav_server.password) as client,
        StateDB(tmp_path / "state.sqlite") as state,
    ):
        root = url_path(dav_server.url)
        first = plan_pair(client, local, root, Direction.BOTH, state, rules)
        recorder = SyncRecorder(state, build_job(first))
        recorder.begin()
        JobRunner(
            client,
            recorder.sync_job.job,
            lambda e: recorder.record(e) if isinstance(e, TaskResult) else None,
        ).run()
        (local / "a" / "one.txt").write_text("1 edited")
        (local / "a" / "new.txt").write_text("new")
        (local / "a" / "b" / "two.txt").unlink()
        shutil.rmtree(local / "gone")
        (local / "fresh" / "deep").mkdir(parents=True)
        (local / "fresh" / "deep" / "z.txt").write_text("z")
        dav_server.make_file("other/from server.txt", b"s")
        now = datetime(2026, 1, 1)
        full = plan_pair(client, local, root, Direction.BOTH, state, rules, now=now)
        scoped, _ = plan_folders(
            client, local, root, Direction.BOTH, state, rules, ["a", "a/b", "", "other"], now=now
        )
    as_rows = lambda plan: sorted((i.rel, i.action.value) for i in plan.items)  # noqa: E731
    assert as_rows(scoped) == as_rows(full)
    assert ("gone/x.txt", "delete remote") in as_rows(scoped)
    assert ("fresh/deep/z.txt", "upload") in as_rows(scoped)
