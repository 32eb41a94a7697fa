"""1,000-file jobs through a proxy that breaks a fifth of the requests, against the real Apache.

What is checked is what a user would check afterwards, file by file: the
server's folder on disk (or the local folder for a download) against each
file's Outcome. A file whose Outcome is ok must be there, whole; a file
whose Outcome failed must not be (nor any piece of it). Any other pairing
is a mismatch, and the goal is none. An Outcome that says it could not be
confirmed (the server kept failing the check) claims neither, so it is no
mismatch; it is counted, and must stay rare.

Each operation runs with a few seeds (each seed breaks other requests in
other ways). A wider sweep by hand: FAULT_SEEDS=1-30 (or 4,9,12) runs every
operation with those seeds instead, and the figures line at the end of the
run adds them up.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

import pytest

from app.dav import DavClient, Outcome, Timeouts
from app.dav.paths import url_path
from app.dav.retry import RetryPolicy
from app.jobs.model import Conflict, JobEnded, JobState, Op, TaskResult
from app.jobs.planner import plan_delete, plan_download, plan_upload
from app.jobs.runner import UNCONFIRMED, JobOptions
from tests.hardening.conftest import FIGURES
from tests.hardening.jobs import run_job
from tests.servers import ServerHandle
from tests.servers.fault_proxy import FaultProxy

FILES = 1000
SHARE = 0.2
#: Loopback Apache answers in milliseconds: half a second of silence is a stall.
TIMEOUTS = Timeouts(connect=2.0, read=0.5)
OPTIONS = JobOptions(
    workers=8,
    keep_mtime=False,
    progress_interval=0.5,
    retry=RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05),
)
#: A stall outlasts the client's read timeout, then ends (so the server hears of it soon).
STALL = 1.0
STEMS = ["plain", "with space", "100% sure", "hash#tag", "this&that", "ünïcödé", "日本語"]
#: At most this many files of a job may end unconfirmed: each took a check failing
#: RetryPolicy.checks times in a row (about 0.2 ** 6 at this share of faults).
UNCONFIRMED_AT_MOST = 2


def seeds(default: Sequence[int]) -> list[int]:
    """The seeds to run: FAULT_SEEDS ("1-30", "4,9,12") for a sweep by hand, else default."""
    given = os.environ.get("FAULT_SEEDS", "").strip()
    if not given:
        return list(default)
    chosen: list[int] = []
    for part in given.split(","):
        first, _, last = part.partition("-")
        chosen += range(int(first), int(last or first) + 1)
    return chosen


def content(i: int) -> bytes:
    """Small files, and every 50th over one 256 KiB chunk, so a cut can fall inside a body."""
    line = f"file {i:04d}\n".encode()
    return line * (300_000 // len(line) if i % 50 == 0 else 1 + i % 40)


def names() -> dict[str, bytes]:
    return {f"{STEMS[i % len(STEMS)]} {i:04d}.txt": content(i) for i in range(FILES)}


def proxied(proxy: FaultProxy, server: ServerHandle) -> DavClient:
    return DavClient(
        proxy.url_for(server.url),
        user=server.user,
        password=server.password,
        workers=OPTIONS.workers,
        timeouts=TIMEOUTS,
    )


def tally(
    proxy: FaultProxy, outcomes: dict[str, Outcome], mismatches: list[str], started: float
) -> None:
    """Add this job to the run's figures, then fail on a mismatch or too many unconfirmed."""
    unsure = sorted(name for name, o in outcomes.items() if o.reason == UNCONFIRMED)
    FIGURES.update(
        faults=proxy.total_injected,
        requests=proxy.requests,
        jobs=1,
        files=len(outcomes),
        mismatches=len(mismatches),
        unconfirmed=len(unsure),
    )
    FIGURES["seconds"] += time.monotonic() - started
    for fault, count in proxy.injected.items():
        FIGURES[f"fault {fault}"] += count
    assert not mismatches, mismatches[:10]
    assert len(unsure) <= UNCONFIRMED_AT_MOST, [outcomes[name] for name in unsure]
    assert proxy.total_injected >= 0.15 * FILES


def by_name(results: list[TaskResult], op: Op) -> dict[str, Outcome]:
    """Each file's name and its one Outcome."""
    found = {}
    for result in results:
        if result.task.op is op and not result.task.is_dir:
            [outcome] = result.outcomes
            assert outcome.path == result.task.remote
            found[result.task.remote.rsplit("/", 1)[1]] = outcome
    return found


def claims(outcome: Outcome) -> bool | None:
    """What an Outcome says happened: True done, False not done, None could not be confirmed."""
    return None if outcome.reason == UNCONFIRMED else outcome.ok


def job_state_matches(ended: JobEnded, outcomes: dict[str, Outcome]) -> bool:
    """A job ends finished only when every file is ok, else failed."""
    return ended.state is (
        JobState.FINISHED if all(o.ok for o in outcomes.values()) else JobState.FAILED
    )


@pytest.mark.parametrize("seed", seeds([1, 12, 22]))
def test_upload_of_1000_files_through_faults(fault_proxy, apache_server, tmp_path, seed):
    started = time.monotonic()
    proxy = fault_proxy(share=SHARE, seed=seed, stall_seconds=STALL)
    source = tmp_path / "up"
    source.mkdir()
    files = names()
    for name, data in files.items():
        (source / name).write_bytes(data)
    with proxied(proxy, apache_server) as client:
        with proxy.healthy():
            job = plan_upload(client, [source], url_path(client.base_url), Conflict.ASK)
        ended, results = run_job(client, job, OPTIONS)
    proxy.settle()  # the server has let go of every body cut off half-way

    outcomes = by_name(results, Op.UPLOAD)
    assert set(outcomes) == set(files)
    stored = apache_server.root / "up"
    mismatches = []
    for name, outcome in outcomes.items():
        there, ok = stored / name, claims(outcome)
        if ok and not (there.is_file() and there.read_bytes() == files[name]):
            mismatches.append(f"{name}: ok, but not on the server whole")
        if ok is False and there.exists():
            mismatches.append(
                f"{name}: failed, yet the server has it "
                f"({there.stat().st_size} of {len(files[name])} bytes): {outcome}"
            )
    strays = (
        sorted(p.name for p in stored.iterdir() if p.name not in files and p.name != ".DAV")
        if stored.is_dir()
        else []
    )
    mismatches += [f"{name}: on the server, never uploaded" for name in strays]
    tally(proxy, outcomes, mismatches, started)
    assert job_state_matches(ended, outcomes)


@pytest.mark.parametrize("seed", seeds([2, 34, 47, 53]))
def test_delete_of_1000_files_through_faults(fault_proxy, apache_server, seed):
    started = time.monotonic()
    proxy = fault_proxy(share=SHARE, seed=seed, stall_seconds=STALL)
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
    proxy.settle()

    outcomes = by_name(results, Op.DELETE)
    assert set(outcomes) == set(files)
    mismatches = []
    for name, outcome in outcomes.items():
        there, ok = (folder / name).exists(), claims(outcome)
        if ok and there:
            mismatches.append(f"{name}: ok, but still on the server")
        if ok is False and not there:
            mismatches.append(f"{name}: failed, yet it is gone from the server: {outcome}")
    tally(proxy, outcomes, mismatches, started)
    assert job_state_matches(ended, outcomes)


@pytest.mark.parametrize("seed", seeds([3, 4]))
def test_download_of_1000_files_through_faults(fault_proxy, apache_server, tmp_path, seed):
    started = time.monotonic()
    proxy = fault_proxy(share=SHARE, seed=seed, stall_seconds=STALL)
    files = names()
    for name, data in files.items():
        (apache_server.root / "down").mkdir(exist_ok=True)
        (apache_server.root / "down" / name).write_bytes(data)
    apache_server.chown()
    target = tmp_path / "local"
    target.mkdir()
    with proxied(proxy, apache_server) as client:
        with proxy.healthy():
            job = plan_download(
                client, [client.stat(url_path(client.base_url) + "down/")], target, Conflict.ASK
            )
        ended, results = run_job(client, job, OPTIONS)
    proxy.settle()

    outcomes = by_name(results, Op.DOWNLOAD)
    assert set(outcomes) == set(files)
    saved = target / "down"
    mismatches = []
    for name, outcome in outcomes.items():
        there, ok = saved / name, claims(outcome)
        if ok and not (there.is_file() and there.read_bytes() == files[name]):
            mismatches.append(f"{name}: ok, but not on disk whole")
        if ok is False and os.path.lexists(there):
            mismatches.append(f"{name}: failed, yet a file is in its place: {outcome}")
    leftovers = sorted(
        str(p.relative_to(target)) for p in target.rglob("*") if p.is_file() and p.name not in files
    )
    mismatches += [f"{name}: left behind" for name in leftovers]
    tally(proxy, outcomes, mismatches, started)
    assert job_state_matches(ended, outcomes)
