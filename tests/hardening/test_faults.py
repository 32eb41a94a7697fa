"""1,000-file jobs through a proxy that breaks a fifth of the requests, against the real Apache.

What is checked is what a user would check afterwards, file by file: the
server's folder on disk (or the local folder for a download) against each
file's Outcome. A file whose Outcome is ok must be there, whole; a file
whose Outcome failed must not be (nor any piece of it). Any other pairing
is a mismatch, and the goal is none.
"""

from __future__ import annotations

import os
import time

import pytest

from app.dav import DavClient, Timeouts
from app.dav.paths import url_path
from app.jobs.model import Conflict, JobState, Op, TaskResult
from app.jobs.planner import plan_delete, plan_download, plan_upload
from app.jobs.retry import RetryPolicy
from app.jobs.runner import JobOptions
from tests.hardening.conftest import FIGURES
from tests.hardening.jobs import run_job
from tests.servers import ServerHandle
from tests.servers.fault_proxy import FaultProxy

FILES = 1000
SHARE = 0.2
#: Loopback Apache answers in milliseconds: half a second of silence is a stall.
TIMEOUTS = Timeouts(connect=2.0, read=0.5)
OPTIONS = JobOptions(workers=8, keep_mtime=False, progress_interval=0.5,
                     retry=RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05))
STEMS = ["plain", "with space", "100% sure", "hash#tag", "this&that", "ünïcödé", "日本語"]


def content(i: int) -> bytes:
    """Small files, and every 50th over one 256 KiB chunk, so a cut can fall inside a body."""
    line = f"file {i:04d}\n".encode()
    return line * (300_000 // len(line) if i % 50 == 0 else 1 + i % 40)


def names() -> dict[str, bytes]:
    return {f"{STEMS[i % len(STEMS)]} {i:04d}.txt": content(i) for i in range(FILES)}


def proxied(proxy: FaultProxy, server: ServerHandle) -> DavClient:
    return DavClient(proxy.url_for(server.url), user=server.user, password=server.password,
                     workers=OPTIONS.workers, timeouts=TIMEOUTS)


def tally(proxy: FaultProxy, checked: int, mismatches: list[str], started: float) -> None:
    FIGURES.update(faults=proxy.total_injected, requests=proxy.requests, jobs=1, files=checked,
                   mismatches=len(mismatches))
    FIGURES["seconds"] += time.monotonic() - started


def by_name(results: list[TaskResult], op: Op) -> dict[str, bool]:
    """Each file's name and whether its one Outcome is ok."""
    found = {}
    for result in results:
        if result.task.op is op and not result.task.is_dir:
            [outcome] = result.outcomes
            assert outcome.path == result.task.remote
            found[result.task.remote.rsplit("/", 1)[1]] = outcome.ok
    return found


@pytest.mark.parametrize("seed", [1])
def test_upload_of_1000_files_through_faults(fault_proxy, apache_server, tmp_path, seed):
    started = time.monotonic()
    proxy = fault_proxy(share=SHARE, seed=seed)
    source = tmp_path / "up"
    source.mkdir()
    files = names()
    for name, data in files.items():
        (source / name).write_bytes(data)
    with proxied(proxy, apache_server) as client:
        with proxy.healthy():
            job = plan_upload(client, [source], url_path(client.base_url), Conflict.ASK)
        ended, results = run_job(client, job, OPTIONS)

    outcomes = by_name(results, Op.UPLOAD)
    assert set(outcomes) == set(files)
    stored = apache_server.root / "up"
    mismatches = []
    for name, ok in outcomes.items():
        there = stored / name
        if ok and not (there.is_file() and there.read_bytes() == files[name]):
            mismatches.append(f"{name}: ok, but not on the server whole")
        if not ok and there.exists():
            mismatches.append(f"{name}: failed, yet the server has it "
                              f"({there.stat().st_size} of {len(files[name])} bytes)")
    strays = sorted(p.name for p in stored.iterdir() if p.name not in files and p.name != ".DAV") \
        if stored.is_dir() else []
    mismatches += [f"{name}: on the server, never uploaded" for name in strays]
    tally(proxy, len(outcomes), mismatches, started)
    assert not mismatches, mismatches[:10]
    assert proxy.total_injected >= 0.15 * FILES
    assert ended.state is (JobState.FINISHED if all(outcomes.values()) else JobState.FAILED)


@pytest.mark.parametrize("seed", [2])
def test_delete_of_1000_files_through_faults(fault_proxy, apache_server, seed):
    started = time.monotonic()
    proxy = fault_proxy(share=SHARE, seed=seed)
    files = names()
    folder = apache_server.root / "del"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    apache_server.chown(folder)
    with proxied(proxy, apache_server) as client:
        with proxy.healthy():
            listed = client.listdir(url_path(client.base_url) + "del/")
        ended, results = run_job(client, plan_delete(client, listed), OPTIONS)

    outcomes = by_name(results, Op.DELETE)
    assert set(outcomes) == set(files)
    mismatches = []
    for name, ok in outcomes.items():
        there = (folder / name).exists()
        if ok and there:
            mismatches.append(f"{name}: ok, but still on the server")
        if not ok and not there:
            mismatches.append(f"{name}: failed, yet it is gone from the server")
    tally(proxy, len(outcomes), mismatches, started)
    assert not mismatches, mismatches[:10]
    assert proxy.total_injected >= 0.15 * FILES
    assert ended.state is (JobState.FINISHED if all(outcomes.values()) else JobState.FAILED)


@pytest.mark.parametrize("seed", [3])
def test_download_of_1000_files_through_faults(fault_proxy, apache_server, tmp_path, seed):
    started = time.monotonic()
    proxy = fault_proxy(share=SHARE, seed=seed)
    files = names()
    for name, data in files.items():
        (apache_server.root / "down").mkdir(exist_ok=True)
        (apache_server.root / "down" / name).write_bytes(data)
    apache_server.chown()
    target = tmp_path / "local"
    target.mkdir()
    with proxied(proxy, apache_server) as client:
        with proxy.healthy():
            job = plan_download(client, [client.stat(url_path(client.base_url) + "down/")],
                                target, Conflict.ASK)
        ended, results = run_job(client, job, OPTIONS)

    outcomes = by_name(results, Op.DOWNLOAD)
    assert set(outcomes) == set(files)
    saved = target / "down"
    mismatches = []
    for name, ok in outcomes.items():
        there = saved / name
        if ok and not (there.is_file() and there.read_bytes() == files[name]):
            mismatches.append(f"{name}: ok, but not on disk whole")
        if not ok and os.path.lexists(there):
            mismatches.append(f"{name}: failed, yet a file is in its place")
    leftovers = sorted(str(p.relative_to(target)) for p in target.rglob("*")
                       if p.is_file() and p.name not in files)
    mismatches += [f"{name}: left behind" for name in leftovers]
    tally(proxy, len(outcomes), mismatches, started)
    assert not mismatches, mismatches[:10]
    assert proxy.total_injected >= 0.15 * FILES
    assert ended.state is (JobState.FINISHED if all(outcomes.values()) else JobState.FAILED)
