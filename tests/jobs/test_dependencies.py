"""One retry path, planning included, and what a job does with a folder it could not make.

Through a proxy scripted request by request in front of the real servers:
planning's listings ride out resets and 500s as a job's requests do; a
folder whose MKCOL keeps failing leaves its files "not attempted", naming
the folder and what it met, and not one PUT is sent into it; a folder a
download cannot list is reported the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.dav import DavClient, errors
from app.dav.paths import quote_path, url_path
from app.dav.retry import RetryPolicy
from app.jobs.dependencies import NOT_ATTEMPTED
from app.jobs.model import Conflict, JobEnded, JobState, TaskResult
from app.jobs.planner import describe, plan_download, plan_upload
from app.jobs.runner import JobRunner
from tests.servers.fault_proxy import FaultProxy

FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, checks=3)


@pytest.fixture
def scripted(dav_server) -> Iterator[Callable[..., FaultProxy]]:
    """scripted({(method, path): [fault, ...]}) -> a proxy in front of the test's server."""
    proxies: list[FaultProxy] = []

    def make(script: dict[tuple[str, str], list[str | None]]) -> FaultProxy:
        raw = {(method, quote_path(path)): faults for (method, path), faults in script.items()}
        proxies.append(FaultProxy(dav_server.url, script=raw))
        return proxies[-1]

    yield make
    for proxy in proxies:
        proxy.close()


def through(proxy: FaultProxy, handle) -> DavClient:
    return DavClient(
        proxy.url_for(handle.url), user=handle.user, password=handle.password, retry=FAST
    )


def run(client: DavClient, job) -> tuple[JobEnded, list[TaskResult]]:
    results: list[TaskResult] = []
    ended = JobRunner(
        client, job, lambda e: results.append(e) if isinstance(e, TaskResult) else None
    ).run()
    return ended, results


def tree(folder: Path) -> dict[str, bytes]:
    files = {"a.txt": b"a\n", "sub/b.txt": b"b\n" * 10, "sub/deeper/c.txt": b"c\n"}
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return files


def test_planning_rides_out_resets_and_500s(dav_server, scripted, tmp_path):
    """The first request of all (the listing of the target) is reset, then meets a 500 and a
    503: planning repeats it with the job's policy, and the upload completes."""
    files = tree(tmp_path / "up")
    root = url_path(dav_server.url)
    proxy = scripted({("PROPFIND", root): ["reset-before", "500", "503"]})
    with through(proxy, dav_server) as client:
        job = plan_upload(client, [tmp_path / "up"], root, Conflict.ASK)
        ended, _ = run(client, job)
    assert ended.state is JobState.FINISHED
    assert proxy.total_injected == 3
    stored = dav_server.root / "up"
    assert {name: (stored / name).read_bytes() for name in files} == files


def test_planning_gives_up_when_the_budget_is_spent_and_says_how_often_it_tried(
    dav_server, scripted, tmp_path
):
    tree(tmp_path / "up")
    root = url_path(dav_server.url)
    proxy = scripted({("PROPFIND", root): ["500"] * 10})
    with through(proxy, dav_server) as client, pytest.raises(errors.StatusError) as caught:
        plan_upload(client, [tmp_path / "up"], root, Conflict.ASK)
    assert caught.value.status == 500 and caught.value.attempts == FAST.attempts
    assert str(caught.value).endswith(f"(gave up after {FAST.attempts} attempts)")


def test_files_of_a_folder_that_could_not_be_created_are_not_attempted(
    dav_server, scripted, tmp_path
):
    tree(tmp_path / "up")
    sub = url_path(dav_server.url) + "up/sub/"
    proxy = scripted({("MKCOL", sub): ["reset-before", "500", "500", "500"]})
    with through(proxy, dav_server) as client:
        with proxy.healthy():
            job = plan_upload(client, [tmp_path / "up"], url_path(dav_server.url), Conflict.ASK)
        ended, results = run(client, job)

    assert ended.state is JobState.FAILED
    outcomes = {
        o.path.removeprefix(url_path(dav_server.url)): o for r in results for o in r.outcomes
    }
    assert outcomes["up/a.txt"].ok and outcomes["up/"].ok
    assert outcomes["up/sub/"].status == 500 and outcomes["up/sub/"].attempt == FAST.attempts
    for blocked in ("up/sub/b.txt", "up/sub/deeper/", "up/sub/deeper/c.txt"):
        outcome = outcomes[blocked]
        assert (outcome.reason, outcome.ok, outcome.status) == (NOT_ATTEMPTED, False, None)
        assert outcome.note.startswith(f"its folder {sub} could not be created (500 ")
    sent = set(proxy.seen("PUT"))
    assert sent == {
        quote_path(url_path(dav_server.url) + "up/a.txt")
    }  # nothing into the missing folder
    assert not (dav_server.root / "up" / "sub").exists()


def test_a_folder_a_download_cannot_list_is_reported_with_its_reason(
    dav_server, scripted, tmp_path
):
    (dav_server.root / "down" / "sub").mkdir(parents=True)
    (dav_server.root / "down" / "sub" / "x.txt").write_bytes(b"x")
    (dav_server.root / "down" / "y.txt").write_bytes(b"y")
    dav_server.chown()
    sub = url_path(dav_server.url) + "down/sub/"
    proxy = scripted({("PROPFIND", sub): ["503"] * 10})
    target = tmp_path / "local"
    target.mkdir()
    with through(proxy, dav_server) as client:
        job = plan_download(
            client, [client.stat(url_path(dav_server.url) + "down/")], target, Conflict.ASK
        )
        [planned] = [o for o in describe(job) if o.path == sub]
        ended, results = run(client, job)

    assert planned.reason == NOT_ATTEMPTED and "could not be listed" in planned.note
    outcomes = {o.path: o for r in results for o in r.outcomes}
    assert ended.state is JobState.FAILED
    assert outcomes[sub].reason == NOT_ATTEMPTED
    assert "the folder could not be listed" in outcomes[sub].note
    assert "503" in outcomes[sub].note and f"gave up after {FAST.attempts}" in outcomes[sub].note
    assert (target / "down" / "y.txt").read_bytes() == b"y"
    assert not (target / "down" / "sub").exists()
