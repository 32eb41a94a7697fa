"""A watched pair when things go wrong: the server away, a refused password, a held lock."""

from __future__ import annotations

import logging

from app.dav.retry import RetryPolicy
from app.sync.background.engine import BackgroundSync
from app.sync.background.status import PairState
from app.sync.background.types import WatchSpec
from app.sync.model import Direction
from tests.servers import WsgiDavServer
from tests.sync.background.conftest import FAST, Recorder, wait_for

#: The client's own patience, short: the test is about the pair's back-off, not the client's.
QUICK = RetryPolicy(attempts=2, base_delay=0.05, max_delay=0.1)


def test_the_server_going_away_and_coming_back_loses_nothing(
    wsgidav_server, local, watch, recorder
):
    wsgidav_server.make_file("kept.txt", b"kept")
    watch(
        wsgidav_server.url,
        wsgidav_server.user,
        wsgidav_server.password,
        local,
        client_kwargs={"retry": QUICK},
    )
    wait_for(lambda: (local / "kept.txt").exists() and recorder.idle())
    port = wsgidav_server.server.port
    wsgidav_server.server.stop()
    (local / "offline.txt").write_text("written while the server was away")
    (local / "kept.txt").write_text("edited while the server was away")
    wait_for(lambda: recorder.said("server unreachable"), what="the reason in the state")
    waiting = next(s for s in recorder.statuses if s.text == "server unreachable")
    assert waiting.state is PairState.WAITING and waiting.retry_at is not None
    assert waiting.detail is not None and "Connection refused" in waiting.detail
    wait_for(lambda: recorder.stopped, what="a notification after repeated failures")
    assert recorder.stopped[0].reason == "Server unreachable: Davdesk tries again by itself"
    with WsgiDavServer(wsgidav_server.root, port=port):
        wait_for(
            lambda: (
                (wsgidav_server.root / "offline.txt").exists()
                and (wsgidav_server.root / "kept.txt").read_bytes()
                == b"edited while the server was away"
            ),
            what="the catch-up",
        )
        wait_for(recorder.idle)
    assert (wsgidav_server.root / "offline.txt").read_text() == "written while the server was away"
    assert sorted(p.name for p in local.iterdir()) == ["kept.txt", "offline.txt"]


def test_a_refused_password_waits_with_the_reason_and_is_said_once(
    wsgidav_server, local, watch, recorder, caplog
):
    caplog.set_level(logging.INFO, logger="app.sync.background.report")
    watch(wsgidav_server.url, wsgidav_server.user, "wrong password", local)
    wait_for(lambda: recorder.said("signed out: sign in again"))
    refused = next(s for s in recorder.statuses if s.text == "signed out: sign in again")
    assert refused.state is PairState.ERROR and refused.retry_at is None
    assert refused.detail is not None and "401" in refused.detail
    wait_for(
        lambda: sum("Signed out" in r.getMessage() for r in caplog.records) >= 2,
        what="a second try, logged with its detail",
    )
    assert [s.reason for s in recorder.stopped] == ["Signed out: sign in again"]


def test_one_pair_is_synced_by_one_engine_at_a_time(wsgidav_server, local, watch, tmp_path):
    first, second = Recorder(), Recorder()
    watch(wsgidav_server.url, wsgidav_server.user, wsgidav_server.password, local, listener=first)
    wait_for(first.idle)
    watch(wsgidav_server.url, wsgidav_server.user, wsgidav_server.password, local, listener=second)
    wait_for(lambda: second.said("synced by process"), what="the second pair to wait")
    (local / "new.txt").write_text("new")
    wait_for(lambda: (wsgidav_server.root / "new.txt").exists())
    # The file lands on the server before the upload's result reaches the listener.
    wait_for(lambda: first.results, what="the first pair's upload result")
    assert not second.runs


def test_a_paused_pair_does_nothing_until_resumed(wsgidav_server, local, tmp_path):
    recorder = Recorder()
    spec = WatchSpec("p", local, wsgidav_server.url, Direction.BOTH, paused=True)
    from app.dav import DavClient
    from app.dav.paths import url_path

    client = DavClient(
        wsgidav_server.url, user=wsgidav_server.user, password=wsgidav_server.password
    )
    engine = BackgroundSync(
        [spec],
        lambda _s: (client, url_path(wsgidav_server.url)),
        tmp_path / "state",
        recorder,
        FAST,
    )
    (local / "waiting.txt").write_text("waits")
    engine.start()
    try:
        wait_for(lambda: recorder.last is not None and recorder.last.text == "paused")
        assert not (wsgidav_server.root / "waiting.txt").exists()
        engine.reload([WatchSpec("p", local, wsgidav_server.url, Direction.BOTH)])
        wait_for(lambda: (wsgidav_server.root / "waiting.txt").exists())
        engine.reload([])
        assert engine.statuses() == []
    finally:
        engine.stop(10)
        client.close()


def test_a_revoked_app_password_says_signed_out_and_a_new_one_is_used_without_a_restart(
    nextcloud_server, local, tmp_path, recorder
):
    """Nextcloud revokes the pair's app password while it runs (the user removed the device):
    "signed out: sign in again"; once the user signed in again (a new app password where the
    front end keeps it), the next try asks for a new client and the pair goes on."""
    from app.dav import DavClient
    from app.dav.paths import url_path

    (nextcloud_server.files_root / "pair").mkdir()
    url = nextcloud_server.files_url + "pair/"
    kept = [nextcloud_server.issue_app_password("pair", login_name="alice")]
    clients: list[DavClient] = []

    def connect(_spec: WatchSpec) -> tuple[DavClient, str]:  # what the keyring holds now
        clients.append(DavClient(url, user="alice", password=kept[-1]))
        return clients[-1], url_path(url)

    engine = BackgroundSync(
        [WatchSpec("pair", local, url, Direction.BOTH)],
        connect,
        tmp_path / "state",
        recorder,
        FAST,
    )
    engine.start()
    try:
        (local / "first.txt").write_text("first")
        wait_for(lambda: (nextcloud_server.files_root / "pair" / "first.txt").exists())
        assert nextcloud_server.instance.accounts.revoke(kept[-1])
        wait_for(lambda: recorder.said("signed out: sign in again"), what="the sign-out")
        kept.append(nextcloud_server.issue_app_password("pair again", login_name="alice"))
        (local / "second.txt").write_text("second")
        wait_for(
            lambda: (nextcloud_server.files_root / "pair" / "second.txt").exists(),
            what="the pair going on with the new password",
        )
        wait_for(recorder.idle)
    finally:
        engine.stop(10)
        for client in clients:
            client.close()
    assert (nextcloud_server.files_root / "pair" / "second.txt").read_text() == "second"
