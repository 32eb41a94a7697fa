"""A first upload sync of a Nextcloud folder: what it asks before it uploads, and its answers.

A real Nextcloud spends tens of milliseconds of PHP on every request, so the
round trips before the first upload are most of a small sync's time: the
credentials go with the first request (Nextcloud takes Basic and nothing
else: no 401 to learn it), the folder's one Depth 1 listing is also the check
that it is there, and it goes out while the capabilities are on their way
(planning and uploads need them, the listing does not).
"""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.config.paths import AppPaths
from app.dav import DavClient
from app.dav.paths import url_path
from app.nextcloud import capabilities
from tests.servers.nextcloud import NextcloudServer


@pytest.fixture
def signed_in(nextcloud_server: NextcloudServer, monkeypatch, tmp_path) -> NextcloudServer:
    password = nextcloud_server.issue_app_password("first sync", login_name="alice")
    monkeypatch.setenv("DAVDESK_PASSWORD", password)
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "home"))
    return nextcloud_server


def _sync(local, url: str) -> int:
    return main(["sync", "--json", "--direction", "up", "--user", "alice", str(local), url])


def test_the_first_sync_asks_only_what_it_needs_before_it_uploads(signed_in, tmp_path, capsys):
    server = signed_in
    (server.files_root / "pair").mkdir()
    local = tmp_path / "local"
    local.mkdir()
    names = {f"{n:03}.txt" for n in range(120)}
    for name in names:
        (local / name).write_bytes(name.encode())
    server.requests.reset()
    assert _sync(local, server.files_url + "pair/") == 0
    outcomes = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert all(o["ok"] for o in outcomes)
    assert {p.name for p in (server.files_root / "pair").iterdir()} == names

    sent = list(server.requests)
    # The folder's listing (which opens the WebDAV session) and the capabilities go first,
    # together, each with the credentials: no OPTIONS, no 401, no Depth 0 look first.
    assert {(r.method, r.headers.get("depth"), r.status) for r in sent[:2]} == {
        ("GET", None, 200),
        ("PROPFIND", "1", 207),
    }
    assert all(r.headers["authorization"].startswith("Basic ") for r in sent[:2])
    [capabilities] = [r for r in sent if r.path.endswith("/cloud/capabilities")]
    assert "cookie" not in capabilities.headers  # outside the session
    assert not [r for r in sent if r.status == 401 or r.method == "OPTIONS"]
    assert not [r for r in sent if r.method == "PROPFIND" and r.headers.get("depth") == "0"]
    assert [r for r in sent if r.method == "POST" and r.path.endswith("/dav/bulk")]


def test_a_request_outside_the_session_does_not_become_the_session(nextcloud_server):
    """The capabilities may be asked for before the first WebDAV answer opened the session:
    the OCS session their answer opens would fail the CSRF check of every later write
    (quirks.OCS_SESSION_FAILS_CSRF), so its cookie is not kept."""
    server = nextcloud_server
    with DavClient(
        server.root_url, user="alice", password=server.password, basic_first=True
    ) as client:
        found = capabilities.fetch(client, url_path(server.root_url), session=False)
        assert found.bulk_upload
        assert client.put(url_path(server.files_url) + "a.txt", b"a").ok
        assert client.put(url_path(server.files_url) + "b.txt", b"b").ok
    assert (server.files_root / "a.txt").read_bytes() == b"a"
    puts = [r for r in server.requests if r.method == "PUT"]
    assert [r.status for r in puts] == [201, 201]
    assert "cookie" not in puts[0].headers and "cookie" in puts[1].headers  # a WebDAV session


@pytest.mark.parametrize("target", ["missing/", "a file.txt"])
def test_a_server_folder_that_is_not_there_is_said_so_and_nothing_is_made(
    signed_in, tmp_path, capsys, target
):
    (signed_in.files_root / "a file.txt").write_bytes(b"a file")
    local = tmp_path / "local"
    local.mkdir()
    (local / "kept.txt").write_bytes(b"kept")
    assert _sync(local, signed_in.files_url + target) == 2
    err = capsys.readouterr().err
    assert f"davdesk: sync: {signed_in.files_url + target}: no such folder on the server" in err
    assert (signed_in.files_root / "a file.txt").read_bytes() == b"a file"
    assert not (signed_in.files_root / "missing").exists()
    assert not list(AppPaths.under(tmp_path / "home").data.rglob("*.sqlite"))
