"""ETag-driven polling against the fake Nextcloud: one Depth 0 request when nothing changed,
and only the folders whose ETag changed listed when something did."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from app.dav import DavClient
from app.nextcloud.connect import connect
from app.sync.background.engine import BackgroundSync
from app.sync.background.types import WatchSpec
from app.sync.model import Direction
from tests.sync.background.conftest import FAST, Recorder, wait_for

#: Full scans far away: every server change must come through the ETag poll.
POLLING = dataclasses.replace(FAST, poll_interval=0.3, full_scan_interval=3600.0)


@pytest.fixture
def nextcloud_pair(nextcloud_server, tmp_path: Path, local: Path):
    """A started engine on the account's Sync/ folder, and the recorder it reports to."""
    found = connect(
        nextcloud_server.origin,
        login=nextcloud_server.login_name,
        password=nextcloud_server.password,
    )
    assert found.client.extensions.folder_etags
    root = found.account.files_path + "Sync/"
    found.client.mkcol(root)
    recorder = Recorder()
    spec = WatchSpec("nc", local, found.client.url(root), Direction.BOTH)
    engine = BackgroundSync(
        [spec], lambda _spec: (found.client, root), tmp_path / "state", recorder, POLLING
    )
    yield engine, recorder, found, root
    engine.stop(10)
    found.client.close()


def _propfinds(server, since: int) -> list:
    return [r for r in server.requests[since:] if r.method == "PROPFIND"]


def test_an_idle_poll_is_one_depth_0_request(nextcloud_server, nextcloud_pair, local):
    engine, recorder, _, root = nextcloud_pair
    for folder in ("a", "a/b", "a/b/c", "other"):
        (local / folder).mkdir()
    (local / "a/b/c/deep.txt").write_text("deep")
    engine.start()
    wait_for(lambda: (nextcloud_server.files_root / "Sync/a/b/c/deep.txt").exists())
    wait_for(recorder.idle)
    # The first poll after the upload lists the folders it changed (the pair cannot tell its
    # own changes from another client's without looking); from then on it is idle.
    wait_for(
        lambda: (
            [r.headers.get("depth") for r in _propfinds(nextcloud_server, 0)[-3:]]
            == ["0", "0", "0"]
        ),
        what="the poll to settle",
    )
    mark = len(nextcloud_server.requests)
    polls_before = len(recorder.statuses)
    wait_for(lambda: len(_propfinds(nextcloud_server, mark)) >= 6, what="a few idle polls")
    idle = _propfinds(nextcloud_server, mark)
    assert all(r.headers.get("depth") == "0" for r in idle), [
        (r.path, r.headers.get("depth")) for r in idle
    ]
    assert {r.path for r in idle} == {root}
    assert len(recorder.statuses) == polls_before  # an idle poll changes no state


def test_a_deep_server_change_lists_only_the_changed_folders(
    nextcloud_server, nextcloud_pair, local
):
    engine, recorder, _, root = nextcloud_pair
    for folder in ("a", "a/b", "a/b/c", "other", "other/x"):
        (local / folder).mkdir()
    (local / "a/b/c/deep.txt").write_text("v1")
    (local / "other/x/y.txt").write_text("y")
    engine.start()
    wait_for(lambda: (nextcloud_server.files_root / "Sync/a/b/c/deep.txt").exists())
    wait_for(recorder.idle)
    wait_for(
        lambda: (
            [r.headers.get("depth") for r in _propfinds(nextcloud_server, 0)[-3:]]
            == ["0", "0", "0"]
        ),
        what="the poll to settle",
    )
    mark = len(nextcloud_server.requests)
    with DavClient(
        nextcloud_server.origin,
        user=nextcloud_server.login_name,
        password=nextcloud_server.password,
    ) as bob:
        bob.put(root + "a/b/c/deep.txt", b"v2 from another client")
    wait_for(
        lambda: (local / "a/b/c/deep.txt").read_bytes() == b"v2 from another client",
        what="the change to arrive through the ETag poll",
    )
    listed = {r.path for r in _propfinds(nextcloud_server, mark) if r.headers.get("depth") == "1"}
    assert listed == {root, root + "a/", root + "a/b/", root + "a/b/c/"}
