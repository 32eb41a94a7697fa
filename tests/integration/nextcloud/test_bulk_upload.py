"""Bulk upload against the fake Nextcloud: small new files in batches, each with its Outcome."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx

from app.dav import Source
from app.jobs.model import Conflict, JobState, TaskResult
from app.jobs.planner import plan_upload
from app.jobs.runner import JobOptions, JobRunner
from app.nextcloud.connect import NextcloudConnection, connect

STAMP = 1_700_000_000


def _connect(server) -> NextcloudConnection:
    return connect(server.origin, login=server.login_name, password=server.password)


def _files(folder: Path, count: int, size: int = 4096) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"note {i:03d} #é.txt"
        path.write_bytes(bytes([i % 256]) * size)
        os.utime(path, (STAMP + i, STAMP + i))
        paths.append(path)
    return paths


def _upload(
    found: NextcloudConnection, sources: list[Path], target: str, conflict: Conflict = Conflict.ASK
) -> tuple[JobState, list[TaskResult]]:
    results: list[TaskResult] = []
    job = plan_upload(found.client, sources, target, conflict)
    ended = JobRunner(
        found.client,
        job,
        lambda e: results.append(e) if isinstance(e, TaskResult) else None,
        JobOptions(workers=4),
    ).run()
    return ended.state, results


def _posts(server) -> list:
    return [r for r in server.requests if r.method == "POST" and r.path.endswith("/dav/bulk")]


def test_small_new_files_go_in_batches_each_with_its_outcome(nextcloud_server, local):
    sources = _files(local / "notes", 250)
    found = _connect(nextcloud_server)
    with found.client:
        assert found.client.extensions.bulk is not None
        nextcloud_server.requests.reset()
        state, results = _upload(found, [local / "notes"], found.account.files_path)
    assert state is JobState.FINISHED
    outcomes = [o for r in results for o in r.outcomes]
    puts = [o for o in outcomes if o.op == "put"]
    assert len(puts) == 250 and all(o.ok and o.source is Source.JSON_BATCH for o in puts)
    assert all(o.etag and o.etag.startswith('"') for o in puts)
    assert len(_posts(nextcloud_server)) == 4  # one batch for each of the 4 workers
    assert not [r for r in nextcloud_server.requests if r.method == "PUT"]
    for i, source in enumerate(sources):
        stored = nextcloud_server.files_root / "notes" / source.name
        assert stored.read_bytes() == source.read_bytes()
        assert int(stored.stat().st_mtime) == STAMP + i


def test_files_that_were_there_or_are_big_keep_their_own_guarded_put(nextcloud_server, local):
    sources = _files(local / "mixed", 3)
    big = local / "mixed" / "big.bin"
    big.write_bytes(b"b" * (2 * 1024 * 1024))
    (nextcloud_server.files_root / "mixed").mkdir()
    (nextcloud_server.files_root / "mixed" / sources[0].name).write_bytes(b"old")
    found = _connect(nextcloud_server)
    with found.client:
        nextcloud_server.requests.reset()
        state, results = _upload(
            found, [local / "mixed"], found.account.files_path, Conflict.OVERWRITE
        )
    assert state is JobState.FINISHED
    by_name = {Path(o.path).name: o for r in results for o in r.outcomes if o.op == "put"}
    assert by_name[sources[0].name].source is Source.RESPONSE  # it existed: If-Match PUT
    assert by_name["big.bin"].source is Source.RESPONSE
    assert {by_name[s.name].source for s in sources[1:]} == {Source.JSON_BATCH}
    assert len(_posts(nextcloud_server)) == 1
    for source in [*sources, big]:
        assert (
            nextcloud_server.files_root / "mixed" / source.name
        ).read_bytes() == source.read_bytes()


def test_a_refused_entry_is_sent_again_alone_and_fails_in_words(make_nextcloud, local):
    """The quota holds one of the two files: the batch stores it and refuses the other,
    which goes again as a PUT of its own, whose 507 says why."""
    server = make_nextcloud(quota=6000)
    first, second = _files(local / "quota", 2)
    found = _connect(server)
    with found.client:
        server.requests.reset()
        state, results = _upload(found, [first, second], found.account.files_path)
    assert state is JobState.FAILED
    by_name = {Path(o.path).name: o for r in results for o in r.outcomes}
    assert by_name[first.name].ok and by_name[first.name].source is Source.JSON_BATCH
    failed = by_name[second.name]
    assert not failed.ok and failed.source is Source.RESPONSE and failed.status == 507
    assert [r.method for r in server.requests if r.path.endswith(second.name)] == ["PUT"]
    assert (server.files_root / first.name).read_bytes() == first.read_bytes()
    assert not (server.files_root / second.name).exists()


def test_an_entry_missing_from_the_answer_is_checked_not_assumed(
    nextcloud_server, local, monkeypatch
):
    """The answer names only one of two stored files: the other is looked up and found."""
    sources = _files(local / "partial", 2)
    found = _connect(nextcloud_server)
    original = httpx.Client.send

    def drop_one(self, request, **kwargs):
        response = original(self, request, **kwargs)
        if request.method == "POST" and request.url.path.endswith("/dav/bulk"):
            answer = json.loads(response.read())
            answer.pop(sorted(answer)[0])
            return httpx.Response(200, json=answer, request=request)
        return response

    with found.client:
        monkeypatch.setattr(httpx.Client, "send", drop_one)
        state, results = _upload(found, sources, found.account.files_path)
    assert state is JobState.FINISHED
    outcomes = sorted((o for r in results for o in r.outcomes), key=lambda o: o.path)
    assert outcomes[0].ok and outcomes[0].source is not Source.JSON_BATCH  # checked by a lookup
    assert outcomes[1].ok and outcomes[1].source is Source.JSON_BATCH
    for source in sources:
        assert (nextcloud_server.files_root / source.name).read_bytes() == source.read_bytes()


def test_the_fake_server_refuses_a_wrong_md5_and_keeps_what_came_before(nextcloud_server):
    boundary = "b0undary"
    good, bad = b"good", b"bad"
    body = (
        (
            f"--{boundary}\r\nX-File-Path: /one.txt\r\n"
            f"X-File-MD5: {__import__('hashlib').md5(good).hexdigest()}\r\n"
            f"Content-Length: {len(good)}\r\n\r\n"
        ).encode()
        + good
        + b"\r\n"
        + (
            f"--{boundary}\r\nX-File-Path: /two.txt\r\nX-File-MD5: {'0' * 32}\r\n"
            f"Content-Length: {len(bad)}\r\n\r\n"
        ).encode()
        + bad
        + b"\r\n"
        + f"--{boundary}--\r\n".encode()
    )
    reply = httpx.post(
        f"{nextcloud_server.origin}/remote.php/dav/bulk",
        content=body,
        auth=(nextcloud_server.login_name, nextcloud_server.password),
        headers={"Content-Type": f'multipart/related; boundary="{boundary}"'},
    )
    assert reply.status_code == 400
    assert set(reply.json()) == {"/one.txt"} and reply.json()["/one.txt"]["error"] is False
    assert (nextcloud_server.files_root / "one.txt").read_bytes() == good
    assert not (nextcloud_server.files_root / "two.txt").exists()
