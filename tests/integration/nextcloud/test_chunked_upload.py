"""Chunked upload v2 against the fake Nextcloud: chunks, assembly, resume, cancel, conflicts."""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from app.dav import DavClient, errors
from app.dav.chunked import ChunkedUpload
from app.dav.client import Timeouts
from app.jobs.context import Cancelled
from app.jobs.model import Conflict, JobState, TaskResult
from app.jobs.planner import plan_upload
from app.jobs.runner import JobOptions, JobRunner
from app.nextcloud.connect import NextcloudConnection, connect

MIB = 1024 * 1024
SIZE = 23 * MIB + 123  # three chunks of the server's 10 MiB chunk size


def _connect(server, **kwargs) -> NextcloudConnection:
    return connect(server.origin, login=server.login_name, password=server.password, **kwargs)


def _big(folder: Path, name: str = "film 2026 #1.mkv", size: int = SIZE) -> Path:
    path = folder / name
    path.write_bytes(os.urandom(size))
    os.utime(path, (1_700_000_000, 1_700_000_000))
    return path


def _upload(found: NextcloudConnection, source: Path, conflict: Conflict = Conflict.ASK):
    results: list[TaskResult] = []
    job = plan_upload(found.client, [source], found.account.files_path, conflict)
    ended = JobRunner(
        found.client,
        job,
        lambda e: results.append(e) if isinstance(e, TaskResult) else None,
        JobOptions(workers=2),
    ).run()
    return ended, [o for r in results for o in r.outcomes]


def _requests(server, method: str, under: str = "/remote.php/dav/uploads/"):
    """The requests of a method that the server answered with success.

    A request cut off by a test is logged when the server gives up reading
    it, which may be after the test cleared the log: failures are left out.
    """
    return [r for r in server.requests if r.method == method and under in r.path and r.status < 400]


def test_a_big_file_goes_up_in_chunks_with_its_mtime_and_checksum(nextcloud_server, local):
    source = _big(local)
    found = _connect(nextcloud_server)
    with found.client:
        ended, [outcome] = _upload(found, source)
    assert ended.state is JobState.FINISHED and outcome.ok and outcome.status == 201
    assert "uploaded in 3 chunks" in outcome.note and "mtime kept by X-OC-Mtime" in outcome.note
    stored = nextcloud_server.files_root / source.name
    assert stored.read_bytes() == source.read_bytes()
    assert stored.stat().st_mtime == 1_700_000_000
    puts = _requests(nextcloud_server, "PUT")
    # Sent side by side (max_parallel_count), so in any order.
    assert sorted(p.path.rsplit("/", 1)[1] for p in puts) == ["00001", "00002", "00003"]
    for request in [
        *_requests(nextcloud_server, "MKCOL"),
        *puts,
        *_requests(nextcloud_server, "MOVE"),
    ]:
        assert request.headers["destination"].endswith("/film%202026%20%231.mkv")
    assert all(p.headers["oc-total-length"] == str(SIZE) for p in puts)
    [move] = _requests(nextcloud_server, "MOVE")
    md5 = hashlib.md5(source.read_bytes()).hexdigest()
    assert (
        move.headers["oc-checksum"] == f"MD5:{md5}" and move.headers["x-oc-mtime"] == "1700000000"
    )
    assert move.headers["overwrite"] == "F"  # a new file: never replace one created meanwhile
    assert not list((nextcloud_server.data_dir / "alice" / "uploads").iterdir())


def test_sha256_where_the_capabilities_list_it(make_nextcloud, local):
    server = make_nextcloud(checksum_types=("SHA1", "SHA256"))
    source = _big(local, size=11 * MIB)
    found = _connect(server)
    with found.client:
        _upload(found, source)
        small = local / "note.txt"
        small.write_text("a small one")
        _upload(found, small)
    [move] = _requests(server, "MOVE")
    assert (
        move.headers["oc-checksum"] == "SHA256:" + hashlib.sha256(source.read_bytes()).hexdigest()
    )
    [put] = [r for r in server.requests if r.method == "PUT" and r.path.endswith("note.txt")]
    assert put.headers["oc-checksum"] == "SHA256:" + hashlib.sha256(b"a small one").hexdigest()


def test_an_interrupted_upload_resumes_with_the_chunks_already_there(nextcloud_server, local):
    source = _big(local)
    found = _connect(nextcloud_server)

    def break_in_the_third_chunk(done: int, total: int | None) -> None:
        if done > 2 * 10 * MIB + MIB:
            raise errors.ProtocolError("connection lost (test)")

    with found.client:
        # One chunk at a time, so that the break falls in the third chunk.
        one_by_one = replace(found.client.extensions.chunked, parallel=1)
        upload = ChunkedUpload(
            found.client,
            found.account.files_path + source.name,
            source,
            one_by_one,
            progress=break_in_the_third_chunk,
        )
        with pytest.raises(errors.ProtocolError):
            upload.run(if_none_match=True)
        assert not (nextcloud_server.files_root / source.name).exists()
        nextcloud_server.clear_requests()
        _, [outcome] = _upload(found, source)
    assert outcome.ok and "2 of them already on the server" in outcome.note
    assert [p.path.rsplit("/", 1)[1] for p in _requests(nextcloud_server, "PUT")] == ["00003"]
    assert (nextcloud_server.files_root / source.name).read_bytes() == source.read_bytes()


def test_a_cancelled_upload_leaves_nothing_on_the_server(nextcloud_server, local):
    source = _big(local)
    found = _connect(nextcloud_server)

    def cancel_half_way(done: int, total: int | None) -> None:
        if done > 15 * MIB:
            raise Cancelled

    with found.client:
        upload = ChunkedUpload(
            found.client,
            found.account.files_path + source.name,
            source,
            found.client.extensions.chunked,
            progress=cancel_half_way,
        )
        with pytest.raises(Cancelled):
            upload.run(if_none_match=True)
    assert _requests(nextcloud_server, "DELETE")  # the upload folder, aborted
    assert not list((nextcloud_server.data_dir / "alice" / "uploads").iterdir())
    assert not (nextcloud_server.files_root / source.name).exists()


def test_a_final_move_whose_answer_is_lost_is_not_sent_again(make_nextcloud, local):
    """The server takes 3 s to assemble; the client gives up waiting for the answer after 1 s,
    then watches the destination appear instead of sending the MOVE a second time."""
    server = make_nextcloud(assembly_delay=3.0)
    source = _big(local, size=11 * MIB)
    found = _connect(server, timeouts=Timeouts(connect=5, read=1))
    with found.client:
        _, [outcome] = _upload(found, source)
    assert outcome.ok and "answer to the final MOVE was lost" in outcome.note
    assert len(_requests(server, "MOVE")) == 1
    assert (server.files_root / source.name).read_bytes() == source.read_bytes()


def test_an_existing_file_is_a_conflict_then_overwritten_reusing_the_chunks(
    nextcloud_server, local
):
    source = _big(local, size=11 * MIB)
    (nextcloud_server.files_root / source.name).write_bytes(b"someone else's")
    found = _connect(nextcloud_server)
    with found.client:
        _, [conflict] = _upload(found, source)
        assert conflict.status == 412 and not conflict.ok
        assert (nextcloud_server.files_root / source.name).read_bytes() == b"someone else's"
        nextcloud_server.clear_requests()
        _, [replaced] = _upload(found, source, Conflict.OVERWRITE)
    assert replaced.ok and replaced.status == 204 and "already on the server" in replaced.note
    assert not _requests(nextcloud_server, "PUT")  # the chunks of the first attempt were kept
    [move] = _requests(nextcloud_server, "MOVE")
    assert move.headers["if"].endswith("])") and move.headers["overwrite"] == "T"
    assert (nextcloud_server.files_root / source.name).read_bytes() == source.read_bytes()


def test_a_file_changed_after_listing_is_not_overwritten(nextcloud_server, local):
    source = _big(local, size=11 * MIB)
    target = nextcloud_server.files_root / source.name
    target.write_bytes(b"version 1")
    found = _connect(nextcloud_server)
    with found.client:
        job = plan_upload(found.client, [source], found.account.files_path, Conflict.OVERWRITE)
        target.write_bytes(b"version 2, written meanwhile")
        results: list[TaskResult] = []
        JobRunner(
            found.client, job, lambda e: results.append(e) if isinstance(e, TaskResult) else None
        ).run()
    [outcome] = results[0].outcomes
    assert outcome.status == 412 and "changed on the server" in outcome.note
    assert target.read_bytes() == b"version 2, written meanwhile"


def test_quota_refuses_the_chunks_and_the_upload_folder_is_removed(make_nextcloud, local):
    server = make_nextcloud(quota=5 * MIB)
    source = _big(local, size=11 * MIB)
    found = _connect(server)
    with found.client:
        ended, [outcome] = _upload(found, source)
    assert outcome.status == 507 and not outcome.ok and ended.state is JobState.FAILED
    assert not list((server.data_dir / "alice" / "uploads").iterdir())


def test_without_chunking_a_big_file_is_one_put(make_nextcloud, local):
    server = make_nextcloud(chunking=False)
    source = _big(local, size=11 * MIB)
    found = _connect(server)
    with found.client:
        assert found.client.extensions.chunked is None
        _, [outcome] = _upload(found, source)
    assert outcome.ok and not _requests(server, "MKCOL")
    assert (server.files_root / source.name).read_bytes() == source.read_bytes()


def test_plain_webdav_servers_get_plain_puts(dav_server, local):
    """Apache and wsgidav have no uploads collection: without extensions nothing is chunked."""
    source = _big(local, size=11 * MIB)
    with DavClient(dav_server.url, user=dav_server.user, password=dav_server.password) as client:
        outcome = client.put(client.root + source.name, source)
    assert outcome.ok and "chunks" not in (outcome.note or "")
    assert (dav_server.root / source.name).read_bytes() == source.read_bytes()


def test_chunks_go_up_side_by_side_up_to_max_parallel_count(nextcloud_server, local):
    """Three chunks, max_parallel_count 5: the first two PUTs must both be under way before
    either may finish (a barrier in the transport), which one chunk at a time never is."""
    source = _big(local)
    together = threading.Barrier(2, timeout=30)

    class SideBySide(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "PUT" and request.url.path.rsplit("/", 1)[1] in ("00001", "00002"):
                together.wait()
            return super().handle_request(request)

    found = _connect(nextcloud_server)
    assert found.client.extensions.chunked.parallel == 5
    with found.client as signed_in:
        client = DavClient(
            found.account.files_url,
            user=nextcloud_server.login_name,
            password=nextcloud_server.password,
            workers=4,
            extensions=signed_in.extensions,
            transport=SideBySide(),
        )
        with client:
            outcome = client.put(found.account.files_path + source.name, source, mtime=None)
    assert outcome.ok and "uploaded in 3 chunks" in outcome.note
    assert not together.broken
    assert (nextcloud_server.files_root / source.name).read_bytes() == source.read_bytes()
