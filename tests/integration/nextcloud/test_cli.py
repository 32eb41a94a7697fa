"""The CLI on a Nextcloud: login (browser or app password exchange), the keyring, trash, logout."""

from __future__ import annotations

import json
import os
import threading

import pytest

from app.cli import main
from app.nextcloud import login_flow

pytest_plugins = ["tests.memory_keyring"]


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def no_password(monkeypatch):
    monkeypatch.delenv("DAVDESK_PASSWORD", raising=False)


def test_login_in_the_browser_keeps_the_app_password_for_later_commands(
    nextcloud_server, memory_keyring, no_password, monkeypatch, capsys
):
    monkeypatch.setattr(login_flow, "POLL_INTERVAL", 0.05)
    browser = []

    def open_in_browser(url: str) -> bool:
        browser.append(threading.Thread(target=nextcloud_server.grant_login, args=(url,)))
        browser[-1].start()
        return True

    monkeypatch.setattr("webbrowser.open", open_in_browser)
    assert main(["login", "--json", nextcloud_server.root_url + "index.php/apps/files/"]) == 0
    browser[0].join()
    [signed_in] = _json_lines(capsys.readouterr().out)
    assert signed_in["user_id"] == "alice" and signed_in["files_url"] == nextcloud_server.files_url
    [
        (service, login),
    ] = memory_keyring.passwords
    [issued] = nextcloud_server.app_passwords
    assert memory_keyring.passwords[service, login] == issued.password != nextcloud_server.password

    (nextcloud_server.files_root / "Photos").mkdir()
    (nextcloud_server.files_root / "Photos" / "a.png").write_bytes(bytes(2048))
    url = nextcloud_server.files_url.replace("://", f"://{login}@", 1)
    assert main(["ls", "--json", url]) == 0
    [photos] = _json_lines(capsys.readouterr().out)
    assert photos["name"] == "Photos" and photos["tree_size"] == 2048
    assert photos["permissions"] == "RGDNVCK" and photos["has_preview"] is False


def test_login_with_an_account_password_keeps_an_app_password_instead(
    nextcloud_server, memory_keyring, monkeypatch, capsys
):
    monkeypatch.setenv("DAVDESK_PASSWORD", nextcloud_server.password)
    assert main(["login", "--user", nextcloud_server.login_name, nextcloud_server.origin]) == 0
    assert "the app password is in the keyring" in capsys.readouterr().out
    kept = set(memory_keyring.passwords.values())
    assert nextcloud_server.password not in kept
    assert kept == {p.password for p in nextcloud_server.app_passwords}


def test_put_trash_and_logout(nextcloud_server, memory_keyring, local, monkeypatch, capsys):
    app_password = nextcloud_server.issue_app_password("cli", login_name="alice")
    monkeypatch.setenv("DAVDESK_PASSWORD", app_password)
    big = local / "big.bin"
    big.write_bytes(os.urandom(11 * 1024 * 1024))
    assert main(["put", "--json", str(big), nextcloud_server.files_url]) == 0
    [put] = _json_lines(capsys.readouterr().out)
    assert put["ok"] and "uploaded in 2 chunks" in put["note"]

    assert main(["rm", "--json", nextcloud_server.files_url + "big.bin"]) == 0
    capsys.readouterr()
    assert main(["trash", "ls", "--json", nextcloud_server.files_url]) == 0
    [item] = _json_lines(capsys.readouterr().out)
    assert item["original_location"] == "big.bin" and item["size"] == 11 * 1024 * 1024
    assert main(["trash", "restore", nextcloud_server.files_url, "big.bin"]) == 0
    assert "ok        Restored /remote.php/dav/trashbin/" in capsys.readouterr().out
    assert (nextcloud_server.files_root / "big.bin").read_bytes() == big.read_bytes()

    assert main(["rm", nextcloud_server.files_url + "big.bin"]) == 0
    assert main(["trash", "empty", nextcloud_server.files_url]) == 0
    assert nextcloud_server.trash_items() == []
    assert main(["trash", "restore", nextcloud_server.files_url, "nothing.txt"]) == 2
    assert "not in the trash bin" in capsys.readouterr().err

    memory_keyring.set_password(f"davdesk {nextcloud_server.root_url}", "alice", app_password)
    assert main(["logout", nextcloud_server.files_url]) == 0
    assert "revoked and forgotten" in capsys.readouterr().out
    assert [p.revoked for p in nextcloud_server.app_passwords] == [True]
    assert memory_keyring.passwords == {}


def test_a_server_that_is_not_nextcloud(dav_server, capsys, monkeypatch):
    monkeypatch.setenv("DAVDESK_PASSWORD", dav_server.password)
    assert main(["login", "--user", dav_server.user, dav_server.url]) == 2
    assert "no Nextcloud at" in capsys.readouterr().err
