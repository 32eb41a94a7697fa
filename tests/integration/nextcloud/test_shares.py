"""Public links on the fake Nextcloud: app.nextcloud.shares and `davdesk share`."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.cli import main
from app.nextcloud import shares
from app.nextcloud.connect import connect

pytest_plugins = ["tests.memory_keyring"]


@pytest.fixture
def share(nextcloud_server, monkeypatch, capsys):
    (nextcloud_server.files_root / "Docs").mkdir()
    (nextcloud_server.files_root / "Docs" / "a b.txt").write_bytes(b"x")
    monkeypatch.setenv("DAVDESK_PASSWORD", nextcloud_server.password)

    def run(*args: str) -> tuple[int, list[dict], str]:
        code = main(["share", "--user", "alice", "--json", *args])
        out, err = capsys.readouterr()
        return code, [json.loads(line) for line in out.splitlines()], err

    return run


def test_create_list_and_delete_a_link(share, nextcloud_server, monkeypatch):
    url = nextcloud_server.files_url + "Docs/a%20b.txt"
    expire = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    monkeypatch.setenv("LINK_PASSWORD", "s3cret link")
    code, [created], _ = share(url, "--expire", expire, "--password-env", "LINK_PASSWORD")
    assert code == 0 and created["url"].startswith(nextcloud_server.root_url + "index.php/s/")
    assert created["expiration"] == expire and created["has_password"] is True
    assert created["access"] == "read only" and created["path"] == "/Docs/a b.txt"
    code, listed, _ = share("ls", url)
    assert code == 0 and [s["id"] for s in listed] == [created["id"]]
    code, _, _ = share("rm", url, created["id"])
    assert code == 0
    code, listed, _ = share("ls", url)
    assert listed == []
    code, _, err = share("rm", url, created["id"])
    assert code == 1 and "Wrong share ID" in err


def test_folders_take_uploads_files_do_not(share, nextcloud_server):
    code, [created], _ = share(nextcloud_server.files_url + "Docs/", "--access", "upload")
    assert code == 0 and created["permissions"] == 15 and created["item_type"] == "folder"
    code, _, err = share(nextcloud_server.files_url + "Docs/a%20b.txt", "--access", "upload")
    assert code == 1 and "only a folder's link can take uploads" in err


def test_no_share_without_the_share_permission(share, nextcloud_server):
    nextcloud_server.set_permissions("Docs/a b.txt", "GDNVW")
    code, _, err = share(nextcloud_server.files_url + "Docs/a%20b.txt")
    assert code == 1 and "you may not share a b.txt" in err


def test_enforced_password_and_expiry(make_nextcloud, monkeypatch, capsys):
    server = make_nextcloud(share_password_enforced=True, share_expire_days=3)
    (server.files_root / "a.txt").write_bytes(b"x")
    found = connect(server.files_url, login="alice", password=server.password)
    rules = shares.sharing_rules(found.client, found.account)
    assert rules.password_enforced and rules.expire_enforced and rules.expire_days == 3
    resource = found.client.stat(found.account.files_path + "a.txt")
    with pytest.raises(shares.SharingRefused, match="requires a password"):
        shares.check_link(rules, resource, password=None, expire=None, access="read")
    # The server says no too, in its own words, when asked anyway.
    with pytest.raises(shares.ocs.OcsError, match="Passwords are enforced"):
        shares.create_link(found.client, found.account, resource.path)
    too_late = dt.date.today() + dt.timedelta(days=10)
    with pytest.raises(shares.ocs.OcsError, match="more than 3 days"):
        shares.create_link(
            found.client, found.account, resource.path, password="pw", expire=too_late
        )
    made = shares.create_link(found.client, found.account, resource.path, password="pw")
    assert made.expiration == dt.date.today() + dt.timedelta(days=3)
    changed = shares.update_share(
        found.client, found.account, made.id, expire=dt.date.today() + dt.timedelta(days=1)
    )
    assert changed.expiration == dt.date.today() + dt.timedelta(days=1)
    found.client.close()


def test_links_disabled_by_the_administrator(make_nextcloud, monkeypatch, capsys):
    server = make_nextcloud(link_sharing=False)
    (server.files_root / "a.txt").write_bytes(b"x")
    monkeypatch.setenv("DAVDESK_PASSWORD", server.password)
    assert main(["share", "--user", "alice", server.files_url + "a.txt"]) == 1
    assert "does not allow public links" in capsys.readouterr().err
