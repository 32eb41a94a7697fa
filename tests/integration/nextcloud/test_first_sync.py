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
    first = sent[0]
    assert (first.method, first.status) == ("OPTIONS", 200)
    assert first.headers["authorization"].startswith("Basic ")  # not asked for: sent
    assert not [r for r in sent if r.status == 401]
    # Then the capabilities and the folder's listing, together; no Depth 0 look first.
    assert {(r.method, r.headers.get("depth")) for r in sent[1:3]} == {
        ("GET", None),
        ("PROPFIND", "1"),
    }
    assert sent[1].path.endswith("/cloud/capabilities") or sent[2].path.endswith(
        "/cloud/capabilities"
    )
    assert not [r for r in sent if r.method == "PROPFIND" and r.headers.get("depth") == "0"]
    assert [r for r in sent if r.method == "POST" and r.path.endswith("/dav/bulk")]


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
