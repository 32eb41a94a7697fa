"""`davdesk login`, `share` and `logout` through a proxy that loses the answers of their writes.

The fake Nextcloud behind the fault proxy; the faults are scripted for the
writes (the asking for an app password, the link's POST, the revocation), so
every run meets the same ones. With the CLI's own retry policy a user sees
exit status 0, one link, and a revoked app password, as without faults.
"""

from __future__ import annotations

import json

import pytest

from app.cli import main
from tests.servers.fault_proxy import FaultProxy

pytest_plugins = ["tests.memory_keyring"]

JSON = "?format=json"
SHARES = "/ocs/v2.php/apps/files_sharing/api/v1/shares" + JSON
REVOKE = ("DELETE", "/ocs/v2.php/core/apppassword" + JSON)
EXCHANGE = ("GET", "/ocs/v2.php/core/getapppassword" + JSON)


@pytest.fixture(autouse=True)
def own_config(tmp_path, monkeypatch):
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "home"))


def test_login_share_and_logout_through_lost_answers_exit_0(
    nextcloud_server, memory_keyring, monkeypatch, capsys
):
    (nextcloud_server.files_root / "Docs").mkdir()
    (nextcloud_server.files_root / "Docs" / "a b.txt").write_bytes(b"x")
    script = {EXCHANGE: ["503"], ("POST", SHARES): ["reset-after"], REVOKE: ["reset-after"]}
    with FaultProxy(nextcloud_server.root_url, script=script, retry_after="0") as proxy:
        monkeypatch.setenv("DAVDESK_PASSWORD", nextcloud_server.password)
        assert main(["login", "--user", nextcloud_server.login_name, proxy.url]) == 0
        monkeypatch.delenv("DAVDESK_PASSWORD")
        [issued] = nextcloud_server.app_passwords  # the 503 issued none, the retry one
        capsys.readouterr()

        files = proxy.url + f"remote.php/dav/files/{nextcloud_server.user_id}/"
        assert main(["share", "--json", files + "Docs/a%20b.txt"]) == 0
        created = json.loads(capsys.readouterr().out)
        assert main(["share", "--json", "ls", files + "Docs/a%20b.txt"]) == 0
        assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == [
            created["id"]
        ]
        assert proxy.seen("POST")[SHARES] == 1  # the lost answer's link was found

        assert main(["logout", proxy.url]) == 0
        assert "revoked and forgotten" in capsys.readouterr().out
        assert proxy.seen("DELETE")[REVOKE[1]] == 1
    assert [p.revoked for p in nextcloud_server.app_passwords] == [True]
    assert issued.password not in memory_keyring.passwords.values()


def test_a_login_whose_app_password_answer_was_lost_says_what_to_revoke(
    nextcloud_server, memory_keyring, monkeypatch, capsys
):
    with FaultProxy(nextcloud_server.root_url, script={EXCHANGE: ["reset-after"]}) as proxy:
        monkeypatch.setenv("DAVDESK_PASSWORD", nextcloud_server.password)
        assert main(["login", "--user", nextcloud_server.login_name, proxy.url]) != 0
        assert proxy.seen("GET")[EXCHANGE[1]] == 1
    [line] = capsys.readouterr().err.splitlines()
    assert "may have issued an app password nobody received" in line
    assert "Settings > Security > Devices & sessions" in line
    assert len(nextcloud_server.app_passwords) == 1 and memory_keyring.passwords == {}


def test_a_link_the_server_keeps_refusing_is_given_up_saying_how_often(
    nextcloud_server, memory_keyring, monkeypatch, capsys
):
    (nextcloud_server.files_root / "a.txt").write_bytes(b"x")
    with FaultProxy(
        nextcloud_server.root_url, script={("POST", SHARES): ["503"] * 8}, retry_after="0"
    ) as proxy:
        monkeypatch.setenv("DAVDESK_PASSWORD", nextcloud_server.password)
        files = proxy.url + f"remote.php/dav/files/{nextcloud_server.user_id}/"
        assert main(["share", "--user", nextcloud_server.login_name, files + "a.txt"]) != 0
        assert proxy.seen("POST")[SHARES] == 8
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("davdesk: Server unavailable (503 Service Unavailable).")
    assert line.endswith("503 Service Unavailable (gave up after 8 attempts))")
