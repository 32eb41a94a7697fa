"""A file's versions on the fake Nextcloud: kept on each overwrite, listed, downloaded and
restored, through app.nextcloud.versions and `davdesk versions`."""

from __future__ import annotations

import json

import httpx
import pytest

from app.cli import main
from app.nextcloud import versions
from app.nextcloud.connect import connect


@pytest.fixture
def edited(nextcloud_server):
    """notes.txt written three times: "one", then "two", now "three"."""
    found = connect(nextcloud_server.files_url, login="alice", password=nextcloud_server.password)
    path = found.account.files_path + "notes.txt"
    for text in (b"one\n", b"two\n", b"three\n"):
        found.client.put(path, text)
    yield found, path
    found.client.close()


def test_each_overwrite_keeps_a_version(edited, nextcloud_server):
    found, path = edited
    listed = versions.list_versions(found.client, found.account, found.client.stat(path))
    assert [v.size for v in listed] == [4, 4]  # "two\n" (newest first), then "one\n"
    assert all(v.author == "alice" and v.label == "" for v in listed)
    with httpx.Client(auth=("alice", nextcloud_server.password)) as http:
        bodies = [http.get(nextcloud_server.origin + v.resource.path).content for v in listed]
    assert bodies == [b"two\n", b"one\n"]


def test_cli_lists_downloads_and_restores(edited, nextcloud_server, monkeypatch, capsys, tmp_path):
    found, path = edited
    monkeypatch.setenv("DAVDESK_PASSWORD", nextcloud_server.password)
    url = nextcloud_server.files_url + "notes.txt"
    assert main(["versions", "ls", "--user", "alice", "--json", url]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    _newest, oldest = listed
    assert (
        main(
            [
                "versions",
                "get",
                "--user",
                "alice",
                "--json",
                url,
                oldest["version"],
                str(tmp_path / "old.txt"),
            ]
        )
        == 0
    )
    [got] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert got["ok"] and (tmp_path / "old.txt").read_bytes() == b"one\n"
    assert main(["versions", "restore", "--user", "alice", "--json", url, oldest["version"]]) == 0
    [restored] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert restored["ok"] and restored["op"] == "restore"
    assert (nextcloud_server.files_root / "notes.txt").read_bytes() == b"one\n"
    # The content it replaced is a version now: nothing was lost.
    after = versions.list_versions(found.client, found.account, found.client.stat(path))
    with httpx.Client(auth=("alice", nextcloud_server.password)) as http:
        bodies = sorted(http.get(nextcloud_server.origin + v.resource.path).content for v in after)
    assert bodies == [b"three\n", b"two\n"]
    assert main(["versions", "restore", "--user", "alice", url, "12345"]) == 1
    assert "no version '12345'" in capsys.readouterr().err


def test_folders_have_no_versions(nextcloud_server, monkeypatch, capsys):
    (nextcloud_server.files_root / "Docs").mkdir()
    monkeypatch.setenv("DAVDESK_PASSWORD", nextcloud_server.password)
    assert main(["versions", "ls", "--user", "alice", nextcloud_server.files_url + "Docs/"]) == 1
    assert "only files have versions" in capsys.readouterr().err
