"""What the transcript records of real exchanges with wsgidav and Apache."""

from __future__ import annotations

from app.dav import DavClient
from app.dav.transcript import REDACTED, Transcript
from app.jobs.model import JobEnded, TaskResult
from app.jobs.planner import plan_delete
from app.jobs.runner import JobRunner


def test_every_request_is_a_line_with_its_status_and_no_credentials(dav_server, base):
    transcript = Transcript()
    h = dav_server
    h.make_file("a b.txt", b"x")
    with DavClient(h.url, user=h.user, password=h.password, transcript=transcript) as client:
        client.listdir(base)
        client.exists(base + "missing.txt")
    lines = transcript.lines()
    assert [(line.method, line.status) for line in lines][-2:] == [
        ("PROPFIND", 207),
        ("PROPFIND", 404),
    ]
    assert all(line.elapsed is not None and line.elapsed >= 0 for line in lines)
    assert h.password not in transcript.text()


def test_a_failed_task_keeps_the_raw_multistatus_and_redacted_headers(dav_server, client, base):
    h = dav_server
    h.make_file("box/a.txt", b"a")
    h.make_file("box/locked.txt", b"locked")
    client.lock(base + "box/locked.txt")
    events: list[object] = []

    JobRunner(client, plan_delete(client, [client.stat(base + "box/")]), events.append).run()

    [result] = [e for e in events if isinstance(e, TaskResult)]
    assert isinstance(events[-1], JobEnded) and not result.ok
    [delete] = [e for e in result.exchanges if e.method == "DELETE"]
    assert delete.status in (207, 424, 423)
    assert ("authorization", REDACTED) in {(k.lower(), v) for k, v in delete.request_headers}
    raw = delete.raw_text()
    assert raw.startswith(f"DELETE {client.url(base + 'box/')} HTTP/1.1")
    assert "locked.txt" in raw and h.password not in raw


def test_a_task_that_went_well_keeps_only_its_lines(dav_server, client, base):
    dav_server.make_file("gone.txt", b"x")
    events: list[object] = []
    JobRunner(client, plan_delete(client, [client.stat(base + "gone.txt")]), events.append).run()
    [result] = [e for e in events if isinstance(e, TaskResult)]
    assert result.ok and [e.method for e in result.exchanges] == ["DELETE"]
    assert not result.exchanges[0].full and result.exchanges[0].status == 204
